r"""Times one config's train step: dljax (jitted as the trainer runs it) vs its PyTorch twin.

Any config of any task kind runs with --notorch; classifiers (MLP, CNN, ...) and language models
(the LSTM LM and the GPT) also have PyTorch twins (experiments/tools/torch_models.py).

  python -m experiments.tools.bench --config=configs/vision/fmnist_cnn.py:cpu --out=bench/fmnist_cnn.json
  python -m experiments.tools.bench --config=configs/vision/fmnist_mlp.py:cpu --out=bench/fmnist_mlp.json
  python -m experiments.tools.bench --config=configs/vision/fmnist_cnn.py:cpu --pool=flax \
      --notorch --out=bench/fmnist_cnn_flaxpool.json   # CNN with nn.max_pool, not reshape+max
      [--steps=50] [--warmup=5] [--windows=5] [--batch_size=N] [--notorch] [--config.x=y ...]
  python -m experiments.tools.bench --config=configs/vision/fmnist_convnext.py:cpu --notorch \
      --config.model.dw_impl=shift --out=bench/convnext_shift.json   # any classifier, jax alone

dljax side: the task, state and batches are built by dljax.train.loop.Run, as the trainer builds
them, and loop.make_train_step is jitted with the loop's shardings on the loop's mesh, with the state
donated. It reports the lower + compile time of that step, XLA's FLOP count and memory of it
(cost_analysis / memory_analysis), the achieved GFLOP/s against this machine's measured float32
matmul rate (`matmul_peak_gflops`), then times `--steps` steps after `--warmup` (split into `--windows` windows, each
ending with block_until_ready; the median window gives ms/step). Torch is timed in a child process
(see _time_torch_in_child); `ratio` is jax steps/s over torch steps/s.

PyTorch side (eager, CPU, torch.set_num_threads = CPU count): the twin from
experiments/tools/torch_models.py with the flax init copied in (parameter counts asserted equal for
classifiers; torch's LSTM carries a second, zeroed bias), eval-mode logits compared), train mode (dropout on), the same batch, loss and optimizer (torch.optim.Adam with
the config's lr, b1, b2, eps). Each torch step also computes what dljax's step returns (loss,
accuracy, gradient and param norms), so that both sides do the same work. Not mirrored: the
learning-rate schedule (torch keeps optim.lr constant; its cost is a few scalar ops per step).

A classifier's batch is synthetic (fixed, reused every step): inputs uniform over the range of the
real data and labels drawn from the real labels, with the real per-example shape. Other tasks reuse
the first batch of their own training stream. Timings on a shared machine
vary with its load: the JSON records the load average before and after.
"""
import datetime
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from absl import app, flags, logging
from ml_collections import config_flags

_CONFIG = config_flags.DEFINE_config_file('config', None, 'Experiment config: FILE.py:PRESET.',
                                          lock_config=True)
_OUT = flags.DEFINE_string('out', None, 'Where to write the JSON results.')
_STEPS = flags.DEFINE_integer('steps', 50, 'Timed steps per framework (after the warm-up).')
_WARMUP = flags.DEFINE_integer('warmup', 5, 'Untimed steps first.')
_WINDOWS = flags.DEFINE_integer('windows', 5, 'The timed steps are split into this many windows; '
                                'ms/step is the median window.')
_BATCH_SIZE = flags.DEFINE_integer('batch_size', None, 'Overrides config.data.batch_size.')
_POOL = flags.DEFINE_enum('pool', None, ['reshape', 'flax'],
                          "CNN only: max pooling as reshape+max ('reshape', the default of "
                          "dljax.models.cnn.CNN) or flax nn.max_pool ('flax').")
_TORCH = flags.DEFINE_bool('torch', True, 'Also time the PyTorch twin.')
_TORCH_THREADS = flags.DEFINE_integer('torch_threads', None,
                                      'torch.set_num_threads (default: the CPU count).')
