r"""Shuffled-sequence MNIST-1D: every model on the normal signals and on signals whose 40 positions
are permuted by one fixed permutation (the same for every example: data.shuffle_positions=True).

  python -m experiments.vision.mnist1d_shuffled --workdir=/work/runs/mnist1d_shuffled [--preset=cpu|smoke]
      [--models=mlp,cnn,rnn,lstm,gru,tcn] [--plot_only]

Models: logistic, MLP and CNN from configs/basics/mnist1d.py, and the vanilla RNN / LSTM / GRU / TCN
variants of configs/sequence/mnist1d_rnn.py, each trained by its config's cpu preset (Adam 1e-2,
batch 100, 6000 steps; smoke: 3 steps) into <workdir>/<model>_<normal|shuffled>; a finished run is
not retrained. An MLP does not care about the order of its inputs (a fixed permutation is absorbed
by its first layer), so it should score the same; models built on locality (CNN, TCN) or on order
(RNNs) lose their prior. Reference (Greydanus 2020 README): MLP 68 / 68 %, CNN 94 / 56 %, GRU 91 / 57 %.
Outputs: --table (JSON {model: {normal, shuffled, wall_s_normal, wall_s_shuffled}}) and --plot.
"""
import json
import os
import time

from absl import app, flags

from configs.basics import mnist1d
from configs.sequence import mnist1d_rnn

# model name -> the config module whose model.name variant it is
MODELS = {'logistic': mnist1d, 'mlp': mnist1d, 'cnn': mnist1d, 'rnn': mnist1d_rnn,
          'lstm': mnist1d_rnn, 'gru': mnist1d_rnn, 'tcn': mnist1d_rnn}
DEFAULT_MODELS = ('mlp', 'cnn', 'rnn', 'lstm', 'gru', 'tcn')


ORDERS = ('normal', 'shuffled')


def make_config(model: str, shuffled: bool, preset: str = 'cpu'):
  config = MODELS[model].get_config(preset)
  config.model.name = model
  config.data.shuffle_positions = shuffled
  config.data.shuffle_seed = 0
  return config


def summarize(workdir: str, models) -> dict:
  table = {}
  for model in models:
    row = {}
    for order in ORDERS:
      path = os.path.join(workdir, f'{model}_{order}', 'summary.json')
      if os.path.exists(path):
        with open(path) as f:
          summary = json.load(f)
        row[order] = summary['final']['test/accuracy']
        row[f'wall_s_{order}'] = summary['wall_s']
    table[model] = row
  return table


def plot(table: dict, path: str) -> str:
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  models = list(table)
  pos = np.arange(len(models))
  fig, ax = plt.subplots(figsize=(7, 3.8))
  for k, (order, color) in enumerate(zip(ORDERS, ('tab:blue', 'tab:orange'))):
    values = [100 * table[m].get(order, np.nan) for m in models]
    bars = ax.bar(pos + (k - 0.5) * 0.38, values, 0.38, label=f'{order} positions', color=color)
    for bar, v in zip(bars, values):
      if np.isfinite(v):
        ax.text(bar.get_x() + bar.get_width() / 2, v + 0.8, f'{v:.1f}', ha='center', fontsize=7)
  ax.set_xticks(pos, models)
  ax.set_ylabel('test accuracy (%)')
  ax.set_ylim(0, 105)
  ax.set_title('MNIST-1D: one fixed permutation of the 40 positions')
  ax.grid(alpha=0.3, axis='y')
  ax.legend(fontsize=8, loc='lower right')
  fig.tight_layout()
  os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
  fig.savefig(path, dpi=110)
  plt.close(fig)
  return path


def main(argv):
  del argv
  from absl import logging  # pylint: disable=g-import-not-at-top
  from dljax.errors import NonFiniteError  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  logging.set_verbosity(logging.WARNING)
  workdir, models = _WORKDIR.value, _MODELS.value
  unknown = sorted(set(models) - set(MODELS))
  if unknown:
    raise app.UsageError(f'--models: {unknown} not in {sorted(MODELS)}.')
  t0 = time.time()
  diverged = {}
  if not _PLOT_ONLY.value:
    for model in models:
      for order in ORDERS:
        config = make_config(model, order == 'shuffled', _PRESET.value)
        try:
          summary = loop.train_and_evaluate(config, os.path.join(workdir, f'{model}_{order}'),
                                            progress=False)
        except NonFiniteError as e:  # reported in the table; the other runs go on
          diverged[f'{model}_{order}'] = str(e)
          print(f'{model:>8} {order:>8}: diverged: {e}', flush=True)
          continue
        print(f'{model:>8} {order:>8}: test/accuracy={summary["final"]["test/accuracy"]:.4f} '
              f'({summary["wall_s"]:.0f} s)', flush=True)
  table = summarize(workdir, models)
  os.makedirs(os.path.dirname(os.path.abspath(_TABLE.value)), exist_ok=True)
  with open(_TABLE.value, 'w') as f:
    json.dump({'preset': _PRESET.value, 'accuracy': table, 'diverged': diverged}, f, indent=2)
  plot(table, _PLOT.value)
  print(f'{"model":>8} {"normal":>7} {"shuffled":>8}')
  for model, row in table.items():
    cells = [f'{100 * row[o]:.1f}' if o in row else '-' for o in ORDERS]
    print(f'{model:>8} {cells[0]:>7} {cells[1]:>8}')
  print(f'table: {_TABLE.value}; plot: {_PLOT.value}; {time.time() - t0:.0f} s')


if __name__ == '__main__':
  # flags are defined only when run as a script, so tests can import several studies
  _WORKDIR = flags.DEFINE_string('workdir', None, 'Directory for the runs.')
  _PRESET = flags.DEFINE_enum('preset', 'cpu', ['cpu', 'smoke'], 'Preset of every run.')
  _MODELS = flags.DEFINE_list('models', list(DEFAULT_MODELS), f'Any of {list(MODELS)}.')
  _TABLE = flags.DEFINE_string('table', 'docs/vision/mnist1d_shuffled.json', 'Where the JSON table goes.')
  _PLOT = flags.DEFINE_string('plot', 'docs/vision/mnist1d_shuffled.png', 'Where the plot goes.')
  _PLOT_ONLY = flags.DEFINE_bool('plot_only', False, 'Only rebuild the table and plot from the runs.')
  flags.mark_flags_as_required(['workdir'])
  app.run(main)
