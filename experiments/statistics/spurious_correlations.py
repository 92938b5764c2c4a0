r"""Spurious correlations in wide vs tall data (seed 004, part 5, l.906-926; Nicolas Cage films vs
pool drownings).

  python -m experiments.study statistics/spurious_correlations --workdir=runs/spurious_correlations [--preset=cpu] [--publish]

A target y and p features, all independent standard normals (nothing is related to anything). On n
training rows, the feature with the largest |Pearson r| with y is selected, and its r is measured
again on fresh held-out rows. Wide data (n = 30 rows, p growing from 10 to 10,000) make the best
training |r| grow with ln p, under the envelope sqrt(2 ln(2p) / n) (the maximum of 2p near-normal variables
of standard deviation 1/sqrt(n)); tall data (p = 10 fixed, n growing) make it shrink like
1/sqrt(n). The held-out r of the selected feature stays ~0 (within ~1/sqrt(n_test)) whatever the
training r: the correlation was noise. Seeded, averaged over `repeats` draws, no runs. Plot
spurious_correlations.png: best training |r| and held-out |r| against p (wide) and n (tall).
Measured (cpu, 20 repeats, 1,000 held-out rows, seed 0): see docs/statistics/notes.md.
"""
import math

import numpy as np

from experiments.tools import study_utils

PRESETS = {'smoke': dict(repeats=2, wide_p=(10, 100), tall_n=(30, 300)),
           'cpu': dict(repeats=20, wide_p=(10, 100, 1000, 10_000),
                       tall_n=(30, 100, 1000, 10_000))}
WIDE_N, TALL_P, N_TEST = 30, 10, 1000


def _corr(x_NxP, y_N):
  x = (x_NxP - x_NxP.mean(0)) / x_NxP.std(0)
  y = (y_N - y_N.mean()) / y_N.std()
  return x.T @ y / len(y)


def best_feature(n: int, p: int, rng) -> tuple:
  """(best training |r|, held-out |r| of that feature) for independent normals."""
  x, y = rng.standard_normal((n, p)), rng.standard_normal(n)
  r = _corr(x, y)
  j = int(np.argmax(abs(r)))
  x_t, y_t = rng.standard_normal((N_TEST, 1)), rng.standard_normal(N_TEST)  # fresh rows of feature j
  return float(abs(r[j])), float(abs(_corr(x_t, y_t)[0]))


def theory(n: int, p: int) -> float:
  return math.sqrt(2 * math.log(2 * p) / n)


def simulate(repeats, wide_p, tall_n, seed: int = 0) -> dict:
  rng = np.random.default_rng(seed)
  out = {'wide': {}, 'tall': {}, 'wide_n': WIDE_N, 'tall_p': TALL_P, 'n_test': N_TEST}
  for kind, grid in (('wide', wide_p), ('tall', tall_n)):
    for v in grid:
      n, p = (WIDE_N, v) if kind == 'wide' else (v, TALL_P)
      pairs = np.array([best_feature(n, p, rng) for _ in range(repeats)])
      out[kind][str(v)] = {'n': n, 'p': p, 'train_abs_r': float(pairs[:, 0].mean()),
                           'heldout_abs_r': float(pairs[:, 1].mean()), 'theory': theory(n, p)}
  return out


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return []


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  del summaries
  study_utils.check_preset(preset, tuple(PRESETS))
  table = simulate(**PRESETS[preset])
  plot(table, f'{out}/spurious_correlations.png')
  return table


def plot(t: dict, path: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
  for ax, kind, label in ((axes[0], 'wide', f'features p (n = {t["wide_n"]} rows)'),
                          (axes[1], 'tall', f'rows n (p = {t["tall_p"]} features)')):
    xs = [int(k) for k in t[kind]]
    rows = list(t[kind].values())
    ax.plot(xs, [r['train_abs_r'] for r in rows], 'C3o-', label='best |r| on the training rows')
    ax.plot(xs, [r['theory'] for r in rows], 'k--', lw=1, label='sqrt(2 ln(2p) / n)')
    ax.plot(xs, [r['heldout_abs_r'] for r in rows], 'C0s-', label='|r| of that feature, held out')
    ax.set_xscale('log')
    ax.set_xlabel(label)
    ax.set_title(f'{kind} data')
  axes[0].set_ylabel('|correlation| with a random target')
  axes[0].legend(fontsize=8)
  return viz._write(fig, path)  # pylint: disable=protected-access
