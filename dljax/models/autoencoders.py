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
import jax
import jax.numpy as jnp

from dljax.errors import ConfigError
from dljax.models import upsample as up_lib
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

  def _decode(self, h_BxK, d: int, sigma):
    """g(h): widths reversed(hidden), then the linear read-out r (D units)."""
    z = h_BxK
    for i, width in enumerate(reversed(tuple(self.hidden))):
      z = sigma(nn.Dense(width, name=f'dec_{i}')(z))
    return nn.Dense(d, name='out')(z)  # linear read-out

  @nn.compact
  def __call__(self, x, weights_B: Optional[jnp.ndarray] = None, train: bool = False,
               code_BxK: Optional[jnp.ndarray] = None):
    """(r, h, lambda Omega); with code_BxK given, the decoder alone: r = g(code_BxK) (x only
    gives the output shape; h = code_BxK, Omega = 0): sampling from a code distribution."""
    del train
    sigma = activation(self.act)
    x_BxD = as_flat(x)
    d = x_BxD.shape[-1]
    check_sizes(self.latent_dim, d, self.overcomplete)
    if code_BxK is not None:
      return self._decode(code_BxK, d, sigma).reshape((code_BxK.shape[0],) + x.shape[1:]), \
          code_BxK, jnp.zeros((), x_BxD.dtype)
    z = x_BxD
    for i, width in enumerate(self.hidden):
      z = sigma(nn.Dense(width, name=f'enc_{i}')(z))  # z_l = act(W_l^T z_{l-1} + b_l)
    code = nn.Dense(self.latent_dim, name='code')
    h_BxK = activation(self.code_act)(code(z))  # h = code_act(W_h^T z_L + b_h)
    r_BxD = self._decode(h_BxK, d, sigma)
    if self.penalty == 'l1':
      omega = l1_penalty(h_BxK, weights_B)
    elif self.penalty == 'kl':
      omega = kl_sparsity(h_BxK, self.rho, weights_B)
    elif self.penalty == 'contractive':
      omega = contractive_penalty(h_BxK, code.variables['params']['kernel'], weights_B)
    else:
      omega = jnp.zeros((), x_BxD.dtype)
    return r_BxD.reshape(x.shape), h_BxK, self.weight * omega


# --- convolutional autoencoder and its upsampling decoders ----------------------------------------
UPSAMPLERS = ('transposed', 'nearest', 'bilinear', 'pixel_shuffle')


def pixel_shuffle(x_BxHxWxCss, s: int = 2):
  r"""Sub-pixel convolution's rearrangement (Shi et al. 2016), NHWC: channel c s^2 + i s + j of
  pixel (h, w) goes to pixel (h s + i, w s + j), channel c (torch.nn.functional.pixel_shuffle's
  order, there on NCHW): B x H x W x C s^2 -> B x Hs x Ws x C."""
  b, h, w, css = x_BxHxWxCss.shape
  c = css // (s * s)
  x = x_BxHxWxCss.reshape(b, h, w, c, s, s)
  return x.transpose(0, 1, 4, 2, 5, 3).reshape(b, h * s, w * s, c)


class ConvAE(nn.Module):
  r"""Convolutional autoencoder for H x W x C images (H, W divisible by 2^len(channels)):

      encoder  stride-2 3x3 convolutions of widths `channels` (28 -> 14 -> 7), act after each;
               h = W_h^T flatten(z) + b_h                           (k units, a linear code)
      decoder  z = act(Dense(h)) reshaped to H/2^L x W/2^L x channels[-1]; then per level
               (widths reversed(channels)) one x2 upsampling + 3x3 convolution:
                 transposed     ConvTranspose 3x3, stride 2 (kernel not divisible by the stride:
                                uneven overlap, the checkerboard of Odena et al. 2016)
                 nearest        repeat each pixel 2x2, then a 3x3 convolution
                 bilinear       bilinear interpolation x2, then a 3x3 convolution
                 pixel_shuffle  a 3x3 convolution to 4x the channels, then pixel_shuffle (sub-pixel)
               r = a final 3x3 convolution to C channels (linear)
  Returns (r, h, 0) like the dense autoencoders."""
  latent_dim: int = 32  # k
  channels: Sequence[int] = (16, 32)
  upsample: str = 'transposed'
  act: str = 'relu'
  overcomplete: bool = False  # k >= H W C is refused unless True (the task's check)

  def __post_init__(self):
    if self.latent_dim < 1:
      raise ConfigError(f'model.latent_dim={self.latent_dim} must be >= 1.')
    if self.upsample not in UPSAMPLERS:
      raise ConfigError(f'model.upsample={self.upsample!r} is unknown; use one of {UPSAMPLERS}.')
    if not tuple(self.channels):
      raise ConfigError('model.channels is empty; give the encoder widths, e.g. (16, 32).')
    super().__post_init__()

  def up(self, z, width: int, name: str):
    """One x2 upsampling level of the decoder (the module docstring's four kinds)."""
    conv = lambda n, kind: nn.Conv(n, (3, 3), padding='SAME', name=f'{name}_{kind}')
    if self.upsample == 'transposed':
      return nn.ConvTranspose(width, (3, 3), strides=(2, 2), padding='SAME', name=f'{name}_tconv')(z)
    if self.upsample == 'nearest':
      return conv(width, 'conv')(up_lib.nearest(z, 2))
    if self.upsample == 'bilinear':
      return conv(width, 'conv')(up_lib.bilinear(z, 2))
    return pixel_shuffle(conv(4 * width, 'conv')(z), 2)

  @nn.compact
  def __call__(self, x, weights_B=None, train: bool = False):
    del weights_B, train
    sigma = activation(self.act)
    if x.ndim != 4:
      raise ConfigError(f'ConvAE needs images B x H x W x C, got shape {x.shape}; use mlp_ae for '
                        'vectors.')
    b, height, width, c = x.shape
    levels = len(self.channels)
    if height % 2 ** levels or width % 2 ** levels:
      raise ConfigError(f'ConvAE with {levels} stride-2 levels needs H and W divisible by '
                        f'{2 ** levels}, got {height} x {width}; change model.channels.')
    z = x
    for i, w in enumerate(self.channels):
      z = sigma(nn.Conv(w, (3, 3), strides=(2, 2), padding='SAME', name=f'enc_{i}')(z))
    _, hs, ws, cs = z.shape
    h_BxK = nn.Dense(self.latent_dim, name='code')(z.reshape(b, -1))  # linear code
    z = sigma(nn.Dense(hs * ws * cs, name='dec_in')(h_BxK)).reshape(b, hs, ws, cs)
    for i, w in enumerate(reversed(tuple(self.channels))):
      z = sigma(self.up(z, w, f'dec_{i}'))
    r = nn.Conv(c, (3, 3), padding='SAME', name='out')(z)  # linear read-out
    return r, h_BxK, jnp.zeros((), x.dtype)


