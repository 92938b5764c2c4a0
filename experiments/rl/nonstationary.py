r"""Non-stationary bandits (seed 003 §2.13 "the distribution can change over time"; Sutton & Barto
exercise 2.5): 10 arms start equal at q* = 0 and each takes an independent N(0, 0.01^2)
random-walk step every pull. eps-greedy (eps = 0.1) with the sample-average estimate
e <- e + (r - e) / N against a constant step size e <- e + 0.1 (r - e), T = 10,000.

  python -m experiments.study rl/nonstationary --workdir=runs/rl_nonstationary [--preset=cpu] [--publish]

No training runs: 3 seeds x 100 bandits each (dljax.models.bandits.play with drift_sigma). The
sample average weighs a reward from long ago as much as a fresh one, so it keeps tracking the arms'
old values; the constant step forgets exponentially (weight 0.1 * 0.9^age) and follows the drift.
Table: mean reward and fraction of optimal pulls over the last 1,000 steps (mean ± std over seeds);
plot nonstationary.png: both against t. Expected (Sutton & Barto's exercise): the constant step
size ends clearly ahead. cpu: ~40 s on 2 shared cores.
"""
import jax
import jax.numpy as jnp
import numpy as np

from dljax.models import bandits
from experiments.tools import study_utils

PRESETS = {'smoke': dict(horizon=200, runs=4, seeds=2), 'cpu': dict(horizon=10_000, runs=100, seeds=3)}
ESTIMATORS = {'sample_average': 0.0, 'constant_0.1': 0.1}  # step_size (0: 1 / N)
SIGMA = 0.01


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return []


def compute(preset: str) -> dict:
  study_utils.check_preset(preset, tuple(PRESETS))
  p = PRESETS[preset]
  out = {}
  for name, alpha in ESTIMATORS.items():
    bandits.check('eps_greedy', eps=0.1, step_size=alpha)
    per_seed = [bandits.play_many(jax.random.PRNGKey(seed), p['runs'], 'eps_greedy', p['horizon'],
                                  eps=0.1, step_size=alpha, drift_sigma=SIGMA, q_K=jnp.zeros(10))
                for seed in range(p['seeds'])]
    out[name] = {k: np.stack([np.asarray(o[k], np.float64).mean(0) for o in per_seed])
                 for k in ('reward', 'optimal')}
  return out


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  del summaries
  result = compute(preset)
  last = min(1000, PRESETS[preset]['horizon'])
  table = {'horizon': PRESETS[preset]['horizon'], 'sigma': SIGMA, 'eps': 0.1}
  for name, r in result.items():
    rew, opt = r['reward'][:, -last:].mean(1), r['optimal'][:, -last:].mean(1)
    table[name] = {'reward_last_1000': {'mean': float(rew.mean()), 'std': float(rew.std())},
                   'optimal_last_1000': {'mean': float(opt.mean()), 'std': float(opt.std())}}
  from dljax import viz  # pylint: disable=g-import-not-at-top,unused-import  (selects Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
  for name, r in result.items():
    for ax, key in zip(axes, ('reward', 'optimal')):
      y = r[key].mean(0)
      w = max(1, len(y) // 100)
      ax.plot(np.convolve(y, np.ones(w) / w, mode='valid'), label=name, lw=1)
  axes[0].set(title='drifting arms: average reward', xlabel='pull t')
  axes[1].set(title='fraction of optimal pulls', xlabel='pull t')
  axes[0].legend(fontsize=8)
  fig.tight_layout()
  fig.savefig(f'{out}/nonstationary.png', dpi=100)
  plt.close(fig)
  return table
