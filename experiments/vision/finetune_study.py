r"""Fine-tuning study: features pretrained on Fashion-MNIST classes 0-4, reused for classes 5-9 with
100 / 1,000 / all labels, against training from scratch.

  python -m experiments.study vision/finetune_study --workdir=runs/finetune [--preset=cpu] [--publish]

Run `pretrain`: configs/vision/fmnist_finetune.py (small CNN, 5-way head) on classes 0-4. Then for
each label budget and variant the same network on classes 5-9 (relabelled 0-4), 400 steps
(smoke: 4 steps, 100 labels only) into <variant>_<labels>: scratch (fresh, all trained); last1 (conv + FC-128 restored
from <workdir>/pretrain through config.init_from and frozen: a linear probe of the new head
Dense_1); last2 (conv frozen, FC-128 restored and trained); all (everything but the head restored,
all trained). Plot finetune.png: test accuracy on the 5,000 test images of classes 5-9. Expected
(cpu, 2-core CPU, 234 s): pretraining 92.02 %; at 100 / 1,000 / all labels scratch 90.46 / 95.06 /
96.70 %, last1 82.04 / 81.40 / 81.52, last2 91.04 / 95.22 / 96.46, all 90.86 / 95.28 / 96.88 %.
"""
import os

from configs.vision import fmnist_finetune

SEEDS = 3  # experiments.reproduce: the conclusion rests on differences of about a point
RESTORE = '^model/params/(Conv_|Dense_0/)'  # everything but the head (the class count differs)
VARIANTS = {  # name -> (restore from the pretraining run?, optim.trainable regex; '' = all)
    'scratch': (False, ''),
    'last1': (True, '^Dense_1/'),
    'last2': (True, '^Dense_[01]/'),
    'all': (True, ''),
}
PRESET_STEPS = {'cpu': 400, 'smoke': 4}  # fine-tuning steps per run (the same for every budget)
LABELS = (100, 1000, 0)  # training images of classes 5-9 (0 = all ~30k)


def label_budgets(preset: str) -> tuple:
  """The label budgets of a preset: smoke runs one (the wiring), the others all of LABELS."""
  return LABELS[:1] if preset == 'smoke' else LABELS


def pretrain_config(preset: str = 'cpu'):
  if preset not in PRESET_STEPS:
    raise ValueError(f'unknown preset {preset!r}; this study has the presets '
                     f'{tuple(PRESET_STEPS)}.')
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


def runs(preset: str, workdir: str):
  """pretrain first: the runs after it restore its checkpoint (consumed lazily by the runner)."""
  yield 'pretrain', pretrain_config(preset)
  pretrain_dir = os.path.join(workdir, 'pretrain')
  for labels in label_budgets(preset):
    for variant in VARIANTS:
      yield _name(variant, labels), finetune_config(variant, labels, pretrain_dir, preset)


def report(summaries: dict, out: str) -> dict:
  """{variant: {labels: {test_accuracy, wall_s}}} plus the pretraining accuracy, and the plot."""
  table = {}
  for variant in VARIANTS:
    for labels in (l for l in LABELS if _name(variant, l) in summaries):
      summary = summaries[_name(variant, labels)]
      table.setdefault(variant, {})[str(labels or 'all')] = {
          'test_accuracy': summary['final']['test/accuracy'], 'wall_s': summary['wall_s']}
  plot(table, f'{out}/finetune.png')
  return dict(table, pretrain={'test_accuracy': summaries['pretrain']['final']['test/accuracy'],
                               'wall_s': summaries['pretrain']['wall_s']})


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
