r"""KL asymmetry: fitting one Gaussian q = N(m, s^2) to a bimodal target p (two well-separated
Gaussians) by forward KL(p || q), reverse KL(q || p) and Jensen-Shannon.

  python -m experiments.study vae/kl_asymmetry --workdir=runs/kl_asymmetry [--preset=cpu] [--publish]

p = 1/2 N(-2, 0.6^2) + 1/2 N(2, 0.6^2). Each divergence is computed by quadrature on a grid and
minimised over (m, log s) by L-BFGS (scipy) from several starts; the best fit per divergence is
reported with all three divergences at it.
  forward KL(p || q) = E_p log p/q   mode-covering: infinite penalty where q misses p's mass, so q
                                     spreads over both modes (its optimum is moment matching:
                                     m = E_p x = 0, s^2 = Var_p x = 0.6^2 + 2^2)
  reverse KL(q || p) = E_q log q/p   mode-seeking: penalises q's mass where p has none, so q sits on
                                     one mode (m ~ +-2, s ~ 0.6); which one depends on the start
  JS(p, q) = 1/2 KL(p || M) + 1/2 KL(q || M), M = (p + q)/2: symmetric and bounded by log 2
The variational objective of a VAE is the REVERSE KL (KL(q(z|x) || p(z|x))): its posteriors
under-cover. No training (no runs). Plot kl_asymmetry.png.
"""
import math

import numpy as np
from scipy import optimize, stats

from experiments.tools import study_utils

PRESETS = {'smoke': dict(grid=2001, starts=(-1.0, 1.5)), 'cpu': dict(grid=20001, starts=(-3.0, -0.5, 0.5, 3.0))}
MODES, STD = (-2.0, 2.0), 0.6
LO, HI = -10.0, 10.0


def target(x):
  return 0.5 * stats.norm.pdf(x, MODES[0], STD) + 0.5 * stats.norm.pdf(x, MODES[1], STD)


def divergences(p, q, dx):
  """(KL(p||q), KL(q||p), JS(p, q)) by the rectangle rule, 0 log 0 = 0."""
  tiny = 1e-300

  def kl(a, b):
    mask = a > 0
    return float(np.sum(a[mask] * (np.log(a[mask]) - np.log(np.maximum(b[mask], tiny)))) * dx)
  m = 0.5 * (p + q)
  return kl(p, q), kl(q, p), 0.5 * kl(p, m) + 0.5 * kl(q, m)


def fit(which: int, x, p, dx, starts):
  """The (m, s) minimising divergence `which` (0 forward, 1 reverse, 2 JS) over starts."""
  best = None
  for m0 in starts:
    res = optimize.minimize(lambda th: divergences(p, stats.norm.pdf(x, th[0], math.exp(th[1])), dx)[which],
                            np.array([m0, 0.0]), method='L-BFGS-B')
    if best is None or res.fun < best.fun:
      best = res
  runs = [optimize.minimize(lambda th: divergences(p, stats.norm.pdf(x, th[0], math.exp(th[1])), dx)[which],
                            np.array([m0, 0.0]), method='L-BFGS-B').x[0] for m0 in starts]
  return float(best.x[0]), float(math.exp(best.x[1])), [float(r) for r in runs]


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return iter(())


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  del summaries
  study_utils.check_preset(preset, tuple(PRESETS))
  cfg = PRESETS[preset]
  x = np.linspace(LO, HI, cfg['grid'])
  dx = x[1] - x[0]
  p = target(x)
  table = {'moment_match': {'m': 0.0, 's': math.sqrt(STD ** 2 + MODES[1] ** 2)}}
  fits = {}
  for i, name in enumerate(('forward_kl', 'reverse_kl', 'js')):
    m, s, means = fit(i, x, p, dx, cfg['starts'])
    fwd, rev, js = divergences(p, stats.norm.pdf(x, m, s), dx)
    table[name] = {'m': m, 's': s, 'forward_kl': fwd, 'reverse_kl': rev, 'js': js,
                   'fitted_means_per_start': means}
    fits[name] = (m, s)
  plot(x, p, fits, f'{out}/kl_asymmetry.png')
  return table


def plot(x, p, fits, path):
  from dljax import viz  # pylint: disable=g-import-not-at-top
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, ax = plt.subplots(figsize=(8, 4))
  ax.fill_between(x, p, color='0.85', label='target p (two modes)')
  for (name, (m, s)), style in zip(fits.items(), ('C0-', 'C3-', 'C2--')):
    ax.plot(x, stats.norm.pdf(x, m, s), style, label=f'{name}: N({m:.2f}, {s:.2f}^2)')
  ax.set_xlim(-6, 6)
  ax.set_title('forward KL(p||q) covers both modes; reverse KL(q||p) picks one')
  ax.legend(fontsize=8)
  fig.tight_layout()
  return viz._write(fig, path)  # pylint: disable=protected-access
