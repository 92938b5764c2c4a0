r"""WGAN critics on Fashion-MNIST with the DCGAN generator: weight clipping (Arjovsky et al. 2017) and,
as the variant 'gp', the gradient penalty (Gulrajani et al. 2017).

  python -m experiments.train --config=configs/gan/fmnist_wgan.py:cpu --workdir=runs/fmnist_wgan
  (the gradient-penalty variant: python -m experiments.reproduce gan --only=fmnist_wgan:gp)

wgan (this config): critic Conv 4x4/2 (64) -> LReLU -> Conv 4x4/2 (128) -> LReLU -> Dense(1), no
normalisation, weights clipped to [-0.01, 0.01] after each of n_critic = 5 RMSProp(5e-5) steps.
gp: the same critic, lambda = 10, n_critic = 5, Adam(1e-4, b1 = 0.5, b2 = 0.9) (the paper's).
Metrics: FD / KID / PRDC / IS (dljax/eval/sample_quality.py); train/critic_gap = E D(x) - E D(G(z))
(the critic's Wasserstein estimate). cpu: 1000 G steps (5000 critic steps), batch 64. full: 20,000.
MEASURED: docs/gan/README.md.
"""
from configs import common
from configs.gan import _image_common as image_common

VARIANTS = {
    'gp': ({'gan.loss': 'wgan_gp', 'optim.name': 'adam', 'optim_d.name': 'adam', 'optim.lr': 1e-4,
            'optim_d.lr': 1e-4, 'optim.b1': 0.5, 'optim_d.b1': 0.5, 'optim.b2': 0.9,
            'optim_d.b2': 0.9},
           image_common.fd_reference((0.0, 20.0), 'WGAN-GP trains stably to a DCGAN-like FD')),
}


def get_config(preset: str = 'cpu'):
  config = image_common.image_gan(preset, 'fmnist_wgan', loss='wgan', lr=5e-5)
  config.optim.name = config.optim_d.name = 'rmsprop'
  config.model.g_arch = config.model.d_arch = 'conv'
  config.model.g_channels = (128, 64)
  config.model.d_channels = (64, 128)
  config.model.d_norm = 'none'
  config.gan.d_steps = 5
  config.reference = image_common.fd_reference((0.0, 60.0), 'weight clipping learns slowly')
  common.preset(config, preset, smoke=image_common.SMOKE,
                cpu=dict(steps=1000, batch_size=64, eval_every=500),
                full=dict(steps=20000, batch_size=64, eval_every=2000))
  return config
