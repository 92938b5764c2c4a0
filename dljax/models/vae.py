r"""Variational autoencoders and small latent-variable models (Kingma & Welling 2014; Burda et al. 2016).

  generative model   p(z) = N(0, I),  p_theta(x|z) = the decoder's likelihood (below)
  inference model    q_phi(z|x) = N(mu_phi(x), diag sigma_phi(x)^2)       (the encoder)
  reparameterisation z = mu + sigma * eps,  eps ~ N(0, I)                   (one line: `reparameterize`)
  ELBO               L(x) = E_q[log p(x|z)] - KL(q(z|x) || p(z)) = log p(x) - KL(q(z|x) || p(z|x))
  closed-form KL     KL(N(mu, sigma^2) || N(0, 1)) = 1/2 sum_j (mu_j^2 + sigma_j^2 - log sigma_j^2 - 1)
  IWAE bound         L_k(x) = E[log (1/k) sum_i w_i],  w_i = p(x, z_i) / q(z_i|x),  z_i ~ q(z|x) i.i.d.
                     L_1 = ELBO <= L_k <= L_m <= log p(x) for k <= m   (log-mean-exp of log weights)
  beta-VAE           maximise E_q[log p(x|z)] - beta KL(q || p(z))  (beta = 1: the ELBO)

Decoder likelihoods log p(x|z) (summed over the D pixels; `log_likelihood`):
  bernoulli      x log lambda + (1 - x) log(1 - lambda), lambda = sigmoid(logits); a normalised
                 likelihood only for x in {0, 1}: on grey levels the 'BCE' is not a density
  cbernoulli     the continuous Bernoulli: bernoulli + log C(lambda), C(lambda) = 2 atanh(1 - 2 lambda)
                 / (1 - 2 lambda) (Loaiza-Ganem & Cunningham 2019), a density on [0, 1]
  gaussian       N(x; mu, sigma^2) with a learned per-pixel log sigma (heteroscedastic)
  gaussian_fixed N(x; mu, sigma^2) with a fixed sigma (the MSE up to constants)
  laplace        Laplace(x; mu, b) with a learned per-pixel log b (the L1 loss up to constants)

Also here: the linear-Gaussian model whose marginal and posterior are exact (the ELBO decomposition
checked to machine precision), a heteroscedastic Gaussian regression head and a mixture density
network (Bishop 1994), and EM for a mixture of Gaussians with its exact posterior (responsibilities).
Symbols: B batch, D pixels, Z latent size, K importance samples, H hidden width, M mixture components.
"""
import math
from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from dljax.errors import ConfigError
from dljax.models.layers import activation, as_flat

LIKELIHOODS = ('bernoulli', 'cbernoulli', 'gaussian', 'gaussian_fixed', 'laplace')
# decoder outputs per pixel: (logits) or (mean, log scale)
N_PARAMS = {'bernoulli': 1, 'cbernoulli': 1, 'gaussian': 2, 'gaussian_fixed': 1, 'laplace': 2}
LOG_SCALE_MIN = -7.0  # floor of a learned log sigma / log b (a density cannot spike without bound)


# --- the two lines of the lecture -----------------------------------------------------------------
def reparameterize(mu_BxZ, logvar_BxZ, eps_BxZ):
  """z = mu + sigma * eps with sigma = exp(logvar / 2): a deterministic, differentiable function of
  (mu, sigma) and the noise eps ~ N(0, I)."""
  return mu_BxZ + jnp.exp(0.5 * logvar_BxZ) * eps_BxZ


def gaussian_kl(mu_BxZ, logvar_BxZ):
  """KL(N(mu, diag sigma^2) || N(0, I)) per example, in nats:
  1/2 sum_j (mu_j^2 + sigma_j^2 - log sigma_j^2 - 1)."""
  return 0.5 * jnp.sum(mu_BxZ ** 2 + jnp.exp(logvar_BxZ) - logvar_BxZ - 1.0, axis=-1)


def gaussian_kl_per_dim(mu_BxZ, logvar_BxZ):
  """The same KL per latent dimension j (B x Z); its sum over j is gaussian_kl."""
  return 0.5 * (mu_BxZ ** 2 + jnp.exp(logvar_BxZ) - logvar_BxZ - 1.0)


