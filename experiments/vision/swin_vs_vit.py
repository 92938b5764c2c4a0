r"""Swin vs ViT: FLOPs and train-step time against image size (linear vs quadratic in the tokens).

  python -m experiments.vision.swin_vs_vit [--sizes=28,56,112,224] [--batch_size=2] [--steps=3]
      [--out=docs/plots]

Models: the cpu presets' models of configs/vision/fmnist_swin.py (2x2 patches, windows of 7x7,
width 32 -> 64, depths (2, 2)) and configs/vision/fmnist_vit.py (4x4 patches, width 64, depth 4,
global attention over all patches + [class]), fed Fashion-MNIST-shaped inputs upsampled to each
size (zeros: FLOPs and time do not depend on the values). A 28x28 image is S/28 times larger per
side, so both models see (S/28)^2 times more tokens N; Swin's attention costs O(N M^2 C) (windows of
M^2 = 49 tokens), ViT's O(N^2 C).
FLOPs: XLA's count for the compiled forward pass of ONE image,
`jax.jit(apply).lower(x).compile().cost_analysis()['flops']` (multiply-add = 2 FLOPs).
Step time: a jitted SGD train step (forward, backward, update) at --batch_size, the median of
--steps timed steps after one warm-up; reported as wall seconds and as the process's CPU seconds
per step (user + system, less sensitive to other processes on a shared machine).
Outputs: docs/vision/swin_vs_vit_flops.png, docs/vision/swin_vs_vit_step_time.png (log-log) and
docs/plots/swin_vs_vit.json.
"""
import json
import math
import os
import resource
import statistics
import time

from absl import app, flags
import jax
import jax.numpy as jnp
import optax

from configs.vision import fmnist_swin, fmnist_vit
from dljax import models

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CONFIGS = {'Swin (window 7x7)': fmnist_swin, 'ViT (global)': fmnist_vit}


def define_flags():
  """Registered only when run as a script, so that importing this module (tests) adds no absl flags
  that could clash with other experiments' flags."""
  flags.DEFINE_list('sizes', ['28', '56', '112', '224'], 'Image sizes (multiples of 28).')
  flags.DEFINE_integer('batch_size', 2, 'Batch size of the timed train steps.')
  flags.DEFINE_integer('steps', 3, 'Timed train steps per model and size (median).')
  flags.DEFINE_string('out', os.path.join(ROOT, 'docs', 'plots'), 'Folder of the PNGs/JSON.')


def forward_flops(model, variables, size: int) -> float:
  """XLA's FLOP count of the compiled forward pass for one size x size x 1 image."""
  x = jnp.zeros((1, size, size, 1))
  cost = jax.jit(lambda v, x: model.apply(v, x)).lower(variables, x).compile().cost_analysis()
  cost = cost[0] if isinstance(cost, (list, tuple)) else cost
  return float(cost['flops'])


def step_time(model, variables, size: int, batch_size: int, steps: int) -> dict:
  """Median wall and CPU seconds of a jitted SGD step on a batch_size x size x size x 1 batch."""
  x = jnp.zeros((batch_size, size, size, 1))
  y = jnp.zeros((batch_size,), jnp.int32)

  @jax.jit
  def train_step(params):
    loss = lambda p: optax.softmax_cross_entropy_with_integer_labels(  # pylint: disable=unnecessary-lambda-assignment
        model.apply({'params': p}, x), y).mean()
    return jax.tree.map(lambda w, g: w - 0.01 * g, params, jax.grad(loss)(params))

  params = jax.block_until_ready(train_step(variables['params']))  # compile + warm-up
  walls, cpus = [], []
  for _ in range(steps):
    r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    params = jax.block_until_ready(train_step(params))
    r1, t1 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    walls.append(t1 - t0)
    cpus.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
  return {'wall_s': statistics.median(walls), 'cpu_s': statistics.median(cpus)}


def slope(xs, ys):
  """d log y / d log x between the last two points: the growth exponent at the largest sizes."""
  return math.log(ys[-1] / ys[-2]) / math.log(xs[-1] / xs[-2])


def main(argv):
  del argv
  from dljax import viz  # pylint: disable=g-import-not-at-top
  sizes = [int(s) for s in flags.FLAGS.sizes]
  results = {'sizes': sizes, 'batch_size': flags.FLAGS.batch_size, 'load_avg_before': os.getloadavg()}
  for label, cfg_module in CONFIGS.items():
    model = models.build(cfg_module.get_config('cpu').model)
    rows = []
    for size in sizes:
      variables = model.init(jax.random.PRNGKey(0), jnp.zeros((1, size, size, 1)))
      row = {'size': size, 'flops': forward_flops(model, variables, size),
             **step_time(model, variables, size, flags.FLAGS.batch_size, flags.FLAGS.steps)}
      rows.append(row)
      print(f'{label:>18} {size:>4}px  {row["flops"] / 1e9:9.3f} GFLOPs/image  '
            f'{row["wall_s"]:8.3f} s/step wall  {row["cpu_s"]:8.3f} s/step CPU', flush=True)
    results[label] = rows
  results['load_avg_after'] = os.getloadavg()
  pixels = [s * s for s in sizes]
  for label in CONFIGS:
    results[label + ' exponent'] = {
        key: slope(pixels, [r[key] for r in results[label]]) for key in ('flops', 'wall_s', 'cpu_s')}
    print(f'{label}: growth exponent vs pixels (tokens) between {sizes[-2]} and {sizes[-1]} px: '
          + ', '.join(f'{k} {v:.2f}' for k, v in results[label + ' exponent'].items()))
  os.makedirs(flags.FLAGS.out, exist_ok=True)
  with open(os.path.join(flags.FLAGS.out, 'swin_vs_vit.json'), 'w') as f:
    json.dump(results, f, indent=2)
  log_sizes = [math.log10(s) for s in sizes]
  flops = {label: (log_sizes, [math.log10(r['flops']) for r in results[label]]) for label in CONFIGS}
  viz.multi_curves(flops, 'log10 forward FLOPs per image (XLA cost_analysis)',
                   os.path.join(flags.FLAGS.out, 'swin_vs_vit_flops.png'), xlabel='log10 image side (px)',
                   title='FLOPs: slope 2 = linear in pixels, 4 = quadratic')
  times = {f'{label} {kind}': (log_sizes, [math.log10(r[key]) for r in results[label]])
           for label in CONFIGS for kind, key in (('wall', 'wall_s'), ('CPU', 'cpu_s'))}
  viz.multi_curves(times, f'log10 s per train step (batch {flags.FLAGS.batch_size})',
                   os.path.join(flags.FLAGS.out, 'swin_vs_vit_step_time.png'),
                   xlabel='log10 image side (px)', title='Train-step time vs image size (2-core CPU)')
  print(f'plots and JSON in {flags.FLAGS.out}')


if __name__ == '__main__':
  define_flags()
  app.run(main)
