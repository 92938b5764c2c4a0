r"""The prosecutor's fallacy (seed 004, part 5, l.846-852): p(A | B) is not p(B | A).

  python -m experiments.study statistics/prosecutors_fallacy --workdir=runs/prosecutors_fallacy [--preset=cpu] [--publish]

Two seeded populations, counted exactly (no training, no runs):
1. Profiling. In a group whose drug-use rate is p(drugs | group) = 0.09 (the notes' number), a
   policy that stops every member of the group finds drugs on 9 % of those stopped:
   p(no drugs | stopped) = 0.91, so more than 90 % of the people it disadvantages are innocent,
   however "suspicious" the group is made to look by p(group | drugs).
2. The basketball analogy. p(tall | basketball player) ~ 1, but with Bayes' rule
     p(player | tall) = p(tall | player) p(player) / p(tall)
   is tiny because players are rare (p(player) = 0.001, p(tall) = 0.05, p(tall | player) = 0.95
   gives 0.019). The simulation draws the population and counts both conditionals; the table gives
   the counted and the Bayes values side by side.
Plot prosecutors_fallacy.png: the two conditionals of each example as bars.
Measured (cpu, 10^6 people, seed 0): see docs/statistics/notes.md. Smoke: 20,000 people.
"""
import numpy as np

from experiments.tools import study_utils

PRESETS = {'smoke': dict(n=20_000), 'cpu': dict(n=1_000_000)}
P_DRUGS_GIVEN_GROUP = 0.09       # the notes' p(drugs | black) (l.850)
P_PLAYER, P_TALL, P_TALL_GIVEN_PLAYER = 0.001, 0.05, 0.95


def bayes(p_b_given_a: float, p_a: float, p_b: float) -> float:
  """p(A | B) = p(B | A) p(A) / p(B)."""
  return p_b_given_a * p_a / p_b


def simulate(n: int, seed: int = 0) -> dict:
  """Counts of a drawn population: the profiling stop and the basketball example."""
  rng = np.random.default_rng(seed)
  # 1. every member of the profiled group is stopped; drugs found on those who carry them
  drugs = rng.random(n) < P_DRUGS_GIVEN_GROUP
  stopped = n
  found = int(drugs.sum())
  # 2. players, and heights with p(tall | player) = 0.95 and p(tall) = 0.05 overall
  player = rng.random(n) < P_PLAYER
  p_tall_given_not = (P_TALL - P_TALL_GIVEN_PLAYER * P_PLAYER) / (1 - P_PLAYER)
  tall = np.where(player, rng.random(n) < P_TALL_GIVEN_PLAYER, rng.random(n) < p_tall_given_not)
  return {
      'n': n, 'stopped': stopped, 'found': found, 'innocent_stopped': stopped - found,
      'p_drugs_given_stopped': found / stopped,
      'p_innocent_given_stopped': (stopped - found) / stopped,
      'players': int(player.sum()), 'tall': int(tall.sum()),
      'p_tall_given_player': float(tall[player].mean()),
      'p_player_given_tall': float(player[tall].mean()),
      'p_player_given_tall_bayes': bayes(P_TALL_GIVEN_PLAYER, P_PLAYER, P_TALL),
  }


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return []


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  del summaries
  study_utils.check_preset(preset, tuple(PRESETS))
  table = simulate(PRESETS[preset]['n'])
  plot(table, f'{out}/prosecutors_fallacy.png')
  return table


def plot(t: dict, path: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
  axes[0].bar(['p(drugs | stopped)', 'p(innocent | stopped)'],
              [t['p_drugs_given_stopped'], t['p_innocent_given_stopped']], color=['C3', 'C0'])
  axes[0].set_title(f'profiling: {t["stopped"]:,} stopped, {t["found"]:,} found')
  axes[1].bar(['p(tall | player)', 'p(player | tall)'],
              [t['p_tall_given_player'], t['p_player_given_tall']], color=['C1', 'C2'])
  axes[1].set_title(f'basketball: Bayes p(player | tall) = {t["p_player_given_tall_bayes"]:.3f}')
  for ax in axes:
    ax.set_ylim(0, 1)
    for p in ax.patches:
      ax.annotate(f'{p.get_height():.3f}', (p.get_x() + p.get_width() / 2, p.get_height()),
                  ha='center', va='bottom')
  fig.suptitle("the prosecutor's fallacy: p(A | B) != p(B | A)")
  return viz._write(fig, path)  # pylint: disable=protected-access
