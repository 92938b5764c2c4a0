r"""DCGAN on Fashion-MNIST (Radford et al. 2016): G = Dense(7x7x128) -> BN-ReLU -> ConvT 4x4/2 (64) ->
BN-ReLU -> ConvT 4x4/2 (1) -> sigmoid; D = Conv 4x4/2 (64) -> LReLU -> Conv 4x4/2 (128) -> BN -> LReLU
-> Dense(1); non-saturating loss, Adam 2e-4, b1 = 0.5, z ~ N(0, I)^64.

  python -m experiments.train --config=configs/gan/fmnist_dcgan.py:cpu --workdir=runs/fmnist_dcgan

Metrics: FD / KID / PRDC / IS of 2000 samples (dljax/eval/sample_quality.py). Plots:
plots/samples.png and plots/interpolations.png (G((1 - t) z0 + t z1)). Latent vector arithmetic is
not built yet.
Reference: no published number in this feature space (docs/gan/notes.md has the floors).
cpu preset: 2000 steps, batch 64 (reduced DCGAN widths 128/64). full: 20,000 steps (GPU; not run).
MEASURED: docs/gan/README.md.
"""
from configs import common
from configs.gan import _image_common as image_common

VARIANTS = {
    # SAGAN's self-attention layer at 14 x 14 in G and D (Zhang et al. 2019)
    'sagan': ({'model.attention': True}, common.no_reference('DCGAN + self-attention at 14 x 14')),
}


def get_config(preset: str = 'cpu'):
  config = image_common.image_gan(preset, 'fmnist_dcgan', loss='ns', lr=2e-4)
  config.model.g_arch = config.model.d_arch = 'conv'
  config.model.g_channels = (128, 64)
  config.model.d_channels = (64, 128)
  config.model.d_norm = 'batch'
  config.reference = image_common.fd_reference((0.0, 20.0), 'a DCGAN beats the MLP GAN')
  common.preset(config, preset, smoke=image_common.SMOKE,
                cpu=dict(steps=2000, batch_size=64, eval_every=1000),
                full=dict(steps=20000, batch_size=64, eval_every=2000))
  return config
