r"""Fashion-MNIST sparse autoencoders (Goodfellow et al. 14.2.1): one encoder layer, loss
L(x, g(f(x))) + lambda Omega(h), with
  l1 (default)  h = relu(W^T x + b), k = 1024 > D (overcomplete), Omega = sum_i |h_i|: the MAP term of
                a Laplace prior p(h_i) = (lambda/2) e^{-lambda |h_i|} (log p(theta|x) = log p(x|theta)
                + log p(theta) - log p(x): the notes drop the minus; see autoencoders.l1_penalty)
  kl (variant)  h = sigmoid(W^T x + b), k = 256, Omega = sum_j KL(rho || rho^_j), rho = 0.05: every
                unit's average activation rho^_j is pulled to rho

  python -m experiments.train --config=configs/autoencoders/sparse_ae.py:cpu --workdir=runs/sparse_ae
  python -m experiments.train --config=configs/autoencoders/sparse_ae.py:cpu --workdir=runs/sparse_ae_kl \
      --config.model.penalty=kl --config.model.code_act=sigmoid --config.model.latent_dim=256 \
      --config.model.overcomplete=False --config.model.weight=0.1

cpu preset: Adam 1e-3 with warm-up + cosine, batch 128, 2,000 steps. The evaluator ae_codes gives
active_frac (share of code entries > 1e-3), mean_code (rho^ for sigmoid codes), max_rho_gap and
noise_rel_mse (the L1 code is overcomplete but no longer copies white noise).
Reference: expectation: l1 leaves under 10 % of the 1024 units active per image; kl brings the
average activation within 0.01 of rho = 0.05.
"""
from configs import common

L1_WEIGHT = 1e-3  # lambda of the L1 penalty (per-pixel MSE scale)
KL_WEIGHT = 0.1  # beta of the KL penalty


def l1_reference():
  return common.no_reference(  # an evaluator metric (not test/): the expectation, numbers in notes.md
      'expectation: an L1 (Laplace-prior) penalty leaves few active units per image, here '
             'under 10 % of k = 1024 (Goodfellow et al. 14.2.1)')


def kl_reference(rho: float = 0.05):
  return common.no_reference(  # an evaluator metric (not test/): the expectation, numbers in notes.md
      f'expectation: the KL sparsity penalty pulls the average activation rho^ to the target '
             f'rho = {rho} (within 0.01)')


VARIANTS = {'kl': ({'model.penalty': 'kl', 'model.code_act': 'sigmoid', 'model.latent_dim': 256,
                    'model.overcomplete': False, 'model.weight': KL_WEIGHT}, kl_reference())}


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='sparse_ae', task='autoencode')
  config.data.name = 'fashion_mnist'
  config.model.name = 'mlp_ae'
  config.model.latent_dim = 1024
  config.model.hidden = ()
  config.model.code_act = 'relu'
  config.model.overcomplete = True
  config.model.penalty = 'l1'
  config.model.weight = L1_WEIGHT
  config.model.rho = 0.05
  common.adam_warmup_cosine(config, preset, lr=1e-3, warmup_steps=100)
  config.evals.ae_codes = dict(type='ae_codes', noise=True)
  config.reference = l1_reference()
  common.preset(config, preset,
                smoke=common.FMNIST_SMOKE,
                cpu=dict(steps=2000, batch_size=128, eval_every=1000, checkpoint_every=2000),
                full=dict(epochs=50, batch_size=128, eval_every=5000))
  return config
