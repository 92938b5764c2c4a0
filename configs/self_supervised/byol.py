r"""BYOL on Fashion-MNIST: online network (encoder f, projection g, predictor q) regresses the
projection of the other view by its EMA target (tau from 0.99 to 1, cosine); no negatives.

  python -m experiments.train --config=configs/self_supervised/byol.py:cpu --workdir=runs/byol

Reported: the probe sweep probe/* (see simclr.py) and the collapse monitors collapse/* (the std of
the normalised projection near 1/sqrt(64) when healthy). cpu: 1000 steps of batch 256.
Reference: REFERENCES.md §13 bars (beat the random encoder and the pixels). full: 20,000 steps.
"""
from configs.self_supervised import _ssl


def get_config(preset: str = 'cpu'):
  config = _ssl.fmnist(preset, 'byol', 'byol')
  config.model.pred_hidden = 32 if preset == 'smoke' else 256
  config.ssl.ema = 0.99
  return _ssl.probe_reference(
      config, (0.80, 0.88), 'expectation: as SimCLR (Grill et al. 2020 report BYOL >= SimCLR at '
      'ImageNet scale); the raw-pixel probe reaches ~84 %')
