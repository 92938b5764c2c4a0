r"""NTM vs LSTM on copy (and repeat copy): cost vs step, length generalisation, memory weightings.

  python -m experiments.memory.ntm_study --workdir=/work/runs/ntm_study [--tasks=copy,repeat_copy]
      [--preset=smoke] [--plot_only]

For every task and model it trains configs/memory/ntm_<task>.py:<preset> with model.name=ntm|lstm
into <workdir>/<task>_<model> (a finished run is read back, not retrained: the runs can also be
made one by one with experiments.train and the same workdirs), then plots from the run outputs:
  docs/memory/ntm_copy.png      (a) test loss (nats per bit) vs step, (b) bit errors per sequence vs
                               sequence length on the long test set (trained on L <= train length)
  docs/memory/ntm_weights.png   the NTM's inputs, outputs, write and read weightings over time for
                               the longest test sequence of copy
and <workdir>/ntm_study.json: per run, the final metrics and the errors per length.
"""
import json
import os
import shutil

from absl import app, flags

from configs.memory import ntm_copy, ntm_repeat_copy

CONFIGS = {'copy': ntm_copy, 'repeat_copy': ntm_repeat_copy}
MODELS = ('ntm', 'lstm')


def make_config(task: str, model: str, preset: str = 'cpu'):
  config = CONFIGS[task].get_config(preset)
  config.model.name = model
  return config


def run_dir(workdir: str, task: str, model: str) -> str:
  return os.path.join(workdir, f'{task}_{model}')


def collect(workdir: str, tasks) -> dict:
  """{task: {model: {'final', 'steps', 'test_loss', 'by_length', 'wall_s'}}} from the run outputs."""
  from dljax.train import writers  # pylint: disable=g-import-not-at-top
  out = {}
  for task in tasks:
    for model in MODELS:
      d = run_dir(workdir, task, model)
      if not os.path.exists(os.path.join(d, 'summary.json')):
        continue
      with open(os.path.join(d, 'summary.json')) as f:
        summary = json.load(f)
      with open(os.path.join(d, 'length_generalisation.json')) as f:
        by_length = {int(k): v for k, v in json.load(f).items()}
      metrics = writers.read_metrics(d)
      rows = [r for r in metrics if 'test/loss' in r]
      train = [r for r in metrics if 'train/loss' in r]
      out.setdefault(task, {})[model] = {
          'final': summary['final'], 'wall_s': summary['wall_s'], 'by_length': by_length,
          'test_loss': ([r['step'] for r in rows], [r['test/loss'] for r in rows]),
          'train_loss': ([r['step'] for r in train], [r['train/loss'] for r in train])}
  return out


def plot(results: dict, workdir: str, plots: str, train_len: dict):
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  from dljax import viz  # pylint: disable=g-import-not-at-top
  tasks = list(results)
  fig, axes = plt.subplots(len(tasks), 2, figsize=(11, 3.8 * len(tasks)), squeeze=False)
  for row, task in zip(axes, tasks):
    for model, r in results[task].items():
      xs, ys = r['train_loss']
      (line,) = row[0].plot(xs, ys, label=f'{model} (train)', lw=1.0, alpha=0.7)
      row[0].plot(*r['test_loss'], 'o--', color=line.get_color(), label=f'{model} (test)', ms=4)
      lengths = sorted(r['by_length'])
      row[1].plot(lengths, [r['by_length'][l] for l in lengths], 'o-', ms=3, label=model)
    row[0].set(xlabel='step', ylabel='cross-entropy (nats per bit)', yscale='log',
               title=f'{task}: cost vs step')
    row[1].axvline(train_len[task] + 0.5, color='gray', ls=':', label='longest training L')
    row[1].set(xlabel='sequence length L', ylabel='bit errors per sequence',
               title=f'{task}: generalisation to longer sequences')
    for ax in row:
      ax.grid(alpha=0.3)
      ax.legend(fontsize=8)
  fig.tight_layout()
  os.makedirs(plots, exist_ok=True)
  fig.savefig(os.path.join(plots, 'ntm_copy.png'), dpi=110, bbox_inches='tight')
  plt.close(fig)
  weights = os.path.join(run_dir(workdir, tasks[0], 'ntm'), 'weightings.npz')
  if os.path.exists(weights):
    panels = dict(np.load(weights))
    viz.sequence_panels(panels, os.path.join(plots, 'ntm_weights.png'))
  for name in ('ntm_copy.png', 'ntm_weights.png'):
    if os.path.exists(os.path.join(plots, name)):
      shutil.copy(os.path.join(plots, name), os.path.join(workdir, name))


def main(argv):
  del argv
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  workdir, tasks = _WORKDIR.value, _TASKS.value
  if not _PLOT_ONLY.value:
    for task in tasks:
      for model in MODELS:
        loop.train_and_evaluate(make_config(task, model, _PRESET.value),
                                run_dir(workdir, task, model), progress=False)
  results = collect(workdir, tasks)
  train_len = {t: make_config(t, 'ntm', _PRESET.value).data.args.max_len for t in tasks}
  plot(results, workdir, _PLOTS.value, train_len)
  table = {task: {m: {'final': r['final'], 'wall_s': r['wall_s'], 'by_length': r['by_length']}
                  for m, r in res.items()} for task, res in results.items()}
  with open(os.path.join(workdir, 'ntm_study.json'), 'w') as f:
    json.dump(table, f, indent=2)
  for task, res in table.items():
    for model, r in res.items():
      l = train_len[task]
      print(f'{task} {model}: bit errors/seq at L={l}: {r["by_length"].get(l, float("nan")):.3f}, '
            f'at L={2 * l}: {r["by_length"].get(2 * l, float("nan")):.3f}; '
            f'test/bit_error_per_seq {r["final"]["test/bit_error_per_seq"]:.3f}, '
            f'wall {r["wall_s"]:.0f} s')


if __name__ == '__main__':  # flags only when run as a script (tests import the module)
  _WORKDIR = flags.DEFINE_string('workdir', None, 'Where the runs, the JSON and plot copies go.')
  _TASKS = flags.DEFINE_list('tasks', ['copy'], f'Tasks among {sorted(CONFIGS)}.')
  _PRESET = flags.DEFINE_enum('preset', 'cpu', ['cpu', 'smoke'], 'smoke: a few steps, a wiring check.')
  _PLOTS = flags.DEFINE_string('plots', 'docs/plots', 'Folder of the study plots.')
  _PLOT_ONLY = flags.DEFINE_bool('plot_only', False, 'Only redraw from the runs in the workdir.')
  flags.mark_flag_as_required('workdir')
  app.run(main)
