"""The training loop shared by every experiment.

  state <- task.init(key)                       (or the newest checkpoint in the workdir)
  for step in [state.step, total):
      state, metrics <- train_step(state, next(batches), fold_in(key, step))   jit, sharded, donated
      metrics of the previous step are fetched now, so the device never waits for the host
      every eval_every steps: evaluate data['validation'] (logged as val/<m>); best/ = the best
      val/<best_metric> so far
  at the end: the final state on validation and test -> summary['final'] (val/... and test/...),
  summary['best'] = the val metrics at best_step; checkpoint (Orbax, async), log (JSONL +
  TensorBoard + progress bar), plot, summary.json. Test metrics never choose anything.
  evaluators (config.evals.<name>, dljax/eval/common.py) at their steps, logged as <name>/<metric>
"""
import json
import os
import shutil
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

from dljax import mesh as mesh_lib
from dljax import viz
from dljax.errors import DataError, NonFiniteError, WorkdirError
from dljax.eval import common as evaluators
from dljax.train import checkpoint, config_check, init_from, preemption, tasks, writers


class Preempted(Exception):
  """The run was asked to stop (SIGTERM/SIGINT) and saved a checkpoint first."""


# fields whose change makes old checkpoints belong to another experiment
IDENTITY_KEYS = ('name', 'task', 'model', 'data.name')


def _identity(config_dict: dict) -> dict:
  out = {}
  for key in IDENTITY_KEYS:
    node = config_dict
    for part in key.split('.'):
      node = node.get(part, None) if isinstance(node, dict) else None
    out[key] = node
  return out


def _has_checkpoints(workdir: str) -> bool:
  root = os.path.join(workdir, 'checkpoints')
  return any(os.listdir(os.path.join(root, kind)) for kind in ('latest', 'best')
             if os.path.isdir(os.path.join(root, kind)))


def prepare_workdir(workdir: str, config, overwrite: bool):
  """Refuses a file, or a workdir holding another experiment's checkpoints, unless --overwrite."""
  if os.path.exists(workdir) and not os.path.isdir(workdir):
    raise WorkdirError(f'workdir {workdir} is a file; pass a directory path.')
  saved = os.path.join(workdir, 'config.json')
  previous = writers.read_json(saved)  # None if missing, or cut by a kill of an older version
  if previous is not None and _has_checkpoints(workdir) and not overwrite:
    old = _identity(previous)
    new = _identity(json.loads(config.to_json_best_effort()))
    if old != new:
      diff = [k for k in IDENTITY_KEYS if old[k] != new[k]]
      raise WorkdirError(f'workdir {workdir} holds a run of another experiment ({diff[0]}: '
                         f'{old[diff[0]]!r} there, {new[diff[0]]!r} now); use a new --workdir, or '
                         'pass --overwrite to delete it.')
  if overwrite and os.path.isdir(workdir) and jax.process_index() == 0:
    shutil.rmtree(workdir)
  try:
    os.makedirs(workdir, exist_ok=True)
    probe = os.path.join(workdir, f'.write_test_{jax.process_index()}')
    with open(probe, 'w') as f:
      f.write('ok')
    os.remove(probe)
  except OSError as e:
    raise WorkdirError(f'workdir {workdir} is not writable ({e.strerror}); choose another '
                       '--workdir.') from None
  if jax.process_index() == 0:
    writers.write_text_atomic(saved, config.to_json_best_effort(indent=2))


def total_steps(config, n_train: int) -> int:
  if config.train.get('steps', 0):
    return int(config.train.steps)
  return int(np.ceil(config.train.epochs * n_train / config.data.batch_size))


def _versions():
  import flax as fx, optax, orbax.checkpoint as ocp  # pylint: disable=g-import-not-at-top,multiple-imports
  return {'jax': jax.__version__, 'flax': fx.__version__, 'optax': optax.__version__,
          'orbax': ocp.__version__, 'numpy': np.__version__}


def _better(value, best, mode):
  if not np.isfinite(value):
    return False
  return best is None or (value > best if mode == 'max' else value < best)


