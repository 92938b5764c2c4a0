r"""Augmentation study: which augmentations help a small CNN that sees only 5,000 Fashion-MNIST
images, with and without test-time augmentation.

  python -m experiments.study vision/augmentation_study --workdir=runs/augmentation [--preset=cpu] [--publish]

Each variant trains configs/vision/fmnist_augment.py (conv16-pool-conv32-pool-FC128-FC10,
per-channel normalisation, 5k training images, 30 epochs, the same seed) with one group of the
config's augmentations on: none; geometric (flips, shifts <= 2 px, rotations <= 10 degrees);
photometric (brightness, contrast, gamma); noise (Gaussian, sigma 0.05); all. Every run is tested
plainly (test/accuracy) and with TTA (tta/accuracy: the softmax averaged over the image and
its flipped/shifted views, the same 6 views for every variant). Plot augmentation.png (grouped
bars). Smoke: the config's smoke preset. Expected (cpu, 1,172 steps per variant, 2-core CPU,
223 s): test accuracy none 87.72 %, geometric 86.78, photometric 87.75, noise 87.51, all 85.95 %;
with TTA geometric 86.64 %, all 85.61 %, none 80.44 %: TTA helps only models trained on its views.
"""
from configs.vision import fmnist_augment

SEEDS = 3  # experiments.reproduce: the conclusion rests on differences of about a point
GROUPS = {'none': (), 'geometric': ('flip', 'shift', 'rotate'),
          'photometric': ('brightness', 'contrast', 'gamma'), 'noise': ('noise',),
          'all': tuple(fmnist_augment.AUGMENT_ALL)}
PRESET_EPOCHS = {'cpu': 30, 'smoke': 0}  # smoke: the config's smoke preset (4 steps on a slice)
TTA_VIEWS = 6


def make_config(variant: str, preset: str = 'cpu'):
  """fmnist_augment with only the ops of GROUPS[variant] switched on; eval at the end only."""
  if preset not in PRESET_EPOCHS:
    raise ValueError(f'unknown preset {preset!r}; this study has the presets '
                     f'{tuple(PRESET_EPOCHS)}.')
  config = fmnist_augment.get_config('smoke' if preset == 'smoke' else 'cpu')
  config.augment = {k: v for k, v in fmnist_augment.AUGMENT_ALL.items() if k in GROUPS[variant]}
  config.evals.tta.views = TTA_VIEWS  # the evaluator tta (dljax/eval/tta.py), logged as tta/*
  if preset != 'smoke':
    config.train.epochs = float(PRESET_EPOCHS[preset])
    config.train.eval_every = 10 ** 9  # evaluate once, at the last step (TTA costs 6 passes)
    config.train.checkpoint_every = 10 ** 9
  return config


def runs(preset: str, workdir: str):
  del workdir
  for variant in GROUPS:
    yield variant, make_config(variant, preset)


def report(summaries: dict, out: str) -> dict:
  """{variant: {augment, test_accuracy, test_accuracy_tta, steps, wall_s}} and the bar plot."""
  table = {}
  for name, summary in summaries.items():
    table[name] = {'augment': list(GROUPS[name]),
                   'test_accuracy': summary['final']['test/accuracy'],
                   'test_accuracy_tta': summary['final']['tta/accuracy'],
                   'steps': summary['steps'], 'wall_s': summary['wall_s']}
  plot(table, f'{out}/augmentation.png')
  return table


def plot(table: dict, path: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top
  groups = {name: {'plain eval': r['test_accuracy'], f'TTA ({TTA_VIEWS} views)': r['test_accuracy_tta']}
            for name, r in table.items()}
  values = [v for g in groups.values() for v in g.values()]
  return viz.grouped_bars(groups, path, ylabel='test accuracy', xlabel='augmentation during training',
                          ylim=(min(values) - 0.02, max(values) + 0.03),
                          title='Fashion-MNIST, 5k training images, small CNN')
