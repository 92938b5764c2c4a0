"""Exact resume for every task kind: kill after a checkpoint (the newest checkpoint and the summary
deleted, as a kill before them would leave the workdir), rerun, metrics.jsonl byte-identical.

A task kind joins by adding one RESUME_CASES entry: a config whose smoke preset, with the overrides,
trains 20 steps with checkpoints at steps 10 and 20. There is no way to skip: test_every_kind_is_declared
fails for any kind registered in dljax.train.tasks.TASKS without an entry.
"""
import pytest

from dljax.train import tasks
from tests.helpers import assert_resume_is_bitwise_identical, assert_smoke_outputs, load_config

_SHORT = {'train.steps': 20, 'train.checkpoint_every': 10, 'train.eval_every': 10,
          'train.log_every': 1, 'train.async_checkpoints': False}

# task kind -> (config, overrides). Every pattern of the kit is here: one network (most kinds), two
# networks and optimizers (gan), an EMA target in the state (mean_teacher), an inner loop
# differentiated through with the data drawn inside the step and no host batches (maml), and each
# kind's own batch stream (dataset records, generated sequences, co-occurrence and context pairs)
RESUME_CASES = {
    'adversarial': ('configs/adversarial/fmnist_pgd_at.py', {}),
    'classification': ('configs/basics/xor.py', {}),
    'gan': ('configs/gan/gan_mog.py', {}),
    'lm': ('configs/language/shakespeare_gpt.py', {}),
    'mean_teacher': ('configs/self_supervised/mean_teacher_1d.py', {}),
    'maml': ('configs/meta/maml_sine.py', {}),
    'bert_pretrain': ('configs/language/bert_pretrain.py', {}),
    'denoise': ('configs/vision/fmnist_unet.py', {}),
    'segment': ('configs/vision/shapes_unet.py', {}),
    'glove': ('configs/embeddings/glove.py', {}),
    'word2vec': ('configs/embeddings/word2vec.py', {}),
    'icl': ('configs/language/icl.py', {}),
    'image_gan': ('configs/gan/fmnist_dcgan.py', {}),
    'mae': ('configs/vision/fmnist_mae.py', {}),
    'seq2seq': ('configs/sequence/reverse_attention.py', {}),
    'sequence_io': ('configs/memory/ntm_copy.py', {}),
    'autoencode': ('configs/autoencoders/linear_ae_pca.py', {}),
    'node_classification': ('configs/graphs/sbm_gnn.py', {'model.layer': 'sage_mean'}),
    'graph_classification': ('configs/graphs/graph_pooling.py', {}),
    'node_embedding': ('configs/graphs/deepwalk.py', {'data.q': 0.5}),
    'vae': ('configs/vae/fmnist_vae.py', {}),
    'vqvae': ('configs/vae/fmnist_vqvae.py', {}),
    'dqn': ('configs/rl/dqn_cartpole.py', {}),
    'diffusion': ('configs/density/ddpm.py', {}),
    'flow': ('configs/density/flow_2d.py', {}),
    'policy_gradient': ('configs/rl/a2c_cartpole.py', {}),
    'simclr': ('configs/self_supervised/simclr.py', {}),
    'moco': ('configs/self_supervised/moco.py', {}),
    'byol': ('configs/self_supervised/byol.py', {}),
    'dino': ('configs/self_supervised/dino.py', {}),
    'siamese': ('configs/self_supervised/siamese.py', {}),
    'rotation': ('configs/self_supervised/rotation.py', {}),
    'context_prediction': ('configs/self_supervised/context.py', {}),
    'inpainting': ('configs/self_supervised/inpainting.py', {}),
    'promptable_segment': ('configs/segmentation/sam_shapes.py', {}),
    'arith': ('configs/language/arith_cot.py', {}),
}


def test_every_kind_is_declared():
  missing = sorted(set(tasks.TASKS) - set(RESUME_CASES))
  assert not missing, f'add the task kinds {missing} to RESUME_CASES in {__file__}'


@pytest.mark.parametrize('kind', sorted(RESUME_CASES))
def test_resume_is_bitwise_identical(kind, tmp_path):
  path, overrides = RESUME_CASES[kind]

  def config(plots: bool = False):  # the plots read the metrics; they change nothing of the state
    c = load_config(path, 'smoke', **{**_SHORT, **overrides, 'train.plots': plots})
    assert c.task == kind
    return c
  summary = assert_resume_is_bitwise_identical(config, str(tmp_path), last_step=20,
                                               make_first_config=lambda: config(plots=True))
  # the first run is also the smoke run of its config (tests/configs/test_configs.py leaves the
  # RESUME_CASES configs to this test): its outputs and final metrics
  assert_smoke_outputs(summary, tmp_path / 'a')
