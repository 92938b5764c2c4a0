r"""Multi-armed bandits, T = 10,000 pulls (seed 003 §2.13; Sutton & Barto ch. 2): random, oracle,
eps-first, eps-first with softmax exploration, eps-greedy, softmax and UCB on k = 10 arms, Gaussian
(the 10-armed testbed, q* ~ N(0, 1), r ~ N(q*, 1)) and Bernoulli (p ~ U(0, 1)).

  python -m experiments.study rl/bandits --workdir=runs/rl_bandits [--preset=cpu] [--publish]

No training runs: report() plays `runs` bandits per seed for every strategy, vmapped, one
jax.lax.scan each (dljax.models.bandits), for 3 seeds (keys 0, 1, 2). Table: mean reward per pull,
total regret sum_t (max q* - q*_{a_t}) and the fraction of optimal pulls in the last 1,000 steps,
each mean ± std over the 3 seeds. Plot bandits.png: average reward against t and cumulative regret
against t (log t axis: UCB's is close to a straight line, R ~ log t; eps-greedy's grows linearly).
Reference: the oracle's mean reward is E[max_i q*_i] = 1.5388 (REFERENCES.md §9); Sutton & Barto
Fig. 2.2/2.4: eps = 0.1 about 1.4 by step 1,000, UCB (c = 2) about 1.5.
Parameters (fixed, not tuned): eps = 0.1 (eps-first: the first 1,000 pulls), tau = 1 for the
eps-first softmax exploration, tau = 0.1 for softmax, c = 2 (Gaussian) and c = sqrt(2) (Bernoulli,
UCB1). cpu: 100 Gaussian and 30 Bernoulli bandits per seed, ~3 min on 2 shared cores.
"""
import math

import jax
import numpy as np

from dljax.models import bandits
from experiments.tools import study_utils

PRESETS = {'smoke': dict(horizon=200, runs={'gaussian': 4, 'bernoulli': 2}, seeds=2),
           'cpu': dict(horizon=10_000, runs={'gaussian': 100, 'bernoulli': 30}, seeds=3)}
BEST_GAUSSIAN = 1.5388  # E[max of 10 N(0, 1)], REFERENCES.md §9


def params(strategy: str, kind: str) -> dict:
  p = dict(eps=0.1, tau=1.0, c=2.0 if kind == 'gaussian' else math.sqrt(2.0))
  if strategy == 'softmax':
    p['tau'] = 0.1
  return p


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return []


def compute(preset: str) -> dict:
  """{kind: {strategy: {'reward_SxT', 'regret_SxT', 'optimal_SxT'}}}: per seed, the mean over the
  seed's runs at every step."""
  study_utils.check_preset(preset, tuple(PRESETS))
  p = PRESETS[preset]
  out = {}
  for kind, n in p['runs'].items():
    out[kind] = {}
    for name in bandits.STRATEGIES:
      kw = params(name, kind)
      bandits.check(name, **kw)
      per_seed = [bandits.play_many(jax.random.PRNGKey(seed), n, name, p['horizon'], kind=kind,
                                    **kw) for seed in range(p['seeds'])]
      out[kind][name] = {f'{k}_SxT': np.stack([np.asarray(o[k], np.float64).mean(0)
                                               for o in per_seed]) for k in per_seed[0]}
  return out


def _ms(values) -> dict:
  values = np.asarray(values, np.float64)
  return {'mean': float(values.mean()), 'std': float(values.std())}


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  del summaries
  result = compute(preset)
  p = PRESETS[preset]
  last = min(1000, p['horizon'])
  table = {'horizon': p['horizon'], 'runs_per_seed': p['runs'], 'seeds': p['seeds'],
           'best_achievable_gaussian': BEST_GAUSSIAN}
  for kind, recs in result.items():
    table[kind] = {}
    for name, r in recs.items():
      table[kind][name] = {
          'mean_reward': _ms(r['reward_SxT'].mean(1)),
          'total_regret': _ms(r['regret_SxT'].sum(1)),
          'optimal_last_1000': _ms(r['optimal_SxT'][:, -last:].mean(1)),
          'params': params(name, kind)}
  plot(result, f'{out}/bandits.png')
  return table


def plot(result: dict, path: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top,unused-import  (selects Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  kinds = list(result)
  fig, axes = plt.subplots(len(kinds), 2, figsize=(11, 3.8 * len(kinds)), squeeze=False)
  for row, kind in enumerate(kinds):
    for name, r in result[kind].items():
      reward_T = r['reward_SxT'].mean(0)
      w = max(1, len(reward_T) // 100)
      smooth = np.convolve(reward_T, np.ones(w) / w, mode='valid')
      axes[row, 0].plot(np.arange(len(smooth)) + w, smooth, label=name, lw=1)
      regret = r['regret_SxT'].cumsum(1)
      t = np.arange(1, regret.shape[1] + 1)
      axes[row, 1].plot(t, regret.mean(0), label=name, lw=1)
      axes[row, 1].fill_between(t, regret.min(0), regret.max(0), alpha=0.2)
    if kind == 'gaussian':
      axes[row, 0].axhline(BEST_GAUSSIAN, color='k', ls=':', lw=0.8, label='E[max q*] 1.5388')
    axes[row, 0].set(title=f'{kind}: average reward', xlabel='pull t', ylabel='reward')
    axes[row, 1].set(title=f'{kind}: cumulative regret (seed min-max band)', xlabel='pull t (log)',
                     ylabel='regret', xscale='log', yscale='symlog')
    axes[row, 0].legend(fontsize=7)
  fig.tight_layout()
  fig.savefig(path, dpi=100)
  plt.close(fig)
  return path
