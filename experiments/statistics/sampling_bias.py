r"""Sampling bias (seed 004, part 5, l.805-827): equal drug use, 5x the policing, 5x the arrests.

  python -m experiments.study statistics/sampling_bias --workdir=runs/sampling_bias [--preset=cpu] [--publish]

Two groups of equal size use drugs at the same rate (10 %), but group B is searched five times as
often as group A (10 % vs 2 % of its members a year), and only a searched user is arrested. Counted
on a seeded population (no training loop, no runs): the arrest ratio B / A is ~5 although the use
ratio is 1 (the Washington Post numbers of the notes: use rates nearly equal, arrests up to 5x).
A logistic regression fitted (scikit-learn) on the arrest records (feature: the group; label:
arrested) then scores a member of B as ~5x as likely to be a "drug user" as a member of A: the
model learns the sampling, not the behaviour. Plot sampling_bias.png: use rate, arrest rate and the
model's score per group.
Measured (cpu, 2 x 500,000 people, seed 0): see docs/statistics/notes.md. Smoke: 2 x 10,000.
"""
import numpy as np
from sklearn.linear_model import LogisticRegression

from experiments.tools import study_utils

PRESETS = {'smoke': dict(n=10_000), 'cpu': dict(n=500_000)}
USE_RATE = 0.10
SEARCH_RATE = {'A': 0.02, 'B': 0.10}  # B is policed 5x as much


def simulate(n: int, seed: int = 0) -> dict:
  rng = np.random.default_rng(seed)
  out = {'n_per_group': n, 'groups': {}}
  xs, ys = [], []
  for k, (group, search) in enumerate(SEARCH_RATE.items()):
    uses = rng.random(n) < USE_RATE
    searched = rng.random(n) < search
    arrested = uses & searched
    out['groups'][group] = {'use_rate': float(uses.mean()), 'search_rate': search,
                            'arrests': int(arrested.sum()), 'arrest_rate': float(arrested.mean())}
    xs.append(np.full(n, k, np.float32))
    ys.append(arrested)
  x, y = np.concatenate(xs)[:, None], np.concatenate(ys)
  model = LogisticRegression(C=1e6).fit(x, y)  # practically unregularised
  score = model.predict_proba(np.array([[0.0], [1.0]], np.float32))[:, 1]
  for group, s in zip(SEARCH_RATE, score):
    out['groups'][group]['model_score'] = float(s)
  a, b = out['groups']['A'], out['groups']['B']
  out['use_ratio'] = b['use_rate'] / a['use_rate']
  out['arrest_ratio'] = b['arrests'] / a['arrests']
  out['model_score_ratio'] = b['model_score'] / a['model_score']
  return out


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return []


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  del summaries
  study_utils.check_preset(preset, tuple(PRESETS))
  table = simulate(PRESETS[preset]['n'])
  plot(table, f'{out}/sampling_bias.png')
  return table


def plot(t: dict, path: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, ax = plt.subplots(figsize=(7, 3.6))
  keys = ('use_rate', 'arrest_rate', 'model_score')
  width = 0.38
  for k, group in enumerate(t['groups']):
    vals = [t['groups'][group][key] for key in keys]
    ax.bar(np.arange(3) + (k - 0.5) * width, vals, width, label=f'group {group} '
           f'(searched {t["groups"][group]["search_rate"]:.0%})')
  ax.set_xticks(range(3), ['true drug use', 'arrests / member', 'model score (fit on arrests)'])
  ax.set_yscale('log')
  ax.legend()
  ax.set_title(f'use ratio B/A {t["use_ratio"]:.2f}, arrest ratio {t["arrest_ratio"]:.2f}, '
               f'model ratio {t["model_score_ratio"]:.2f}')
  return viz._write(fig, path)  # pylint: disable=protected-access
