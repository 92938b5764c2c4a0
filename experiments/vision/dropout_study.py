r"""Dropout: inverted vs the notes' classic form, with the drop probability p swept over 0.2-0.8.

  python -m experiments.vision.dropout_study --workdir=/tmp/study_runs/dropout [--preset=cpu|smoke]
      [--steps=4000] [--rates=0.2,0.4,0.6,0.8] [--plot_only]

configs/vision/fmnist_mlp.py (784-256-128-100-10, ReLU) with dljax's own dropout after every hidden
layer (dljax.models.dropout), for each p in --rates and each form:
  inverted: kept units scaled by 1/(1-p) in training, identity at test;
  classic:  no scaling in training, activations times the keep probability 1-p at test (the notes
            write "present with probability p ... multiplied by p": their p is the keep probability).
plus one run without dropout (p = 0, where both forms are the identity). Adam at a constant 1e-3,
--steps steps at batch 128, the same seed. Outputs: <workdir>/dropout_sweep.png (test accuracy and
test loss against p, one line per form) and <workdir>/dropout_study.json.
MEASURED (default settings, seed 0, 2-core Xeon via the measurement queue, 132 s for 9 runs;
docs/vision/dropout_study.json, docs/vision/dropout_sweep.png): test accuracy without dropout 88.16 %;
inverted 87.61 / 86.93 / 85.13 / 45.23 % and classic (x(1-p) at test) 87.83 / 87.34 / 85.88 /
66.52 % at p = 0.2 / 0.4 / 0.6 / 0.8. At this budget dropout does not help the MLP, and p = 0.8
cripples it.
"""
import os
import time

from absl import app, flags

from experiments import study_utils

FORMS = ('inverted', 'classic')

FLAGS = flags.FLAGS


def define_flags():
  study_utils.define_flags(4000, 'Training steps of every run (batch 128).')
  flags.DEFINE_list('rates', ['0.2', '0.4', '0.6', '0.8'], 'Drop probabilities p.')


def make_config(p: float, form: str, preset: str, steps: int):
  return study_utils.mlp_config(preset, steps, name='dropout_study', hidden=(256, 128, 100),
                                dropout=p, dropout_form=form)


def study(workdir, preset, steps, rates):
  out = {'setup': {'model': 'MLP 784-256-128-100-10 relu', 'optimizer': 'adam 1e-3 constant',
                   'batch_size': 128, 'steps': make_config(0.0, 'inverted', preset, steps).train.steps,
                   'preset': preset}, 'runs': {}}
  runs = [(0.0, 'inverted')] + [(p, form) for form in FORMS for p in rates]
  for p, form in runs:
    key = 'none/0' if p == 0 else f'{form}/{p:g}'
    summary = study_utils.run(make_config(p, form, preset, steps),
                              study_utils.workdir_of(workdir, *key.split('/')), overwrite=True)
    out['runs'][key] = {'p': p, 'test_accuracy': summary['final']['test/accuracy'],
                        'test_loss': summary['final']['test/loss'], 'wall_s': summary['wall_s']}
    print(f'{key:>12}: test accuracy {summary["final"]["test/accuracy"]:.4f}, test loss '
          f'{summary["final"]["test/loss"]:.4f} ({summary["wall_s"]:.0f} s)', flush=True)
  return out


def plot(result, path):
  from dljax import viz  # pylint: disable=g-import-not-at-top
  runs = result['runs']
  panels = []
  for metric, label in (('test_accuracy', 'test accuracy'), ('test_loss', 'test loss')):
    series = {}
    for form in FORMS:
      pts = sorted((r['p'], r[metric]) for k, r in runs.items() if k.startswith(form + '/'))
      if pts:
        series[form] = ([q for q, _ in pts], [v for _, v in pts])
    hlines = {'no dropout': runs['none/0'][metric]} if 'none/0' in runs else {}
    panels.append(dict(series=series, hlines=hlines, xlabel='drop probability p', ylabel=label,
                       title=f'{result["setup"]["steps"]} steps, batch 128'))
  return viz.line_panels(panels, path, title='Fashion-MNIST MLP 784-256-128-100-10: dropout '
                         '(inverted: x m/(1-p) in training; classic: x (1-p) at test)')


def main(argv):
  del argv
  import json  # pylint: disable=g-import-not-at-top
  from absl import logging  # pylint: disable=g-import-not-at-top
  logging.set_verbosity(logging.WARNING)
  workdir = FLAGS.workdir
  os.makedirs(workdir, exist_ok=True)
  rates = [float(p) for p in FLAGS.rates]
  if not all(0.0 < p < 1.0 for p in rates):
    raise app.UsageError(f'--rates={rates}: every drop probability must be in (0, 1).')
  json_path = os.path.join(workdir, 'dropout_study.json')
  t0 = time.time()
  if FLAGS.plot_only:
    with open(json_path) as f:
      result = json.load(f)
  else:
    result = study(workdir, FLAGS.preset, FLAGS.steps, rates)
    result['wall_s'] = time.time() - t0
    study_utils.write_json(result, json_path)
  path = plot(result, os.path.join(workdir, 'dropout_sweep.png'))
  print(f'plot: {path}; json: {json_path}; total {time.time() - t0:.0f} s')


if __name__ == '__main__':
  define_flags()
  app.run(main)
