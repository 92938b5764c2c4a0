r"""Fashion-MNIST contractive autoencoder (Goodfellow et al. 14.2.3, 14.7): one sigmoid encoder layer
h = sigmoid(W^T x + b) (k = 256), linear decoder, loss L(x, g(f(x))) + lambda ||J_f(x)||_F^2 with
the closed form ||J_f(x)||_F^2 = sum_i (h_i (1 - h_i))^2 sum_j W_ji^2 (i over the HIDDEN UNITS;
the notes guess "the layers"; tested against jax.jacfwd).

  python -m experiments.train --config=configs/autoencoders/contractive_ae.py:cpu --workdir=runs/contractive_ae

cpu preset: lambda = WEIGHT, Adam 1e-3 with warm-up + cosine, batch 128, 2,000 steps. Variant plain:
lambda = 0 (the same sigmoid AE without the penalty). ae_codes gives jac_fro2 (mean ||J||_F^2 by
jax.jacfwd on 64 test images) and jac_top1_frac (the largest singular value's share of it).
No reference band: the result is the ratio of jac_fro2 with and without the penalty (the plain
variant), reported in docs/autoencoders/notes.md.
"""
from configs import common

WEIGHT = 0.1  # lambda (per-pixel MSE scale)

VARIANTS = {'plain': ({'model.weight': 0.0},
                      common.no_reference('the unregularised baseline of the contractive AE: its '
                                          'jac_fro2 is what the penalty shrinks'))}


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='contractive_ae', task='autoencode')
  config.data.name = 'fashion_mnist'
  config.model.name = 'mlp_ae'
  config.model.latent_dim = 256
  config.model.hidden = ()
  config.model.code_act = 'sigmoid'
  config.model.penalty = 'contractive'
  config.model.weight = WEIGHT
  common.adam_warmup_cosine(config, preset, lr=1e-3, warmup_steps=100)
  config.evals.ae_codes = dict(type='ae_codes', noise=True,
                               jacobian={'smoke': 4, 'cpu': 64, 'full': 256}[preset])
  config.reference = common.no_reference(
      'a demonstration: the penalty shrinks ||J_f||_F^2 against the plain variant (lambda = 0); '
      'the ratio is in docs/autoencoders/notes.md')
  common.preset(config, preset,
                smoke=common.FMNIST_SMOKE,
                cpu=dict(steps=2000, batch_size=128, eval_every=1000, checkpoint_every=2000),
                full=dict(epochs=50, batch_size=128, eval_every=5000))
  return config
