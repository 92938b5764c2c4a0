r"""Denoising diffusion probabilistic models (Ho, Jain & Abbeel 2020) and DDIM (Song et al. 2021).

  forward process   q(x_t | x_{t-1}) = N(sqrt(1 - beta_t) x_{t-1}, beta_t I),  t = 1..T
  marginal          q(x_t | x_0) = N(sqrt(abar_t) x_0, (1 - abar_t) I),  alpha_t = 1 - beta_t,
                    abar_t = prod_{s<=t} alpha_s:  x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps
  posterior         q(x_{t-1} | x_t, x_0) = N(mu~_t, beta~_t I),  beta~_t = (1 - abar_{t-1}) / (1 - abar_t) beta_t
                    mu~_t = sqrt(abar_{t-1}) beta_t / (1 - abar_t) x_0 + sqrt(alpha_t) (1 - abar_{t-1}) / (1 - abar_t) x_t
  reverse model     p(x_{t-1} | x_t) = N(mu_theta(x_t, t), sigma_t^2 I),  sigma_t^2 = beta_t
  eps-prediction    mu_theta = (x_t - beta_t / sqrt(1 - abar_t) eps_theta(x_t, t)) / sqrt(alpha_t);
                    L_simple = E_{t, x_0, eps} ||eps - eps_theta(x_t, t)||^2    (the catalog's erratum:
                    the network's target is the noise eps, not the image)
  the other two     'x0': the network predicts x_0 (mu_theta = mu~_t(x0_theta, x_t)), loss ||x_0 - x0_theta||^2;
                    'mean': it predicts mu~_t directly (the x_{t-1} mean), loss ||mu~_t - mu_theta||^2
  bound             -log p(x_0) <= L_T + sum_{t=2}^T L_{t-1} + L_0,  L_T = KL(q(x_T|x_0) || N(0, I)),
                    L_{t-1} = KL(q(x_{t-1}|x_t, x_0) || p(x_{t-1}|x_t)),  L_0 = -log p(x_0|x_1) with
                    the discretised Gaussian decoder of Ho et al. (256 bins of width 2/255 on [-1, 1])
  DDIM              x_{t'} = sqrt(abar_{t'}) x0_hat + sqrt(1 - abar_{t'} - s^2) eps_hat + s z, on a
                    sub-sequence of S steps t > t', s = eta sqrt((1 - abar_{t'}) / (1 - abar_t))
                    sqrt(1 - abar_t / abar_{t'}); eta = 0 is deterministic, eta = 1 on all T steps is
                    the DDPM sampler with sigma_t^2 = beta~_t

Schedules: 'linear' beta_t from beta_1 = 1e-4 to beta_T = 0.02 (Ho et al.); 'cosine'
abar_t = f(t) / f(0), f(t) = cos^2((t / T + s) / (1 + s) pi / 2), s = 0.008, beta_t clipped at 0.999
(Nichol & Dhariwal 2021). Every beta_t must lie in (0, 1): `check_betas`.
Arrays are indexed by t - 1 (index 0 is t = 1). Symbols: B batch, H x W x C images in [-1, 1], T steps.
"""
import math
from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from dljax.errors import ConfigError

SCHEDULES = ('linear', 'cosine')
PARAMETERISATIONS = ('eps', 'x0', 'mean')


# --- the noise schedule --------------------------------------------------------------------------
def check_betas(betas):
  """ConfigError unless every beta_t is in (0, 1) (a variance of q(x_t|x_{t-1}) and 1 - alpha_t)."""
  betas = np.asarray(betas, np.float64)
  bad = np.flatnonzero(~((betas > 0.0) & (betas < 1.0)))
  if bad.size:
    raise ConfigError(f'diffusion schedule: beta_t must lie in (0, 1) for every t, but beta_{bad[0] + 1}'
                      f' = {betas[bad[0]]:.4g} ({bad.size} of {betas.size} steps outside); set '
                      'diffusion.beta_1 / beta_T inside (0, 1), e.g. 1e-4 and 0.02.')
  return betas


def betas_for(schedule: str, steps: int, beta_1: float = 1e-4, beta_T: float = 0.02,
              cosine_s: float = 0.008) -> np.ndarray:
  """beta_1..beta_T (float64) of a named schedule, checked to lie in (0, 1)."""
  if steps < 1:
    raise ConfigError(f'diffusion.steps={steps} must be >= 1.')
  if schedule == 'linear':
    betas = np.linspace(beta_1, beta_T, steps, dtype=np.float64)
  elif schedule == 'cosine':
    f = np.cos((np.arange(steps + 1) / steps + cosine_s) / (1 + cosine_s) * np.pi / 2) ** 2
    betas = np.minimum(1.0 - f[1:] / f[:-1], 0.999)
  else:
    raise ConfigError(f'diffusion.schedule={schedule!r} is unknown; use one of {SCHEDULES}.')
  return check_betas(betas)


