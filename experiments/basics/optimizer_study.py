r"""Optimizer study: the notes' optimizers on the Fashion-MNIST MLP, loss curves in one plot.

  python -m experiments.study basics/optimizer_study --workdir=runs/optimizer_study [--preset=cpu]
      [--only=sgd,adam] [--publish]

Each optimizer trains configs/vision/fmnist_mlp.py (784-256-128-100-10, ReLU, dropout 0.2) from the
same seed for 3000 steps at batch 128 with a constant learning rate of its own (LRS), in run
<optimizer>. Plot optimizer_study.png: smoothed train loss against the step, final test accuracy per
optimizer beside it. Table: {optimizer: {lr, test_accuracy, test_loss, train_loss, steps, wall_s}}.
Learning rates: the per-coordinate rules (rmsprop, adam, adam_nobc) step about lr per coordinate,
so 1e-3; rmsprop_norm divides the WHOLE gradient by the running RMS of its norm (a step of length
~lr across all ~247k parameters, ~lr / 500 per coordinate), so it needs an SGD-sized lr (0.1).
Expected (cpu preset, seed 0, 2-core CPU, ~10 s of training per optimizer; 2026-12-05): test
accuracy sgd 85.6 %, momentum 86.9 %, rmsprop 85.9 %, rmsprop_norm 85.5 %, adam 87.8 %, adam_nobc
88.0 % (one seed: differences of a point are within seed noise). The smoke
preset trains sgd and adam only, 20 steps on a slice of the data.
"""
from configs import common
from configs.vision import fmnist_mlp

LRS = {'sgd': 0.1, 'momentum': 0.05, 'rmsprop': 1e-3, 'rmsprop_norm': 0.1, 'adam': 1e-3,
       'adam_nobc': 1e-3}
# steps per preset; smoke also trains on a slice of the data, and only SMOKE_OPTIMIZERS
PRESET_STEPS = {'cpu': 3000, 'smoke': 20}
SMOKE_OPTIMIZERS = ('sgd', 'adam')


def make_config(optimizer: str, preset: str = 'cpu', steps: int = 0):
  """fmnist_mlp with `optimizer` at its LRS learning rate, a constant schedule, `steps` steps
  (default: the preset's)."""
  if preset not in PRESET_STEPS:
    raise ValueError(f'unknown preset {preset!r}; use one of {tuple(PRESET_STEPS)}.')
  config = fmnist_mlp.get_config('smoke' if preset == 'smoke' else 'cpu')
  config.optim.name = optimizer
  config.optim.lr = LRS[optimizer]
  config.optim.schedule = common.schedule('constant')
  steps = steps or PRESET_STEPS[preset]
  config.train.steps, config.train.epochs = steps, 0.0
  config.train.log_every = 5 if preset == 'smoke' else 50
  config.train.eval_every = steps
  config.train.checkpoint_every = steps
  return config


def runs(preset: str, workdir: str):
  del workdir
  if preset not in PRESET_STEPS:
    raise ValueError(f'unknown preset {preset!r}; use one of {tuple(PRESET_STEPS)}.')
  for name in (SMOKE_OPTIMIZERS if preset == 'smoke' else LRS):
    yield name, make_config(name, preset)


def _train_rows(workdir: str) -> list:
  from dljax.train import writers  # pylint: disable=g-import-not-at-top
  return [r for r in writers.read_metrics(workdir) if 'train/loss' in r]


def report(summaries: dict, out: str) -> dict:
  """{optimizer: {lr, test_accuracy, test_loss, train_loss, steps, wall_s}}; train_loss is the mean
  of the last 5 logged minibatch losses (one minibatch alone is noisy); test metrics are the
  summary's final ones."""
  from dljax import viz  # pylint: disable=g-import-not-at-top
  table, series, bars = {}, {}, {}
  for name, summary in summaries.items():
    train = _train_rows(summary['workdir'])
    final = summary['final']
    table[name] = {
        'lr': LRS[name],
        'test_accuracy': final.get('test/accuracy'),
        'test_loss': final.get('test/loss'),
        'train_loss': (sum(r['train/loss'] for r in train[-5:]) / len(train[-5:])) if train else None,
        'steps': train[-1]['step'] if train else 0,
        'wall_s': summary.get('wall_s'),
    }
    label = f'{name} (lr {LRS[name]:g})'
    series[label] = ([r['step'] for r in train], [r['train/loss'] for r in train])
    if table[name]['test_accuracy'] is not None:
      bars[label] = table[name]['test_accuracy']
  viz.multi_curves(series, 'train loss (minibatch, smoothed)', f'{out}/optimizer_study.png',
                   smooth=5, logy=True, title='Fashion-MNIST MLP: optimizers of the notes',
                   bars=bars, bars_label='final test accuracy')
  return table
