r"""Fashion-MNIST ReLU MLP (784-256-256-10), standard training: the baseline that PGD adversarial
training (fmnist_pgd_at.py, the same network, data and schedule) is compared with.

  python -m experiments.train --config=configs/adversarial/fmnist_standard.py:cpu --workdir=runs/adv_std
  python -m experiments.evaluate --workdir=runs/adv_std --card=robustness

Evaluators at the end (first 1,000 test images, l_inf eps = 0.1): uniform noise, FGSM and PGD-20
(random start, 2 restarts). Expected: ~87 % clean and PGD near 0 % (a standard network has no
robustness at eps = 0.1; REFERENCES.md §6: even on MNIST a standard CNN keeps only 18.3 %).
An MLP, not a CNN, because PGD training multiplies the cost of a step by steps + 1 and the cpu
preset must fit a shared 2-core CPU. MEASURED: docs/adversarial/README.md (3 seeds, cpu preset).
"""
from configs import common


def mlp(config):
  config.data.name = 'fashion_mnist'
  config.model.name = 'mlp'
  config.model.hidden = (256, 256)
  config.model.act = 'relu'


def cnn(config):
  """A small CNN (conv3x3-16, pool, conv3x3-32, pool, FC-128, FC-10), for the studies."""
  config.data.name = 'fashion_mnist'
  config.model.name = 'cnn'
  config.model.features = (16, 32)
  config.model.kernel = 3
  config.model.dense = 128
  config.model.dropout = 0.0


def robust_evals(config, preset: str, eps: float = 0.1, steps: int = 20):
  """Noise, FGSM and PGD accuracy at eps on the first 1,000 test images, after the last step."""
  limit = 64 if preset == 'smoke' else 1000
  config.evals.noise = dict(type='adversarial', attack='noise', eps=eps, limit=limit)
  config.evals.fgsm = dict(type='adversarial', attack='fgsm', eps=eps, limit=limit)
  config.evals.pgd = dict(type='adversarial', attack='pgd', eps=eps, restarts=2, limit=limit,
                          steps=2 if preset == 'smoke' else steps)


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='fmnist_standard', task='classification')
  mlp(config)
  common.adam_warmup_cosine(config, preset, lr=1e-3)
  robust_evals(config, preset)
  config.reference = common.reference(
      'test/accuracy', (0.85, 0.89), source='expectation: REFERENCES.md §1 MLP 88.33 % after 100 '
      'epochs; 2 cpu epochs here. Robust numbers: pgd/accuracy (expected ~0)')
  common.preset(config, preset,
                smoke=common.FMNIST_SMOKE,
                cpu=dict(epochs=2, batch_size=128, eval_every=1000),
                full=dict(epochs=20, batch_size=128))
  return config