_TORCH_ONLY = flags.DEFINE_bool('torch_only', False, 'Internal: time only the torch twin (the '
                                'child process the benchmark starts for it).')

UNSUPPORTED = 2  # exit status for a config this benchmark cannot run


def _fail(message: str):
  print(f'bench: {message}', file=sys.stderr)
  sys.exit(UNSUPPORTED)


def _model_node(model_cfg):
  """The ConfigDict holding the model's fields (the variant's, in the variant form)."""
  variant = model_cfg.get(model_cfg.name, None)
  return variant if variant is not None and hasattr(variant, 'items') else model_cfg


def _apply_flags(config):
  with config.unlocked():
    if _BATCH_SIZE.value:
      config.data.batch_size = _BATCH_SIZE.value
    if _POOL.value:
      node = _model_node(config.model)
      arch = node.get('arch', config.model.name)
      if arch != 'cnn':
        _fail(f"--pool applies to the 2-D CNN (arch 'cnn') only; model.name={config.model.name!r} "
              f'is {arch!r}.')
      node.pool = _POOL.value
  return config


def _time_windows(steppers: dict, warmup: int, steps: int, windows: int) -> dict:
  """Times each of `steppers` ({name: (step_fn, sync_fn)}), one after the other.

  `warmup` untimed steps, then `steps` steps in `windows` windows. The steppers are NOT interleaved:
  XLA's CPU worker threads keep spinning for a while after each jax step and then starve torch's
  OpenMP threads (measured: torch MLP step 3.4 ms alone, 70 ms interleaved with jax steps).
  Returns {name: [ms/step of each window]}.
  """
  per_window = max(1, steps // windows)
  out = {}
  for name, (step_fn, sync) in steppers.items():
    for _ in range(warmup):
      step_fn()
    sync()
    out[name] = []
    for _ in range(windows):
      t0 = time.perf_counter()
      for _ in range(per_window):
        step_fn()
      sync()
      out[name].append(1e3 * (time.perf_counter() - t0) / per_window)
  return out


def _summary(ms_windows, batch_size):
  ms = statistics.median(ms_windows)
  return {'ms_per_step': ms, 'steps_per_s': 1e3 / ms, 'examples_per_s': 1e3 * batch_size / ms,
          'ms_per_step_windows': ms_windows}


def _synthetic_batch(real, batch_size, seed):
  import numpy as np  # pylint: disable=g-import-not-at-top
  rng = np.random.default_rng(seed)
  x_real, y_real = real['x'], real['y']
  x = rng.uniform(float(x_real.min()), float(x_real.max()),
                  size=(batch_size, *x_real.shape[1:])).astype(x_real.dtype)
  y = rng.choice(y_real, size=batch_size).astype(y_real.dtype)
  return {'x': x, 'y': y}


def _torch_optimizer(torch, params, cfg):
  """The torch optimizer matching config.optim (speed-equivalent; exact for adam/adamw/sgd)."""
  lr, wd = cfg.lr, cfg.get('weight_decay', 0.0) or 0.0
  betas, eps = (cfg.get('b1', 0.9), cfg.get('b2', 0.999)), cfg.get('eps', 1e-8)
  makers = {
      'adam': lambda: (torch.optim.AdamW(params, lr, betas, eps, weight_decay=wd) if wd
                       else torch.optim.Adam(params, lr, betas, eps)),
      'adamw': lambda: torch.optim.AdamW(params, lr, betas, eps, weight_decay=wd),
      'sgd': lambda: torch.optim.SGD(params, lr, weight_decay=0.0),
      'momentum': lambda: torch.optim.SGD(params, lr, momentum=cfg.get('momentum', 0.9)),
      'nesterov': lambda: torch.optim.SGD(params, lr, momentum=cfg.get('momentum', 0.9),
                                          nesterov=True),
      # eps outside the square root in torch: the same cost, slightly different numbers
      'rmsprop': lambda: torch.optim.RMSprop(params, lr, alpha=cfg.get('decay', 0.9), eps=eps),
  }
  if cfg.name not in makers:
    _fail(f'optim.name={cfg.name!r} has no torch counterpart here; supported: {sorted(makers)}.')
  if wd and cfg.name not in ('adam', 'adamw'):
    _fail(f'optim.weight_decay with optim.name={cfg.name!r} is not mirrored in torch.')
  return makers[cfg.name]()


def _torch_loss(F, name):
  signed = lambda y: 2.0 * y - 1.0  # pylint: disable=unnecessary-lambda-assignment
  losses = {
      'softmax': lambda out, y: F.cross_entropy(out, y.long()),
      'logistic': lambda s, y: F.binary_cross_entropy_with_logits(s, y.to(s.dtype)),
      'hinge': lambda s, y: (1.0 - signed(y) * s).clamp(min=0.0).mean(),
      'square': lambda s, y: ((s - signed(y)) ** 2).mean(),
      'mse': lambda s, y: ((s - y) ** 2).mean(),
  }
  if name not in losses:
    _fail(f'loss={name!r} has no torch counterpart here; supported: {sorted(losses)}.')
  return losses[name]


def torch_stepper(task, config, flax_params, flax_out, batch, threads):
  """The torch twin's train step as a function; returns (step_fn, info, twin parameter count).

  Classifiers: the twin of dljax.models (experiments/tools/torch_models.from_flax), the task's loss.
  Language models (task 'lm'): torch_models.lm_twin, cross-entropy over every position.
  """
  import numpy as np  # pylint: disable=g-import-not-at-top
  import torch  # pylint: disable=g-import-not-at-top
  from torch.nn import functional as F  # pylint: disable=g-import-not-at-top
  from experiments.tools import torch_models  # pylint: disable=g-import-not-at-top

  torch.set_num_threads(threads)
  torch.manual_seed(config.seed)
  x, y = torch.from_numpy(np.asarray(batch['x'])), torch.from_numpy(np.asarray(batch['y']))
  if config.task == 'lm':
    twin = torch_models.lm_twin(task.model).load_flax(flax_params)
    vocab = config.model.vocab_size
    loss_fn = lambda out, y: F.cross_entropy(out.reshape(-1, vocab), y.reshape(-1).long())  # pylint: disable=unnecessary-lambda-assignment
    l2 = 0.0
  else:
    twin = torch_models.from_flax(task.model, batch['x'].shape[1:])
    torch_models.load_flax_params(twin, flax_params)
    loss_fn, l2 = _torch_loss(F, task.loss_name), task.l2
  with torch.no_grad():
    out_check = twin.eval()(x[:len(flax_out)]).numpy()
  parity = float(np.abs(out_check - flax_out).max())
  if not parity < 1e-3:
    raise AssertionError(f'the torch twin disagrees with the flax model: max |logit diff| {parity}')

  twin.train()
  params = list(twin.parameters())
  opt = _torch_optimizer(torch, params, config.optim)
  clip = config.optim.get('grad_clip_norm', 0.0) or 0.0

  def step():
    opt.zero_grad(set_to_none=True)
    out = twin(x)
    loss = loss_fn(out, y)
    total = loss + l2 * sum((p ** 2).sum() for p in params) if l2 else loss
    total.backward()
    with torch.no_grad():  # what dljax's step returns as metrics
      grad_norm = torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in params]))
      if clip:
        torch.nn.utils.clip_grad_norm_(params, clip)
      opt.step()
      param_norm = torch.linalg.vector_norm(torch.stack([p.norm() for p in params]))
      if out.ndim == y.ndim + 1:
        acc = (out.argmax(-1) == y).float().mean()
      else:
        acc = ((out > 0) == (y > 0)).float().mean()
    return loss.detach(), grad_norm, param_norm, acc

  info = dict(threads=threads, parity_max_abs_logit_diff=parity, optimizer=type(opt).__name__,
              version=torch.__version__, twin=type(twin).__name__)
  return step, info, torch_models.num_params(twin)


