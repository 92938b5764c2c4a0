r"""SN-GAN on Fashion-MNIST (Miyato et al. 2018): hinge loss, every critic layer spectrally normalised
(W / sigma_max(W), sigma_max by one power-iteration step per training step and tracked per layer as
train/sigma/<layer>), the DCGAN generator; Adam(2e-4, b1 = 0.5, b2 = 0.999).

  python -m experiments.train --config=configs/gan/fmnist_sngan.py:cpu --workdir=runs/fmnist_sngan

Metrics: FD / KID / PRDC / IS (dljax/eval/sample_quality.py). cpu: 2000 steps, batch 64, n_critic 1.
full: 20,000 steps (GPU; not run). VARIANTS: 'projection', the class-conditional GAN with the
projection discriminator (Miyato & Koyama 2018), G(z, y) with a label embedding.
MEASURED: docs/gan/README.md.
"""
from configs import common
from configs.gan import _image_common as image_common

VARIANTS = {
    'projection': ({'model.num_classes': 10},
                   common.no_reference('cGAN with the projection discriminator')),
}


def get_config(preset: str = 'cpu'):
  config = image_common.image_gan(preset, 'fmnist_sngan', loss='hinge', lr=2e-4)
  config.model.g_arch = config.model.d_arch = 'conv'
  config.model.g_channels = (128, 64)
  config.model.d_channels = (64, 128)
  config.model.d_norm = 'spectral'
  config.reference = image_common.fd_reference((0.0, 20.0), 'SN-GAN trains stably')
  common.preset(config, preset, smoke=image_common.SMOKE,
                cpu=dict(steps=2000, batch_size=64, eval_every=1000),
                full=dict(steps=20000, batch_size=64, eval_every=2000))
  return config
