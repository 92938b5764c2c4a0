r"""Fashion-MNIST VQ-VAE (van den Oord et al. 2017): a conv encoder to a 7x7 grid of 16-d vectors,
each replaced by its nearest of K = 64 codebook vectors (straight-through gradient), a
conv-transpose decoder; loss = per-pixel MSE + codebook loss + 0.25 x commitment loss.

  python -m experiments.train --config=configs/vae/fmnist_vqvae.py:cpu --workdir=runs/fmnist_vqvae

Reports the test MSE per pixel, and codebook usage counted over the whole test set (codes used of
K, perplexity exp H(p_code)); an image is 49 codes = 49 log2 64 = 294 bits. Dead codes are counted,
not revived. cpu preset: channels 32/64 (K = 64, D = 16), Adam 1e-3 warm-up + cosine, batch 128,
2,000 steps. Reference: an expectation band for the MSE against PCA (REFERENCES.md §9: 0.01514 at
k = 32 floats, 0.00631 at k = 128) -- a 294-bit discrete code should land between the two.
"""
from configs import common


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='fmnist_vqvae', task='vqvae')
  config.data.name = 'fashion_mnist'
  config.model.name = 'vqvae'
  config.model.codes = 64  # K
  config.model.code_dim = 16  # D
  config.model.channels = {'smoke': 8, 'cpu': 32, 'full': 64}[preset]
  config.vqvae = dict(beta=0.25)
  common.adam_warmup_cosine(config, preset, lr=1e-3, warmup_steps=100)
  config.reference = common.reference(
      'test/mse', (0.004, 0.01514), unit='',
      source='expectation: between PCA at k = 128 and k = 32 (REFERENCES.md §9); no Fashion-MNIST '
             'VQ-VAE anchor')
  common.preset(config, preset,
                smoke=common.FMNIST_SMOKE,
                cpu=dict(steps=2000, batch_size=128, eval_every=1000, checkpoint_every=1000),
                full=dict(epochs=50, batch_size=128, eval_every=5000))
  return config