# --- sparse coding: ISTA / FISTA and predictive sparse decomposition (14.8) ----------------------
def soft_threshold(v, t):
  """S_t(v) = sign(v) max(|v| - t, 0), the proximal operator of t ||.||_1."""
  return jnp.sign(v) * jnp.maximum(jnp.abs(v) - t, 0.0)


def sparse_code_objective(x_BxD, h_BxK, dict_KxD, lam: float, gamma: float = 0.0, f_BxK=None):
  r"""Per example: (1/2) ||x - h D||^2 + lam ||h||_1 [+ (gamma/2) ||h - f(x)||^2 (PSD)], B values.
  (The notes' PSD objective ||x - g(h)||^2 + lam|h|_1 + gamma||h - f(x)||^2 up to the factor 1/2
  on the quadratic terms, i.e. lam and gamma scaled by 2.)"""
  rec = 0.5 * jnp.sum((x_BxD - h_BxK @ dict_KxD) ** 2, -1) + lam * jnp.sum(jnp.abs(h_BxK), -1)
  if gamma and f_BxK is not None:
    rec = rec + 0.5 * gamma * jnp.sum((h_BxK - f_BxK) ** 2, -1)
  return rec


def ista(x_BxD, dict_KxD, lam: float, steps: int, fista: bool = False, h0_BxK=None,
         gamma: float = 0.0, f_BxK=None):
  r"""Sparse codes h* = argmin_h (1/2) ||x - h D||^2 + lam ||h||_1 (+ (gamma/2) ||h - f(x)||^2) by
  proximal gradient (ISTA; FISTA with Beck & Teboulle's momentum):
      L = ||D||_2^2 + gamma                      (Lipschitz constant of the smooth part's gradient)
      h <- S_{lam / L}(y - (1/L) [(y D - x) D^T + gamma (y - f(x))])
  FISTA: y = h_t + ((t_k - 1) / t_{k+1}) (h_t - h_{t-1}), t_{k+1} = (1 + sqrt(1 + 4 t_k^2)) / 2;
  ISTA: y = h_t. Rows of D are the K atoms. Returns h (B x K)."""
  lip = jnp.linalg.norm(dict_KxD, ord=2) ** 2 + gamma
  h = jnp.zeros((x_BxD.shape[0], dict_KxD.shape[0]), x_BxD.dtype) if h0_BxK is None else h0_BxK
  target = jnp.zeros_like(h) if f_BxK is None else f_BxK

  def prox_grad(y):
    grad = (y @ dict_KxD - x_BxD) @ dict_KxD.T + gamma * (y - target)
    return soft_threshold(y - grad / lip, lam / lip)

  def step(carry, _):
    h, h_prev, t = carry
    if fista:
      t_next = (1.0 + jnp.sqrt(1.0 + 4.0 * t ** 2)) / 2.0
      y = h + ((t - 1.0) / t_next) * (h - h_prev)
    else:
      t_next, y = t, h
    return (prox_grad(y), h, t_next), None

  (h, _, _), _ = jax.lax.scan(step, (h, h, jnp.ones((), x_BxD.dtype)), None, length=steps)
  return h


class ShrinkEncoder(nn.Module):
  r"""PSD's fast encoder f(x) = S_theta(W^T x + b) (one soft-thresholded linear layer, theta >= 0
  learned per unit, as softplus of a parameter): trained to predict the ISTA codes."""
  latent_dim: int = 64

  @nn.compact
  def __call__(self, x_BxD):
    pre_BxK = nn.Dense(self.latent_dim, name='linear')(x_BxD)
    theta_K = jax.nn.softplus(self.param('theta', nn.initializers.constant(-2.0), (self.latent_dim,)))
    return soft_threshold(pre_BxK, theta_K[None])
