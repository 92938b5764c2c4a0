r"""REINFORCE (score function) vs reparameterisation gradients on a Gaussian toy where the
gradient is analytic: both unbiased, the reparameterised one with far lower variance.

  python -m experiments.study vae/gradient_variance --workdir=runs/gradient_variance [--preset=cpu] [--publish]

Objective F(mu, s) = E_{z ~ N(mu, s^2 I_D)} f(z), f(z) = sum_d (z_d - a)^2, so F = sum_d (mu_d - a)^2
+ D s^2 and dF/dmu_1 = 2 (mu_1 - a) exactly. One-sample estimators of dF/dmu_1:
  reinforce           f(z) d log q(z)/d mu_1 = f(z) (z_1 - mu_1) / s^2
  reinforce_baseline  (f(z) - b) (z_1 - mu_1) / s^2 with the constant baseline b = F (the best
                      constant is close to it; F is known here, in practice a running mean)
  reparameterisation  d f(mu + s eps)/d mu_1 = 2 (mu_1 + s eps_1 - a)
(each computed with jax.grad of the surrogate, not by hand). For D = 1, 4, 16, 64: the mean over N
samples (vs the analytic gradient, in standard errors) and the per-sample variance; the variance of
REINFORCE grows with D (every coordinate's noise enters f), the reparameterised one does not.
No training (no runs). Plot gradient_variance.png.
"""
import math

import jax
import jax.numpy as jnp
import numpy as np

from experiments.tools import study_utils

PRESETS = {'smoke': dict(dims=(1, 4), n=2000), 'cpu': dict(dims=(1, 4, 16, 64), n=200_000)}
MU, S, A = 1.0, 0.5, 0.0


def f(z_D):
  return jnp.sum((z_D - A) ** 2)


def estimators(eps_D, d: int):
  """The three one-sample estimates of dF/dmu_1 at mu = MU * 1, s = S."""
  mu = jnp.full((d,), MU)
  z = mu + S * eps_D
  log_q = lambda m: jnp.sum(-0.5 * ((jax.lax.stop_gradient(z) - m) / S) ** 2)  # + const
  score = jax.grad(log_q)(mu)[0]  # d log q(z)/d mu_1 = (z_1 - mu_1) / s^2
  fz = f(z)
  big_f = d * (MU - A) ** 2 + d * S ** 2
  reparam = jax.grad(lambda m: f(m + S * eps_D))(mu)[0]
  return jnp.stack([fz * score, (fz - big_f) * score, reparam])


NAMES = ('reinforce', 'reinforce_baseline', 'reparameterisation')


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return iter(())


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  del summaries
  study_utils.check_preset(preset, tuple(PRESETS))
  cfg = PRESETS[preset]
  exact = 2 * (MU - A)
  table, samples = {'exact_gradient': exact, 'n': cfg['n'], 'dims': {}}, {}
  for d in cfg['dims']:
    eps = jax.random.normal(jax.random.PRNGKey(d), (cfg['n'], d))
    g = np.asarray(jax.jit(jax.vmap(lambda e, d=d: estimators(e, d)))(eps), np.float64)  # N x 3
    row = {}
    for i, name in enumerate(NAMES):
      mean, var = float(g[:, i].mean()), float(g[:, i].var(ddof=1))
      row[name] = {'mean': mean, 'variance': var,
                   'bias_in_se': (mean - exact) / math.sqrt(var / cfg['n'])}
    row['variance_ratio_reinforce_to_reparam'] = row['reinforce']['variance'] / row['reparameterisation']['variance']
    row['variance_ratio_baseline_to_reparam'] = (row['reinforce_baseline']['variance']
                                                 / row['reparameterisation']['variance'])
    table['dims'][str(d)] = row
    samples[d] = g[:5000]
  plot(table, samples, f'{out}/gradient_variance.png')
  return table


def plot(table, samples, path):
  from dljax import viz  # pylint: disable=g-import-not-at-top
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, axes = plt.subplots(1, 2, figsize=(12, 4))
  dims = sorted(int(d) for d in table['dims'])
  for name in NAMES:
    axes[0].plot(dims, [table['dims'][str(d)][name]['variance'] for d in dims], 'o-', label=name)
  axes[0].set_xscale('log')
  axes[0].set_yscale('log')
  axes[0].set_xlabel('dimension D of z')
  axes[0].set_ylabel('variance of the one-sample dF/dmu_1')
  axes[0].set_title('REINFORCE vs reparameterisation gradient variance')
  axes[0].legend(fontsize=8)
  g = samples[dims[0]]
  for i, name in enumerate(NAMES):
    axes[1].hist(g[:, i], bins=80, alpha=0.5, density=True, label=name,
                 range=(np.percentile(g[:, 0], 1), np.percentile(g[:, 0], 99)))
  axes[1].axvline(table['exact_gradient'], color='k', label='exact 2(mu - a)')
  axes[1].set_title(f'one-sample estimates, D = {dims[0]}')
  axes[1].legend(fontsize=8)
  fig.tight_layout()
  return viz._write(fig, path)  # pylint: disable=protected-access
