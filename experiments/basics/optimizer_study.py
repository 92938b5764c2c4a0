r"""Optimizer study: the notes' optimizers on the Fashion-MNIST MLP, loss curves in one plot.

  python -m experiments.basics.optimizer_study --workdir=/tmp/study_runs/optimizers [--preset=cpu|smoke]
      [--steps=3000] [--optimizers=sgd,adam] [--plot_only]

Each optimizer trains configs/vision/fmnist_mlp.py (784-256-128-100-10, ReLU, dropout 0.2) from
the same seed, for the same steps at batch 128, with a constant learning rate of its own (LRS),
into <workdir>/<optimizer>. Outputs: <workdir>/optimizer_study.png (smoothed train loss against
the step, final test accuracy per optimizer beside it) and <workdir>/optimizer_study.json
({optimizer: {lr, test_accuracy, test_loss, train_loss, wall_s}}).

Learning rates (constant schedule): the per-coordinate rules (rmsprop, adam, adam_nobc) take steps
of about lr per coordinate, so 1e-3. rmsprop_norm divides the WHOLE gradient by the running RMS of
its norm: its step is about lr * g / ||g||, a vector of length ~lr across all ~247k parameters,
i.e. ~lr / 500 per coordinate, so it needs an SGD-sized lr (0.1 here).
"""
import json
import os
import time

from absl import app, flags

from configs import common
from configs.vision import fmnist_mlp

LRS = {'sgd': 0.1, 'momentum': 0.05, 'rmsprop': 1e-3, 'rmsprop_norm': 0.1, 'adam': 1e-3,
       'adam_nobc': 1e-3}
# steps per preset; smoke also trains on a slice of the data
PRESET_STEPS = {'cpu': 3000, 'smoke': 20}


def make_config(optimizer: str, preset: str = 'cpu', steps: int = 0):
  """fmnist_mlp with `optimizer` at its LRS learning rate, a constant schedule, `steps` steps."""
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


def summarize(workdir: str, optimizers) -> dict:
  """{optimizer: {lr, test_accuracy, test_loss, train_loss, wall_s}} from the runs' outputs."""
  from dljax.train import writers  # pylint: disable=g-import-not-at-top
  table = {}
  for name in optimizers:
    rows = writers.read_metrics(os.path.join(workdir, name))
    train = [r for r in rows if 'train/loss' in r]
    test = [r for r in rows if 'test/accuracy' in r]
    summary_path = os.path.join(workdir, name, 'summary.json')
    wall = None
    if os.path.exists(summary_path):
      with open(summary_path) as f:
        wall = json.load(f).get('wall_s')
    table[name] = {
        'lr': LRS[name],
        'test_accuracy': test[-1]['test/accuracy'] if test else None,
        'test_loss': test[-1]['test/loss'] if test else None,
        # the mean of the last 5 logged minibatch losses (one minibatch alone is noisy)
        'train_loss': (sum(r['train/loss'] for r in train[-5:]) / len(train[-5:])) if train else None,
        'steps': train[-1]['step'] if train else 0,
        'wall_s': wall,
    }
  return table


def plot(workdir: str, optimizers, table: dict) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top
  from dljax.train import writers  # pylint: disable=g-import-not-at-top
  series = {}
  for name in optimizers:
    rows = [r for r in writers.read_metrics(os.path.join(workdir, name)) if 'train/loss' in r]
    series[f'{name} (lr {LRS[name]:g})'] = ([r['step'] for r in rows], [r['train/loss'] for r in rows])
  bars = {f'{name} (lr {LRS[name]:g})': table[name]['test_accuracy'] for name in optimizers
          if table[name]['test_accuracy'] is not None}
  return viz.multi_curves(series, 'train loss (minibatch, smoothed)',
                          os.path.join(workdir, 'optimizer_study.png'), smooth=5, logy=True,
                          title='Fashion-MNIST MLP: optimizers of the notes',
                          bars=bars, bars_label='final test accuracy')


def main(argv):
  del argv
  from absl import logging  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  logging.set_verbosity(logging.WARNING)
  workdir, optimizers = _WORKDIR.value, _OPTIMIZERS.value
  unknown = sorted(set(optimizers) - set(LRS))
  if unknown:
    raise app.UsageError(f'--optimizers: {unknown} not in {sorted(LRS)}.')
  os.makedirs(workdir, exist_ok=True)
  t0 = time.time()
  if not _PLOT_ONLY.value:
    for name in optimizers:
      config = make_config(name, _PRESET.value, _STEPS.value or 0)
      summary = loop.train_and_evaluate(config, os.path.join(workdir, name), overwrite=True,
                                        progress=False)
      print(f'{name:>12} lr={LRS[name]:<6g} test/accuracy={summary["final"]["test/accuracy"]:.4f} '
            f'({summary["wall_s"]:.0f} s)', flush=True)
  table = summarize(workdir, optimizers)
  path = plot(workdir, optimizers, table)
  with open(os.path.join(workdir, 'optimizer_study.json'), 'w') as f:
    json.dump(table, f, indent=2)
  print(f'{"optimizer":>12} {"lr":>7} {"test acc":>9} {"train loss":>10} {"wall s":>7}')
  for name, r in table.items():
    acc = f'{r["test_accuracy"]:.4f}' if r['test_accuracy'] is not None else '-'
    loss = f'{r["train_loss"]:.4f}' if r['train_loss'] is not None else '-'
    wall = f'{r["wall_s"]:.0f}' if r['wall_s'] is not None else '-'
    print(f'{name:>12} {r["lr"]:>7g} {acc:>9} {loss:>10} {wall:>7}')
  print(f'plot: {path}; total {time.time() - t0:.0f} s')


if __name__ == '__main__':
  # flags are defined only when run as a script, so tests can import several studies
  _WORKDIR = flags.DEFINE_string('workdir', None, 'Directory for the runs, the plot and the JSON.')
  _PRESET = flags.DEFINE_enum('preset', 'cpu', list(PRESET_STEPS), 'cpu: 3000 steps on all of '
                              'Fashion-MNIST; smoke: 20 steps on a slice (a wiring check).')
  _STEPS = flags.DEFINE_integer('steps', None, 'Training steps per optimizer (default: the preset).')
  _OPTIMIZERS = flags.DEFINE_list('optimizers', list(LRS), 'Optimizers to compare.')
  _PLOT_ONLY = flags.DEFINE_bool('plot_only', False, 'Only redraw the plot and the JSON from the '
                                 'metrics.jsonl files already in the workdir.')
  flags.mark_flags_as_required(['workdir'])
  app.run(main)
