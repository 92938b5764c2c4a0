r"""Swin vs ViT: FLOPs and train-step time against image size (linear vs quadratic in the tokens).

  python -m experiments.study vision/swin_vs_vit --workdir=runs/swin_vs_vit [--preset=cpu] [--publish]

Trains nothing (no runs): report() measures. Models: the cpu presets' models of
configs/vision/fmnist_swin.py (2x2 patches, windows of 7x7, width 32 -> 64, depths (2, 2)) and
configs/vision/fmnist_vit.py (4x4 patches, width 64, depth 4, global attention over all patches +
[class]), fed zero images of side S in 28, 56, 112, 224 (FLOPs and time do not depend on the
values): both see (S/28)^2 times more tokens N; Swin's attention costs O(N M^2 C) (M^2 = 49), ViT's
O(N^2 C). FLOPs: XLA's count for the compiled forward pass of ONE image (cost_analysis, multiply-add
= 2 FLOPs). Step time: a jitted SGD train step at batch 2, the median of 3 timed steps after one
warm-up, as wall seconds and as the process's CPU seconds (user + system).
Report: swin_vs_vit_flops.png, swin_vs_vit_step_time.png (log-log) and the table (rows per size,
growth exponents against pixels between the two largest sizes).
Expected (cpu preset, 2-core CPU, a few minutes): FLOPs exponent 1.00 for Swin, 1.86 for ViT
(wall time 1.47 vs 2.18). The smoke preset measures the configs' smoke models at sizes 28
and 56, one timed step.
"""
import math
import os
import resource
import statistics
import time

import jax
import jax.numpy as jnp
import optax

from configs.vision import fmnist_swin, fmnist_vit
from dljax import models

CONFIGS = {'Swin (window 7x7)': fmnist_swin, 'ViT (global)': fmnist_vit}
# the configs' preset whose models are measured, image sides, batch size and timed steps
PRESETS = {'smoke': dict(models='smoke', sizes=(28, 56), batch_size=2, steps=1),
           'cpu': dict(models='cpu', sizes=(28, 56, 112, 224), batch_size=2, steps=3)}


def zero_variables(model, size: int):
  """The model's variables for size x size x 1 images, all zeros: FLOPs and time do not depend on
  the values, and the shapes alone (jax.eval_shape) need no compilation of the initialiser."""
  shapes = jax.eval_shape(model.init, jax.random.PRNGKey(0), jnp.zeros((1, size, size, 1)))
  return jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), shapes)


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


def runs(preset: str, workdir: str):
  del workdir
  if preset not in PRESETS:
    raise ValueError(f'unknown preset {preset!r}; use one of {tuple(PRESETS)}.')
  return ()  # trains nothing: report() measures


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  """{'sizes', 'batch_size', label: [{size, flops, wall_s, cpu_s}], label + ' exponent': {...},
  'load_avg_before', 'load_avg_after'} and the two plots."""
  del summaries
  from dljax import viz  # pylint: disable=g-import-not-at-top
  setup = PRESETS[preset]
  sizes, batch_size = list(setup['sizes']), setup['batch_size']
  results = {'sizes': sizes, 'batch_size': batch_size, 'load_avg_before': os.getloadavg()}
  for label, cfg_module in CONFIGS.items():
    model = models.build(cfg_module.get_config(setup['models']).model)
    rows = []
    for size in sizes:
      variables = zero_variables(model, size)
      rows.append({'size': size, 'flops': forward_flops(model, variables, size),
                   **step_time(model, variables, size, batch_size, setup['steps'])})
    results[label] = rows
  results['load_avg_after'] = os.getloadavg()
  pixels = [s * s for s in sizes]
  for label in CONFIGS:
    results[label + ' exponent'] = {
        key: slope(pixels, [r[key] for r in results[label]]) for key in ('flops', 'wall_s', 'cpu_s')}
  log_sizes = [math.log10(s) for s in sizes]
  flops = {label: (log_sizes, [math.log10(r['flops']) for r in results[label]]) for label in CONFIGS}
  viz.multi_curves(flops, 'log10 forward FLOPs per image (XLA cost_analysis)',
                   os.path.join(out, 'swin_vs_vit_flops.png'), xlabel='log10 image side (px)',
                   title='FLOPs: slope 2 = linear in pixels, 4 = quadratic')
  times = {f'{label} {kind}': (log_sizes, [math.log10(r[key]) for r in results[label]])
           for label in CONFIGS for kind, key in (('wall', 'wall_s'), ('CPU', 'cpu_s'))}
  viz.multi_curves(times, f'log10 s per train step (batch {batch_size})',
                   os.path.join(out, 'swin_vs_vit_step_time.png'),
                   xlabel='log10 image side (px)', title='Train-step time vs image size (2-core CPU)')
  return results