def log_normal(x, mu, log_sigma):
  """log N(x; mu, sigma^2) elementwise."""
  return -0.5 * math.log(2 * math.pi) - log_sigma - 0.5 * ((x - mu) * jnp.exp(-log_sigma)) ** 2


def log_standard_normal(z_BxZ):
  """log N(z; 0, I) per example."""
  return jnp.sum(-0.5 * math.log(2 * math.pi) - 0.5 * z_BxZ ** 2, axis=-1)


def log_mean_exp(log_w_KxB, axis: int = 0):
  """log (1/K) sum_i exp(log w_i), stable (the max is taken out by logsumexp)."""
  return jax.scipy.special.logsumexp(log_w_KxB, axis=axis) - jnp.log(log_w_KxB.shape[axis])


def iwae_bound(log_w_KxB):
  """The K-sample importance-weighted bound per example: log (1/K) sum_i w_i (K = 1: the ELBO)."""
  return log_mean_exp(log_w_KxB, axis=0)


# --- decoder likelihoods ---------------------------------------------------------------------------
def continuous_bernoulli_log_norm(lam, cut: float = 0.01):
  r"""log C(lambda), C(lambda) = 2 atanh(1 - 2 lambda) / (1 - 2 lambda), C(1/2) = 2.

  Exact form log|2 atanh(1 - 2 lambda)| - log|1 - 2 lambda| for |lambda - 1/2| >= cut; near 1/2 (0/0)
  the Taylor series log 2 + 4/3 (lambda - 1/2)^2 + 104/45 (lambda - 1/2)^4. The exact branch is
  evaluated at a safe lambda inside the window, so neither its value nor its gradient is NaN
  (REFERENCES.md §10, cunningham-lab/cb_and_cc)."""
  far = jnp.abs(lam - 0.5) >= cut
  safe = jnp.where(far, lam, 0.5 - cut)
  exact = jnp.log(jnp.abs(2.0 * jnp.arctanh(1.0 - 2.0 * safe))) - jnp.log(jnp.abs(1.0 - 2.0 * safe))
  d = lam - 0.5
  taylor = math.log(2.0) + 4.0 / 3.0 * d ** 2 + 104.0 / 45.0 * d ** 4
  return jnp.where(far, exact, taylor)


def log_likelihood(name: str, x_BxD, out_BxDxP, sigma: float = 1.0):
  """log p(x|z) summed over the D pixels (per example), for the decoder output out (the P
  parameters of each pixel's distribution, N_PARAMS[name])."""
  if name not in LIKELIHOODS:
    raise ConfigError(f'likelihood {name!r} is unknown; use one of {LIKELIHOODS}.')
  a = out_BxDxP[..., 0]
  if name in ('bernoulli', 'cbernoulli'):
    # x log lambda + (1 - x) log(1 - lambda) with log lambda = log_sigmoid(a)
    lp = x_BxD * jax.nn.log_sigmoid(a) + (1.0 - x_BxD) * jax.nn.log_sigmoid(-a)
    if name == 'cbernoulli':
      lam = jnp.clip(jax.nn.sigmoid(a), 1e-6, 1.0 - 1e-6)
      lp = lp + continuous_bernoulli_log_norm(lam)  # + log C(lambda): now a density on [0, 1]
  elif name == 'gaussian_fixed':
    lp = log_normal(x_BxD, a, jnp.full_like(a, math.log(sigma)))
  else:
    log_scale = jnp.maximum(out_BxDxP[..., 1], LOG_SCALE_MIN)
    if name == 'gaussian':
      lp = log_normal(x_BxD, a, log_scale)
    else:  # laplace: -log(2 b) - |x - mu| / b
      lp = -math.log(2.0) - log_scale - jnp.abs(x_BxD - a) * jnp.exp(-log_scale)
  return jnp.sum(lp, axis=-1)


def decoder_mean(name: str, out_BxDxP):
  """E[x|z] of the decoder's distribution (the picture a VAE 'draws')."""
  a = out_BxDxP[..., 0]
  if name == 'bernoulli':
    return jax.nn.sigmoid(a)
  if name == 'cbernoulli':  # E[x] = lambda / (2 lambda - 1) + 1 / (2 atanh(1 - 2 lambda)), 1/2 at 1/2
    lam = jnp.clip(jax.nn.sigmoid(a), 1e-6, 1.0 - 1e-6)
    far = jnp.abs(lam - 0.5) >= 1e-2
    safe = jnp.where(far, lam, 0.4)
    mean = safe / (2 * safe - 1) + 1 / (2 * jnp.arctanh(1 - 2 * safe))
    return jnp.where(far, mean, 0.5 + (lam - 0.5) / 3.0)
  return a