def _time_torch_in_child() -> dict:
  """Times the torch twin in a fresh process: XLA's CPU threads keep spinning after jax steps and
  torch's OpenMP threads spin at their barriers, so two frameworks in one process slow each other
  (measured in one process: torch MLP 3.4 -> 70 ms/step, jax CNN 125 -> 169 ms/step)."""
  with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, 'torch.json')
    args = [a for a in sys.argv[1:] if not a.startswith(('--out', '--torch'))]
    subprocess.run([sys.executable, '-m', 'experiments.tools.bench', *args, '--torch_only',
                    f'--out={out}'] + ([f'--torch_threads={_TORCH_THREADS.value}']
                                       if _TORCH_THREADS.value else []), check=True)
    with open(out) as f:
      return json.load(f)


def matmul_peak_gflops(size: int = 1024, reps: int = 7) -> float:
  """This machine's float32 matmul rate through XLA (size x size @ size x size, best of reps)."""
  import jax  # pylint: disable=g-import-not-at-top
  import jax.numpy as jnp  # pylint: disable=g-import-not-at-top
  a = jax.random.normal(jax.random.PRNGKey(0), (size, size))
  mm = jax.jit(lambda a: a @ a)
  jax.block_until_ready(mm(a))
  best = float('inf')
  for _ in range(reps):
    t0 = time.perf_counter()
    jax.block_until_ready(mm(a))
    best = min(best, time.perf_counter() - t0)
  return 2 * size ** 3 / best / 1e9