def make_train_step(task, policy: str):
  """Wraps task.train_step into (state, batch) -> (state, metrics) with per-step randomness."""

  def step(state, batch):
    rng = jax.random.fold_in(state.rng, state.step)  # the step's key: fold_in(key, step)
    new_state, metrics = task.train_step(state, batch, rng)
    new_state = new_state.replace(step=state.step + 1)
    if policy == 'skip':  # keep the old state when the loss or the gradients are not finite
      ok = jnp.isfinite(metrics['train/loss']) & jnp.isfinite(metrics.get('train/grad_norm', 0.0))
      kept = state.replace(step=state.step + 1)
      new_state = jax.tree.map(lambda a, b: jnp.where(ok, a, b), new_state, kept)
      metrics['train/skipped'] = 1 - ok.astype(jnp.int32)
    return new_state, metrics

  return step


class Run:
  """One experiment in one workdir: build, restore, train, evaluate, write outputs."""

  def __init__(self, config, workdir: str, overwrite: bool = False, progress: bool = True,
               read_only: bool = False):
    config_check.validate(config)
    self.config, self.workdir, self.progress = config, workdir, progress
    if not read_only:
      prepare_workdir(workdir, config, overwrite)
    task_cls = tasks.TASKS[config.task]
    self.data = task_cls.load_data(config)
    self.total_steps = total_steps(config, task_cls.num_train(self.data))
    config_check.validate_optimizers(config, self.total_steps)
    self.task = task_cls(config, self.total_steps)
    self.evals = evaluators.build(config, self.task)  # {name: cfg}, checked before compiling
    self.task.prepare(self.data.get('train'))
    self.mesh = mesh_lib.make_mesh()
    self.repl = mesh_lib.replicated(self.mesh)
    self.policy = config.train.get('nonfinite', 'halt')
    self.ckpt = checkpoint.Checkpoints(workdir, keep=config.train.get('keep_checkpoints', 2),
                                       use_async=config.train.get('async_checkpoints', True))

  def put(self, batch):
    return mesh_lib.put_batch(batch, self.mesh, self.task.batch_sharding)

  def init_state(self):
    batches = self.task.train_batches(self.config, self.data, 0, 1)  # None: made inside the step
    example = None if batches is None else jax.tree.map(lambda v: v[:2], next(batches))
    init = jax.jit(lambda key: self.task.init(key, example), out_shardings=self.repl)
    state = init(jax.random.PRNGKey(self.config.seed))
    init_cfg = self.config.get('init_from', None)
    if init_cfg and init_cfg.get('workdir', ''):  # part of another run's checkpoint (fine-tuning)
      state = init_from.restore_subtree(state, init_cfg.workdir, init_from.include_regex(init_cfg))
    return state

  def run(self) -> dict:
    config, task = self.config, self.task
    state = self.init_state()
    batches = task.train_batches(config, self.data, jax.process_index(), jax.process_count())
    meta = {'best': None, 'best_step': None, 'best_metrics': None, 'wall_s': 0.0}

    def check(data_state, meta):  # valid JSON that is not this iterator's state falls back too
      del meta
      if batches is not None:
        batches.set_state(data_state)

    restored = self.ckpt.restore(checkpoint.abstract(state), check=check)
    if restored is not None:
      state, data_state, meta = restored
      if batches is not None:
        batches.set_state(data_state)
    start = int(jax.device_get(state.step))
    summary_path = os.path.join(self.workdir, 'summary.json')
    finished = writers.read_json(summary_path) if start >= self.total_steps else None
    if finished is not None:
      return finished  # a finished run is not retrained (a damaged summary is written again)

    batch_sharding = mesh_lib.batch_sharding(self.mesh, task.batch_sharding)
    train_step = jax.jit(make_train_step(task, self.policy),
                         in_shardings=(self.repl, batch_sharding),
                         out_shardings=(self.repl, self.repl), donate_argnums=0)
    next_batch = lambda: None if batches is None else self.put(next(batches))  # pylint: disable=unnecessary-lambda-assignment
    eval_step = jax.jit(task.eval_step, in_shardings=(self.repl, batch_sharding),
                        out_shardings=self.repl)
    if 'validation' not in self.data:
      raise DataError(f'task {config.task} loads no validation split: its load_data must return '
                         "'validation' (a fixed slice held out of train) next to 'train' and 'test'.")
    evaluate = lambda s, split='validation': task.evaluate_split(  # pylint: disable=unnecessary-lambda-assignment
        s, self.data[split], eval_step, self.put, split)
    best_metric = f'val/{task.best_metric}'
    writer = writers.MetricWriter(self.workdir, self.total_steps, start, self.progress)
    train_cfg = config.train
    t0, t_last, step_last = time.time(), time.time(), start
    pending = None  # (step, device metrics) of the step before
    last_val = None
    last_evals = {}  # '<name>/<metric>' of the evaluators run after the last step

    def fetch(pending):
      step, metrics = pending
      metrics = jax.device_get(metrics)
      loss = float(metrics['train/loss'])
      grad_ok = np.isfinite(metrics.get('train/grad_norm', 0.0))
      if self.policy == 'halt' and not (np.isfinite(loss) and grad_ok):
        raise NonFiniteError(
            f'non-finite loss ({loss}) or gradient norm at step {step}; the last good checkpoint '
            f'(step {self.ckpt.latest_step()}) is kept. Lower optim.lr, add optim.grad_clip_norm, '
            'or set train.nonfinite=skip.')
      return step, metrics

    def save(step, best=False):
      meta['wall_s'] = meta_wall0 + time.time() - t0
      self.ckpt.save(step, state, {} if batches is None else batches.get_state(), meta, best=best)

    def log_train(step, metrics, force=False):
      nonlocal t_last, step_last
      if step % train_cfg.log_every == 0 or force:
        now = time.time()
        metrics['perf/steps_per_s'] = (step - step_last) / max(now - t_last, 1e-9)
        t_last, step_last = now, step
        writer.write(step, metrics)

    meta_wall0 = meta['wall_s']
    step = start
    try:
      with preemption.PreemptionGuard() as guard:
        for step in range(start + 1, self.total_steps + 1):
          state, metrics = train_step(state, next_batch())
          writer.advance()
          if pending is not None:  # the previous step's metrics, fetched while this step runs
            log_train(*fetch(pending))
          pending = (step, metrics)
          is_last = step == self.total_steps
          is_eval = step % train_cfg.eval_every == 0 or is_last
          is_save = step % train_cfg.checkpoint_every == 0 or is_last or guard.requested
          due = evaluators.due(self.evals, step, self.total_steps, train_cfg.eval_every)
          if not (is_eval or is_save or due):
            continue
          log_train(*fetch(pending), force=is_last)
          pending = None
          if is_eval:
            val = evaluate(state)
            last_val = (step, val)
            writer.write(step, val)
            if _better(val.get(best_metric, np.nan), meta['best'], task.best_mode):
              meta.update(best=val[best_metric], best_step=step, best_metrics=val)
              save(step, best=True)
          if due:
            results = evaluators.run(task, state, self.data, self.evals, due)
            writer.write(step, results)
            if is_last:
              last_evals = results
          if is_save:
            save(step)
          if guard.requested and not is_last:
            self.ckpt.wait()
            raise Preempted(f'stopped by {guard.signal_name} at step {step}; the checkpoint is '
                            'saved: run the same command again to continue.')
      wall_s = meta_wall0 + time.time() - t0
    except writers.StorageError as e:
      raise self._storage_error(e, step) from None
    finally:
      writer.close()
      try:
        self.ckpt.wait()
      except WorkdirError:
        if sys.exc_info()[0] is None:
          raise  # else the failure already on its way is the one to report

    final_step = int(jax.device_get(state.step))
    val = last_val[1] if last_val and last_val[0] == final_step else evaluate(state)
    test = evaluate(state, 'test')
    final = {**val, **test}
    if self.evals and not last_evals:  # resumed after the last step: run them on the final state
      last_evals = evaluators.run(task, state, self.data, self.evals)
    summary = {
        'experiment': config.name, 'final': final, 'best': meta['best_metrics'],
        'best_step': meta['best_step'], 'steps': self.total_steps, 'wall_s': wall_s,
        'steps_per_s': (self.total_steps - start) / max(time.time() - t0, 1e-9),
        'versions': _versions(), 'devices': {'count': jax.device_count(),
                                             'kind': jax.devices()[0].device_kind,
                                             'processes': jax.process_count()},
    }
    if self.evals:  # summary['evals'][name] = {metric: v}, and '<name>/<metric>' in 'final'
      summary = evaluators.merge_summary(summary, last_evals, self.evals)
    if jax.process_index() == 0:
      try:
        if self.config.train.get('plots', True):
          viz.curves(writers.read_metrics(self.workdir), self.workdir)
          task.plots(mesh_lib.to_local(state), self.workdir, self.data)
          evaluators.plots(task, state, self.data, self.evals, self.workdir)
      except OSError as e:
        raise self._storage_error(writers.StorageError(os.path.join(self.workdir, 'plots'), e),
                                  self.total_steps) from None
      try:
        writers.write_json_atomic(summary_path, summary)
      except writers.StorageError as e:
        raise self._storage_error(e, self.total_steps) from None
    self.ckpt.close()
    return summary

  def _storage_error(self, e, step) -> WorkdirError:
    last = self.ckpt.latest_step()
    return WorkdirError(f'{e} at step {step}; the last good checkpoint is '
                        f'{"step " + str(last) if last is not None else "none"}. Free disk space '
                        'or fix the filesystem, then run the same command again to resume.')


