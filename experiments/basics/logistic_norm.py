r"""Separable data: without a penalty the logistic-regression weights grow without bound; with
lambda ||w||^2 they stay bounded (seed 003: "separable logistic regression weights diverge").

  python -m experiments.study basics/logistic_norm --workdir=runs/logistic_norm [--preset=cpu] [--publish]

Trains configs/basics/logistic.py (plain SGD lr 0.1, toy_separable) twice, with optim.l2 = 0 and
1e-2 (runs l2_0 and l2_0.01), and plots train/param_norm = ||(w, b)|| against the step into
logistic_norm.png. Without the penalty the norm grows like log t (a straight line on the log step
axis, Soudry et al. 2018); with it the norm levels off (below sqrt(log 2 / lambda)).
Expected (cpu preset: 10,000 steps per run, 2-core CPU, ~25 s in all): ||(w, b)|| = 6.55 at step
5000 and 7.52 at 10,000 without the penalty (+0.97 per doubling); 2.627 and 2.626 with lambda = 1e-2.
The smoke preset trains 1000 steps per run (a few seconds).
"""
import math

from configs.basics import logistic

LAMBDAS = (0.0, 1e-2)
PRESET_STEPS = {'smoke': 1000, 'cpu': 10000}


def run_name(lam: float) -> str:
  return f'l2_{lam:g}'


def make_config(lam: float, preset: str):
  """configs/basics/logistic.py at `preset` with plain SGD on toy_separable, optim.l2 = lam, for
  the study's steps (evaluated and checkpointed at the last one)."""
  if preset not in PRESET_STEPS:
    raise ValueError(f'unknown preset {preset!r}; use one of {tuple(PRESET_STEPS)}.')
  config = logistic.get_config(preset)
  config.data.name = 'toy_separable'
  config.loss = 'logistic'
  config.optim.name = 'sgd'
  config.optim.l2 = lam
  steps = PRESET_STEPS[preset]
  config.train.update(steps=steps, eval_every=steps, checkpoint_every=steps)
  return config


def runs(preset: str, workdir: str):
  del workdir
  for lam in LAMBDAS:
    yield run_name(lam), make_config(lam, preset)


def norms(workdir: str) -> list:
  """[(step, ||(w, b)||)] logged as train/param_norm in workdir/metrics.jsonl."""
  from dljax.train import writers  # pylint: disable=g-import-not-at-top
  return [(r['step'], r['train/param_norm']) for r in writers.read_metrics(workdir)
          if 'train/param_norm' in r]


def report(summaries: dict, out: str) -> dict:
  """{'lambda=<l>': {'norm': {step: ||w||} at the middle and the last logged step,
  'bound': sqrt(log 2 / lambda) or None}}, and the plot logistic_norm.png."""
  from dljax import viz  # pylint: disable=g-import-not-at-top  (first: selects matplotlib's Agg)
  del viz
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, ax = plt.subplots(figsize=(5.5, 3.8))
  table = {}
  for lam in LAMBDAS:
    pts = norms(summaries[run_name(lam)]['workdir'])
    ax.plot(*zip(*pts), label=f'lambda = {lam:g}')
    (k, n_k), (last, n_last) = pts[len(pts) // 2 - 1], pts[-1]
    table[f'lambda={lam:g}'] = {'norm': {str(k): n_k, str(last): n_last},
                                'bound': math.sqrt(math.log(2) / lam) if lam else None}
  ax.set_xscale('log')
  ax.set_xlabel('SGD step (log scale)')
  ax.set_ylabel('||(w, b)||')
  ax.set_title('logistic regression on separable data')
  ax.legend()
  fig.tight_layout()
  fig.savefig(f'{out}/logistic_norm.png', dpi=110)
  plt.close(fig)
  return table
