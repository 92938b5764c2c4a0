r"""Fine-tuning study: features pretrained on Fashion-MNIST classes 0-4, reused for classes 5-9 with
100 / 1,000 / all labels, against training from scratch.

  python -m experiments.vision.finetune_study --workdir=/tmp/study_runs/finetune [--preset=cpu|smoke]
      [--labels=100,1000,0] [--plot_path=docs/vision/finetune.png] [--plot_only]

1. <workdir>/pretrain: configs/vision/fmnist_finetune.py (small CNN, 5-way head) on classes 0-4
   (reused if it has finished there before).
2. For each label budget (0 = all ~30k images of classes 5-9) and each variant, the same network on
   classes 5-9 (relabelled 0-4) for the same number of steps, into <workdir>/<variant>_<labels>:
     scratch      every layer freshly initialised and trained
     last1        conv + FC-128 restored from the pretraining checkpoint and frozen; only the new
                  5-way head (Dense_1) trains: a linear probe
     last2        conv restored and frozen; FC-128 restored and trained with the new head
     all          everything but the head restored, every layer trained (full fine-tuning)
Outputs: the grouped bar plot (default <workdir>/finetune.png) and <workdir>/finetune_study.json
({variant: {labels: test_accuracy}}), test accuracy on the 5,000 test images of classes 5-9.
"""
import json
import os
import time

from absl import app, flags

from configs.vision import fmnist_finetune

RESTORE = '^model/params/(Conv_|Dense_0/)'  # everything but the head (the class count differs)
VARIANTS = {  # name -> (restore from the pretraining run?, optim.trainable regex; '' = all)
    'scratch': (False, ''),
    'last1': (True, '^Dense_1/'),
    'last2': (True, '^Dense_[01]/'),
    'all': (True, ''),
}
PRESET_STEPS = {'cpu': 400, 'smoke': 4}  # fine-tuning steps per run (the same for every budget)


def pretrain_config(preset: str = 'cpu'):
  return fmnist_finetune.get_config('smoke' if preset == 'smoke' else 'cpu')


def finetune_config(variant: str, labels: int, pretrain_dir: str, preset: str = 'cpu'):
  """Classes 5-9 with `labels` training images (0 = all), initialised and frozen as `variant` says."""
  config = pretrain_config(preset)
  restore, trainable = VARIANTS[variant]
  config.data.classes = fmnist_finetune.FINETUNE_CLASSES
  config.data.train_limit = labels
  config.optim.trainable = trainable
  if restore:
    config.init_from.workdir = pretrain_dir
    config.init_from.params = RESTORE
  steps = PRESET_STEPS[preset]
  config.train.steps, config.train.epochs = steps, 0.0
  config.train.eval_every = config.train.checkpoint_every = steps
  return config


def _name(variant, labels):
  return f'{variant}_{labels or "all"}'


def summarize(workdir: str, variants, budgets) -> dict:
  table = {}
  for variant in variants:
    for labels in budgets:
      with open(os.path.join(workdir, _name(variant, labels), 'summary.json')) as f:
        summary = json.load(f)
      table.setdefault(variant, {})[str(labels or 'all')] = {
          'test_accuracy': summary['final']['test/accuracy'], 'wall_s': summary['wall_s']}
  return table


def plot(table: dict, path: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top
  groups = {}
  for variant, row in table.items():
    for labels, r in row.items():
      groups.setdefault(f'{labels} labels', {})[variant] = r['test_accuracy']
  values = [v for g in groups.values() for v in g.values()]
  return viz.grouped_bars(groups, path, ylabel='test accuracy (classes 5-9)',
                          xlabel='training labels of classes 5-9',
                          ylim=(max(0.0, min(values) - 0.05), max(values) + 0.04),
                          title='Fine-tuning features from classes 0-4 vs training from scratch')


def main(argv):
  del argv
  from absl import logging  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  logging.set_verbosity(logging.WARNING)
  workdir, variants = _WORKDIR.value, _VARIANTS.value
  budgets = [int(b) for b in _LABELS.value]
  unknown = sorted(set(variants) - set(VARIANTS))
  if unknown:
    raise app.UsageError(f'--variants: {unknown} not in {sorted(VARIANTS)}.')
  os.makedirs(workdir, exist_ok=True)
  t0 = time.time()
  pretrain_dir = os.path.join(workdir, 'pretrain')
  if not _PLOT_ONLY.value:
    # a finished pretraining run of the same preset in <workdir>/pretrain is reused, not retrained
    summary = loop.train_and_evaluate(pretrain_config(_PRESET.value), pretrain_dir, progress=False)
    print(f'pretrain (classes 0-4): test/accuracy={summary["final"]["test/accuracy"]:.4f} '
          f'({summary["wall_s"]:.0f} s)', flush=True)
    for labels in budgets:
      for variant in variants:
        config = finetune_config(variant, labels, pretrain_dir, _PRESET.value)
        summary = loop.train_and_evaluate(config, os.path.join(workdir, _name(variant, labels)),
                                          overwrite=True, progress=False)
        print(f'{_name(variant, labels):>14} test/accuracy={summary["final"]["test/accuracy"]:.4f} '
              f'({summary["wall_s"]:.0f} s)', flush=True)
  table = summarize(workdir, variants, budgets)
  path = plot(table, _PLOT_PATH.value or os.path.join(workdir, 'finetune.png'))
  with open(os.path.join(workdir, 'finetune_study.json'), 'w') as f:
    json.dump(table, f, indent=2)
  print(f'{"variant":>8} ' + ' '.join(f'{str(b or "all"):>8}' for b in budgets))
  for variant, row in table.items():
    print(f'{variant:>8} ' + ' '.join(f'{row[str(b or "all")]["test_accuracy"]:>8.4f}'
                                      for b in budgets))
  print(f'plot: {path}; total {time.time() - t0:.0f} s')


if __name__ == '__main__':
  # flags are defined only when run as a script: the tests import several studies in one process
  _WORKDIR = flags.DEFINE_string('workdir', None, 'Directory for the runs and the JSON.')
  _PRESET = flags.DEFINE_enum('preset', 'cpu', list(PRESET_STEPS), 'cpu: 3 pretraining epochs, 400 '
                              'fine-tuning steps per run; smoke: a few steps (a wiring check).')
  _LABELS = flags.DEFINE_list('labels', ['100', '1000', '0'], 'Label budgets (0 = all).')
  _VARIANTS = flags.DEFINE_list('variants', list(VARIANTS), 'Variants to compare.')
  _PLOT_PATH = flags.DEFINE_string('plot_path', None, 'Where to write the PNG (default: in workdir).')
  _PLOT_ONLY = flags.DEFINE_bool('plot_only', False, 'Only redraw the plot from the runs in workdir.')
  flags.mark_flags_as_required(['workdir'])
  app.run(main)
