r"""The ResNet -> ConvNeXt modernisation ladder (Liu et al. 2022, Fig. 2) on Fashion-MNIST.

  python -m experiments.study vision/convnext_ladder --workdir=runs/convnext_ladder [--preset=cpu]
      [--only=rung0,rung8] [--publish]

Run rung<k> is configs/vision/fmnist_convnext.py:cpu with the model overrides of LADDER[0..k] (rung 0
a bottleneck ResNet, rung 8 the config's ConvNeXt with the paper's layer-scale init 1e-6), one equal
short budget: 200 Adam(W) steps at batch 128 on the first 12,800 training images, no augmentation,
drop path or gradient clipping (as measured), tested on all 10,000 test images (smoke: rungs 0 and
8, the smoke model). Plot convnext_ladder.png: train-loss curves and test accuracy per rung; the
table adds params and s/step (wall time over steps, compilation and the evaluation included).
Expected (cpu, 2-core CPU shared, so s/step is indicative): test accuracy 86.55 % (0 ResNet) ->
86.09 -> 84.92 -> 85.65 -> 85.51 -> 84.09 -> 85.08 -> 82.90 (7 LayerNorm) -> 79.20 % (8 ConvNeXt);
the last rung with layer scale started at 0.1 reaches 81.37 %, at 1 84.31 %.
"""
import os

from configs.vision import fmnist_convnext

PRESET_RUNGS = {'cpu': tuple(range(len(fmnist_convnext.LADDER))), 'smoke': (0, 8)}
STEPS, TRAIN_LIMIT = 200, 12800


def make_config(rung: int, preset: str = 'cpu', steps: int = STEPS,
                train_limit: int = TRAIN_LIMIT):
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


def n_params(config) -> int:
  import jax  # pylint: disable=g-import-not-at-top
  import jax.numpy as jnp  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  from dljax import models  # pylint: disable=g-import-not-at-top
  shapes = jax.eval_shape(models.build(config.model).init, jax.random.PRNGKey(0),
                          jnp.zeros((1, 28, 28, 1)))
  return sum(int(np.prod(p.shape)) for p in jax.tree.leaves(shapes['params']))


def runs(preset: str, workdir: str):
  del workdir
  if preset not in PRESET_RUNGS:
    raise ValueError(f'unknown preset {preset!r}; this study has the presets {tuple(PRESET_RUNGS)}.')
  for rung in PRESET_RUNGS[preset]:
    yield f'rung{rung}', make_config(rung, preset)


def report(summaries: dict, out: str) -> dict:
  """{rung name: {rung, test_accuracy, params, s_per_step, steps}} and convnext_ladder.png."""
  from dljax.train import loop, writers  # pylint: disable=g-import-not-at-top
  table, losses = {}, {}
  for name, summary in summaries.items():
    rung = int(name.removeprefix('rung'))
    with open(os.path.join(summary['workdir'], 'config.json')) as f:
      config = loop.config_from_json(f.read())
    table[fmnist_convnext.LADDER[rung][0]] = {
        'rung': rung,
        'test_accuracy': summary['final']['test/accuracy'],
        'params': n_params(config),
        's_per_step': summary['wall_s'] / summary['steps'],
        'steps': summary['steps'],
    }
    rows = [r for r in writers.read_metrics(summary['workdir']) if 'train/loss' in r]
    losses[fmnist_convnext.LADDER[rung][0]] = ([r['step'] for r in rows],
                                               [r['train/loss'] for r in rows])
  plot(table, losses, os.path.join(out, 'convnext_ladder.png'))
  return table


def plot(table: dict, losses: dict, path: str) -> str:
  """Train-loss curves ({rung name: (steps, train/loss)}) and the test accuracy per rung."""
  from dljax import viz  # pylint: disable=g-import-not-at-top
  series, bars = {}, {}
  for name, row in table.items():
    label = f'{name} ({row["params"] / 1e3:.0f}k)'
    series[label] = losses[name]
    bars[label] = row['test_accuracy']
  return viz.multi_curves(series, 'train loss (minibatch)', path, smooth=3, logy=True,
                          title='ResNet -> ConvNeXt, one design change per rung (params in brackets)',
                          bars=bars, bars_label='test accuracy')

