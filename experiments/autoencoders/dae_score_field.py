r"""Denoising AE on a 2-D Gaussian mixture: the field r(x) - x against the score (Goodfellow Fig
14.5; Alain & Bengio 2014), over the training noise sigma.

  python -m experiments.study autoencoders/dae_score_field --workdir=runs/dae_score_field [--preset=cpu] [--publish]

Data: M = 8 Gaussians of std s = 0.1 on a circle of radius 1.5 (a 1-D manifold in 2-D, blurred).
For each sigma of SIGMAS a DAE (2-64-64-16-64-64-2 tanh MLP, dljax.models.autoencoders.MLPAE) is
trained on x~ = x + sigma eps with target x (Adam, fresh batches every step; no training loop, no
runs: one jax.lax.scan per sigma and seed). On noisy points x~ of the training distribution:
  cos_clean   mean cosine between r(x~) - x~ and sigma^2 grad log p(x~), p the CLEAN mixture
              (variance s^2): Alain & Bengio's small-noise limit, -> 1 as sigma -> 0
  cos_noised  the same against sigma^2 grad log p_sigma(x~), p_sigma the noised mixture (variance
              s^2 + sigma^2): the Bayes-optimal denoiser is exactly x~ + sigma^2 grad log p_sigma
              (Tweedie), so this stays near 1 at every sigma where the net fits
  rel_err     ||r - x~ - sigma^2 grad log p_sigma|| / ||sigma^2 grad log p_sigma||, averaged
The scores are analytic (mixture_score, tested against jax.grad of mixture_log_density).
Plots: dae_score_field.png (the learned field and sigma^2 grad log p on a grid at one sigma, and the
cosines against sigma, mean +- std over SEEDS seeds).
"""
import math

import jax
import jax.numpy as jnp
import numpy as np
import optax

from dljax.models import autoencoders as ae
from experiments.tools import study_utils

PRESETS = {'smoke': dict(sigmas=(0.1, 0.4), steps=30, seeds=1, n_eval=256),
           'cpu': dict(sigmas=(0.025, 0.05, 0.1, 0.2, 0.4, 0.8), steps=3000, seeds=3, n_eval=4000)}
RADIUS, STD, MODES = 1.5, 0.1, 8
PLOT_SIGMA = 0.2


def means_Mx2(modes: int = MODES, radius: float = RADIUS):
  angle = 2 * jnp.pi * jnp.arange(modes) / modes
  return radius * jnp.stack([jnp.cos(angle), jnp.sin(angle)], -1)


def mixture_log_density(x_2, means_Mx2, var):
  """log p(x) of the equal-weight mixture (1/M) sum_m N(x; mu_m, var I) in 2-D."""
  d2_M = jnp.sum((x_2[None] - means_Mx2) ** 2, -1)
  return jax.nn.logsumexp(-d2_M / (2 * var)) - jnp.log(means_Mx2.shape[0]) - jnp.log(
      2 * jnp.pi * var)


def mixture_score(x_Bx2, means_Mx2, var):
  """grad_x log p(x) = sum_m w_m(x) (mu_m - x) / var, w_m(x) the posterior of component m."""
  d2_BxM = jnp.sum((x_Bx2[:, None, :] - means_Mx2[None]) ** 2, -1)
  w_BxM = jax.nn.softmax(-d2_BxM / (2 * var), -1)
  return (w_BxM @ means_Mx2 - x_Bx2) / var


def sample(key, n: int):
  k_m, k_e = jax.random.split(key)
  return means_Mx2()[jax.random.randint(k_m, (n,), 0, MODES)] + STD * jax.random.normal(k_e, (n, 2))


MODEL = ae.MLPAE(latent_dim=16, hidden=(64, 64), act='tanh', overcomplete=True)


def train_dae(sigma: float, steps: int, seed: int, batch: int = 512, lr: float = 3e-3):
  """DAE parameters after `steps` Adam steps on mean ||g(f(x + sigma eps)) - x||^2."""
  key = jax.random.PRNGKey(seed)
  params = MODEL.init(key, jnp.zeros((1, 2)))['params']
  tx = optax.adam(optax.cosine_decay_schedule(lr, steps))

  def loss(p, k):
    k_x, k_e = jax.random.split(k)
    x = sample(k_x, batch)
    r = MODEL.apply({'params': p}, x + sigma * jax.random.normal(k_e, x.shape))[0]
    return jnp.mean(jnp.sum((r - x) ** 2, -1))

  def step(carry, k):
    p, opt = carry
    g = jax.grad(loss)(p, k)
    updates, opt = tx.update(g, opt, p)
    return (optax.apply_updates(p, updates), opt), None

  keys = jax.random.split(jax.random.fold_in(key, 1), steps)
  (params, _), _ = jax.jit(lambda c: jax.lax.scan(step, c, keys))((params, tx.init(params)))
  return params


