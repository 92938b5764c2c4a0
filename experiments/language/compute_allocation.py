r"""Compute-optimal allocation: Kaplan et al. (2020) vs Chinchilla (Hoffmann et al. 2022), no training.

  python -m experiments.study language/compute_allocation --workdir=runs/compute_allocation [--preset=cpu] [--publish]

A budget of C training FLOPs buys N parameters trained on D tokens with C ~ 6 N D. How to split it:
  Kaplan      N ∝ C^0.73, D ∝ C^0.27 (Kaplan et al. 2020, Sec. 6; the exponents as Hoffmann et al.
              Table 2 quote them). Kaplan gives its prefactor in PF-days of *minimum* compute, not
              in C = 6ND, so the law is anchored here at GPT-3 175B on 300B tokens (C = 3.15e23),
              the model Kaplan's co-authors sized with it: N_K = 175e9 (C / C_GPT3)^0.73.
              Its other rule, the data needed to keep overfitting small, D ∝ N^0.74, is the notes'
              "8x the model needs only 5x the data" (8^0.74 = 4.7); along the compute-optimal path
              8x the model comes with only 8^(0.27/0.73) = 2.2x the tokens.
  Chinchilla  N ∝ C^0.5, D ∝ C^0.5 (Approaches 1 and 2: a = 0.50 / 0.49), about 20 tokens per
              parameter: N = sqrt(C / 120), D = 20 N (70B on 1.4T tokens at Gopher's budget).
  L-optimal   the minimum of Chinchilla's fitted loss (Approach 3) at C = 6ND:
              L(N, D) = E + A / N^alpha + B / D^beta,  E 1.69, A 406.4, B 410.7, alpha 0.34, beta 0.28
              N_opt = G (C/6)^(beta/(alpha+beta)),  D_opt = (C/6)^(alpha/(alpha+beta)) / G,
              G = (alpha A / (beta B))^(1/(alpha+beta))          (Hoffmann et al. eq. 4, Sec. 3.3)
For C = 1e18 .. 1e25 the table gives each rule's N, D, tokens per parameter and the loss it reaches
under L(N, D) (so L-optimal is the lower bound by construction: the loss gaps are what the fit says
a mis-allocation costs). Checks against the papers (value, band, verdict):
  Gopher (280B, 300B tokens) vs Chinchilla (70B, 1.4T): both ~5.76e23 FLOPs (6ND within 15 %), and
  L(Chinchilla) < L(Gopher) (Chinchilla outperformed Gopher); Kaplan's rule at Gopher's budget gives a
  model near Gopher's 280B (band 200-400B: Gopher was sized by that rule); the 20-tokens rule at
  Gopher's budget gives 67-70B (Table 3 of Hoffmann et al.: 67B at 5.76e23).
Our own fit: docs/language/gpt_scaling.json (6 tiny character-level runs on Shakespeare, 12.8k-793k
parameters, D = the distinct tokens actually trained on, 125k-2.46M, small sets repeated) fitted
with the same L(N, D) form; its allocation exponent a = beta/(alpha+beta) is compared with 0.73
(Kaplan) and 0.5 (Chinchilla). Six points for five parameters: read it as an illustration only.
Everything is closed-form and deterministic (one "seed"); no language model is trained here.
Plot compute_allocation.png: N and D against C per rule (log-log), and the loss under L(N, D).
Expected (cpu, seconds): see docs/language/notes.md. Smoke: three budgets.
"""
import json
import math
import os

import numpy as np

from experiments.tools import study_utils

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Hoffmann et al. (2022), eq. 10 (Approach 3)
CHINCHILLA_FIT = dict(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)
KAPLAN_A, KAPLAN_B = 0.73, 0.27          # N ∝ C^a, D ∝ C^b (Hoffmann et al. Table 2)
KAPLAN_OVERFIT = 0.74                    # Kaplan eq. 4.4: D ∝ N^0.74 to keep overfitting small
GPT3 = dict(N=175e9, D=300e9)            # Kaplan's anchor (see the docstring)
GOPHER = dict(N=280e9, D=300e9)
CHINCHILLA = dict(N=70e9, D=1.4e12)
GOPHER_BUDGET = 5.76e23                  # FLOPs of Gopher and Chinchilla (Hoffmann et al.)
TOKENS_PER_PARAM = 20.0
PRESETS = {'smoke': dict(budgets=(1e18, 1e21, 1e24), curve=7),
           'cpu': dict(budgets=tuple(10.0 ** k for k in range(18, 26)), curve=71)}
