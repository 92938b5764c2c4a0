r"""Variational autoencoding: maximise the ELBO of dljax.models.vae.VAE (labels unused).

  train loss  -[ E_q log p(x|z) - beta_t KL(q(z|x) || p(z)) ] per image (nats), one sample
              z = mu + sigma eps per image; beta_t = beta min(1, t / kl_warmup_steps) (KL
              annealing, 0 = off); with free_bits = lambda > 0 the KL term is
              sum_j max(lambda, mean_b KL_bj) (each latent dimension's KL is free up to lambda)
  data        bernoulli: x binarised, x >= 1/2 ('threshold', the same at evaluation) or
              x ~ Bernoulli(pixel intensity) at every training step ('dynamic'; evaluation
              thresholds); continuous likelihoods: 8-bit pixels k/255 are uniformly dequantised,
              y = (k + u) / 256, u ~ U(0, 1) (a fresh u every step, a fixed one at evaluation)
  test/nelbo  -ELBO per image in nats (one-sample E_q log p(x|z), closed-form KL), and its parts
              test/rec = -E_q log p(x|z), test/kl; chooses best/ on val/nelbo
  test/iwae<k> -L_k per image for each k of vae.iwae_ks (an upper bound on -log p(x); k = 1 is the
              one-sample -ELBO, tighter as k grows)
  test/active_units  #{j : Cov_x(E_q[z_j]) > 0.01} (Burda et al. 2016)
  test/bpd    continuous likelihoods: (-L_kmax + D log 256) / (D ln 2), bits per 8-bit dimension of
              the dequantised model (an upper bound on the discrete model's bits/dim)
Evaluation draws its noise from a fixed key (the same numbers every time a state is evaluated).
"""
import math
import os

import jax
import jax.numpy as jnp
import numpy as np

from dljax import data as data_lib, models
from dljax.errors import ConfigError
from dljax.models import vae as vae_lib
from dljax.models.layers import as_flat
from dljax.train import kit
from dljax.train.tasks.base import SPLITS, Task

BINARIZE = ('threshold', 'dynamic')
ACTIVE_THRESHOLD = 0.01


def defaults(config):
  """config.vae with its defaults filled in."""
  v = dict(beta=1.0, binarize='threshold', iwae_ks=(1, 5, 50), kl_warmup_steps=0, free_bits=0.0)
  v.update(dict(config.get('vae', {})))
  return v


