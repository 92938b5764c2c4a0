r"""Inpainting on Fashion-MNIST, in place of colourisation (Fashion-MNIST is grey: there is no colour
to predict): the central 10 x 10 square is zeroed and a linear map of h = f(x with the hole)
regresses its 100 pixels.

  python -m experiments.train --config=configs/self_supervised/inpainting.py:cpu --workdir=runs/inpainting

Reported: test/loss (MSE over the hole's pixels), the probe sweep probe/* of f (see simclr.py),
collapse/* on h. cpu: 1000 steps of batch 256. full: 20,000 steps.
Reference: REFERENCES.md §13 bars (beat the random encoder and the pixels).
"""
from configs.self_supervised import _ssl


def get_config(preset: str = 'cpu'):
  config = _ssl.fmnist(preset, 'inpainting', 'inpainting', augment=False)
  config.model.proj_dim = 0
  config.ssl.hole = 10
  config.model.num_outputs = 100
  config.evals.collapse.output = 'features'
  return _ssl.probe_reference(
      config, (0.75, 0.88), 'expectation: below the contrastive methods (Pathak et al. 2016); the '
      'raw-pixel probe reaches ~84 %')
