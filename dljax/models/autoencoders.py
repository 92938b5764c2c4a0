r"""Autoencoders (Goodfellow et al. ch. 14): an encoder h = f(x), a decoder r = g(h), trained to
minimise  L(x, g(f(x))) + Omega  with the squared error L = ||x - r||^2 (per pixel: its mean).

  undercomplete   k < D: the bottleneck alone keeps f o g from the identity (14.1)
  linear AE       f(x) = W_e^T x + b_e, g(h) = W_d^T h + b_d with the squared error: its optimum
                  spans the top-k principal subspace of the data, i.e. PCA is a linear AE (14.1)
  overcomplete    k >= D: nothing stops the identity; only with a regulariser Omega or noise (14.2)
  sparse          Omega(h) = lambda sum_i |h_i|, the MAP view of a Laplace prior on the code
                  (l1_penalty), or the KL form sum_j KL(rho || rho^_j) for sigmoid codes (kl_sparsity)
  contractive     Omega(h, x) = lambda sum_i ||grad_x h_i||^2 = lambda ||J_f(x)||_F^2 (14.2.3, 14.7):
                  i indexes the HIDDEN UNITS (the notes guess "the layers": an erratum)
  denoising       L(x, g(f(x~))) with x~ = x + sigma eps (the task's noise_std, not the module)

Every module returns (r, h, omega): the reconstruction in the shape of x, the code B x k, and the
weighted penalty lambda Omega (a scalar, 0 without a penalty). A weights_B argument (the evaluation
mask) makes the batch averages skip padded rows.
Symbols: B batch, D input size (pixels), k code size, H hidden width.
"""
from typing import Optional, Sequence

import flax.linen as nn
import jax.numpy as jnp

from dljax.errors import ConfigError
from dljax.models.layers import activation, as_flat

PENALTIES = ('none', 'l1', 'kl', 'contractive')
CODE_ACTS = ('identity', 'sigmoid', 'relu', 'tanh')


def _batch_mean(v_B, weights_B=None):
  """mean_b v_b, or sum_b w_b v_b / sum_b w_b with weights (the evaluation mask)."""
  if weights_B is None:
    return jnp.mean(v_B)
  return jnp.sum(v_B * weights_B) / jnp.maximum(jnp.sum(weights_B), 1.0)


def l1_penalty(h_BxK, weights_B=None):
  r"""Omega(h) = sum_i |h_i|, averaged over the batch (times lambda in the loss).

  MAP view (14.2.1). Bayes: p(theta|x) = p(x|theta) p(theta) / p(x), so
      log p(theta|x) = log p(x|theta) + log p(theta) - log p(x)
  (the notes drop the minus sign: "logp(x|theta) + log(theta) logp(x)"); log p(x) does not depend on
  theta, so MAP maximises log p(x|theta) + log p(theta). With a Laplace prior on each code unit,
  p(h_i) = (lambda/2) exp(-lambda |h_i|), the negative log prior is
      -log p(h) = lambda sum_i |h_i| - k log(lambda/2),
  i.e. the L1 penalty lambda sum_i |h_i| plus a constant: minimising L + lambda ||h||_1 is MAP.
  """
  return _batch_mean(jnp.sum(jnp.abs(h_BxK), axis=-1), weights_B)


def kl_sparsity(h_BxK, rho: float, weights_B=None, eps: float = 1e-6):
  r"""Omega(h) = sum_j KL(rho || rho^_j) for codes in (0, 1) (sigmoid), with
      rho^_j = mean_b h_bj  (the batch's mean activation of unit j)
      KL(rho || rho^) = rho log(rho / rho^) + (1 - rho) log((1 - rho) / (1 - rho^)),
  the KL divergence between Bernoulli(rho) and Bernoulli(rho^): 0 iff rho^_j = rho, so it pushes
  every unit's mean activation towards the target rho (small: sparse)."""
  if weights_B is None:
    rho_hat_K = jnp.mean(h_BxK, axis=0)
  else:
    rho_hat_K = (weights_B @ h_BxK) / jnp.maximum(jnp.sum(weights_B), 1.0)
  rho_hat_K = jnp.clip(rho_hat_K, eps, 1.0 - eps)
  kl_K = rho * jnp.log(rho / rho_hat_K) + (1 - rho) * jnp.log((1 - rho) / (1 - rho_hat_K))
  return jnp.sum(kl_K)


def contractive_penalty(h_BxK, w_DxK, weights_B=None):
  r"""Omega(h, x) = ||J_f(x)||_F^2 = sum_i ||grad_x h_i||^2 for one sigmoid layer h = s(x W + b),
  averaged over the batch; i runs over the k HIDDEN UNITS (not the layers, as the notes guess).

  dh_i/dx_j = h_i (1 - h_i) W_ji, hence the closed form
      ||J_f(x)||_F^2 = sum_i (h_i (1 - h_i))^2 sum_j W_ji^2
  (W is flax's kernel, D x k: column i holds unit i's input weights)."""
  per_unit_1xK = jnp.sum(w_DxK ** 2, axis=0, keepdims=True)  # sum_j W_ji^2
  return _batch_mean(jnp.sum((h_BxK * (1.0 - h_BxK)) ** 2 * per_unit_1xK, axis=-1), weights_B)


def check_sizes(latent_dim: int, input_dim: int, overcomplete: bool, where: str = 'model'):
  """ConfigError for a code that is not smaller than the input without overcomplete=True."""
  if latent_dim >= input_dim and not overcomplete:
    raise ConfigError(
        f'{where}.latent_dim={latent_dim} >= the input size D={input_dim}: an undercomplete '
        f'autoencoder needs k < D (with k >= D it can learn the identity); set {where}.latent_dim < '
        f'{input_dim}, or {where}.overcomplete=True for an overcomplete (regularised) autoencoder.')