def make_schedule(betas) -> dict:
  """The per-step constants of the forward process and its posterior (float32, index t - 1)."""
  betas = check_betas(betas)
  alphas = 1.0 - betas
  abar = np.cumprod(alphas)
  abar_prev = np.concatenate([[1.0], abar[:-1]])
  post_var = betas * (1.0 - abar_prev) / (1.0 - abar)  # beta~_t (0 at t = 1)
  s = dict(betas=betas, alphas=alphas, abar=abar, abar_prev=abar_prev, post_var=post_var,
           post_logvar=np.log(np.maximum(post_var, post_var[1] if len(betas) > 1 else betas[0])),
           coef_x0=np.sqrt(abar_prev) * betas / (1.0 - abar),
           coef_xt=np.sqrt(alphas) * (1.0 - abar_prev) / (1.0 - abar))
  return {k: jnp.asarray(v, jnp.float32) for k, v in s.items()}


def _at(a_T, t_B, x):
  """a[t] broadcast against x (B x ...)."""
  return a_T[t_B].reshape((-1,) + (1,) * (x.ndim - 1))


def q_sample(sch, x0, t_B, eps):
  """x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, a draw from q(x_t | x_0) (t_B: index t - 1)."""
  ab = _at(sch['abar'], t_B, x0)
  return jnp.sqrt(ab) * x0 + jnp.sqrt(1.0 - ab) * eps


def q_posterior_mean(sch, x0, xt, t_B):
  """mu~_t(x_t, x_0), the mean of q(x_{t-1} | x_t, x_0)."""
  return _at(sch['coef_x0'], t_B, x0) * x0 + _at(sch['coef_xt'], t_B, xt) * xt


def x0_from_eps(sch, xt, t_B, eps):
  """x_0 = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t)."""
  ab = _at(sch['abar'], t_B, xt)
  return (xt - jnp.sqrt(1.0 - ab) * eps) / jnp.sqrt(ab)


def eps_from_x0(sch, xt, t_B, x0):
  ab = _at(sch['abar'], t_B, xt)
  return (xt - jnp.sqrt(ab) * x0) / jnp.sqrt(1.0 - ab)


def predictions(param: str, sch, out, xt, t_B, clip: bool = False):
  """(eps_hat, x0_hat, mean_hat) from the network output `out` under parameterisation `param`;
  clip=True clips x0_hat to [-1, 1] (sampling) and recomputes eps_hat and the mean from it."""
  if param == 'eps':
    eps, x0 = out, x0_from_eps(sch, xt, t_B, out)
  elif param == 'x0':
    eps, x0 = eps_from_x0(sch, xt, t_B, out), out
  elif param == 'mean':  # x0 from mu = c0 x0 + ct xt (c0 > 0 for every t)
    x0 = (out - _at(sch['coef_xt'], t_B, xt) * xt) / _at(sch['coef_x0'], t_B, xt)
    eps = eps_from_x0(sch, xt, t_B, x0)
    if not clip:
      return eps, x0, out
  else:
    raise ConfigError(f'diffusion.param={param!r} is unknown; use one of {PARAMETERISATIONS}.')
  if clip:
    x0 = jnp.clip(x0, -1.0, 1.0)
    eps = eps_from_x0(sch, xt, t_B, x0)
  return eps, x0, q_posterior_mean(sch, x0, xt, t_B)


def target(param: str, sch, x0, xt, t_B, eps):
  """What the network regresses on: eps, x_0 or mu~_t(x_t, x_0)."""
  return {'eps': lambda: eps, 'x0': lambda: x0,
          'mean': lambda: q_posterior_mean(sch, x0, xt, t_B)}[param]()


# --- the variational bound -------------------------------------------------------------------------
def normal_kl(mean1, logvar1, mean2, logvar2):
  """KL(N(mean1, e^logvar1) || N(mean2, e^logvar2)) elementwise, in nats."""
  return 0.5 * (logvar2 - logvar1 + jnp.exp(logvar1 - logvar2)
                + (mean1 - mean2) ** 2 * jnp.exp(-logvar2) - 1.0)