class VAETask(Task):
  """The negative ELBO (beta-weighted KL, optional annealing and free bits) of a VAE."""

  best_metric = 'nelbo'
  best_mode = 'min'

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    self.model = models.build(config.model)
    self.v = defaults(config)
    self.binary = self.model.likelihood == 'bernoulli'

  @classmethod
  def check_config(cls, config):
    """model (a VAE), optim, and config.vae: beta >= 0, binarize, iwae_ks >= 1, kl_warmup_steps >= 0,
    free_bits >= 0."""
    model = models.build(config.model)
    kit.check_optimizer(config.optim)
    if not isinstance(model, vae_lib.VAE):
      raise ConfigError(f"task 'vae' needs a VAE model (model.name='vae'), not {config.model.name!r}.")
    v = defaults(config)
    if v['beta'] < 0:
      raise ConfigError(f'vae.beta={v["beta"]} must be >= 0 (the KL weight).')
    if v['binarize'] not in BINARIZE:
      raise ConfigError(f'vae.binarize={v["binarize"]!r} is unknown; use one of {BINARIZE}.')
    if not v['iwae_ks'] or min(v['iwae_ks']) < 1:
      raise ConfigError(f'vae.iwae_ks={tuple(v["iwae_ks"])}: IWAE needs k >= 1 importance samples; '
                        'e.g. --config.vae.iwae_ks="(1, 5, 50)".')
    if v['kl_warmup_steps'] < 0 or v['free_bits'] < 0:
      raise ConfigError('vae.kl_warmup_steps and vae.free_bits must be >= 0.')

  @classmethod
  def load_data(cls, config) -> dict:
    """Checks the model's input_shape against the data and the data's range for [0, 1]
    likelihoods before anything is compiled."""
    info = data_lib.info(config.data)
    model = models.build(config.model)
    kit.check_input_shape(model, info, config.data.name)
    data = {split: data_lib.load_split(config.data, split) for split in SPLITS}
    lo, hi = min(float(d['x'].min()) for d in data.values()), max(float(d['x'].max()) for d in data.values())
    if model.likelihood in ('bernoulli', 'cbernoulli') and (lo < 0.0 or hi > 1.0):
      raise ConfigError(f'model.likelihood={model.likelihood!r} needs data in [0, 1]; '
                        f'{config.data.name} spans [{lo:.3g}, {hi:.3g}]. Rescale the data or use '
                        "'gaussian' / 'laplace'.")
    return data

  # --- data transforms ------------------------------------------------------------------------------
  def observe(self, x, rng=None):
    """The data the likelihood sees: binarised (bernoulli) or dequantised (continuous); with
    rng=None the evaluation's fixed version."""
    if self.binary:
      if rng is not None and self.v['binarize'] == 'dynamic':
        return jax.random.bernoulli(rng, x).astype(x.dtype)
      return (x >= 0.5).astype(x.dtype)
    u = jax.random.uniform(jax.random.PRNGKey(1) if rng is None else rng, x.shape, x.dtype)
    return (jnp.round(x * 255.0) + u) / 256.0  # y = (k + u) / 256 in [0, 1)

  def init(self, rng, batch):
    eps = jnp.zeros((batch['x'].shape[0], self.model.latent_dim))
    return kit.init_single(self.model, rng, (batch['x'], eps), self.config.optim, self.total_steps)

  def beta_at(self, step):
    warm = self.v['kl_warmup_steps']
    ramp = jnp.minimum(1.0, step / warm) if warm else 1.0
    return self.v['beta'] * ramp

  def train_step(self, state, batch, rng):
    net = state.nets['model']
    k_data, k_eps = jax.random.split(rng)
    x = self.observe(batch['x'], k_data)
    eps = jax.random.normal(k_eps, (x.shape[0], self.model.latent_dim))
    beta = self.beta_at(state.step)
    free = self.v['free_bits']

    def objective(params):
      mu, logvar, _, out = self.model.apply({'params': params}, x, eps)
      rec_B = -vae_lib.log_likelihood(self.model.likelihood, as_flat(x), out, self.model.sigma)
      kl_BxZ = vae_lib.gaussian_kl_per_dim(mu, logvar)
      kl = jnp.mean(jnp.sum(kl_BxZ, -1))
      kl_term = jnp.sum(jnp.maximum(free, jnp.mean(kl_BxZ, 0))) if free else kl
      rec = jnp.mean(rec_B)
      return rec + beta * kl_term, (rec, kl)

    net, (rec, kl), metrics = kit.gradient_step(net, objective, has_aux=True)
    metrics.update({'train/rec': rec, 'train/kl': kl, 'train/nelbo': rec + kl, 'train/beta': beta})
    return state.replace(nets={'model': net}), metrics

  def eval_step(self, state, batch):
    params = state.nets['model'].params
    x, mask_B = self.observe(batch['x']), batch['mask'].astype(jnp.float32)
    key = jax.random.PRNGKey(2)
    eps = jax.random.normal(key, (x.shape[0], self.model.latent_dim))
    log_px_z, kl, mu, _ = vae_lib.elbo_terms(self.model, params, x, eps)
    sums = {'rec': jnp.sum(-log_px_z * mask_B), 'kl': jnp.sum(kl * mask_B), 'count': jnp.sum(mask_B),
            'mu': mask_B @ mu, 'mu2': mask_B @ mu ** 2}
    for k in self.v['iwae_ks']:
      nll = vae_lib.iwae_nll(self.model, params, x, jax.random.fold_in(key, k), k)
      sums[f'iwae{k}'] = jnp.sum(nll * mask_B)
    return sums

  def summarize(self, sums):
    n = sums['count']
    out = {'test/rec': float(sums['rec'] / n), 'test/kl': float(sums['kl'] / n)}
    out['test/nelbo'] = out['test/rec'] + out['test/kl']
    for k in self.v['iwae_ks']:
      out[f'test/iwae{k}'] = float(sums[f'iwae{k}'] / n)
    var_Z = np.asarray(sums['mu2']) / n - (np.asarray(sums['mu']) / n) ** 2  # Cov_x(E_q[z_j])
    out['test/active_units'] = float(np.sum(var_Z > ACTIVE_THRESHOLD))
    if not self.binary:
      d = self.model.data_dim
      best = out[f'test/iwae{max(self.v["iwae_ks"])}']
      out['test/bpd'] = (best + d * math.log(256.0)) / (d * math.log(2.0))
    return out

  # --- task functions for evaluators (dljax/eval) -------------------------------------------------
  def features(self, state, x):
    """E_q[z] = mu(x), B x Z."""
    return self.model.apply({'params': state.nets['model'].params}, x, method=vae_lib.VAE.encode)[0]

  def decode_mean(self, state, z_BxZ):
    """E[x|z] in the data's shape."""
    out = self.model.apply({'params': state.nets['model'].params}, z_BxZ, method=vae_lib.VAE.decode)
    return vae_lib.decoder_mean(self.model.likelihood, out).reshape(
        (z_BxZ.shape[0],) + tuple(self.model.input_shape))

  def sample(self, state, rng, n):
    """n images E[x|z], z ~ p(z) = N(0, I) (the decoder's mean, as VAE samples are usually shown)."""
    return self.decode_mean(state, jax.random.normal(rng, (n, self.model.latent_dim)))

  def log_prob(self, state, x, k: int = 50):
    """An estimate of log p(x) per example: L_k, k importance samples (a lower bound)."""
    return -vae_lib.iwae_nll(self.model, state.nets['model'].params, self.observe(x),
                             jax.random.PRNGKey(3), k)

  def plots(self, state, workdir, data):
    from dljax import viz  # pylint: disable=g-import-not-at-top
    x = data['test']['x'][:8]
    xo = np.asarray(self.observe(jnp.asarray(x)))
    mu = self.features(state, jnp.asarray(xo))
    recon = np.asarray(self.decode_mean(state, mu))
    samples = np.asarray(self.sample(state, jax.random.PRNGKey(0), 8))
    viz.image_rows({'input': xo, 'reconstruction': np.clip(recon, 0, 1),
                    'sample': np.clip(samples, 0, 1)},
                   os.path.join(workdir, 'plots', 'reconstructions.png'),
                   vranges={k: (0, 1) for k in ('input', 'reconstruction', 'sample')})
    if self.model.latent_dim == 2:
      latent_plots(self, state, data['test'], os.path.join(workdir, 'plots'))


