r"""The ResNet -> ConvNeXt modernisation ladder (Liu et al. 2022, Fig. 2) on Fashion-MNIST.

  python -m experiments.vision.convnext_ladder --workdir=/work/runs/convnext_ladder
      [--steps=200] [--train_limit=12800] [--rungs=0,1,...] [--preset=smoke] [--plot_only]

Every rung is configs/vision/fmnist_convnext.py:cpu with the model overrides of LADDER[0..k] (rung 0 a
bottleneck ResNet, rung 8 the config's ConvNeXt with the paper's layer-scale init 1e-6), trained with one equal short budget: `--steps` Adam(W)
steps at batch 128 on the first `--train_limit` training images (200 steps = 2 epochs of 12,800), then
tested on all 10,000 test images. It writes <workdir>/<rung>/ (one run each), <workdir>/ladder.json
({rung: test accuracy, params, s/step}) and docs/vision/convnext_ladder.png (train-loss curves and the
test accuracy per rung). s/step is the run's wall time over its steps, so it includes compilation and
the one evaluation.
MEASURED (cpu, seed 0, 2-core Xeon; every rung shared the CPU with other jobs, so s/step is only
indicative): test accuracy 86.55 % (0 ResNet) -> 86.09 (1 stage ratio) -> 84.92 (2 patchify stem)
-> 85.65 (3 depthwise, 2x wider) -> 85.51 (4 inverted bottleneck) -> 84.09 (5 dwconv first, 7x7)
-> 85.08 (6 GELU, one act) -> 82.90 (7 LayerNorm, one norm) -> 79.20 % (8 ConvNeXt). At this short
budget no rung beats the ResNet; the two largest losses are LayerNorm for BatchNorm (-2.2) and the
last rung (-3.7), whose layer scale starts the blocks at 1e-6. The same last rung with the scale
started at 0.1 reached 81.37 %, at 1 84.31 % (the config now starts it at 1).
"""
import json
import os
import time

from absl import app, flags

from configs.vision import fmnist_convnext


