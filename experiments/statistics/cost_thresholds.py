r"""Cost-sensitive decision thresholds (seed 004, part 5, l.883-889: spam delete vs junk folder).

  python -m experiments.study statistics/cost_thresholds --workdir=runs/cost_thresholds [--preset=cpu] [--publish]

With a calibrated probability p = p(spam | x), acting ("delete") costs (1 - p) c_FP in expectation
(a real mail lost) and not acting costs p c_FN (spam left in the inbox), so the expected cost is
minimised by acting exactly when p > t* = c_FP / (c_FP + c_FN). Seeded simulation, no runs: scores
p ~ Beta(0.5, 0.5), labels y ~ Bernoulli(p) (calibrated by construction); for each cost pair the
empirical mean cost of every threshold on a grid, and the grid's minimiser against t*. The cost
pairs: symmetric (1, 1) -> 0.5; junk folder (c_FP = 1, c_FN = 1/4, misfiling is cheap) -> 0.8;
delete (c_FP = 9, c_FN = 1, deleting a real mail is 9x as bad) -> 0.9; medical screening (c_FP =
1, c_FN = 9) -> 0.1. Plot cost_thresholds.png: the expected-cost curves with t* marked.
Measured (cpu, 10^6 mails, 1,001 thresholds, seed 0): see docs/statistics/notes.md.
"""
import numpy as np

from experiments.tools import study_utils

PRESETS = {'smoke': dict(n=20_000, grid=101), 'cpu': dict(n=1_000_000, grid=1001)}
COSTS = {'symmetric': (1.0, 1.0), 'junk_folder': (1.0, 0.25), 'delete': (9.0, 1.0),
         'screening': (1.0, 9.0)}  # name: (c_FP, c_FN)


def optimal_threshold(c_fp: float, c_fn: float) -> float:
  """t* = c_FP / (c_FP + c_FN): act when p > t*."""
  return c_fp / (c_fp + c_fn)


def expected_costs(p_N, y_N, thresholds_T, c_fp: float, c_fn: float):
  """Mean cost per example of acting where p > t, for each t (sorted scores + cumulative counts)."""
  order = np.argsort(p_N)
  p, y = p_N[order], y_N[order].astype(np.float64)
  below = np.searchsorted(p, thresholds_T, side='right')  # examples with p <= t are not acted on
  pos_below = np.concatenate([[0.0], np.cumsum(y)])[below]   # FN: spam left
  neg_above = (len(y) - y.sum()) - (below - pos_below)        # FP: real mail acted on
  return (c_fn * pos_below + c_fp * neg_above) / len(y)


def simulate(n: int, grid: int, seed: int = 0) -> dict:
  rng = np.random.default_rng(seed)
  p = rng.beta(0.5, 0.5, n)
  y = rng.random(n) < p
  ts = np.linspace(0, 1, grid)
  out = {'n': n, 'grid': grid, 'costs': {}}
  for name, (c_fp, c_fn) in COSTS.items():
    cost = expected_costs(p, y, ts, c_fp, c_fn)
    i = int(np.argmin(cost))
    t_star = optimal_threshold(c_fp, c_fn)
    out['costs'][name] = {'c_fp': c_fp, 'c_fn': c_fn, 't_star': t_star,
                          'best_threshold': float(ts[i]), 'best_cost': float(cost[i]),
                          'cost_at_t_star': float(expected_costs(p, y, np.array([t_star]), c_fp,
                                                                 c_fn)[0]),
                          'cost_at_half': float(expected_costs(p, y, np.array([0.5]), c_fp,
                                                               c_fn)[0]),
                          'curve': cost.tolist()}
  return out


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return []


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  del summaries
  study_utils.check_preset(preset, tuple(PRESETS))
  table = simulate(**PRESETS[preset])
  plot(table, f'{out}/cost_thresholds.png')
  for rec in table['costs'].values():
    del rec['curve']
  return table


def plot(t: dict, path: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, ax = plt.subplots(figsize=(6.5, 4.2))
  ts = np.linspace(0, 1, t['grid'])
  for k, (name, rec) in enumerate(t['costs'].items()):
    ax.plot(ts, rec['curve'], color=f'C{k}',
            label=f'{name}: c_FP={rec["c_fp"]:g}, c_FN={rec["c_fn"]:g}, t*={rec["t_star"]:.2f}')
    ax.axvline(rec['t_star'], color=f'C{k}', ls='--', lw=0.8)
    ax.plot(rec['best_threshold'], rec['best_cost'], 'o', color=f'C{k}')
  ax.set_xlabel('threshold t (act when p > t)')
  ax.set_ylabel('mean cost per mail')
  ax.set_yscale('log')
  ax.legend(fontsize=7)
  ax.set_title('expected cost is minimised at t* = c_FP / (c_FP + c_FN)')
  return viz._write(fig, path)  # pylint: disable=protected-access
