r"""Fashion-MNIST VAE with continuous decoder likelihoods on 8-bit pixels, uniformly dequantised
(y = (k + u) / 256, u ~ U(0, 1)): a learned per-pixel Gaussian (the default), and as VARIANTS a
fixed-sigma Gaussian (sigma = 0.1: the MSE up to constants), a learned Laplace (L1) and the
continuous Bernoulli (the 'BCE' made a density on [0, 1] by its log-normaliser log C(lambda)).

  python -m experiments.train --config=configs/vae/fmnist_vae_decoders.py:cpu --workdir=runs/vae_gauss
  python -m experiments.train --config=configs/vae/fmnist_vae_decoders.py:cpu --workdir=runs/vae_cb \
      --config.model.likelihood=cbernoulli

Reported in bits per dimension of the 8-bit image, (-L_50 + D log 256) / (D ln 2) (an upper bound on
the discrete model's bits/dim, with -L_50 the IWAE-50 bound in nats), next to the 4.588 bits/dim of
an independent per-pixel 256-bin histogram (REFERENCES.md §9). Plain BCE on grey levels is not a
normalised likelihood (tests/models/test_vae.py integrates it), so it has no bits/dim here.
cpu preset: the MLP VAE of configs/vae/fmnist_vae.py (Z = 25), Adam 1e-3 warm-up + cosine, batch
128, 3,000 steps. Bands are our expectations (no anchor: REFERENCES.md §5 has none for Fashion-MNIST).
"""
from configs import common

HISTOGRAM_FLOOR = 4.588  # REFERENCES.md §9: independent per-pixel 256-bin histogram, test bits/dim


def bpd_reference(band, what):
  return common.reference('test/bpd', band, unit='',
                          source=f'expectation: {what}; the independent-pixel histogram gives '
                                 f'{HISTOGRAM_FLOOR} bits/dim (REFERENCES.md §9)')


VARIANTS = {
    'gaussian_fixed': ({'model.likelihood': 'gaussian_fixed', 'model.sigma': 0.1},
                       bpd_reference((HISTOGRAM_FLOOR, 8.0), 'a fixed sigma = 0.1 cannot resolve '
                                     'the 1/256 bins: worse than the histogram')),
    'laplace': ({'model.likelihood': 'laplace'},
                bpd_reference((1.5, HISTOGRAM_FLOOR), 'a learned per-pixel scale beats the histogram')),
    'cbernoulli': ({'model.likelihood': 'cbernoulli'},
                   bpd_reference((2.5, 6.0), 'the continuous Bernoulli is a density but cannot '
                                 'concentrate on a bin (its peak density is ~ log(1/lambda))')),
}


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='fmnist_vae_decoders', task='vae')
  config.data.name = 'fashion_mnist'
  config.model.name = 'vae'
  config.model.latent_dim = 25
  config.model.hidden = {'smoke': (32,), 'cpu': (512, 256), 'full': (512, 256)}[preset]
  config.model.act = 'relu'
  config.model.likelihood = 'gaussian'
  config.model.sigma = 0.1  # used by 'gaussian_fixed' only
  config.vae = dict(beta=1.0, binarize='threshold', iwae_ks=(1, 50) if preset != 'smoke' else (1, 5),
                    kl_warmup_steps=0, free_bits=0.0)
  common.adam_warmup_cosine(config, preset, lr=1e-3, warmup_steps=100)
  config.reference = bpd_reference((1.5, HISTOGRAM_FLOOR), 'a learned per-pixel sigma beats the '
                                   'histogram')
  common.preset(config, preset,
                smoke=common.FMNIST_SMOKE,
                cpu=dict(steps=3000, batch_size=128, eval_every=1500, checkpoint_every=1500),
                full=dict(epochs=100, batch_size=128, eval_every=5000))
  return config