def latent_plots(task, state, test, folder, grid: int = 15, n_points: int = 5000):
  """The 2-D latent manifold (decoder means on a grid of z = Phi^{-1}(quantiles), Kingma & Welling
  fig. 4) and the test codes E_q[z] coloured by class."""
  from dljax import viz  # pylint: disable=g-import-not-at-top
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  from scipy import stats  # pylint: disable=g-import-not-at-top
  q = stats.norm.ppf(np.linspace(0.05, 0.95, grid)).astype(np.float32)
  zz = np.stack(np.meshgrid(q, q[::-1]), -1).reshape(-1, 2)
  imgs = np.asarray(task.decode_mean(state, jnp.asarray(zz)))[..., 0]
  h, w = imgs.shape[1:3]
  canvas = imgs.reshape(grid, grid, h, w).transpose(0, 2, 1, 3).reshape(grid * h, grid * w)
  x, y = test['x'][:n_points], test['y'][:n_points]
  mu = np.asarray(jax.jit(task.features)(state, task.observe(jnp.asarray(x))))
  fig, axes = plt.subplots(1, 2, figsize=(13, 6))
  axes[0].imshow(canvas, cmap='gray', extent=(q[0], q[-1], q[0], q[-1]))
  axes[0].set_title('latent manifold: E[x|z] on a grid of z (5 %..95 % quantiles of N(0, 1))')
  sc = axes[1].scatter(mu[:, 0], mu[:, 1], c=y, cmap='tab10', s=2)
  fig.colorbar(sc, ax=axes[1], label='class')
  axes[1].set_title('test codes E_q[z | x] by class')
  axes[1].set_xlabel('z_1')
  axes[1].set_ylabel('z_2')
  fig.tight_layout()
  return viz._write(fig, os.path.join(folder, 'latent_2d.png'))  # pylint: disable=protected-access