# --- the VAE ---------------------------------------------------------------------------------------
class VAE(nn.Module):
  r"""MLP encoder q(z|x) = N(mu(x), diag exp(logvar(x))) and MLP decoder p(x|z) (module docstring).

  encoder  h_0 = x (flattened, D);  h_l = act(W_l h_{l-1} + b_l) (widths `hidden`);
           mu = W_mu h_L + b_mu,  logvar = W_v h_L + b_v                    (Z each)
  decoder  the mirror: widths reversed(hidden), then D * N_PARAMS[likelihood] outputs
  Parameters: sum over the Dense layers of n_in n_out + n_out (1,086,530 for D = 784, hidden
  (512, 256), Z = 25, Bernoulli).
  """
  latent_dim: int = 25  # Z
  hidden: Sequence[int] = (512, 256)
  act: str = 'relu'
  likelihood: str = 'bernoulli'
  sigma: float = 1.0  # the fixed sigma of 'gaussian_fixed'
  input_shape: Sequence[int] = (28, 28, 1)  # the data's shape (checked against the dataset)

  def __post_init__(self):  # checked when the config builds the model, before any compilation
    if self.latent_dim < 1:
      raise ConfigError(f'model.latent_dim={self.latent_dim} must be >= 1.')
    if self.likelihood not in LIKELIHOODS:
      raise ConfigError(f'model.likelihood={self.likelihood!r} is unknown; use one of '
                        f'{LIKELIHOODS}.')
    if self.sigma <= 0:
      raise ConfigError(f'model.sigma={self.sigma} must be > 0 (the fixed decoder std).')
    super().__post_init__()

  @property
  def data_dim(self) -> int:
    return int(np.prod(self.input_shape))

  def setup(self):
    sigma = activation(self.act)
    self.enc = [nn.Dense(w, name=f'enc_{i}') for i, w in enumerate(self.hidden)]
    self.mu_head = nn.Dense(self.latent_dim, name='mu')
    self.logvar_head = nn.Dense(self.latent_dim, name='logvar')
    self.dec = [nn.Dense(w, name=f'dec_{i}') for i, w in enumerate(reversed(tuple(self.hidden)))]
    self.out = nn.Dense(self.data_dim * N_PARAMS[self.likelihood], name='out')
    self.sigma_fn = sigma

  def encode(self, x):
    """(mu, logvar), each B x Z, of q(z|x)."""
    h = as_flat(x)
    for layer in self.enc:
      h = self.sigma_fn(layer(h))
    return self.mu_head(h), self.logvar_head(h)

  def decode(self, z_BxZ):
    """The decoder's parameters B x D x P of p(x|z) (logits, or mean and log scale)."""
    h = z_BxZ
    for layer in self.dec:
      h = self.sigma_fn(layer(h))
    return self.out(h).reshape(z_BxZ.shape[0], self.data_dim, N_PARAMS[self.likelihood])

  def __call__(self, x, eps_BxZ):
    """(mu, logvar, z, decoder output) for one sample z = mu + sigma eps per example."""
    mu_BxZ, logvar_BxZ = self.encode(x)
    z_BxZ = reparameterize(mu_BxZ, logvar_BxZ, eps_BxZ)
    return mu_BxZ, logvar_BxZ, z_BxZ, self.decode(z_BxZ)


def elbo_terms(model: VAE, params, x, eps_BxZ):
  """(E_q log p(x|z) by one sample, KL(q || p(z)) in closed form, mu, logvar), per example."""
  mu, logvar, _, out = model.apply({'params': params}, x, eps_BxZ)
  log_px_z_B = log_likelihood(model.likelihood, as_flat(x), out, model.sigma)
  return log_px_z_B, gaussian_kl(mu, logvar), mu, logvar