SCALING_JSON = os.path.join(ROOT, 'docs', 'language', 'gpt_scaling.json')


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return []  # closed-form: report() computes


def loss(n, d, fit=None):
  """L(N, D) = E + A / N^alpha + B / D^beta."""
  f = fit or CHINCHILLA_FIT
  return f['E'] + f['A'] / np.power(n, f['alpha']) + f['B'] / np.power(d, f['beta'])


def kaplan(c):
  """Kaplan's allocation, anchored at GPT-3: N = 175e9 (C / C_GPT3)^0.73, D = C / 6N."""
  c_gpt3 = 6 * GPT3['N'] * GPT3['D']
  n = GPT3['N'] * np.power(c / c_gpt3, KAPLAN_A)
  return n, c / (6 * n)


def chinchilla(c):
  """Equal scaling with ~20 tokens per parameter: N = sqrt(C / (6 * 20)), D = 20 N."""
  n = np.sqrt(c / (6 * TOKENS_PER_PARAM))
  return n, TOKENS_PER_PARAM * n


def loss_optimal(c, fit=None):
  """argmin of L(N, D) on C = 6ND (Hoffmann et al. eq. 4)."""
  f = fit or CHINCHILLA_FIT
  s = f['alpha'] + f['beta']
  g = (f['alpha'] * f['A'] / (f['beta'] * f['B'])) ** (1 / s)
  n = g * np.power(c / 6, f['beta'] / s)
  return n, c / (6 * n)


RULES = {'kaplan': kaplan, 'chinchilla': chinchilla, 'loss_optimal': loss_optimal}


def check(name, value, band, source):
  lo, hi = band
  return dict(name=name, value=float(value), band=[lo, hi], source=source,
              verdict='in' if lo <= value <= hi else ('below' if value < lo else 'above'))


def paper_checks() -> list:
  c_g = 6 * GOPHER['N'] * GOPHER['D']
  c_c = 6 * CHINCHILLA['N'] * CHINCHILLA['D']
  l_g, l_c = float(loss(GOPHER['N'], GOPHER['D'])), float(loss(CHINCHILLA['N'], CHINCHILLA['D']))
  band_c = (GOPHER_BUDGET / 1.15, GOPHER_BUDGET * 1.15)
  return [
      check('Gopher 6ND (FLOPs)', c_g, band_c, 'Hoffmann et al.: 5.76e23 for both models'),
      check('Chinchilla 6ND (FLOPs)', c_c, band_c, 'Hoffmann et al.: 5.76e23 for both models'),
      check('L(Gopher) - L(Chinchilla) under the fit', l_g - l_c, (0.0, math.inf),
            'Chinchilla outperforms Gopher at the same compute (a positive gap)'),
      check('Kaplan N at Gopher budget (params)', kaplan(GOPHER_BUDGET)[0], (200e9, 400e9),
            "Gopher's 280B was sized by Kaplan's rule (band: our expectation)"),
      check('20 tokens/param N at Gopher budget', chinchilla(GOPHER_BUDGET)[0], (60e9, 75e9),
            'Hoffmann et al. Table 3: 67B at 5.76e23; Chinchilla itself 70B'),
      check('Kaplan 8x model -> data factor (overfitting rule)', 8 ** KAPLAN_OVERFIT, (4.0, 6.0),
            'the notes: "8x model size requires only 5x dataset size"'),
  ], {'loss_gopher': l_g, 'loss_chinchilla': l_c, 'loss_optimal_at_gopher_budget':
      float(loss(*loss_optimal(GOPHER_BUDGET))), 'loss_optimal_N_at_gopher_budget':
      float(loss_optimal(GOPHER_BUDGET)[0])}


