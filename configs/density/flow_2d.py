r"""A 2-D normalising flow (8 affine couplings with alternating coordinate masks, RealNVP-style MLP
couplings) fitted by maximum likelihood to two moons; variant 'rings': a ring of 8 Gaussians.

  python -m experiments.train --config=configs/density/flow_2d.py:cpu --workdir=runs/flow_moons
  python -m experiments.train --config=configs/density/flow_2d.py:cpu --workdir=runs/flow_rings \
      --config.data.name=toy_rings

The change of variables log p(x) = log N(f(x); 0, I) + log|det df/dx| (dljax/models/flows.py);
plots/density.png: the test points, the learned density on a grid, and the z-space grid lines
mapped through f^{-1} with samples. test/nll = -log p(x) in nats per test point (1,024 points).
cpu preset: 8 couplings, MLP width 64 with 1 residual block, Adam 1e-3 warm-up + cosine, batch
256, 3,000 steps. Reference: no published number; the band is an expectation (see source).
Measured numbers: docs/density/README.md; notes: docs/density/diffusion_notes.md.
"""
from configs import common

VARIANTS = {'rings': ({'data.name': 'toy_rings'}, common.reference(
    'test/nll', (-2.5, 0.5), unit='', source='expectation: 8 Gaussians of std 0.02 on a circle of '
    'radius 2 have entropy log(8) + log(2 pi e 0.02^2) = -3.92 nats; a flow must stretch a '
    'Gaussian into 8 sharp modes (a connected support), so it stays well above that'))}


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='flow_2d', task='flow')
  config.data.name = 'toy_moons'
  config.model.name = 'flow2d'
  config.model.couplings = 8
  config.model.hidden = {'smoke': 16, 'cpu': 64, 'full': 128}[preset]
  config.model.blocks = 1
  config.model.input_shape = (2,)
  common.adam_warmup_cosine(config, preset, lr=1e-3, warmup_steps=100)
  config.reference = common.reference(
      'test/nll', (0.0, 1.0), unit='', source='expectation (no published number): two moons with '
      'noise 0.1 (sklearn make_moons), nats per test point; a Gaussian fit gives ~2.2, a '
      'well-fitted flow well below it')
  common.preset(config, preset,
                smoke=dict(steps=4, batch_size=64, eval_batch_size=512),
                cpu=dict(steps=3000, batch_size=256, eval_every=1000, checkpoint_every=1000),
                full=dict(steps=20000, batch_size=512, eval_every=2000))
  return config