def _cost(compiled) -> dict:
  """FLOPs and memory of one compiled step, from XLA's own analyses (None where XLA gives none)."""
  out = {'flops': None, 'temp_bytes': None, 'argument_bytes': None, 'output_bytes': None}
  try:
    cost = compiled.cost_analysis()
    cost = cost[0] if isinstance(cost, (list, tuple)) else cost
    out['flops'] = float(cost.get('flops', 0.0)) or None
  except Exception:  # pylint: disable=broad-except  # backends without a cost model
    pass
  try:
    mem = compiled.memory_analysis()
    out.update(temp_bytes=int(mem.temp_size_in_bytes),
               argument_bytes=int(mem.argument_size_in_bytes),
               output_bytes=int(mem.output_size_in_bytes))
  except Exception:  # pylint: disable=broad-except
    pass
  return out


def build_jax_step(config, workdir: str, compile_step: bool = True) -> dict:
  """The trainer's own train step for `config`, compiled, with one batch to feed it.

  The task, state and batches come from dljax.train.loop.Run (as `experiments.train` builds them),
  so every task kind runs: classifiers get a fixed synthetic batch (inputs uniform over the data's
  range, labels from the real ones: the torch twin sees the same), other tasks the first batch of
  their own training stream (None where the step makes its own data: RL, generated tasks).
  Returns {task, state, batch (host), put_batch, compiled, lower_s, xla_compile_s, n_params}.
  """
  import jax  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  from dljax import mesh as mesh_lib  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top

  run = loop.Run(config, workdir, progress=False, read_only=True)
  task = run.task
  if config.task == 'classification':
    host_batch = _synthetic_batch(run.data['train'], config.data.batch_size, config.seed)
  else:
    batches = task.train_batches(config, run.data, 0, 1)
    host_batch = None if batches is None else jax.tree.map(np.asarray, next(batches))
  state = run.init_state()
  sharding = mesh_lib.batch_sharding(run.mesh, task.batch_sharding)
  train_step = jax.jit(loop.make_train_step(task, config.train.get('nonfinite', 'halt')),
                       in_shardings=(run.repl, sharding), out_shardings=(run.repl, run.repl),
                       donate_argnums=0)
  batch = None if host_batch is None else run.put(host_batch)
  n_params = sum(int(np.size(p)) for net in state.nets.values()
                 for p in jax.tree.leaves(getattr(net, 'params', net)))
  out = dict(task=task, state=state, host_batch=host_batch, batch=batch, n_params=n_params)
  if not compile_step:  # the torch child needs the parameters and the batch only
    return out
  t0 = time.perf_counter()
  lowered = train_step.lower(state, batch)
  t1 = time.perf_counter()
  compiled = lowered.compile()
  t2 = time.perf_counter()
  return dict(out, compiled=compiled, lower_s=t1 - t0, xla_compile_s=t2 - t1, **_cost(compiled))


