r"""Dropout: inverted vs the notes' classic form, with the drop probability p swept over 0.2-0.8.

  python -m experiments.study vision/dropout_study --workdir=runs/dropout [--preset=cpu] [--publish]

configs/vision/fmnist_mlp.py (784-256-128-100-10, ReLU) with dljax's dropout after every hidden
layer (dljax.models.dropout), each p and form: inverted (kept units x 1/(1-p) in training, identity
at test) and classic (no scaling in training, x (1-p) at test: the notes' p is the keep
probability), plus one run without dropout. Adam at a constant 1e-3, 4,000 steps at batch 128, the
same seed (smoke: 6 steps, p = 0.2 and 0.8). Plot dropout_sweep.png (test accuracy and loss vs p).
Expected (cpu, 2-core CPU, ~130 s for 9 runs): test accuracy without dropout 88.16 %; inverted
87.61 / 86.93 / 85.13 / 45.23 % and classic 87.83 / 87.34 / 85.88 / 66.52 % at p = 0.2 / 0.4 / 0.6
/ 0.8: at this budget dropout does not help the MLP, and p = 0.8 cripples it.
"""
from experiments.tools import study_utils

SEEDS = 3  # experiments.reproduce: the conclusion rests on differences of about a point
FORMS = ('inverted', 'classic')
RATES = {'cpu': (0.2, 0.4, 0.6, 0.8), 'smoke': (0.2, 0.8)}
STEPS = 4000


def make_config(p: float, form: str, preset: str, steps: int = STEPS):
  return study_utils.mlp_config(preset, steps, name='dropout_study', hidden=(256, 128, 100),
                                dropout=p, dropout_form=form)


def _name(p: float, form: str) -> str:
  return 'none_0' if p == 0 else f'{form}_{p:g}'


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset)
  for p, form in [(0.0, 'inverted')] + [(p, form) for form in FORMS for p in RATES[preset]]:
    yield _name(p, form), make_config(p, form, preset)


def report(summaries: dict, out: str) -> dict:
  """{setup, runs: {'<form>/<p>': {p, test_accuracy, test_loss, wall_s}}} and the plot."""
  table = {'setup': {'model': 'MLP 784-256-128-100-10 relu', 'optimizer': 'adam 1e-3 constant',
                     'batch_size': 128, 'steps': summaries['none_0']['steps']}, 'runs': {}}
  for name, summary in summaries.items():
    form, p = name.split('_')
    table['runs'][f'{form}/{p}'] = {'p': float(p), 'test_accuracy': summary['final']['test/accuracy'],
                                    'test_loss': summary['final']['test/loss'],
                                    'wall_s': summary['wall_s']}
  plot(table, f'{out}/dropout_sweep.png')
  return table


def plot(result, path):
  from dljax import viz  # pylint: disable=g-import-not-at-top
  runs_ = result['runs']
  panels = []
  for metric, label in (('test_accuracy', 'test accuracy'), ('test_loss', 'test loss')):
    series = {}
    for form in FORMS:
      pts = sorted((r['p'], r[metric]) for k, r in runs_.items() if k.startswith(form + '/'))
      if pts:
        series[form] = ([q for q, _ in pts], [v for _, v in pts])
    hlines = {'no dropout': runs_['none/0'][metric]} if 'none/0' in runs_ else {}
    panels.append(dict(series=series, hlines=hlines, xlabel='drop probability p', ylabel=label,
                       title=f'{result["setup"]["steps"]} steps, batch 128'))
  return viz.line_panels(panels, path, title='Fashion-MNIST MLP 784-256-128-100-10: dropout '
                         '(inverted: x m/(1-p) in training; classic: x (1-p) at test)')
