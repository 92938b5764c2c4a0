r"""Triplet loss on Fashion-MNIST classes (Dor et al. 2018's thematic similarity, with clothes
classes as the themes): max(0, E(a, p) - E(a, n) + m), E = ||z_a - z_p||^2 / 2 on normalised codes,
p another image of a's class in the batch, n an image of another class, margin m = 0.5.

  python -m experiments.train --config=configs/self_supervised/triplet.py:cpu --workdir=runs/triplet

Uses the labels (weak supervision), so its probe is an upper reference for the label-free methods.
Reported: probe/knn_all and probe/linear_* (see simclr.py), collapse/*. cpu: 600 steps of
batch 256. full: 10,000 steps.
"""
from configs import common
from configs.self_supervised import _ssl


def get_config(preset: str = 'cpu'):
  config = _ssl.fmnist(preset, 'triplet', 'siamese', steps=600)
  config.ssl.loss = 'triplet'
  config.ssl.margin = 0.5
  config.evals.probe.supervised = 0
  config.evals.probe.baselines = False
  config.reference = common.reference(
      'probe/knn_all', (0.86, 0.92), source='expectation: a metric learnt from all labels: k-NN '
      'near a supervised small convnet (~90 %, REFERENCES.md §1)')
  return config
