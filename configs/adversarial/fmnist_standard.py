r"""Fashion-MNIST small CNN, standard training: the baseline every attack and defence of the family is
measured against (conv3x3-16, pool, conv3x3-32, pool, FC-128, FC-10; no dropout).

  python -m experiments.train --config=configs/adversarial/fmnist_standard.py:cpu --workdir=runs/adv_std
  python -m experiments.evaluate --workdir=runs/adv_std --card=robustness

Evaluators at the end (first 1,000 test images): uniform noise, FGSM and PGD-20 (l_inf, eps = 0.1, 2 restarts).
Expected: ~89 % clean, PGD-20 at eps = 0.1 near 0 (a standard CNN has no robustness; REFERENCES.md
§6: MNIST standard CNN 18.3 % at eps = 0.1, and Fashion-MNIST is far less robust).
MEASURED: see docs/adversarial/README.md (3 seeds, cpu preset, 2-core CPU).
"""
from configs import common


def cnn(config):
  config.data.name = 'fashion_mnist'
  config.model.name = 'cnn'
  config.model.features = (16, 32)
  config.model.kernel = 3
  config.model.dense = 128
  config.model.dropout = 0.0


def robust_evals(config, eps: float = 0.1, steps: int = 20):
  """FGSM and PGD accuracy at eps on the first 1,000 test images, after the last step."""
  config.evals.noise = dict(type='adversarial', attack='noise', eps=eps, limit=1000)
  config.evals.fgsm = dict(type='adversarial', attack='fgsm', eps=eps, limit=1000)
  config.evals.pgd = dict(type='adversarial', attack='pgd', eps=eps, steps=steps, restarts=2,
                          limit=1000)


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='fmnist_standard', task='classification')
  cnn(config)
  common.adam_warmup_cosine(config, preset, lr=2e-3)
  robust_evals(config)
  config.reference = common.reference(
      'test/accuracy', (0.87, 0.91), source='expectation: a small CNN after 2 epochs (the '
      'fmnist_cnn benchmark net reaches 92.2 % in 6 epochs); robust numbers in pgd/accuracy')
  common.preset(config, preset,
                smoke=common.FMNIST_SMOKE,
                cpu=dict(epochs=2, batch_size=128, eval_every=1000),
                full=dict(epochs=20, batch_size=128))
  if preset == 'smoke':
    for name in ('noise', 'fgsm', 'pgd'):
      config.evals[name].limit = 64
    config.evals.pgd.steps = 2
  return config