def main(argv):
  del argv
  load_before = os.getloadavg()
  logging.set_verbosity(logging.WARNING)
  import jax  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  from dljax import models  # pylint: disable=g-import-not-at-top
  from dljax.errors import DljaxError  # pylint: disable=g-import-not-at-top
  from dljax.train import config_check, loop  # pylint: disable=g-import-not-at-top
  from experiments.tools import torch_models  # pylint: disable=g-import-not-at-top

  config = _apply_flags(_CONFIG.value)
  try:
    config_check.validate(config)
  except DljaxError as e:
    _fail(str(e))
  twin = _TORCH.value or _TORCH_ONLY.value  # --notorch times any task alone
  # a task that builds its networks itself (the GANs' generator and discriminator) has no registry
  # model: it is timed all the same, its parameters counted over every network of the state
  model_cls = (type(models.build(config.model))
               if config.get('model', {}).get('name') in models.MODELS else None)
  if twin:
    if config.task == 'lm':
      try:
        torch_models.lm_twin(models.build(config.model))
      except (NotImplementedError, ValueError) as e:
        _fail(f'{e} (--notorch times any model alone).')
    elif config.task != 'classification':
      _fail(f'task={config.task!r} has no torch twin; twins exist for classifiers and language '
            'models (--notorch times any task alone).')
    elif model_cls not in torch_models.SUPPORTED.values():
      _fail(f'model {model_cls.__name__} (model.name={config.model.name!r}) is not supported; '
            f'supported: {sorted(torch_models.SUPPORTED)} (--notorch times any task alone).')

  workdir = tempfile.mkdtemp(prefix='dljax_bench_')
  try:
    built = build_jax_step(config, workdir, compile_step=not _TORCH_ONLY.value)
  except DljaxError as e:
    _fail(str(e))
  task, state, host_batch = built['task'], built['state'], built['host_batch']
  batch_size = (int(config.data.get('batch_size', 1) or 1) if host_batch is None
                else len(jax.tree.leaves(host_batch)[0]))  # examples per step
  flax_params = flax_out = None  # the twin's parity check compares its outputs with these
  if twin:
    flax_params = jax.device_get(state.nets['model'].params)  # host copy: the state gets donated
    n_check = min(batch_size, 32)
    flax_out = np.asarray(jax.jit(lambda p, x: task.model.apply({'params': p}, x))(
        state.nets['model'].params, host_batch['x'][:n_check]))

  if _TORCH_ONLY.value:
    threads = _TORCH_THREADS.value or os.cpu_count()
    torch_step, torch_info, n_torch = torch_stepper(task, config, flax_params, flax_out,
                                                    host_batch, threads)
    if config.task == 'classification':  # LM twins may hold redundant parameters (LSTM b_hh)
      assert n_torch == built['n_params'], f'parameter counts differ: torch {n_torch}, flax {built["n_params"]}'
    torch_info['params'] = n_torch
    windows = _time_windows({'torch': (torch_step, lambda: None)}, _WARMUP.value, _STEPS.value,
                            _WINDOWS.value)
    with open(_OUT.value, 'w') as f:
      json.dump(dict(_summary(windows['torch'], batch_size), **torch_info), f)
    shutil.rmtree(workdir, ignore_errors=True)
    return

  compiled, batch = built['compiled'], built['batch']
  carry = {'state': state, 'metrics': None}

  def jax_step():
    carry['state'], carry['metrics'] = compiled(carry['state'], batch)

  windows = _time_windows({'jax': (jax_step, lambda: jax.block_until_ready(carry))},
                          _WARMUP.value, _STEPS.value, _WINDOWS.value)
  loss = float(carry['metrics']['train/loss'])
  jax_res = dict(_summary(windows['jax'], batch_size),
                 compile_s=built['lower_s'] + built['xla_compile_s'], lower_s=built['lower_s'],
                 xla_compile_s=built['xla_compile_s'], final_loss=loss,
                 flops_per_step=built['flops'], temp_bytes=built['temp_bytes'],
                 argument_bytes=built['argument_bytes'], output_bytes=built['output_bytes'])
  peak = matmul_peak_gflops()
  if built['flops']:
    jax_res['gflops_per_s'] = built['flops'] * jax_res['steps_per_s'] / 1e9
    jax_res['share_of_matmul_peak'] = jax_res['gflops_per_s'] / peak

  result = {
      'config': config_flags.get_config_filename(flags.FLAGS['config']),
      'overrides': {k: str(v) for k, v in
                    config_flags.get_override_values(flags.FLAGS['config']).items()},
      'experiment': config.name, 'task': config.task,
      'model': {'class': model_cls.__name__ if model_cls else None, 'params': built['n_params'],
                **({k: (list(v) if isinstance(v, tuple) else v)
                    for k, v in _model_node(config.model).to_dict().items()}
                   if model_cls else {})},
      'optimizer': config.optim.name, 'lr': config.optim.lr,
      'batch_size': batch_size,
      'input_shape': (list(np.shape(host_batch['x'])[1:])
                      if isinstance(host_batch, dict) and 'x' in host_batch else None),
      'steps': _STEPS.value, 'warmup': _WARMUP.value, 'windows': _WINDOWS.value,
      'jax': jax_res, 'matmul_peak_gflops': peak,
  }
  shutil.rmtree(workdir, ignore_errors=True)
  if _TORCH.value:
    result['torch'] = _time_torch_in_child()
    result['ratio'] = jax_res['steps_per_s'] / result['torch']['steps_per_s']
  result.update({
      'devices': {'count': jax.device_count(), 'kind': jax.devices()[0].device_kind,
                  'platform': jax.devices()[0].platform},
      'versions': {**loop._versions(),  # pylint: disable=protected-access
                   'python': platform.python_version(),
                   **({'torch': result['torch']['version']} if 'torch' in result else {})},
      'cpu_count': os.cpu_count(),
      'affinity_cpus': len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else None,
      'loadavg_before': list(load_before), 'loadavg_after': list(os.getloadavg()),
      'note': ('shared machine: timings vary with its load (loadavg_*, 1/5/15-min averages); '
               + ('it was LOADED during this run (1-min load above the CPU count), so the timings '
                  'are unreliable; re-run on a quiet machine.'
                  if max(load_before[0], os.getloadavg()[0]) > os.cpu_count() else
                  'it looked quiet during this run.')),
      'timestamp': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
  })
  if not math.isfinite(loss):
    result['warning'] = 'the dljax loss is not finite after the timed steps'

  os.makedirs(os.path.dirname(os.path.abspath(_OUT.value)), exist_ok=True)
  with open(_OUT.value, 'w') as f:
    json.dump(result, f, indent=2)
  line = (f'{config.name} ({config.task}) batch {batch_size}: '
          f'jax {jax_res["ms_per_step"]:.1f} ms/step ({jax_res["examples_per_s"]:.0f} ex/s, '
          f'compile {jax_res["compile_s"]:.1f} s)')
  if 'torch' in result:
    line += (f', torch {result["torch"]["ms_per_step"]:.1f} ms/step '
             f'({result["torch"]["examples_per_s"]:.0f} ex/s), '
             f'jax/torch speed {result["ratio"]:.2f}x')
  print(line + f' -> {_OUT.value}')


if __name__ == '__main__':
  flags.mark_flags_as_required(['config', 'out'])
  app.run(main)
