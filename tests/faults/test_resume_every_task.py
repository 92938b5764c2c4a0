"""Exact resume for every task kind: kill after a checkpoint (the newest checkpoint and the summary
deleted, as a kill before them would leave the workdir), rerun, metrics.jsonl byte-identical.

A task kind joins by adding one RESUME_CASES entry (a config and overrides that train ~20 steps with
a checkpoint at step 10), or a NOT_YET entry saying why it is skipped; test_every_kind_is_declared
fails for a kind registered in dljax.train.tasks.TASKS that is in neither.
"""
import pytest

from dljax.train import tasks
from tests.helpers import assert_resume_is_bitwise_identical, load_config

_SHORT = {'train.steps': 20, 'train.checkpoint_every': 10, 'train.eval_every': 10,
          'train.log_every': 1, 'train.async_checkpoints': False}

# task kind -> (config, overrides); every pattern of the kit: one network (classification, lm),
# two networks and optimizers (gan), an EMA target in the state (mean_teacher), an inner loop
# differentiated through with the data drawn inside the step, no host batches (maml)
RESUME_CASES = {
    'classification': ('configs/basics/xor.py', {}),
    'gan': ('configs/gan/gan_mog.py', {}),
    'lm': ('configs/language/shakespeare_gpt.py', {}),
    'mean_teacher': ('configs/self_supervised/mean_teacher_1d.py', {}),
    'maml': ('configs/meta/maml_sine.py', {}),
}
# kinds not in this test yet, and why (their smoke runs cost more; their iterators and states are
# of the kinds above)
NOT_YET = {
    'bert_play': 'classification on its own data', 'bert_pretrain': 'grain iterator like lm',
    'denoise': 'classification state (U-Net: slow)', 'segment': 'classification state (U-Net: slow)',
    'glove': 'one network', 'word2vec': 'one network', 'icl': 'lm with its own stream',
    'mae': 'one network (ViT: slow)', 'seq2seq': 'one network (decoding: slow)',
    'sequence_io': 'one network (NTM: slow)',
}


def test_every_kind_is_declared():
  missing = sorted(set(tasks.TASKS) - set(RESUME_CASES) - set(NOT_YET))
  assert not missing, f'add the task kinds {missing} to RESUME_CASES (or NOT_YET with a reason)'


@pytest.mark.parametrize('kind', sorted(RESUME_CASES))
def test_resume_is_bitwise_identical(kind, tmp_path):
  path, overrides = RESUME_CASES[kind]

  def config():
    c = load_config(path, 'smoke', **{**_SHORT, **overrides})
    assert c.task == kind
    return c
  assert_resume_is_bitwise_identical(config, str(tmp_path), last_step=20)
