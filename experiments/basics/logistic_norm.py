r"""Separable data: without a penalty the logistic-regression weights grow without bound; with
lambda ||w||^2 they stay bounded (seed 003: "separable logistic regression weights diverge").

  python -m experiments.basics.logistic_norm --workdir=runs/logistic_norm [--preset=cpu] [--steps=10000]

Trains configs/basics/logistic.py (plain SGD, toy_separable) twice, with optim.l2 = 0 and 1e-2, into
<workdir>/l2_0 and <workdir>/l2_1e-2, and plots train/param_norm = ||(w, b)|| against the step into
<workdir>/logistic_norm.png. Without the penalty the norm grows like log t (a straight line on the log
step axis, Soudry et al. 2018); with it the norm levels off (below sqrt(log 2 / lambda)).
"""
import os

from absl import app, flags, logging

from configs.basics import logistic
from dljax import viz  # pylint: disable=unused-import  (first: selects matplotlib's Agg backend)
from dljax.train import loop, writers
import matplotlib.pyplot as plt  # pylint: disable=g-bad-import-order,wrong-import-order

LAMBDAS = (0.0, 1e-2)


def define_flags():
  """Registered only when run as a script, so that importing `run` (tests) adds no absl flags that
  could clash with other experiments' --workdir."""
  flags.DEFINE_string('workdir', None, 'Output folder.')
  flags.DEFINE_string('preset', 'cpu', 'Preset of configs/basics/logistic.py.')
  flags.DEFINE_integer('steps', 10000, 'SGD steps (0: the preset\'s).')
  flags.DEFINE_bool('progress', True, 'Show a progress bar.')
  flags.mark_flags_as_required(['workdir'])


def run(workdir: str, preset: str = 'cpu', steps: int = 0, progress: bool = False) -> dict:
  """Trains one run per lambda; returns {lambda: [(step, ||w||), ...]} and writes the plot."""
  norms = {}
  for lam in LAMBDAS:
    config = logistic.get_config(preset)
    config.data.name = 'toy_separable'
    config.loss = 'logistic'
    config.optim.name = 'sgd'
    config.optim.l2 = lam
    if steps:
      config.train.update(steps=steps, eval_every=steps, checkpoint_every=steps)
    run_dir = os.path.join(workdir, f'l2_{lam:g}')
    loop.train_and_evaluate(config, run_dir, overwrite=True, progress=progress)
    norms[lam] = [(r['step'], r['train/param_norm'])
                  for r in writers.read_metrics(run_dir) if 'train/param_norm' in r]
  fig, ax = plt.subplots(figsize=(5.5, 3.8))
  for lam, pts in norms.items():
    ax.plot(*zip(*pts), label=f'lambda = {lam:g}')
  ax.set_xscale('log')
  ax.set_xlabel('SGD step (log scale)')
  ax.set_ylabel('||(w, b)||')
  ax.set_title('logistic regression on separable data')
  ax.legend()
  fig.tight_layout()
  fig.savefig(os.path.join(workdir, 'logistic_norm.png'), dpi=110)
  plt.close(fig)
  return norms


def main(argv):
  del argv
  logging.set_verbosity(logging.WARNING)
  f = flags.FLAGS
  norms = run(f.workdir, f.preset, f.steps, progress=f.progress)
  for lam, pts in norms.items():
    (k, n_k), (last, n_last) = pts[len(pts) // 2 - 1], pts[-1]
    print(f'lambda={lam:g}: ||w|| = {n_k:.3f} at step {k}, {n_last:.3f} at step {last}')
  print(f'plot: {os.path.join(f.workdir, "logistic_norm.png")}')


if __name__ == '__main__':
  define_flags()
  app.run(main)