def _std_normal_cdf(x):
  return 0.5 * (1.0 + jax.scipy.special.erf(x / math.sqrt(2.0)))


def discretised_gaussian_loglik(x0, mean, log_scale):
  """log P(x_0) of 8-bit data on [-1, 1] under N(mean, e^{2 log_scale}) integrated over each pixel's
  bin [x - 1/255, x + 1/255] (the edge bins extend to -inf and +inf), elementwise (Ho et al. eq. 13)."""
  centered = x0 - mean
  inv = jnp.exp(-log_scale)
  cdf_plus = _std_normal_cdf(inv * (centered + 1.0 / 255.0))
  cdf_min = _std_normal_cdf(inv * (centered - 1.0 / 255.0))
  log_cdf_plus = jnp.log(jnp.maximum(cdf_plus, 1e-12))
  log_one_minus_cdf_min = jnp.log(jnp.maximum(1.0 - cdf_min, 1e-12))
  log_delta = jnp.log(jnp.maximum(cdf_plus - cdf_min, 1e-12))
  return jnp.where(x0 < -0.999, log_cdf_plus, jnp.where(x0 > 0.999, log_one_minus_cdf_min, log_delta))


def prior_kl(sch, x0):
  """L_T = KL(q(x_T | x_0) || N(0, I)) per example, in nats."""
  t = jnp.full((x0.shape[0],), sch['abar'].shape[0] - 1)
  ab = _at(sch['abar'], t, x0)
  kl = normal_kl(jnp.sqrt(ab) * x0, jnp.log(1.0 - ab), 0.0, 0.0)
  return jnp.sum(kl.reshape(x0.shape[0], -1), -1)


def vlb_term(param: str, sch, out, x0, xt, t_B):
  """L_{t-1} = KL(q(x_{t-1}|x_t,x_0) || p(x_{t-1}|x_t)) for t >= 2 and L_0 = -log p(x_0|x_1) for
  t = 1 (index 0), per example in nats, with sigma_t^2 = beta_t (the sampler's variance)."""
  _, _, mean = predictions(param, sch, out, xt, t_B)
  true_mean = q_posterior_mean(sch, x0, xt, t_B)
  logvar = jnp.log(_at(sch['betas'], t_B, x0))
  true_logvar = _at(sch['post_logvar'], t_B, x0)
  kl = jnp.sum(normal_kl(true_mean, true_logvar, mean, logvar).reshape(x0.shape[0], -1), -1)
  nll = -jnp.sum(discretised_gaussian_loglik(x0, mean, 0.5 * logvar).reshape(x0.shape[0], -1), -1)
  return jnp.where(t_B == 0, nll, kl)


# --- samplers --------------------------------------------------------------------------------------
def ancestral_sample(apply_fn, param: str, sch, rng, shape, sigma: str = 'beta', clip: bool = True):
  """x_T ~ N(0, I), then x_{t-1} = mu_theta(x_t, t) + sigma_t z for t = T..1 (sigma_t^2 = beta_t, or
  beta~_t with sigma='beta_tilde'; no noise at t = 1); with clip, x0_hat is clipped to [-1, 1] at
  every step. apply_fn(x_t, t_B) -> the network's output."""
  steps = sch['betas'].shape[0]
  var = sch['betas'] if sigma == 'beta' else sch['post_var']
  k0, rng = jax.random.split(rng)
  x = jax.random.normal(k0, shape)

  def body(i, x):
    t = steps - 1 - i
    t_B = jnp.full((shape[0],), t)
    _, _, mean = predictions(param, sch, apply_fn(x, t_B), x, t_B, clip=clip)
    z = jax.random.normal(jax.random.fold_in(rng, i), shape)
    return mean + jnp.where(t > 0, jnp.sqrt(var[t]), 0.0) * z
  return jax.lax.fori_loop(0, steps, body, x)


def ddim_timesteps(steps: int, sample_steps: int) -> np.ndarray:
  """The S evenly spaced indices t - 1 that DDIM visits, descending, ending at index 0."""
  if not 1 <= sample_steps <= steps:
    raise ConfigError(f'DDIM sample_steps={sample_steps} must be in [1, T={steps}].')
  return np.linspace(0, steps - 1, sample_steps).round().astype(np.int32)[::-1].copy()