def make_config(rung: int, preset: str = 'cpu', steps: int = 200, train_limit: int = 12800):
  """fmnist_convnext with the model of `rung`, trained for `steps` steps on `train_limit` images."""
  config = fmnist_convnext.get_config(preset)
  fmnist_convnext.ladder_model(rung, config.model)
  if preset == 'smoke':  # the smoke model's two stages, whatever the rung says
    config.model.depths = (1, 1)
    config.model.widths = (8, 16)
    return config
  config.train.steps, config.train.epochs = steps, 0.0
  config.data.train_limit = train_limit
  config.augment = None  # the ladder measures the architectures alone: no augmentation,
  config.model.drop_path = 0.0  # no stochastic depth
  config.optim.grad_clip_norm = 0.0  # and no gradient clipping (the setting the ladder was measured in)
  config.optim.schedule.warmup_steps = max(steps // 10, 1)
  config.train.eval_every = steps
  config.train.checkpoint_every = steps
  config.train.log_every = 10
  return config


def rung_dir(workdir: str, rung: int) -> str:
  return os.path.join(workdir, f'rung{rung}')


def n_params(config) -> int:
  import jax  # pylint: disable=g-import-not-at-top
  import jax.numpy as jnp  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  from dljax import models  # pylint: disable=g-import-not-at-top
  shapes = jax.eval_shape(models.build(config.model).init, jax.random.PRNGKey(0),
                          jnp.zeros((1, 28, 28, 1)))
  return sum(int(np.prod(p.shape)) for p in jax.tree.leaves(shapes['params']))


def summarize(workdir: str, rungs, preset: str, steps: int, train_limit: int) -> dict:
  table = {}
  for rung in rungs:
    path = os.path.join(rung_dir(workdir, rung), 'summary.json')
    if not os.path.exists(path):
      continue
    with open(path) as f:
      summary = json.load(f)
    table[fmnist_convnext.LADDER[rung][0]] = {
        'rung': rung,
        'test_accuracy': summary['final']['test/accuracy'],
        'params': n_params(make_config(rung, preset, steps, train_limit)),
        's_per_step': summary['wall_s'] / summary['steps'],
        'steps': summary['steps'],
    }
  return table


def plot(workdir: str, table: dict, path: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top
  from dljax.train import writers  # pylint: disable=g-import-not-at-top
  series, bars = {}, {}
  for name, row in table.items():
    label = f'{name} ({row["params"] / 1e3:.0f}k)'
    rows = [r for r in writers.read_metrics(rung_dir(workdir, row['rung'])) if 'train/loss' in r]
    series[label] = ([r['step'] for r in rows], [r['train/loss'] for r in rows])
    bars[label] = row['test_accuracy']
  return viz.multi_curves(series, 'train loss (minibatch)', path, smooth=3, logy=True,
                          title='ResNet -> ConvNeXt, one design change per rung (params in brackets)',
                          bars=bars, bars_label='test accuracy')


def main(argv):
  del argv
  from absl import logging  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  logging.set_verbosity(logging.WARNING)
  workdir, preset = _WORKDIR.value, _PRESET.value
  try:
    rungs = [int(r) for r in _RUNGS.value]
  except ValueError:
    raise app.UsageError(f'--rungs={_RUNGS.value}: give rung numbers, e.g. --rungs=0,8.') from None
  bad = [r for r in rungs if not 0 <= r < len(fmnist_convnext.LADDER)]
  if bad:
    raise app.UsageError(f'--rungs: {bad} not in 0..{len(fmnist_convnext.LADDER) - 1}.')
  os.makedirs(workdir, exist_ok=True)
  t0 = time.time()
  if not _PLOT_ONLY.value:
    for rung in rungs:
      config = make_config(rung, preset, _STEPS.value, _TRAIN_LIMIT.value)
      summary = loop.train_and_evaluate(config, rung_dir(workdir, rung), progress=False)
      print(f'{fmnist_convnext.LADDER[rung][0]:<24} test/accuracy='
            f'{summary["final"]["test/accuracy"]:.4f} ({summary["wall_s"]:.0f} s)', flush=True)
  table = summarize(workdir, rungs, preset, _STEPS.value, _TRAIN_LIMIT.value)
  with open(os.path.join(workdir, 'ladder.json'), 'w') as f:
    json.dump(table, f, indent=2)
  path = plot(workdir, table, _PLOT.value)
  print(f'{"rung":<24} {"test acc":>8} {"params":>8} {"s/step":>7}')
  for name, r in table.items():
    print(f'{name:<24} {r["test_accuracy"]:>8.4f} {r["params"]:>8d} {r["s_per_step"]:>7.3f}')
  print(f'plot: {path}; total {time.time() - t0:.0f} s')


if __name__ == '__main__':
  # flags are defined only when run as a script, so tests can import several studies
  _WORKDIR = flags.DEFINE_string('workdir', None, 'Where the runs, the JSON and a copy of the plot go.')
  _STEPS = flags.DEFINE_integer('steps', 200, 'Training steps per rung (batch 128).')
  _TRAIN_LIMIT = flags.DEFINE_integer('train_limit', 12800, 'Training images per rung (0 = all).')
  _RUNGS = flags.DEFINE_list('rungs', [str(i) for i in range(len(fmnist_convnext.LADDER))],
                             'Rungs to train (indices into fmnist_convnext.LADDER).')
  _PRESET = flags.DEFINE_enum('preset', 'cpu', ['cpu', 'smoke'], 'smoke: a few steps, a wiring check.')
  _PLOT = flags.DEFINE_string('plot', 'docs/vision/convnext_ladder.png', 'The plot to write.')
  _PLOT_ONLY = flags.DEFINE_bool('plot_only', False, 'Only redraw from the runs already in the workdir.')
  flags.mark_flags_as_required(['workdir'])
  app.run(main)
