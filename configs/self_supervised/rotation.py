r"""Rotation prediction (RotNet) on Fashion-MNIST: the encoder f and a linear head classify which of
the four rotations rot90(x, r) it sees (all four per image).

  python -m experiments.train --config=configs/self_supervised/rotation.py:cpu --workdir=runs/rotation

Reported: test/accuracy of the 4-way pretext, the probe sweep probe/* of f (see simclr.py), and
collapse/* on h. cpu: 1000 steps of batch 256 (1,024 rotated images a step). full: 20,000 steps.
Reference: REFERENCES.md §13 bars (beat the random encoder and the pixels).
"""
from configs.self_supervised import _ssl


def get_config(preset: str = 'cpu'):
  config = _ssl.fmnist(preset, 'rotation', 'rotation', augment=False)
  config.model.proj_dim = 0
  config.model.num_outputs = 4
  config.evals.collapse.output = 'features'
  return _ssl.probe_reference(
      config, (0.78, 0.88), 'expectation: RotNet features probe below contrastive ones (Gidaris et '
      'al. 2018 vs Chen et al. 2020); the raw-pixel probe reaches ~84 %')