def ddim_sample(apply_fn, param: str, sch, rng, shape, sample_steps: int = 50, eta: float = 0.0,
                clip: bool = True):
  """DDIM (module docstring) over `sample_steps` evenly spaced steps; eta = 1 adds the DDPM noise."""
  ts = jnp.asarray(ddim_timesteps(sch['betas'].shape[0], sample_steps))
  prev = jnp.concatenate([ts[1:], jnp.array([-1], jnp.int32)])  # -1: abar = 1 (the data)
  k0, rng = jax.random.split(rng)
  x = jax.random.normal(k0, shape)

  def body(i, x):
    t, tp = ts[i], prev[i]
    t_B = jnp.full((shape[0],), t)
    eps, x0, _ = predictions(param, sch, apply_fn(x, t_B), x, t_B, clip=clip)
    ab = sch['abar'][t]
    ab_prev = jnp.where(tp >= 0, sch['abar'][jnp.maximum(tp, 0)], 1.0)
    sigma = eta * jnp.sqrt((1.0 - ab_prev) / (1.0 - ab)) * jnp.sqrt(1.0 - ab / ab_prev)
    z = jax.random.normal(jax.random.fold_in(rng, i), shape)
    dir_xt = jnp.sqrt(jnp.maximum(1.0 - ab_prev - sigma ** 2, 0.0)) * eps
    return jnp.sqrt(ab_prev) * x0 + dir_xt + sigma * z
  return jax.lax.fori_loop(0, sample_steps, body, x)


# --- the time-conditioned U-Net ------------------------------------------------------------------
def timestep_embedding(t_B, dim: int):
  """Sinusoidal embedding of the step t (Transformer positions, Vaswani et al. 2017): B x dim."""
  half = dim // 2
  freqs = jnp.exp(-math.log(10000.0) * jnp.arange(half) / half)
  arg = t_B.astype(jnp.float32)[:, None] * freqs[None]
  return jnp.concatenate([jnp.sin(arg), jnp.cos(arg)], axis=-1)


class ResBlock(nn.Module):
  """GroupNorm - SiLU - conv3x3, + Dense(time embedding) as a per-channel bias, GroupNorm - SiLU -
  conv3x3, plus a 1x1 projection of the input when the width changes."""
  features: int

  @nn.compact
  def __call__(self, x, emb):
    groups = min(8, x.shape[-1])
    h = nn.Conv(self.features, (3, 3), padding=1)(nn.silu(nn.GroupNorm(groups)(x)))
    h = h + nn.Dense(self.features)(nn.silu(emb))[:, None, None, :]
    h = nn.Conv(self.features, (3, 3), padding=1)(nn.silu(nn.GroupNorm(min(8, self.features))(h)))
    skip = x if x.shape[-1] == self.features else nn.Conv(self.features, (1, 1))(x)
    return skip + h


class TimeUNet(nn.Module):
  """A small U-Net predicting eps (or x_0, or the mean) from (x_t, t): widths[l] channels at
  resolution H / 2^l, `blocks` ResBlocks per level, skip connections by concatenation, the time
  embedding added in every ResBlock, the last conv zero-initialised."""
  widths: Sequence[int] = (32, 64)
  blocks: int = 1
  emb_dim: int = 128
  input_shape: Sequence[int] = (28, 28, 1)

  @nn.compact
  def __call__(self, x_BxHxWxC, t_B):
    _, h, w, c = x_BxHxWxC.shape
    levels = len(self.widths) - 1
    if h % 2 ** levels or w % 2 ** levels:
      raise ConfigError(f'TimeUNet: the image size {h}x{w} must be divisible by 2^{levels}; change '
                        'model.widths.')
    emb = timestep_embedding(t_B, self.emb_dim)
    emb = nn.Dense(self.emb_dim)(nn.silu(nn.Dense(self.emb_dim)(emb)))
    x = nn.Conv(self.widths[0], (3, 3), padding=1)(x_BxHxWxC)
    skips = []
    for l, width in enumerate(self.widths):
      for _ in range(self.blocks):
        x = ResBlock(width)(x, emb)
      if l < levels:
        skips.append(x)
        x = nn.avg_pool(x, (2, 2), (2, 2))
    x = ResBlock(self.widths[-1])(x, emb)  # the bottleneck
    for l in reversed(range(levels)):
      x = jax.image.resize(x, (x.shape[0], x.shape[1] * 2, x.shape[2] * 2, x.shape[3]), 'nearest')
      x = jnp.concatenate([x, skips[l]], axis=-1)
      for _ in range(self.blocks):
        x = ResBlock(self.widths[l])(x, emb)
    x = nn.silu(nn.GroupNorm(min(8, self.widths[0]))(x))
    return nn.Conv(c, (3, 3), padding=1, kernel_init=nn.initializers.zeros)(x)
