r"""The linear SVM: hinge loss + lambda ||w||^2, its margin 1 / ||w||, and the lambda sweep (seed 003
§1.1, §2.2, c2).

  python -m experiments.study basics/svm_margin --workdir=runs/svm_margin [--preset=cpu] [--publish]

Primal objective on the toy_separable blobs of configs/basics/logistic.py (labels y in {-1, +1}):

  J(w, b) = lambda ||w||^2 + (1/n) sum_i max(0, 1 - y_i (w . x_i + b))

The points with y f(x) = 1 lie on the two margin lines f(x) = +-1, at distance 1 / ||w|| from the
boundary f(x) = 0 (the notes' margin; the band between the lines is 2 / ||w|| wide). A larger
lambda buys a smaller ||w||, a wider margin, at the price of points inside it (hinge > 0). As
lambda -> 0 the solution approaches the hard-margin SVM, whose margin is the largest possible
distance from a separating line to the nearest point (here >= 0.5: the blobs keep |x1| >= 0.5).

Fitted for each lambda of LAMBDAS by full-batch Adam on J (subgradient of the hinge; dljax.optim
.minimize, 20,000 steps with a cosine decay to 0, so the iterate settles on the kink). The same
objective is scikit-learn's SVC(kernel='linear', C = 1 / (2 lambda n)); tests/basics/
test_svm_margin.py checks ||w|| and the decisions against it. Deterministic (a convex problem on a
fixed split): no seeds. Table per lambda: ||w||, the margin 1/||w||, the smallest distance of a
training point to the boundary, the points on or inside the margin (y f(x) <= 1 + 1e-3: the
support vectors and margin violators), train and test accuracy. Plot svm_margin.png: the
boundaries and margin lines for three lambdas, and margin and accuracy against lambda.
"""
import math

import jax
import jax.numpy as jnp
import numpy as np
import optax

from configs.basics import logistic
from dljax import data, optim
from experiments.tools import study_utils

LAMBDAS = {'smoke': (1e-2, 1.0), 'cpu': (1e-4, 1e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0)}
STEPS = {'smoke': 200, 'cpu': 20_000}


def objective(params, x_Nx2, y_N, lam: float):
  """lambda ||w||^2 + mean hinge, y in {-1, +1}."""
  w, b = params
  return lam * jnp.sum(w ** 2) + jnp.mean(jnp.maximum(0.0, 1.0 - y_N * (x_Nx2 @ w + b)))


def fit(x_Nx2, y_N, lam: float, steps: int):
  """(w, b) minimising objective() by full-batch Adam with a cosine-decayed step."""
  tx = optax.adam(optax.cosine_decay_schedule(0.05, steps))
  params = (jnp.zeros(x_Nx2.shape[1]), jnp.zeros(()))
  loss = lambda p: objective(p, x_Nx2, y_N, lam)
  return jax.jit(optim.minimize, static_argnums=(0, 2, 3))(loss, params, tx, steps)


def splits():
  """(x, y in {-1, +1}) of the train and test splits of toy_separable."""
  cfg = logistic.get_config('cpu').data
  out = []
  for split in ('train', 'test'):
    arrays = data.load_split(cfg, split)
    out.append((jnp.asarray(arrays['x'], jnp.float32),
                jnp.asarray(2.0 * arrays['y'] - 1.0, jnp.float32)))
  return out


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(LAMBDAS))
  return []


def compute(preset: str) -> dict:
  study_utils.check_preset(preset, tuple(LAMBDAS))
  (x, y), (x_test, y_test) = splits()
  table = {'n_train': int(x.shape[0]), 'steps': STEPS[preset], 'lambdas': {}}
  boundaries = {}
  for lam in LAMBDAS[preset]:
    w, b = fit(x, y, lam, STEPS[preset])
    norm = float(jnp.linalg.norm(w))
    f = x @ w + b
    table['lambdas'][lam] = {
        'w_norm': norm, 'margin': 1.0 / norm if norm else math.inf,
        'nearest_point_distance': float(jnp.min(jnp.abs(f)) / norm) if norm else 0.0,
        'on_or_inside_margin': int(jnp.sum(y * f <= 1.0 + 1e-3)),
        'objective': float(objective((w, b), x, y, lam)),
        'train_accuracy': float(jnp.mean(jnp.sign(f) == y)),
        'test_accuracy': float(jnp.mean(jnp.sign(x_test @ w + b) == y_test))}
    boundaries[lam] = (np.asarray(w), float(b))
  return table, boundaries, (np.asarray(x), np.asarray(y))


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  del summaries
  table, boundaries, (x, y) = compute(preset)
  plot(table, boundaries, x, y, f'{out}/svm_margin.png')
  return table


def plot(table: dict, boundaries: dict, x, y, path: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top  (first: selects matplotlib's Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  del viz
  lams = sorted(boundaries)
  shown = [lams[0], lams[len(lams) // 2], lams[-1]] if len(lams) > 2 else lams
  fig, axes = plt.subplots(1, len(shown) + 1, figsize=(4.2 * (len(shown) + 1), 4.0))
  xs = np.linspace(x[:, 0].min() - 0.3, x[:, 0].max() + 0.3, 2)
  for ax, lam in zip(axes, shown):
    w, b = boundaries[lam]
    ax.scatter(x[:, 0], x[:, 1], c=y, cmap='coolwarm', s=4, alpha=0.5)
    if abs(w[1]) > 1e-9:
      for level, style in ((0, '-'), (1, '--'), (-1, '--')):
        ax.plot(xs, (level - b - w[0] * xs) / w[1], 'k' + style, lw=1)
    else:  # a vertical boundary
      for level, style in ((0, '-'), (1, '--'), (-1, '--')):
        ax.axvline((level - b) / w[0], color='k', ls=style, lw=1)
    ax.set_ylim(x[:, 1].min() - 0.3, x[:, 1].max() + 0.3)
    rec = table['lambdas'][lam]
    ax.set_title(f"lambda {lam:g}: margin 1/||w|| = {rec['margin']:.2f}\n"
                 f"{rec['on_or_inside_margin']} points on or inside", fontsize=9)
  ax = axes[-1]
  ax.semilogx(lams, [table['lambdas'][l]['margin'] for l in lams], 'o-', label='margin 1/||w||')
  ax.semilogx(lams, [table['lambdas'][l]['nearest_point_distance'] for l in lams], 's--',
              label='nearest training point')
  ax.set_xlabel('lambda')
  ax.set_ylabel('distance to the boundary')
  ax2 = ax.twinx()
  ax2.semilogx(lams, [100 * table['lambdas'][l]['test_accuracy'] for l in lams], 'g^:',
               label='test accuracy')
  ax2.set_ylabel('test accuracy (%)', color='g')
  ax.legend(fontsize=8, loc='center left')
  fig.tight_layout()
  fig.savefig(path, dpi=110)
  plt.close(fig)
  return path
