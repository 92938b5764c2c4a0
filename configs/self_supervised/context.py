r"""Context prediction on Fashion-MNIST: the centre patch and one of its 8 neighbours in a 3 x 3 grid
of 7 x 7 patches (gaps of 2 pixels, jittered by up to 3) are encoded by f, and an MLP on
[f(centre); f(neighbour)] classifies the neighbour's position (the notes' 8-way classification).

  python -m experiments.train --config=configs/self_supervised/context.py:cpu --workdir=runs/context

Reported: test/accuracy of the 8-way pretext, the probe sweep probe/* of f on whole images (see
simclr.py), collapse/* on h. cpu: 1000 steps of batch 256. full: 20,000 steps.
Reference: REFERENCES.md §13 bars (beat the random encoder and the pixels).
"""
from configs.self_supervised import _ssl


def get_config(preset: str = 'cpu'):
  config = _ssl.fmnist(preset, 'context', 'context_prediction', augment=False)
  config.model.proj_dim = 0
  config.model.pair_outputs = 8
  config.ssl.patch = 7
  config.ssl.gap = 2
  config.evals.collapse.output = 'features'
  return _ssl.probe_reference(
      config, (0.75, 0.88), 'expectation: patch-level pretext features transfer less well to whole '
      'images (Doersch et al. 2015); the raw-pixel probe reaches ~84 %')
