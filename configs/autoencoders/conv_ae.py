r"""Fashion-MNIST convolutional autoencoder: stride-2 3x3 convolutions 28 -> 14 -> 7 (16, 32
channels), a linear code of k units, and a mirrored decoder whose x2 upsampling is a transposed
3x3 convolution (model.upsample: 'transposed', 'nearest', 'bilinear' or 'pixel_shuffle', each
followed by / folded into a 3x3 convolution; dljax.models.autoencoders.ConvAE).

  python -m experiments.train --config=configs/autoencoders/conv_ae.py:cpu --workdir=runs/conv_ae
  python -m experiments.study autoencoders/conv_ae_sweep --workdir=runs/conv_ae_sweep   # k and decoders

cpu preset: k = 32, Adam 2e-3 with warm-up + cosine, batch 64, STEPS steps.
Reference: expectation: below PCA's per-pixel test MSE at the same k (0.01514 at k = 32,
REFERENCES.md §9), like the deep MLP AE (configs/autoencoders/deep_ae.py).
"""
from configs import common

STEPS = 2000


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='conv_ae', task='autoencode')
  config.data.name = 'fashion_mnist'
  config.model.name = 'conv_ae'
  config.model.latent_dim = 32  # k
  config.model.channels = (16, 32)
  config.model.upsample = 'transposed'
  config.model.act = 'relu'
  common.adam_warmup_cosine(config, preset, lr=2e-3, warmup_steps=100)
  config.reference = common.reference(
      'test/mse', (0.0, 0.01514), unit='',
      source='expectation: a conv AE beats PCA at the same k; PCA floor 0.01514 at k=32 from '
             'REFERENCES.md §9')
  common.preset(config, preset,
                smoke=common.FMNIST_SMOKE,
                cpu=dict(steps=STEPS, batch_size=64, eval_every=1000, checkpoint_every=STEPS),
                full=dict(epochs=50, batch_size=128, eval_every=5000))
  return config