def scaling_points(path: str = SCALING_JSON):
  """(N, D, loss) of our GPT scaling runs: N non-embedding params, D = the distinct training
  tokens actually seen (min(training-set size, tokens processed)), loss = best validation loss."""
  if not os.path.exists(path):
    return None
  with open(path) as f:
    rep = json.load(f)['report']
  pts = []
  for r in rep['runs']:
    distinct = r['train_tokens'] or rep['train_tokens_all']
    pts.append((float(r['N']), float(min(distinct, r['tokens_seen'])), float(r['loss'])))
  return np.asarray(pts)


def fit_ours(pts):
  """Least squares of log L on the 5-parameter L(N, D) (E >= 0), best of a grid of starts (as
  Hoffmann et al. do, with squared instead of Huber residuals: 6 points, no outliers to damp)."""
  from scipy import optimize  # pylint: disable=g-import-not-at-top
  n, d, y = pts[:, 0], pts[:, 1], pts[:, 2]

  def resid(p):
    e, log_a, log_b, alpha, beta = p
    return np.log(e + np.exp(log_a - alpha * np.log(n)) + np.exp(log_b - beta * np.log(d))) - \
        np.log(y)
  best = None
  for e0 in (0.0, 1.0):
    for a0 in (0.1, 0.5):
      for b0 in (0.1, 0.5):
        try:
          r = optimize.least_squares(resid, (e0, 2.0, 2.0, a0, b0),
                                     bounds=((0, -20, -20, 0, 0), (3, 30, 30, 2, 2)))
        except ValueError:
          continue
        if best is None or r.cost < best.cost:
          best = r
  e, log_a, log_b, alpha, beta = best.x
  fit = dict(E=float(e), A=float(np.exp(log_a)), B=float(np.exp(log_b)), alpha=float(alpha),
             beta=float(beta))
  rms = float(np.sqrt(np.mean(resid(best.x) ** 2)))
  a = beta / (alpha + beta) if alpha + beta > 0 else float('nan')
  # the same points with Chinchilla's exponents imposed (E, A, B free, E >= 0): how much worse
  fixed = None
  for e0 in (0.0, 1.0):
    r = optimize.least_squares(
        lambda q: resid((q[0], q[1], q[2], CHINCHILLA_FIT['alpha'], CHINCHILLA_FIT['beta'])),
        (e0, 2.0, 2.0), bounds=((0, -20, -20), (3, 30, 30)))
    fixed = r if fixed is None or r.cost < fixed.cost else fixed
  rms_fixed = float(np.sqrt(np.mean(resid((*fixed.x, CHINCHILLA_FIT['alpha'],
                                           CHINCHILLA_FIT['beta'])) ** 2)))
  return dict(fit=fit, rms_log_residual=rms, n_points=int(len(y)), allocation_exponent_a=float(a),
              rms_log_residual_with_chinchilla_exponents=rms_fixed,
              fit_with_chinchilla_exponents=dict(E=float(fixed.x[0]), A=float(np.exp(fixed.x[1])),
                                                 B=float(np.exp(fixed.x[2]))),
              distance_to_kaplan_a=float(a - KAPLAN_A), distance_to_chinchilla_a=float(a - 0.5),
              alpha_vs_chinchilla=float(alpha - CHINCHILLA_FIT['alpha']),
              beta_vs_chinchilla=float(beta - CHINCHILLA_FIT['beta']))


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  """{'budgets': [...rows], 'checks', 'gopher_vs_chinchilla', 'ours'} and compute_allocation.png."""
  del summaries
  study_utils.check_preset(preset, tuple(PRESETS))
  rows = []
  for c in PRESETS[preset]['budgets']:
    r = {'C': c}
    for name, rule in RULES.items():
      n, d = rule(c)
      r[name] = dict(N=float(n), D=float(d), tokens_per_param=float(d / n), loss=float(loss(n, d)))
    r['loss_gap_kaplan_minus_chinchilla'] = r['kaplan']['loss'] - r['chinchilla']['loss']
    rows.append(r)
  checks, gvc = paper_checks()
  pts = scaling_points()
  ours = fit_ours(pts) if pts is not None and len(pts) >= 5 else None
  if ours is not None:
    ours['points'] = pts.tolist()
  print(f'{"C":>8} | {"Kaplan N":>9} {"D":>9} {"L":>6} | {"Chinch. N":>9} {"D":>9} {"L":>6} | '
        f'{"L-opt N":>9} {"D":>9} {"L":>6}')
  for r in rows:
    cells = ' | '.join(f'{r[k]["N"]:9.3g} {r[k]["D"]:9.3g} {r[k]["loss"]:6.3f}' for k in RULES)
    print(f'{r["C"]:8.0e} | {cells}')
  for ch in checks:
    print(f'check {ch["name"]}: {ch["value"]:.4g} band {ch["band"]} -> {ch["verdict"]}')
  if ours:
    print(f'ours: {ours["fit"]}, a = {ours["allocation_exponent_a"]:.3f} '
          f'(Kaplan 0.73, Chinchilla 0.5), rms log residual {ours["rms_log_residual"]:.4f}; with '
          f'Chinchilla exponents {ours["rms_log_residual_with_chinchilla_exponents"]:.4f} '
          f'{ours["fit_with_chinchilla_exponents"]}')
  plot(rows, PRESETS[preset]['curve'], os.path.join(out, 'compute_allocation.png'))
  return {'budgets': rows, 'checks': checks, 'gopher_vs_chinchilla': gvc, 'ours': ours,
          'fit': CHINCHILLA_FIT, 'kaplan_exponents': [KAPLAN_A, KAPLAN_B],
          'seeds': 'deterministic: closed form',
          'note': 'No model is trained here: 300B-token corpora are not available offline.'}


