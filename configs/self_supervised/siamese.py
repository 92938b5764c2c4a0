r"""The Siamese energy-based model on Fashion-MNIST: E(x1, x2) = ||z1 - z2||^2 / 2 of two augmented
views' normalised codes. ssl.loss='positive' (the default here) pulls positives only and collapses:
every image maps to one point (collapse/std_sqrt_d -> 0); 'margin' adds the negatives' hinge
max(0, m - E(x, x-))^2 (Hadsell et al. 2006) and does not; 'triplet' uses Fashion-MNIST classes as
the thematic similarity (configs/self_supervised/triplet.py).

  python -m experiments.train --config=configs/self_supervised/siamese.py:cpu --workdir=runs/siamese
  python -m experiments.train --config=configs/self_supervised/siamese.py:cpu --config.ssl.loss=margin --workdir=runs/siamese_margin

Reported: collapse/std_sqrt_d (~1 healthy, -> 0 collapsed), collapse/effective_rank, the probe
sweep probe/*. Run both losses (the two commands above) to see the collapse. cpu: 600
steps of batch 256. full: 10,000 steps.
"""
from configs import common
from configs.self_supervised import _ssl


def get_config(preset: str = 'cpu'):
  config = _ssl.fmnist(preset, 'siamese', 'siamese', steps=600)
  config.ssl.loss = 'positive'
  config.ssl.margin = 1.0
  config.evals.probe.supervised = 0
  config.evals.probe.baselines = False
  config.evals.collapse.split = 'test'  # the reported diagnostic (nothing is chosen on it)
  config.reference = common.reference(
      'collapse/std_sqrt_d', (0.0, 0.1), unit='', source='expectation: with positives only and '
      'no stop-gradient, the std of the normalised output falls far below 1/sqrt(d) (Chen & He 2021)')
  return config
