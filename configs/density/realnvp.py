r"""RealNVP (Dinh et al. 2017) on 8-bit Fashion-MNIST with uniform dequantisation: the multi-scale
architecture of affine couplings with checkerboard and channel masks and squeezes
(dljax/models/flows.py); reports bits per dimension of the 8-bit test images.

  python -m experiments.train --config=configs/density/realnvp.py:cpu --workdir=runs/realnvp

y = (k + u) / 256 with u ~ U(0, 1), modelled in logit space; test/bpd = (-log p(y) + D log 256) /
(D ln 2), an upper bound on the discrete model's bits/dim (docs/density/diffusion_notes.md).
cpu preset: scales = 2 (3 checkerboard couplings at 28x28x1, squeeze to 14x14x4, 3 channel
couplings, half the channels factored out, 4 checkerboard couplings at 14x14x2), coupling nets of
32 channels with 1 residual block, Adam 1e-3 warm-up (200) + cosine, batch 64, 300 steps,
2,000 test images. MEASURED (seed 0, 2-core CPU shared at load ~7): test/bpd 4.470 in 327 s. full: scales = 3, 64
channels, 4 blocks, 100 epochs (untested here). Reference: the floor of independent 8-bit pixels,
4.588 bits/dim (REFERENCES.md §9); on MNIST flows reach 1.02-1.08 (§10), Fashion-MNIST is harder.
Measured numbers: docs/density/README.md; notes: docs/density/diffusion_notes.md.
"""
from configs import common

FLOOR = 4.588  # REFERENCES.md §9: independent per-pixel 256-way histogram, Fashion-MNIST test


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='realnvp', task='flow')
  config.data.name = 'fashion_mnist'
  config.model.name = 'realnvp'
  config.model.input_shape = (28, 28, 1)
  config.model.scales = {'smoke': 2, 'cpu': 2, 'full': 3}[preset]
  config.model.couplings = 3
  config.model.hidden = {'smoke': 8, 'cpu': 32, 'full': 64}[preset]
  config.model.blocks = {'smoke': 1, 'cpu': 1, 'full': 4}[preset]
  common.adam_warmup_cosine(config, preset, lr=1e-3, warmup_steps=200)
  config.optim.grad_clip_norm = 100.0
  config.reference = common.reference(
      'test/bpd', (2.5, FLOOR), unit='', value=FLOOR,
      source=f'expectation: below the {FLOOR} bits/dim floor of independent pixels (REFERENCES.md '
             '§9); no published Fashion-MNIST RealNVP anchor (MNIST flows 1.02-1.08, §10)')
  common.preset(config, preset,
                smoke=common.FMNIST_SMOKE,
                cpu=dict(steps=300, batch_size=64, eval_batch_size=500, test_limit=2000,
                         validation_limit=1000, eval_every=300, checkpoint_every=300),
                full=dict(epochs=100, batch_size=64, eval_every=5000))
  return config