class VQVAETask(Task):
  r"""VQ-VAE (task 'vqvae'): loss = ||x - x^||^2 (per-pixel mean) + ||sg(z_e) - e||^2
  + beta ||z_e - sg(e)||^2 (config.vqvae.beta, the commitment weight; 0.25 in the paper), the
  encoder trained through the straight-through estimator (dljax.models.vae.quantize).
  test/mse, test/loss (chooses best/ on val/loss), and codebook usage counted over the WHOLE split
  (not per batch: REFERENCES.md §10): test/codes_used = #{k : count_k > 0}, test/perplexity =
  exp(-sum_k p_k log p_k) of the code frequencies (K if uniform), test/bits_per_image = 49 log2 K.
  Dead codes are reported, not revived."""

  best_metric = 'loss'
  best_mode = 'min'

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    self.model = models.build(config.model)
    self.beta = float(config.get('vqvae', {}).get('beta', 0.25))

  @classmethod
  def check_config(cls, config):
    model = models.build(config.model)
    kit.check_optimizer(config.optim)
    if not isinstance(model, vae_lib.VQVAE):
      raise ConfigError(f"task 'vqvae' needs model.name='vqvae', not {config.model.name!r}.")
    if float(config.get('vqvae', {}).get('beta', 0.25)) < 0:
      raise ConfigError('vqvae.beta (the commitment weight) must be >= 0.')

  def init(self, rng, batch):
    return kit.init_single(self.model, rng, (batch['x'],), self.config.optim, self.total_steps)

  def train_step(self, state, batch, rng):
    del rng
    net, x = state.nets['model'], batch['x']

    def objective(params):
      x_hat, _, cb, commit = self.model.apply({'params': params}, x)
      mse = jnp.mean((x_hat - x) ** 2)
      return mse + cb + self.beta * commit, (mse, cb, commit)

    net, (mse, cb, commit), metrics = kit.gradient_step(net, objective, has_aux=True)
    metrics.update({'train/mse': mse, 'train/codebook_loss': cb, 'train/commitment': commit})
    return state.replace(nets={'model': net}), metrics

  def eval_step(self, state, batch):
    x, mask_B = batch['x'], batch['mask'].astype(jnp.float32)
    x_hat, idx, _, _ = self.model.apply({'params': state.nets['model'].params}, x)
    mse_B = jnp.mean((x_hat - x) ** 2, axis=tuple(range(1, x.ndim)))
    counts_K = jnp.sum(jax.nn.one_hot(idx, self.model.codes) * mask_B[:, None, None], axis=(0, 1))
    return {'mse': jnp.sum(mse_B * mask_B), 'count': jnp.sum(mask_B), 'codes': counts_K}

  def summarize(self, sums):
    n = sums['count']
    counts = np.asarray(sums['codes'], np.float64)
    p = counts / counts.sum()
    nz = p[p > 0]
    mse = float(sums['mse'] / n)
    return {'test/mse': mse, 'test/loss': mse, 'test/codes_used': float((counts > 0).sum()),
            'test/perplexity': float(np.exp(-np.sum(nz * np.log(nz)))),
            'test/bits_per_image': 49 * math.log2(self.model.codes)}

  def predict(self, state, x):
    return self.model.apply({'params': state.nets['model'].params}, x)[0]

  def plots(self, state, workdir, data):
    from dljax import viz  # pylint: disable=g-import-not-at-top
    x = data['test']['x'][:8]
    r = np.asarray(jax.jit(lambda v: self.predict(state, v))(x))
    viz.image_rows({'input': x, 'reconstruction': r}, os.path.join(workdir, 'plots', 'reconstructions.png'),
                   vranges={'input': (0, 1), 'reconstruction': (0, 1)})
