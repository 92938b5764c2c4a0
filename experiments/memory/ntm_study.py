r"""NTM vs LSTM on copy and repeat copy: cost vs step, length generalisation, memory weightings.

  python -m experiments.study memory/ntm_study --workdir=runs/ntm_study [--preset=cpu] [--publish]

Trains configs/memory/ntm_<task>.py with model.name = ntm | lstm into runs '<task>_<model>' (tasks
copy and repeat_copy; the smoke preset: copy only). report() plots from the run outputs:
  ntm_copy.png     per task (a) loss (nats per bit) vs step, train and test, (b) bit errors per
                   sequence vs length on the long test set (trained on L <= the longest training L)
  ntm_weights.png  the NTM's inputs, outputs, write and read weightings over time for the longest
                   test sequence of copy (the run's weightings.npz)
and returns {task: {model: final metrics, wall_s, bit errors per length}}.
Expected (cpu preset, 2-core CPU, ~1-2 min per run): copy, bit errors per test sequence NTM 0.027,
LSTM 0.053; repeat copy NTM 17.3, LSTM 2.95 (configs/memory/ntm_copy.py, ntm_repeat_copy.py).
"""
import json
import os

from configs.memory import ntm_copy, ntm_repeat_copy

CONFIGS = {'copy': ntm_copy, 'repeat_copy': ntm_repeat_copy}
MODELS = ('ntm', 'lstm')
TASKS = {'smoke': ('copy',), 'cpu': tuple(CONFIGS), 'full': tuple(CONFIGS)}


def runs(preset: str, workdir: str):
  del workdir
  if preset not in TASKS:
    raise ValueError(f'unknown preset {preset!r}; use one of {sorted(TASKS)}.')
  for task in TASKS[preset]:
    for model in MODELS:
      config = CONFIGS[task].get_config(preset)
      config.model.name = model
      yield f'{task}_{model}', config


def _rows(workdir: str, metric: str, prefixes=('val/', 'test/')) -> tuple:
  """(steps, values) of `metric` in metrics.jsonl under the first prefix that was logged."""
  from dljax.train import writers  # pylint: disable=g-import-not-at-top
  rows = writers.read_metrics(workdir)
  for prefix in prefixes:
    hits = [r for r in rows if prefix + metric in r]
    if hits:
      return [r['step'] for r in hits], [r[prefix + metric] for r in hits]
  return [], []


def _by_length(workdir: str) -> dict:
  path = os.path.join(workdir, 'length_generalisation.json')
  if not os.path.exists(path):
    return {}
  with open(path) as f:
    return {int(k): v for k, v in json.load(f).items()}


def report(summaries: dict, out: str) -> dict:
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  from dljax import viz  # pylint: disable=g-import-not-at-top
  tasks = [t for t in CONFIGS if any(f'{t}_{m}' in summaries for m in MODELS)]
  table = {}
  fig, axes = plt.subplots(len(tasks), 2, figsize=(11, 3.8 * len(tasks)), squeeze=False)
  for row, task in zip(axes, tasks):
    train_len = None
    for model in MODELS:
      s = summaries.get(f'{task}_{model}')
      if s is None:
        continue
      by_length = _by_length(s['workdir'])
      table.setdefault(task, {})[model] = {'final': s['final'], 'wall_s': s.get('wall_s'),
                                           'by_length': by_length}
      with open(os.path.join(s['workdir'], 'config.json')) as f:
        train_len = json.load(f)['data']['args']['max_len']
      (line,) = row[0].plot(*_rows(s['workdir'], 'loss', ('train/',)), label=f'{model} (train)',
                            lw=1.0, alpha=0.7)
      row[0].plot(*_rows(s['workdir'], 'loss'), 'o--', color=line.get_color(),
                  label=f'{model} (test)', ms=4)
      lengths = sorted(by_length)
      row[1].plot(lengths, [by_length[l] for l in lengths], 'o-', ms=3, label=model)
    row[0].set(xlabel='step', ylabel='cross-entropy (nats per bit)', yscale='log',
               title=f'{task}: cost vs step')
    if train_len is not None:
      row[1].axvline(train_len + 0.5, color='gray', ls=':', label='longest training L')
    row[1].set(xlabel='sequence length L', ylabel='bit errors per sequence',
               title=f'{task}: generalisation to longer sequences')
    for ax in row:
      ax.grid(alpha=0.3)
      ax.legend(fontsize=8)
  fig.tight_layout()
  fig.savefig(os.path.join(out, 'ntm_copy.png'), dpi=110, bbox_inches='tight')
  plt.close(fig)
  if tasks and f'{tasks[0]}_ntm' in summaries:
    weights = os.path.join(summaries[f'{tasks[0]}_ntm']['workdir'], 'weightings.npz')
    if os.path.exists(weights):
      viz.sequence_panels(dict(np.load(weights)), os.path.join(out, 'ntm_weights.png'))
  return table
