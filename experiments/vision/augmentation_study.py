r"""Augmentation study: which augmentations help a small CNN that sees only 5,000 Fashion-MNIST images,
with and without test-time augmentation.

  python -m experiments.vision.augmentation_study --workdir=/tmp/study_runs/augmentation \
      [--preset=cpu|smoke] [--variants=none,all] [--plot_path=docs/vision/augmentation.png] [--plot_only]

Each variant trains configs/vision/fmnist_augment.py (conv16-pool-conv32-pool-FC128-FC10,
per-channel normalisation, 5k training images, same seed and steps) with one group of the config's
augmentations switched on, into <workdir>/<variant>:
  none         no augmentation
  geometric    flips, shifts <= 2 px, rotations <= 10 degrees
  photometric  brightness, contrast, gamma
  noise        Gaussian noise sigma 0.05
  all          everything above
Every run is evaluated on the full test set both plainly (test/accuracy) and with TTA
(tta/accuracy: the softmax averaged over the image and its flipped/shifted views, the same
views for every variant). Outputs: the grouped bar plot (default <workdir>/augmentation.png) and
<workdir>/augmentation_study.json ({variant: {test_accuracy, test_accuracy_tta, wall_s}}).
"""
import json
import os
import time

from absl import app, flags

from configs.vision import fmnist_augment

GROUPS = {'none': (), 'geometric': ('flip', 'shift', 'rotate'),
          'photometric': ('brightness', 'contrast', 'gamma'), 'noise': ('noise',),
          'all': tuple(fmnist_augment.AUGMENT_ALL)}
PRESET_EPOCHS = {'cpu': 30, 'smoke': 0}  # smoke: the config's smoke preset (4 steps on a slice)
TTA_VIEWS = 6


def make_config(variant: str, preset: str = 'cpu'):
  """fmnist_augment with only the ops of GROUPS[variant] switched on; eval at the end only."""
  config = fmnist_augment.get_config('smoke' if preset == 'smoke' else 'cpu')
  config.augment = {k: v for k, v in fmnist_augment.AUGMENT_ALL.items() if k in GROUPS[variant]}
  config.evals.tta.views = TTA_VIEWS  # the evaluator tta (dljax/eval/tta.py), logged as tta/*
  if preset != 'smoke':
    config.train.epochs = float(PRESET_EPOCHS[preset])
    config.train.eval_every = 10 ** 9  # evaluate once, at the last step (TTA costs 6 passes)
    config.train.checkpoint_every = 10 ** 9
  return config


def summarize(workdir: str, variants) -> dict:
  table = {}
  for name in variants:
    with open(os.path.join(workdir, name, 'summary.json')) as f:
      summary = json.load(f)
    table[name] = {'augment': list(GROUPS[name]),
                   'test_accuracy': summary['final']['test/accuracy'],
                   'test_accuracy_tta': summary['final']['tta/accuracy'],
                   'steps': summary['steps'], 'wall_s': summary['wall_s']}
  return table


def plot(table: dict, path: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top
  groups = {name: {'plain eval': r['test_accuracy'], f'TTA ({TTA_VIEWS} views)': r['test_accuracy_tta']}
            for name, r in table.items()}
  values = [v for g in groups.values() for v in g.values()]
  return viz.grouped_bars(groups, path, ylabel='test accuracy', xlabel='augmentation during training',
                          ylim=(min(values) - 0.02, max(values) + 0.03),
                          title='Fashion-MNIST, 5k training images, small CNN')


def main(argv):
  del argv
  from absl import logging  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  logging.set_verbosity(logging.WARNING)
  workdir, variants = _WORKDIR.value, _VARIANTS.value
  unknown = sorted(set(variants) - set(GROUPS))
  if unknown:
    raise app.UsageError(f'--variants: {unknown} not in {sorted(GROUPS)}.')
  os.makedirs(workdir, exist_ok=True)
  t0 = time.time()
  if not _PLOT_ONLY.value:
    for name in variants:
      summary = loop.train_and_evaluate(make_config(name, _PRESET.value), os.path.join(workdir, name),
                                        overwrite=True, progress=False)
      print(f'{name:>12} test/accuracy={summary["final"]["test/accuracy"]:.4f} '
            f'tta={summary["final"]["tta/accuracy"]:.4f} ({summary["wall_s"]:.0f} s)',
            flush=True)
  table = summarize(workdir, variants)
  path = plot(table, _PLOT_PATH.value or os.path.join(workdir, 'augmentation.png'))
  with open(os.path.join(workdir, 'augmentation_study.json'), 'w') as f:
    json.dump(table, f, indent=2)
  print(f'{"variant":>12} {"test acc":>9} {"with TTA":>9} {"wall s":>7}')
  for name, r in table.items():
    print(f'{name:>12} {r["test_accuracy"]:>9.4f} {r["test_accuracy_tta"]:>9.4f} {r["wall_s"]:>7.0f}')
  print(f'plot: {path}; total {time.time() - t0:.0f} s')


if __name__ == '__main__':
  # flags are defined only when run as a script: the tests import several studies in one process
  _WORKDIR = flags.DEFINE_string('workdir', None, 'Directory for the runs and the JSON.')
  _PRESET = flags.DEFINE_enum('preset', 'cpu', list(PRESET_EPOCHS), 'cpu: 30 epochs of 5k images; '
                              'smoke: a few steps (a wiring check).')
  _VARIANTS = flags.DEFINE_list('variants', list(GROUPS), 'Augmentation groups to compare.')
  _PLOT_PATH = flags.DEFINE_string('plot_path', None, 'Where to write the PNG (default: in workdir).')
  _PLOT_ONLY = flags.DEFINE_bool('plot_only', False, 'Only redraw the plot from the runs in workdir.')
  flags.mark_flags_as_required(['workdir'])
  app.run(main)
