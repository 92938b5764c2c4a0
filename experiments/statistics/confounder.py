r"""A confounder reverses a correlation (Simpson's paradox; seed 004, part 5, l.930-950).

  python -m experiments.study statistics/confounder --workdir=runs/confounder [--preset=cpu] [--publish]

Causal graph C -> A, C -> B, A -> B, simulated with exact counts (no runs): C = severe illness
(30 % of patients), A = treatment, B = recovery.
  p(A = 1 | C) = 0.8 if severe else 0.2            (the severely ill are treated more often)
  p(B = 1 | A, C) = 0.5 + 0.3 (1 - C) + effect * A  (the treatment helps: effect = +0.1)
The crude comparison p(B | A = 1) - p(B | A = 0) is negative: treated patients recover less often,
because they are sicker. Within each stratum of C the difference is +0.1, and the back-door
adjusted estimate
  sum_c [p(B | A = 1, c) - p(B | A = 0, c)] p(c)
recovers it; so does an intervention do(A) (a randomised trial: A drawn by a coin, independent
of C). A second setting with effect = 0 shows the catalog's point: C alone makes corr(A, B) != 0,
while intervening on A does not change B. Plot confounder.png: crude, per-stratum, adjusted and
randomised estimates for both settings.
Measured (cpu, 10^6 patients, seed 0): see docs/statistics/notes.md. Smoke: 20,000.
"""
import numpy as np

from experiments.tools import study_utils

PRESETS = {'smoke': dict(n=20_000), 'cpu': dict(n=1_000_000)}
P_SEVERE = 0.3
EFFECTS = {'helps': 0.1, 'no_effect': 0.0}


def draw(n: int, effect: float, rng, randomised: bool = False):
  c = rng.random(n) < P_SEVERE
  a = rng.random(n) < (0.5 if randomised else np.where(c, 0.8, 0.2))
  b = rng.random(n) < 0.5 + 0.3 * (1 - c) + effect * a
  return c, a, b


def estimates(c, a, b) -> dict:
  """Crude difference, per-stratum differences, the back-door adjusted estimate, corr(A, B)."""
  crude = b[a].mean() - b[~a].mean()
  strata = {}
  adjusted = 0.0
  for value, name in ((True, 'severe'), (False, 'mild')):
    m = c == value
    strata[name] = float(b[m & a].mean() - b[m & ~a].mean())
    adjusted += strata[name] * m.mean()
  return {'crude': float(crude), 'strata': strata, 'adjusted': float(adjusted),
          'corr_ab': float(np.corrcoef(a, b)[0, 1])}


def simulate(n: int, seed: int = 0) -> dict:
  rng = np.random.default_rng(seed)
  out = {}
  for name, effect in EFFECTS.items():
    observed = estimates(*draw(n, effect, rng))
    _, a, b = draw(n, effect, rng, randomised=True)
    observed['randomised'] = float(b[a].mean() - b[~a].mean())
    observed['true_effect'] = effect
    out[name] = observed
  return out


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return []


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  del summaries
  study_utils.check_preset(preset, tuple(PRESETS))
  table = simulate(PRESETS[preset]['n'])
  plot(table, f'{out}/confounder.png')
  return table


def plot(t: dict, path: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, axes = plt.subplots(1, len(t), figsize=(5 * len(t), 3.6), sharey=True)
  labels = ['crude', 'severe', 'mild', 'adjusted', 'randomised do(A)']
  for ax, (name, r) in zip(axes, t.items()):
    vals = [r['crude'], r['strata']['severe'], r['strata']['mild'], r['adjusted'], r['randomised']]
    ax.bar(labels, vals, color=['C3', 'C7', 'C7', 'C2', 'C0'])
    ax.axhline(r['true_effect'], color='k', ls='--', lw=1, label=f'true effect {r["true_effect"]}')
    ax.axhline(0, color='k', lw=0.5)
    ax.set_title(f'{name}: corr(A, B) = {r["corr_ab"]:+.3f}')
    ax.tick_params(axis='x', labelsize=8, rotation=20)
    ax.legend(fontsize=8)
  axes[0].set_ylabel('p(B | A = 1) - p(B | A = 0)')
  return viz._write(fig, path)  # pylint: disable=protected-access
