r"""The ELBO, its gap and the IWAE bounds where log p(x) is exact: a linear-Gaussian latent model
(probabilistic PCA), p(z) = N(0, I_Z), p(x|z) = N(W z + b, sigma^2 I_D), so that
p(x) = N(b, W W^T + sigma^2 I) and p(z|x) = N(m, S), S = (I + W^T W / sigma^2)^{-1},
m = S W^T (x - b) / sigma^2 (dljax.models.vae.linear_gaussian_exact).

  python -m experiments.study vae/elbo_gap --workdir=runs/elbo_gap [--preset=cpu] [--publish]

1. Decomposition. For diagonal Gaussians q_t = N(t m, diag((1 - t) + t sqrt(diag S))^2), t = 0 (the
   prior) .. 1 (the mean-field match of the posterior), the exact ELBO = E_q log p(x|z) - KL(q||p(z))
   and log p(x) - ELBO against KL(q || p(z|x)) (closed form, full covariance): they agree to float64
   precision (max |difference| in the table). With a non-diagonal S even the best diagonal q keeps a
   gap: the mean-field (posterior-family) gap.
2. IWAE. With q = q_0 (the prior, a poor proposal) and q_1, L_k = E log (1/k) sum_i w_i for k = 1, 5,
   50, 500, 5000 (mean over R repetitions): L_1 <= L_5 <= ... <= log p(x).
No training (no runs). Plot elbo_gap.png.
"""
import math

import jax
import jax.numpy as jnp
import numpy as np

from dljax.models import vae
from experiments.tools import study_utils

PRESETS = {'smoke': dict(ks=(1, 5, 50), reps=20, path=5),
           'cpu': dict(ks=(1, 5, 50, 500, 5000), reps=400, path=21)}
D, Z, SIGMA = 6, 2, 0.5


def problem(seed: int = 0):
  rng = np.random.default_rng(seed)
  w = rng.normal(size=(D, Z))
  b = rng.normal(size=D)
  z = rng.normal(size=Z)
  x = w @ z + b + SIGMA * rng.normal(size=D)  # one observation drawn from the model
  return w, b, x


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return iter(())


def iwae_curve(w, b, x, m_q, s_q, ks, reps, seed=0):
  """Mean and std over reps of L_k for each k, proposal q = N(m_q, diag s_q^2)."""
  wj, bj, xj = (jnp.asarray(a, jnp.float32) for a in (w, b, x))
  out = {}
  for k in ks:
    eps = jax.random.normal(jax.random.PRNGKey(seed + k), (k, reps, Z))
    z = jnp.asarray(m_q, jnp.float32)[None, None] + jnp.asarray(s_q, jnp.float32)[None, None] * eps
    log_px_z = jnp.sum(vae.log_normal(xj[None, None], z @ wj.T + bj[None, None], math.log(SIGMA)), -1)
    log_q = jnp.sum(vae.log_normal(z, jnp.asarray(m_q, jnp.float32)[None, None],
                                   jnp.log(jnp.asarray(s_q, jnp.float32))[None, None]), -1)
    bounds = np.asarray(vae.iwae_bound(log_px_z + vae.log_standard_normal(z) - log_q), np.float64)
    out[k] = (float(bounds.mean()), float(bounds.std(ddof=1)))
  return out


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  del summaries
  study_utils.check_preset(preset, tuple(PRESETS))
  cfg = PRESETS[preset]
  w, b, x = problem()
  log_px, m, s = vae.linear_gaussian_exact(w, b, SIGMA, x)
  sd = np.sqrt(np.diag(s))
  path, worst = [], 0.0
  for t in np.linspace(0.0, 1.0, cfg['path']):
    m_q, s_q = t * m, (1 - t) + t * sd
    elbo, rec, kl = vae.linear_gaussian_elbo(w, b, SIGMA, x, m_q, s_q)
    gap = vae.gaussian_kl_full(m_q, s_q, m, s)
    worst = max(worst, abs((log_px - elbo) - gap))
    path.append(dict(t=float(t), elbo=elbo, rec=rec, kl_prior=kl, log_px_minus_elbo=log_px - elbo,
                     kl_q_posterior=gap))
  corr = float(s[0, 1] / math.sqrt(s[0, 0] * s[1, 1]))
  iw = {name: iwae_curve(w, b, x, mq, sq, cfg['ks'], cfg['reps'])
        for name, mq, sq in (('prior_q', np.zeros(Z), np.ones(Z)), ('meanfield_q', m, sd))}
  table = {'log_px': log_px, 'posterior_correlation': corr,
           'max_abs_decomposition_error': worst,
           'meanfield_gap': path[-1]['kl_q_posterior'], 'path': path,
           'iwae': {name: {str(k): {'mean': v[0], 'std': v[1], 'gap': log_px - v[0]}
                           for k, v in c.items()} for name, c in iw.items()}}
  plot(table, iw, f'{out}/elbo_gap.png')
  return table


def plot(table, iw, path):
  from dljax import viz  # pylint: disable=g-import-not-at-top
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, axes = plt.subplots(1, 2, figsize=(12, 4))
  ts = [r['t'] for r in table['path']]
  axes[0].axhline(table['log_px'], color='k', label='log p(x) (exact)')
  axes[0].plot(ts, [r['elbo'] for r in table['path']], 'o-', label='ELBO(q_t)')
  axes[0].plot(ts, [table['log_px'] - r['kl_q_posterior'] for r in table['path']], 'x',
               label='log p(x) - KL(q_t || p(z|x))')
  axes[0].set_xlabel('t: q_t from the prior (0) to the mean-field posterior (1)')
  axes[0].set_title(f'ELBO = log p(x) - KL(q||p(z|x)) (max error {table["max_abs_decomposition_error"]:.1e})')
  axes[0].legend(fontsize=8)
  for name, c in iw.items():
    ks = sorted(c)
    axes[1].errorbar(ks, [c[k][0] for k in ks], yerr=[c[k][1] / math.sqrt(1) for k in ks],
                     fmt='o-', capsize=3, label=f'L_k, q = {name}')
  axes[1].axhline(table['log_px'], color='k', label='log p(x)')
  axes[1].set_xscale('log')
  axes[1].set_xlabel('k importance samples')
  axes[1].set_title('IWAE bounds tighten with k (mean +- std over repetitions)')
  axes[1].legend(fontsize=8)
  fig.tight_layout()
  return viz._write(fig, path)  # pylint: disable=protected-access