def train_and_evaluate(config, workdir: str, overwrite: bool = False, progress: bool = True) -> dict:
  return Run(config, workdir, overwrite, progress).run()


def config_from_json(text: str):
  """The ConfigDict of a run's config.json (JSON lists become tuples, as configs write them)."""
  import ml_collections  # pylint: disable=g-import-not-at-top

  def tuples(node):
    if isinstance(node, dict):
      return {k: tuples(v) for k, v in node.items()}
    if isinstance(node, list):
      return tuple(tuples(v) for v in node)
    return node

  return ml_collections.ConfigDict(tuples(json.loads(text)))


class LoadedRun:
  """A trained run read back from its workdir (see `load_run`)."""

  def __init__(self, run, state, summary):
    self.run, self.state, self.summary = run, state, summary
    self.config, self.task, self.data, self.workdir = run.config, run.task, run.data, run.workdir

  def evaluate(self, arrays: dict, state=None, split: str = 'test') -> dict:
    """The task's metrics of the run's state (or `state`) on `arrays` (the format of
    self.data['test']), e.g. longer sequences or another split; named '<split>/<metric>' ('val/'
    for split='validation')."""
    eval_step = jax.jit(self.task.eval_step)
    return self.task.evaluate_split(self.state if state is None else state, arrays, eval_step,
                                    self.run.put, split)


def load_run(workdir: str, config=None, best: bool = False) -> LoadedRun:
  """The one way to reload a run: its config (config.json unless `config` is given), task, data,
  and the state of its newest checkpoint (or of best/ with best=True). Writes nothing."""
  if config is None:
    path = os.path.join(workdir, 'config.json')
    if not os.path.exists(path):
      raise WorkdirError(f'{workdir} holds no run (no config.json); train it first with python -m '
                         f'experiments.train --config=... --workdir={workdir}.')
    with open(path) as f:
      config = config_from_json(f.read())
  run = Run(config, workdir, progress=False, read_only=True)
  restored = run.ckpt.restore(checkpoint.abstract(run.init_state()), best=best)
  if restored is None:
    raise WorkdirError(f'{workdir} has no checkpoint; train it first (python -m experiments.train '
                       f'--config=... --workdir={workdir}).')
  summary_path = os.path.join(workdir, 'summary.json')
  summary = None
  if os.path.exists(summary_path):
    with open(summary_path) as f:
      summary = json.load(f)
  return LoadedRun(run, restored[0], summary)
