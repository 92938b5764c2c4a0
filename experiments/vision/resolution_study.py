r"""Variable-size inputs: a network with global average pooling tested at other resolutions
(seed 003 §2.6: "images of different sizes at test time").

  python -m experiments.study vision/resolution_study --workdir=runs/resolution [--preset=cpu] [--publish]

A convnet whose head is a global average pool over the last feature maps, S_c = sum_k w_kc
mean_ij A_kij (dljax.models.cnn.GapCNN), accepts any H x W: the convolutions slide, the pool
averages whatever grid they leave. A flatten + dense head (configs/vision/fmnist_cnn.py) cannot:
its first dense layer is sized for 7 x 7 x 64, and dljax refuses other sizes before compiling
(kit.check_input_shape). Accepting a size is not the same as working at it: the filters were
trained on objects of one size in pixels.

Runs (configs/interpretability/fmnist_gap_cnn.py, features 16-32-32, STEPS steps at batch 128):
  fixed      trained on the 28 x 28 images only
  scale_aug  the same with zoom augmentation (config.augment.scale = 0.4: zoom ~ e^U(-0.4, 0.4),
             0.67x-1.5x, same canvas): objects of other sizes, one resolution
report() reloads both and scores 2,000 test images
  resized  bilinearly resized to r x r, r in RESOLUTIONS (the whole image scales: the object is
           r / 28 times as large in pixels)
  canvas   the 28 x 28 image centred on a black r x r canvas, r >= 28 (the object keeps its size,
           only the pooled grid grows).
SEEDS = 3: mean ± std of test accuracy per (run, mode, r); nothing is chosen on the test split.
Plot resolution_study.png: accuracy against r for both runs and modes.
Expected before measuring: the fixed net best at 28 and falling off both ways when resized, nearly
unchanged on a larger canvas, zoom augmentation flattening the resized curve. Measured (3 seeds):
the resized curve as expected, but the canvas hurts as much (77.9 % at 28, 43.9 % on a 42 x 42
canvas): the average pool divides the same object's features by a larger grid, and the ReLU
units' responses to the black border are not zero, so the pooled vector moves. Zoom augmentation
flattens both (67.5 % on the 42 canvas) at 4.5 points at 28. docs/vision/notes.md has the table.
"""
import numpy as np

from configs.interpretability import fmnist_gap_cnn
from experiments.tools import study_utils

SEEDS = 3
RESOLUTIONS = {'smoke': (20, 28, 36), 'cpu': (14, 18, 22, 28, 34, 42, 56)}
STEPS = {'smoke': 4, 'cpu': 800}
TEST_IMAGES = {'smoke': 64, 'cpu': 2000}
ZOOM = 0.4


def make_config(run: str, preset: str):
  config = fmnist_gap_cnn.get_config(preset)
  config.name = 'resolution_study'
  config.model.features = (16, 32, 32)
  config.evals = {}  # the attribution evaluator of the base config is not this study's
  config.train.update(steps=STEPS[preset])
  if preset == 'cpu':
    config.train.update(eval_every=STEPS[preset], checkpoint_every=STEPS[preset])
  if run == 'scale_aug':
    config.augment = dict(scale=ZOOM)
  return config


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset)
  for run in ('fixed', 'scale_aug'):
    yield run, make_config(run, preset)


def _views(x_NxHxWxC, r: int, mode: str):
  import jax  # pylint: disable=g-import-not-at-top
  import jax.numpy as jnp  # pylint: disable=g-import-not-at-top
  n, h, w, c = x_NxHxWxC.shape
  if mode == 'resized':
    return jax.image.resize(jnp.asarray(x_NxHxWxC), (n, r, r, c), 'linear', antialias=True)
  top = (r - h) // 2
  canvas = np.zeros((n, r, r, c), np.float32)
  canvas[:, top:top + h, top:top + w] = x_NxHxWxC
  return jnp.asarray(canvas)


def accuracies(summary: dict, preset: str) -> dict:
  """{mode: {r: test accuracy}} of one trained run."""
  import jax  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  run = loop.load_run(summary['workdir'])
  test = run.data['test']
  n = TEST_IMAGES[preset]
  x = np.asarray(test['x'][:n], np.float32)
  x = x.reshape(n, 28, 28, -1) if x.ndim != 4 else x
  y = np.asarray(test['y'][:n])
  predict = jax.jit(run.task.predict)
  out = {'resized': {}, 'canvas': {}}
  for r in RESOLUTIONS[preset]:
    for mode in ('resized', 'canvas'):
      if mode == 'canvas' and r < 28:
        continue
      logits = np.concatenate([np.asarray(predict(run.state, v))
                               for v in np.array_split(np.asarray(_views(x, r, mode)), 4)])
      out[mode][r] = float(np.mean(logits.argmax(-1) == y))
  return out


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  """{setup, runs: {run: {mode: {r: {accuracy, std}}}}} and the plot."""
  table = {'setup': {'model': 'GapCNN 16-32-32, GAP + linear head', 'trained_at': 28,
                     'steps': STEPS[preset], 'zoom_augmentation': ZOOM,
                     'test_images': TEST_IMAGES[preset]}, 'runs': {}}
  for name, summary in summaries.items():
    per_seed = [accuracies(s, preset) for s in (summary.get('seeds') or [summary])]
    table['runs'][name] = {}
    for mode in ('resized', 'canvas'):
      table['runs'][name][mode] = {}
      for r in per_seed[0][mode]:
        v = [p[mode][r] for p in per_seed]
        table['runs'][name][mode][r] = {
            'accuracy': float(np.mean(v)),
            'std': float(np.std(v, ddof=1)) if len(v) > 1 else 0.0, 'seeds': len(v)}
  plot(table, f'{out}/resolution_study.png')
  return table


def plot(table: dict, path: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top  (first: selects matplotlib's Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  del viz
  fig, ax = plt.subplots(figsize=(6.4, 4.4))
  for (name, modes), color in zip(table['runs'].items(), ('C0', 'C1')):
    for mode, style in (('resized', 'o-'), ('canvas', 's--')):
      rs = sorted(modes[mode], key=int)
      if not rs:
        continue
      ax.errorbar([int(r) for r in rs], [100 * modes[mode][r]['accuracy'] for r in rs],
                  yerr=[100 * modes[mode][r]['std'] for r in rs], fmt=style, color=color,
                  label=f'{name}: {mode}', capsize=2)
  ax.axvline(28, color='k', lw=0.8, ls=':')
  ax.set_xlabel('test resolution r (pixels; trained at 28)')
  ax.set_ylabel('test accuracy (%)')
  ax.set_title('A GAP convnet at other input sizes')
  ax.legend(fontsize=8)
  fig.tight_layout()
  fig.savefig(path, dpi=120)
  plt.close(fig)
  return path