def log_weights(model: VAE, params, x, eps_KxBxZ, encoded=None):
  """log w_i = log p(x|z_i) + log p(z_i) - log q(z_i|x), z_i = mu + sigma eps_i: K x B."""
  mu, logvar = (model.apply({'params': params}, x, method=VAE.encode) if encoded is None
                else encoded)
  x_BxD = as_flat(x)

  def one(eps_BxZ):
    z = reparameterize(mu, logvar, eps_BxZ)
    out = model.apply({'params': params}, z, method=VAE.decode)
    log_q = jnp.sum(log_normal(z, mu, 0.5 * logvar), axis=-1)
    return log_likelihood(model.likelihood, x_BxD, out, model.sigma) + log_standard_normal(z) - log_q
  return jax.lax.map(one, eps_KxBxZ)


def iwae_nll(model: VAE, params, x, rng, k: int, chunk: int = 50):
  """-L_k(x) per example (an upper bound on -log p(x) that tightens with k), computed in chunks of
  `chunk` samples whose log-sum-exps are combined (memory O(chunk), any k)."""
  if k < 1:
    raise ConfigError(f'IWAE needs k >= 1 importance samples (got k={k}).')
  encoded = model.apply({'params': params}, x, method=VAE.encode)
  b, z = encoded[0].shape
  chunk = min(chunk, k)
  n_chunks = -(-k // chunk)

  def body(carry, i):
    eps = jax.random.normal(jax.random.fold_in(rng, i), (chunk, b, z))
    lw = log_weights(model, params, x, eps, encoded)
    valid = (i * chunk + jnp.arange(chunk)) < k  # the last chunk may overshoot k
    lw = jnp.where(valid[:, None], lw, -jnp.inf)
    return jnp.logaddexp(carry, jax.scipy.special.logsumexp(lw, axis=0)), None
  total, _ = jax.lax.scan(body, jnp.full((b,), -jnp.inf), jnp.arange(n_chunks))
  return -(total - math.log(k))


# --- a model where log p(x) is exact: linear-Gaussian (probabilistic PCA) -------------------------
def linear_gaussian_exact(w_DxZ, b_D, sigma: float, x_D):
  """p(z) = N(0, I), p(x|z) = N(W z + b, sigma^2 I):
  log p(x) = log N(x; b, W W^T + sigma^2 I), and the posterior p(z|x) = N(m, S) with
  S = (I + W^T W / sigma^2)^{-1}, m = S W^T (x - b) / sigma^2. Returns (log p(x), m, S) in float64."""
  w, b, x = (np.asarray(a, np.float64) for a in (w_DxZ, b_D, x_D))
  d, z = w.shape
  cov = w @ w.T + sigma ** 2 * np.eye(d)
  diff = x - b
  _, logdet = np.linalg.slogdet(cov)
  log_px = -0.5 * (d * math.log(2 * math.pi) + logdet + diff @ np.linalg.solve(cov, diff))
  s = np.linalg.inv(np.eye(z) + w.T @ w / sigma ** 2)
  return float(log_px), s @ w.T @ diff / sigma ** 2, s


def linear_gaussian_elbo(w_DxZ, b_D, sigma: float, x_D, m_q, s_q):
  """(ELBO, E_q log p(x|z), KL(q || p(z))) exactly for q = N(m_q, diag s_q^2):
  E_q log p(x|z) = -D/2 log(2 pi sigma^2) - (||x - b - W m_q||^2 + tr(W diag(s_q^2) W^T)) / (2 sigma^2)."""
  w, b, x, m, s = (np.asarray(a, np.float64) for a in (w_DxZ, b_D, x_D, m_q, s_q))
  d = w.shape[0]
  r = x - b - w @ m
  rec = -0.5 * d * math.log(2 * math.pi * sigma ** 2) - (r @ r + np.sum((w ** 2) * s ** 2)) / (2 * sigma ** 2)
  kl = 0.5 * np.sum(m ** 2 + s ** 2 - 2 * np.log(s) - 1.0)
  return float(rec - kl), float(rec), float(kl)


def gaussian_kl_full(m0, s0_diag, m1, cov1):
  """KL(N(m0, diag s0^2) || N(m1, cov1)) = 1/2 [tr(cov1^-1 S0) + (m1 - m0)^T cov1^-1 (m1 - m0) - Z
  + log det cov1 - log det S0]."""
  m0, s0, m1, cov1 = (np.asarray(a, np.float64) for a in (m0, s0_diag, m1, cov1))
  inv = np.linalg.inv(cov1)
  dm = m1 - m0
  return float(0.5 * (np.sum(np.diag(inv) * s0 ** 2) + dm @ inv @ dm - len(m0)
                      + np.linalg.slogdet(cov1)[1] - np.sum(np.log(s0 ** 2))))


# --- probabilistic regression heads ----------------------------------------------------------------
class GaussianHead(nn.Module):
  """Heteroscedastic regression: an MLP predicts (mu(x), log sigma(x)); the loss is the Gaussian NLL
  -log N(y; mu(x), sigma(x)^2) (an MSE head is the special case of a fixed sigma)."""
  hidden: Sequence[int] = (32, 32)
  act: str = 'tanh'

  @nn.compact
  def __call__(self, x_BxI):
    h = x_BxI
    for w in self.hidden:
      h = activation(self.act)(nn.Dense(w)(h))
    out = nn.Dense(2)(h)
    return out[:, 0], jnp.maximum(out[:, 1], LOG_SCALE_MIN)  # mu_B, log sigma_B


def gaussian_nll(mu_B, log_sigma_B, y_B):
  """-log N(y; mu, sigma^2) per example."""
  return -log_normal(y_B, mu_B, log_sigma_B)


class MDN(nn.Module):
  """Mixture density network (Bishop 1994): p(y|x) = sum_m pi_m(x) N(y; mu_m(x), sigma_m(x)^2),
  with pi = softmax(logits); the loss is -log p(y|x) by a log-sum-exp over the M components."""
  components: int = 3  # M
  hidden: Sequence[int] = (32, 32)
  act: str = 'tanh'

  @nn.compact
  def __call__(self, x_BxI):
    h = x_BxI
    for w in self.hidden:
      h = activation(self.act)(nn.Dense(w)(h))
    m = self.components
    out = nn.Dense(3 * m)(h)
    logits_BxM = out[:, :m]
    return (jax.nn.log_softmax(logits_BxM), out[:, m:2 * m],
            jnp.maximum(out[:, 2 * m:], LOG_SCALE_MIN))  # log pi, mu, log sigma


def mdn_nll(log_pi_BxM, mu_BxM, log_sigma_BxM, y_B):
  """-log sum_m pi_m N(y; mu_m, sigma_m^2) per example."""
  return -jax.scipy.special.logsumexp(log_pi_BxM + log_normal(y_B[:, None], mu_BxM, log_sigma_BxM),
                                      axis=-1)


# --- mixture of Gaussians: exact posterior and EM --------------------------------------------------
def mog_log_joint(x_NxD, log_pi_M, mu_MxD, cov_MxDxD):
  """log pi_m + log N(x_n; mu_m, Sigma_m), N x M (full covariances)."""
  d = x_NxD.shape[-1]
  chol = jnp.linalg.cholesky(cov_MxDxD)
  diff_MxNxD = x_NxD[None] - mu_MxD[:, None]
  sol = jax.scipy.linalg.solve_triangular(chol, jnp.swapaxes(diff_MxNxD, 1, 2), lower=True)  # MxDxN
  maha_MxN = jnp.sum(sol ** 2, axis=1)
  logdet_M = 2 * jnp.sum(jnp.log(jnp.diagonal(chol, axis1=1, axis2=2)), axis=-1)
  log_n = -0.5 * (d * math.log(2 * math.pi) + logdet_M[:, None] + maha_MxN)
  return (log_pi_M[:, None] + log_n).T


def mog_posterior(x_NxD, log_pi_M, mu_MxD, cov_MxDxD):
  """(responsibilities r_nm = p(m | x_n), exactly, N x M; log p(x_n) = log sum_m pi_m N(x_n; ...))."""
  lj = mog_log_joint(x_NxD, log_pi_M, mu_MxD, cov_MxDxD)
  log_px = jax.scipy.special.logsumexp(lj, axis=-1)
  return jnp.exp(lj - log_px[:, None]), log_px


def em_step(x_NxD, log_pi_M, mu_MxD, cov_MxDxD, reg: float = 1e-6):
  """One EM iteration. E: r = p(m|x) (exact). M: N_m = sum_n r_nm, pi_m = N_m / N,
  mu_m = sum_n r_nm x_n / N_m, Sigma_m = sum_n r_nm (x_n - mu_m)(x_n - mu_m)^T / N_m + reg I.
  Returns the new parameters and the mean log-likelihood under the OLD ones (never decreases)."""
  r_NxM, log_px = mog_posterior(x_NxD, log_pi_M, mu_MxD, cov_MxDxD)
  n_M = jnp.sum(r_NxM, axis=0)
  mu = (r_NxM.T @ x_NxD) / n_M[:, None]
  diff = x_NxD[None] - mu[:, None]  # M x N x D
  cov = jnp.einsum('nm,mnd,mne->mde', r_NxM, diff, diff) / n_M[:, None, None]
  cov = cov + reg * jnp.eye(x_NxD.shape[-1])[None]
  return jnp.log(n_M / x_NxD.shape[0]), mu, cov, jnp.mean(log_px)


# --- VQ-VAE (van den Oord et al. 2017) -------------------------------------------------------------
def quantize(z_e_NxD, codebook_KxD):
  r"""Nearest codebook vector: k_n = argmin_k ||z_e,n - e_k||^2, z_q = e_{k_n}, with the
  straight-through estimator z_q^ST = z_e + sg(z_q - z_e) (forward: z_q; backward: dL/dz_e = dL/dz_q).
  Returns (z_q^ST, the indices k_n, the codebook loss ||sg(z_e) - z_q||^2 and the commitment loss
  ||z_e - sg(z_q)||^2, both mean over N and D)."""
  d2_NxK = (jnp.sum(z_e_NxD ** 2, -1, keepdims=True) - 2 * z_e_NxD @ codebook_KxD.T
            + jnp.sum(codebook_KxD ** 2, -1)[None])
  idx_N = jnp.argmin(d2_NxK, axis=-1)
  z_q = jnp.take(jnp.asarray(codebook_KxD), idx_N, axis=0)
  codebook_loss = jnp.mean((jax.lax.stop_gradient(z_e_NxD) - z_q) ** 2)  # moves the codes
  commitment = jnp.mean((z_e_NxD - jax.lax.stop_gradient(z_q)) ** 2)  # keeps the encoder close
  return z_e_NxD + jax.lax.stop_gradient(z_q - z_e_NxD), idx_N, codebook_loss, commitment


class VQVAE(nn.Module):
  r"""Conv encoder 28x28x1 -> 7x7 grid of D-dim vectors z_e, each quantised to one of K codebook
  vectors (`quantize`), conv-transpose decoder back to 28x28x1 (sigmoid mean). The loss (the task's)
  is ||x - x^||^2 + ||sg(z_e) - e||^2 + beta ||z_e - sg(e)||^2; one image costs 49 log2 K bits.
  Returns (x^, indices B x 49, codebook loss, commitment loss)."""
  codes: int = 64  # K
  code_dim: int = 16  # D
  channels: int = 32

  def __post_init__(self):
    if self.codes < 2 or self.code_dim < 1:
      raise ConfigError(f'model.codes={self.codes} (>= 2) and model.code_dim={self.code_dim} (>= 1).')
    super().__post_init__()

  @nn.compact
  def __call__(self, x_BxHxWx1):
    c = self.channels
    h = nn.relu(nn.Conv(c, (4, 4), strides=2, name='enc_0')(x_BxHxWx1))  # 14x14
    h = nn.relu(nn.Conv(2 * c, (4, 4), strides=2, name='enc_1')(h))  # 7x7
    z_e = nn.Conv(self.code_dim, (1, 1), name='enc_out')(h)
    codebook = self.param('codebook', nn.initializers.uniform(1.0 / self.codes),
                          (self.codes, self.code_dim))
    b, hh, ww, d = z_e.shape
    z_q, idx, cb_loss, commit = quantize(z_e.reshape(-1, d), codebook)
    h = z_q.reshape(b, hh, ww, d)
    h = nn.relu(nn.ConvTranspose(2 * c, (4, 4), strides=(2, 2), name='dec_0')(h))  # 14x14
    h = nn.relu(nn.ConvTranspose(c, (4, 4), strides=(2, 2), name='dec_1')(h))  # 28x28
    x_hat = nn.sigmoid(nn.Conv(x_BxHxWx1.shape[-1], (3, 3), name='dec_out')(h))
    return x_hat, idx.reshape(b, hh * ww), cb_loss, commit
