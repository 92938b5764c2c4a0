r"""The model the attribution studies explain: a small Fashion-MNIST convnet with a global-average-
pool + linear head (dljax.models.cnn.GapCNN: relu(conv3x3) 32-64-64 with 2x2 max-pools, GAP,
linear), so that CAM is defined and Grad-CAM must equal it. The attribution evaluator runs at the
end on 64 test images: deletion / insertion AUC of saliency, integrated gradients, LRP-epsilon and
occlusion, IG's completeness error and LRP's conservation error.

  python -m experiments.train --config=configs/interpretability/fmnist_gap_cnn.py:cpu --workdir=runs/fmnist_gap_cnn
  python -m experiments.evaluate --workdir=runs/fmnist_gap_cnn --config.evals.attr.type=attribution \
      --config.evals.attr.methods="('lime', 'gradcam')"

cpu preset: Adam 3e-3 with warm-up + cosine, batch 128, 1,200 steps (~2.8 epochs), ~1.5 min on
2 cores. Reference: none published for this net; the expectation is 86-90 % test accuracy (the
GAP head and the short schedule cost a few points against fmnist_cnn's 92 %).
Studies on it: experiments/interpretability/attributions.py (all methods, sanity checks, t-SNE).
"""
from configs import common

ONE_SEED = ('~14 min per run on the shared 2-core machine (load ~30) at the time of measuring; '
            'the attribution numbers are per-image averages over 64 images')


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='fmnist_gap_cnn', task='classification')
  config.data.name = 'fashion_mnist'
  config.model.name = 'gap_cnn'
  config.model.features = (32, 64, 64)
  common.adam_warmup_cosine(config, preset, lr=3e-3, warmup_steps=100)
  config.evals.attr = dict(type='attribution', examples=64, steps=32,
                           methods=('saliency', 'integrated_gradients', 'lrp_epsilon',
                                    'lrp_zplus', 'occlusion'))
  config.reference = common.reference(
      'test/accuracy', (0.86, 0.90), source='expectation: a 3-conv GAP net after ~3 epochs; '
      'below fmnist_cnn (92 %) by a few points')
  common.preset(config, preset,
                smoke=dict(common.FMNIST_SMOKE, steps=4),
                cpu=dict(steps=1200, batch_size=128, eval_every=600),
                full=dict(epochs=20, batch_size=128))
  if preset == 'smoke':
    config.evals.attr.update(examples=2, steps=2, methods=('saliency',))
  return config