def plot(rows, n_curve: int, path_png: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top,unused-import  (selects Agg first)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  lo, hi = math.log10(rows[0]['C']), math.log10(rows[-1]['C'])
  cs = np.logspace(lo, hi, n_curve)
  fig, axes = plt.subplots(1, 3, figsize=(15, 4.3))
  labels = {'kaplan': 'Kaplan (N ∝ C^0.73, anchored at GPT-3)',
            'chinchilla': 'Chinchilla (20 tokens/param)', 'loss_optimal': 'argmin of L(N, D)'}
  for key, rule in RULES.items():
    n, d = rule(cs)
    axes[0].plot(cs, n, label=labels[key])
    axes[1].plot(cs, d, label=labels[key])
    axes[2].plot(cs, loss(n, d), label=labels[key])
  for ax, (name, p) in zip([axes[0]] * 2, (('Gopher', GOPHER), ('Chinchilla', CHINCHILLA))):
    ax.scatter([6 * p['N'] * p['D']], [p['N']], marker='*', s=90, zorder=3)
    ax.annotate(name, (6 * p['N'] * p['D'], p['N']), fontsize=8, xytext=(4, 4),
                textcoords='offset points')
  for name, p in (('Gopher', GOPHER), ('Chinchilla', CHINCHILLA)):
    axes[2].scatter([6 * p['N'] * p['D']], [loss(p['N'], p['D'])], marker='*', s=90, zorder=3)
    axes[2].annotate(name, (6 * p['N'] * p['D'], loss(p['N'], p['D'])), fontsize=8,
                     xytext=(4, 4), textcoords='offset points')
  for ax, ylabel, logy in ((axes[0], 'parameters N', True), (axes[1], 'training tokens D', True),
                           (axes[2], 'loss under Chinchilla L(N, D) (nats/token)', False)):
    ax.set_xscale('log')
    if logy:
      ax.set_yscale('log')
    ax.set_xlabel('compute C = 6ND (FLOPs)')
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3, which='both')
    ax.legend(fontsize=7)
  fig.suptitle('Compute-optimal allocation: Kaplan et al. 2020 vs Hoffmann et al. 2022 '
               '(closed form, nothing trained)', fontsize=10)
  fig.tight_layout()
  fig.savefig(path_png, dpi=110)
  plt.close(fig)
  return path_png