class LinearAE(nn.Module):
  r"""h = W_e^T x + b_e (k units), r = W_d^T h + b_d: with the squared error the optimal W_d spans
  the top-k principal subspace of x and the minimal per-pixel MSE is PCA's,
  (1/D) sum_{j > k} lambda_j (the discarded eigenvalues of the covariance). The biases learn the mean.
  Parameters: D k + k + k D + D."""
  latent_dim: int = 32  # k
  overcomplete: bool = False  # k >= D is refused unless True

  def __post_init__(self):
    if self.latent_dim < 1:
      raise ConfigError(f'model.latent_dim={self.latent_dim} must be >= 1.')
    super().__post_init__()

  @nn.compact
  def __call__(self, x, weights_B=None, train: bool = False):
    del weights_B, train
    x_BxD = as_flat(x)
    check_sizes(self.latent_dim, x_BxD.shape[-1], self.overcomplete)
    h_BxK = nn.Dense(self.latent_dim, name='encoder')(x_BxD)  # h = W_e^T x + b_e
    r_BxD = nn.Dense(x_BxD.shape[-1], name='decoder')(h_BxK)  # r = W_d^T h + b_d
    return r_BxD.reshape(x.shape), h_BxK, jnp.zeros((), x_BxD.dtype)


class MLPAE(nn.Module):
  r"""A deep (or one-layer) autoencoder with an optional code penalty:

      encoder  z_0 = x;  z_l = act(W_l^T z_{l-1} + b_l) for l = 1..L (widths `hidden`);
               h = code_act(W_h^T z_L + b_h)                       (k units)
      decoder  the mirror: widths reversed(hidden), then a linear read-out r (D units)
      omega    lambda * {0, sum_i |h_i| (l1), sum_j KL(rho||rho^_j) (kl),
                         ||J_f(x)||_F^2 (contractive)}

  hidden=() gives the one-layer encoder of the sparse and contractive AEs. 'contractive' needs
  hidden=() and code_act='sigmoid' (its closed form); 'kl' needs code_act='sigmoid' (codes in (0, 1)).
  Parameters: sum over the Dense layers of n_in n_out + n_out."""
  latent_dim: int = 32  # k
  hidden: Sequence[int] = (256,)  # encoder widths; the decoder mirrors them
  act: str = 'relu'
  code_act: str = 'identity'  # the code's nonlinearity (sigmoid for kl / contractive)
  overcomplete: bool = False  # k >= D is refused unless True
  penalty: str = 'none'  # 'none', 'l1', 'kl' or 'contractive'
  weight: float = 0.0  # lambda, the penalty's weight
  rho: float = 0.05  # the target mean activation of the KL penalty

  def __post_init__(self):  # checked when the config builds the model, before any compilation
    if self.latent_dim < 1:
      raise ConfigError(f'model.latent_dim={self.latent_dim} must be >= 1.')
    if self.penalty not in PENALTIES:
      raise ConfigError(f'model.penalty={self.penalty!r} is unknown; use one of {PENALTIES}.')
    if self.code_act not in CODE_ACTS:
      raise ConfigError(f'model.code_act={self.code_act!r} is unknown; use one of {CODE_ACTS}.')
    if self.weight < 0:
      raise ConfigError(f'model.weight={self.weight} < 0: a penalty weight lambda must be >= 0 '
                        '(a negative one rewards the behaviour it should penalise); set it >= 0.')
    if self.penalty in ('kl', 'contractive') and self.code_act != 'sigmoid':
      raise ConfigError(f"model.penalty={self.penalty!r} needs codes in (0, 1); set "
                        "model.code_act='sigmoid'.")
    if self.penalty == 'contractive' and tuple(self.hidden):
      raise ConfigError("model.penalty='contractive' uses the closed form of one sigmoid layer; "
                        'set model.hidden=().')
    if self.penalty == 'kl' and not 0.0 < self.rho < 1.0:
      raise ConfigError(f'model.rho={self.rho} must be in (0, 1) (a target mean activation).')
    super().__post_init__()

  @nn.compact
  def __call__(self, x, weights_B: Optional[jnp.ndarray] = None, train: bool = False):
    del train
    sigma = activation(self.act)
    x_BxD = as_flat(x)
    d = x_BxD.shape[-1]
    check_sizes(self.latent_dim, d, self.overcomplete)
    z = x_BxD
    for i, width in enumerate(self.hidden):
      z = sigma(nn.Dense(width, name=f'enc_{i}')(z))  # z_l = act(W_l^T z_{l-1} + b_l)
    code = nn.Dense(self.latent_dim, name='code')
    h_BxK = activation(self.code_act)(code(z))  # h = code_act(W_h^T z_L + b_h)
    z = h_BxK
    for i, width in enumerate(reversed(tuple(self.hidden))):
      z = sigma(nn.Dense(width, name=f'dec_{i}')(z))
    r_BxD = nn.Dense(d, name='out')(z)  # linear read-out
    if self.penalty == 'l1':
      omega = l1_penalty(h_BxK, weights_B)
    elif self.penalty == 'kl':
      omega = kl_sparsity(h_BxK, self.rho, weights_B)
    elif self.penalty == 'contractive':
      omega = contractive_penalty(h_BxK, code.variables['params']['kernel'], weights_B)
    else:
      omega = jnp.zeros((), x_BxD.dtype)
    return r_BxD.reshape(x.shape), h_BxK, self.weight * omega