def cosine(a_Bx2, b_Bx2):
  return jnp.sum(a_Bx2 * b_Bx2, -1) / (jnp.linalg.norm(a_Bx2, axis=-1)
                                       * jnp.linalg.norm(b_Bx2, axis=-1) + 1e-12)


def field_metrics(params, sigma: float, n: int, seed: int) -> dict:
  key = jax.random.PRNGKey(10_000 + seed)
  x = sample(key, n) + sigma * jax.random.normal(jax.random.fold_in(key, 1), (n, 2))
  field = MODEL.apply({'params': params}, x)[0] - x
  clean = sigma ** 2 * mixture_score(x, means_Mx2(), STD ** 2)
  noised = sigma ** 2 * mixture_score(x, means_Mx2(), STD ** 2 + sigma ** 2)
  return {'cos_clean': float(jnp.mean(cosine(field, clean))),
          'cos_noised': float(jnp.mean(cosine(field, noised))),
          'rel_err': float(jnp.mean(jnp.linalg.norm(field - noised, axis=-1)
                                    / (jnp.linalg.norm(noised, axis=-1) + 1e-12)))}


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return []  # no training runs: report() trains the small DAEs itself


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  del summaries
  p = PRESETS[preset]
  table, plot_params = {}, None
  for sigma in p['sigmas']:
    per_seed = []
    for seed in range(p['seeds']):
      params = train_dae(sigma, p['steps'], seed)
      per_seed.append(field_metrics(params, sigma, p['n_eval'], seed))
      if seed == 0 and math.isclose(sigma, PLOT_SIGMA):
        plot_params = params
    row = {}
    for m in per_seed[0]:
      values = [s[m] for s in per_seed]
      row[m] = {'mean': float(np.mean(values)),
                'std': float(np.std(values, ddof=1)) if len(values) > 1 else 0.0}
    table[f'sigma={sigma:g}'] = row
  plot(table, p['sigmas'], plot_params, f'{out}/dae_score_field.png')
  return table


def plot(table, sigmas, params, path):
  from dljax import viz  # pylint: disable=g-import-not-at-top
  plt = viz.plt
  fig, axes = plt.subplots(1, 3, figsize=(14, 4.4))
  if params is not None:
    g = np.linspace(-2.3, 2.3, 21)
    xx, yy = np.meshgrid(g, g)
    grid = jnp.asarray(np.stack([xx.ravel(), yy.ravel()], -1), jnp.float32)
    field = np.asarray(MODEL.apply({'params': params}, grid)[0] - grid)
    score = np.asarray(PLOT_SIGMA ** 2 * mixture_score(grid, means_Mx2(),
                                                       STD ** 2 + PLOT_SIGMA ** 2))
    pts = np.asarray(sample(jax.random.PRNGKey(3), 400))
    for ax, v, title in ((axes[0], field, f'DAE field r(x) - x (sigma={PLOT_SIGMA})'),
                         (axes[1], score, 'sigma^2 grad log p_sigma(x) (analytic)')):
      ax.scatter(pts[:, 0], pts[:, 1], s=2, c='tab:gray', alpha=0.5)
      ax.quiver(grid[:, 0], grid[:, 1], v[:, 0], v[:, 1], angles='xy', scale_units='xy', scale=1,
                width=0.003, color='tab:blue')
      ax.set_aspect('equal')
      ax.set_title(title, fontsize=9)
  for key, label in (('cos_clean', 'vs sigma^2 grad log p (clean data)'),
                     ('cos_noised', 'vs sigma^2 grad log p_sigma (noised)')):
    mean = [table[f'sigma={s:g}'][key]['mean'] for s in sigmas]
    std = [table[f'sigma={s:g}'][key]['std'] for s in sigmas]
    axes[2].errorbar(sigmas, mean, yerr=std, marker='o', capsize=3, label=label)
  axes[2].set_xscale('log')
  axes[2].set_xlabel('training noise sigma')
  axes[2].set_ylabel('mean cosine with r(x) - x')
  axes[2].legend(fontsize=8)
  axes[2].grid(alpha=0.3)
  fig.tight_layout()
  viz._write(fig, path)  # pylint: disable=protected-access
