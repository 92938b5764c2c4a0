r"""Shuffled-sequence MNIST-1D: every model on the normal signals and on signals whose 40 positions
are permuted by one fixed permutation (the same for every example: data.shuffle_positions=True).

  python -m experiments.study vision/mnist1d_shuffled --workdir=runs/mnist1d_shuffled [--preset=cpu]
      [--publish]

Models: MLP and CNN of configs/basics/mnist1d.py and the vanilla RNN / LSTM / GRU / TCN variants of
configs/sequence/mnist1d_rnn.py, each trained by its config's preset (cpu: Adam 1e-2, batch 100,
6000 steps; smoke: 3 steps, MLP and GRU only) into <model>_<normal|shuffled>. An MLP does not care
about the order of its inputs (its first layer absorbs a fixed permutation); models built on
locality (CNN, TCN) or order (RNNs) lose their prior. Plot mnist1d_shuffled.png. Expected (cpu,
2-core CPU shared, 651 s for 12 runs): normal -> shuffled test accuracy MLP 66.9 -> 67.0 %, CNN
94.6 -> 61.4, RNN 78.0 -> 51.8, LSTM 84.9 -> 53.5, GRU 90.0 -> 55.3, TCN 88.7 -> 59.8 %. Reference
(Greydanus 2020 README): MLP 68 / 68 %, CNN 94 / 56 %, GRU 91 / 57 %.
"""
import os

from configs import common
from configs.basics import mnist1d
from configs.sequence import mnist1d_rnn

# model name -> the config module whose model.name variant it is
MODELS = {'logistic': mnist1d, 'mlp': mnist1d, 'cnn': mnist1d, 'rnn': mnist1d_rnn,
          'lstm': mnist1d_rnn, 'gru': mnist1d_rnn, 'tcn': mnist1d_rnn}
PRESET_MODELS = {'cpu': ('mlp', 'cnn', 'rnn', 'lstm', 'gru', 'tcn'), 'smoke': ('mlp', 'gru')}
ORDERS = ('normal', 'shuffled')
_SHUFFLED = 'REFERENCES.md §2 (greydanus/mnist1d README; notebook rerun): shuffled '
# the runs with a published number (the normal ones are their configs' references)
REFERENCES = {
    'mlp_normal': mnist1d.VARIANTS['mlp'][1],
    'mlp_shuffled': common.reference('test/accuracy', (0.64, 0.70), value=0.68,
                                     source=_SHUFFLED + 'MLP 68 %, rerun 66.0 %'),
    'cnn_normal': mnist1d.get_config('cpu').reference,
    'cnn_shuffled': common.reference('test/accuracy', (0.54, 0.60), value=0.56,
                                     source=_SHUFFLED + 'CNN 56 %, rerun 58.7 %'),
    'gru_normal': mnist1d_rnn.get_config('cpu').reference,
    'gru_shuffled': common.reference('test/accuracy', (0.53, 0.59), value=0.57,
                                     source=_SHUFFLED + 'GRU 57 %, rerun 53.3 %'),
}


def make_config(model: str, shuffled: bool, preset: str = 'cpu'):
  config = MODELS[model].get_config(preset)
  config.model.name = model
  config.data.shuffle_positions = shuffled
  config.data.shuffle_seed = 0
  return config


def runs(preset: str, workdir: str):
  del workdir
  if preset not in PRESET_MODELS:
    raise ValueError(f'unknown preset {preset!r}; this study has the presets {tuple(PRESET_MODELS)}.')
  for model in PRESET_MODELS[preset]:
    for order in ORDERS:
      yield f'{model}_{order}', make_config(model, order == 'shuffled', preset)


def summarize(summaries: dict) -> dict:
  """{model: {normal, shuffled, wall_s_normal, wall_s_shuffled}} of the runs <model>_<order>."""
  table = {}
  for name, summary in summaries.items():
    model, order = name.rsplit('_', 1)
    row = table.setdefault(model, {})
    row[order] = summary['final']['test/accuracy']
    row[f'wall_s_{order}'] = summary['wall_s']
  return table


def report(summaries: dict, out: str) -> dict:
  """{'accuracy': summarize(summaries)} and mnist1d_shuffled.png."""
  table = summarize(summaries)
  plot(table, os.path.join(out, 'mnist1d_shuffled.png'))
  return {'accuracy': table}


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

