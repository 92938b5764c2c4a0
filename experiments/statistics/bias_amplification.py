r"""Bias amplification (seed 004, part 5, l.832-840): argmax decisions exaggerate a skew.

  python -m experiments.study statistics/bias_amplification --workdir=runs/bias_amplification [--preset=cpu] [--publish]

The notes' example: images of a person with a wine glass are about 50/50 men and women in training
but the model predicts 60/40. A seeded simulation of the mechanism (no training loop, no runs):
each image has weak evidence about the person's gender, x ~ N(+d/2, 1) for a man and N(-d/2, 1)
for a woman (d = 1: the image is ambiguous), and the context (wine glass) co-occurs with men at a
rate s. A logistic regression (scikit-learn) on (x, context) learns the posterior p(man | x,
context) and is calibrated, but its argmax decision predicts "man" for a share
  m(s) = s Phi(d/2 + t/d) + (1 - s) Phi(-d/2 + t/d),   t = log(s / (1 - s)),
of the context's images, larger than s for every s > 1/2: where the evidence is ambiguous the
decision always falls to the majority. With exactly 50/50 there is nothing to amplify (m = 1/2);
a mild 55/45 skew comes out ~59/41 (the notes' 60/40). The table sweeps s, with the simulated and the closed-form
share; plot bias_amplification.png: predicted vs true share.
Measured (cpu, 200,000 images per s, seed 0): see docs/statistics/notes.md. Smoke: 5,000.
"""
import math

import numpy as np
from scipy.stats import norm
from sklearn.linear_model import LogisticRegression

from experiments.tools import study_utils

PRESETS = {'smoke': dict(n=5_000), 'cpu': dict(n=200_000)}
SKEWS = (0.5, 0.55, 0.6, 0.7, 0.8)
D = 1.0  # separation of the gender evidence in standard deviations


def predicted_share(s: float, d: float = D) -> float:
  """m(s): the share of context images an argmax decision on the exact posterior calls 'man'."""
  t = math.log(s / (1 - s))
  return float(s * norm.cdf(d / 2 + t / d) + (1 - s) * norm.cdf(-d / 2 + t / d))


def simulate(n: int, seed: int = 0) -> dict:
  """Per skew s: the true share of men with the context, the model's mean p(man) (calibration)
  and its argmax share, simulated and closed-form."""
  rng = np.random.default_rng(seed)
  rows = {}
  for s in SKEWS:
    # training set: half the images have the context (share s of men), half not (share 1 - s)
    context = rng.random(2 * n) < 0.5
    man = rng.random(2 * n) < np.where(context, s, 1 - s)
    x = rng.normal(np.where(man, D / 2, -D / 2), 1.0)
    features = np.stack([x, context], 1).astype(np.float32)
    model = LogisticRegression(C=1e6).fit(features, man)
    # a fresh validation set of context images
    man_v = rng.random(n) < s
    x_v = rng.normal(np.where(man_v, D / 2, -D / 2), 1.0)
    f_v = np.stack([x_v, np.ones(n)], 1).astype(np.float32)
    p_v = model.predict_proba(f_v)[:, 1]
    rows[f'{s:.2f}'] = {'true_share': float(man_v.mean()), 'mean_prob': float(p_v.mean()),
                        'predicted_share': float((p_v > 0.5).mean()),
                        'predicted_share_theory': predicted_share(s)}
  return {'d': D, 'n': n, 'skews': rows}


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return []


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  del summaries
  study_utils.check_preset(preset, tuple(PRESETS))
  table = simulate(PRESETS[preset]['n'])
  plot(table, f'{out}/bias_amplification.png')
  return table


def plot(t: dict, path: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, ax = plt.subplots(figsize=(5.5, 4.2))
  s = np.linspace(0.5, 0.95, 50)
  ax.plot(s, s, 'k--', lw=1, label='no amplification')
  ax.plot(s, [predicted_share(v) for v in s], 'C1-', label=f'argmax share m(s), d = {t["d"]}')
  rows = t['skews']
  ax.plot([float(k) for k in rows], [r['predicted_share'] for r in rows.values()], 'C0o',
          label='simulated argmax share')
  ax.plot([float(k) for k in rows], [r['mean_prob'] for r in rows.values()], 'C2x',
          label='simulated mean p(man) (calibrated)')
  ax.set_xlabel('true share of men with the context, s')
  ax.set_ylabel('share predicted "man"')
  ax.legend(fontsize=8)
  ax.set_title('bias amplification by argmax decisions')
  return viz._write(fig, path)  # pylint: disable=protected-access
