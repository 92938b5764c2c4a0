"""Evaluators (big_vision's evaluators/common.py): named measurements of a model, configured as

  config.evals.<name> = dict(type='<type>', every='end' | N | 'eval', <parameters of the type>)

and run by the training loop (dljax.train.loop) or on a finished run (python -m experiments.evaluate).

An evaluator type is a module dljax/eval/<type>.py that defines
  PARAMS = {parameter: default}       every parameter it takes besides `type` and `every`
  REQUIRES = ('predict', ...)         the task functions it calls (see dljax.train.tasks.base.Task)
  check(task, cfg)                    raises ConfigError naming the fix for bad parameter values or a
                                      task it cannot measure (called before anything is compiled)
  evaluate(task, state, data, cfg)    -> {metric: float}; data = the run's data dict of splits,
                                      cfg = the evaluator's ConfigDict (PARAMS defaults filled in)
and optionally plots(task, state, data, cfg, workdir) (files under the workdir, once at the end),
and TEST_METRICS = True when every metric it returns is a test-split number whose choices (a probe's
weight decay, a stopping step) were made on validation: a config's reference may then name one.

Schedule: every='end' (the default) runs it once, after the last step; every=N at every N-th step
and after the last step; every='eval' with the task's own evaluation (train.eval_every and the
last step). Each result is logged as '<name>/<metric>' (metrics.jsonl and TensorBoard). In
summary.json the values after the last step are in summary['evals'][name] = {metric: value} and,
flat like every other final metric, in summary['final']['<name>/<metric>'].
"""
import importlib
import pkgutil
import re

import jax
import ml_collections
import numpy as np

from dljax.errors import ConfigError

RESERVED = ('type', 'every')
RESERVED_NAMES = ('train', 'test', 'val', 'perf', 'evals')  # prefixes the loop already logs under
_NOT_EVALUATORS = ('common',)


def available() -> list:
  """The evaluator types: the modules of dljax/eval that define `check` and `evaluate`."""
  import dljax.eval as package  # pylint: disable=g-import-not-at-top
  names = []
  for info in pkgutil.iter_modules(package.__path__):
    if info.name in _NOT_EVALUATORS or info.name.startswith('_'):
      continue
    module = importlib.import_module(f'dljax.eval.{info.name}')
    if callable(getattr(module, 'evaluate', None)) and callable(getattr(module, 'check', None)):
      names.append(info.name)
  return sorted(names)


def module(type_name: str, where: str):
  """The evaluator module of `type_name`; ConfigError listing the available types if none."""
  types = available()
  if not isinstance(type_name, str) or type_name not in types:
    raise ConfigError(f'{where}.type={type_name!r} is not an evaluator; use one of {types} '
                      '(a module dljax/eval/<type>.py with check and evaluate).')
  return importlib.import_module(f'dljax.eval.{type_name}')


def specs(config) -> dict:
  """{name: the evaluator's ConfigDict (type, every and its PARAMS, defaults filled in)} of
  config.evals, checked for structure: known type, valid `every`, known parameter names."""
  evals = config.get('evals', None) or {}
  out = {}
  for name in evals:
    where = f'config.evals.{name}'
    if not re.fullmatch(r'[A-Za-z][A-Za-z0-9_]*', name) or name in RESERVED_NAMES:
      raise ConfigError(f'{where}: the evaluator name {name!r} must be an identifier other than '
                        f'{list(RESERVED_NAMES)} (its metrics are logged as <name>/<metric>); '
                        'rename it.')
    entry = evals[name]
    if not hasattr(entry, 'keys'):
      raise ConfigError(f"{where}={entry!r} must be a dict: set {where}=dict(type='<type>', ...).")
    entry = dict(entry.to_dict() if hasattr(entry, 'to_dict') else entry)
    if 'type' not in entry:
      raise ConfigError(f'{where} has no type; set {where}.type to one of {available()}.')
    mod = module(entry['type'], where)
    params = dict(getattr(mod, 'PARAMS', {}))
    unknown = sorted(set(entry) - set(params) - set(RESERVED))
    if unknown:
      raise ConfigError(f'{where}.{unknown[0]} is not a parameter of evaluator type '
                        f'{entry["type"]!r}; it takes {sorted(params)} (plus type and every).')
    every = entry.get('every', 'end')
    if isinstance(every, str) and every.isdigit():  # --config.evals.<name>.every=500 on a str field
      every = int(every)
    if not (every in ('end', 'eval') or (isinstance(every, int) and not isinstance(every, bool)
                                         and every > 0)):
      raise ConfigError(f"{where}.every={every!r}; use 'end', 'eval' (with train.eval_every) or a "
                        'positive number of steps.')
    params.update(entry, every=every)
    out[name] = ml_collections.ConfigDict(params)
  return out


def check_config(config, task_cls=None):
  """The checks that need no data and no task instance (config_check.validate): structure, and
  the task functions each evaluator requires, looked up on the task class."""
  out = specs(config)
  if task_cls is not None:
    for name, cfg in out.items():
      require(task_cls, name, cfg)
  return out


def require(task, name: str, cfg):
  """ConfigError if the task (class or instance) lacks a function the evaluator calls."""
  mod = module(cfg.type, f'config.evals.{name}')
  for fn in getattr(mod, 'REQUIRES', ()):
    if not callable(getattr(task, fn, None)):
      cls = task if isinstance(task, type) else type(task)
      raise ConfigError(f'evaluator {name} (type {cfg.type!r}) needs the task function {fn}(...), '
                        f'which task {cls.__name__} does not define; remove config.evals.{name}, '
                        f'or add {fn} to {cls.__name__} (see dljax.train.tasks.base.Task).')


def build(config, task) -> dict:
  """specs(config) checked against the built task (REQUIRES, then each type's check); before any
  compilation. Returns {name: cfg}."""
  out = specs(config)
  for name, cfg in out.items():
    require(task, name, cfg)
    mod = module(cfg.type, f'config.evals.{name}')
    try:
      mod.check(task, cfg)
    except ConfigError as e:
      raise ConfigError(f'config.evals.{name} (type {cfg.type!r}): {e}') from None
  return out


def due(evals: dict, step: int, total_steps: int, eval_every: int) -> list:
  """The names of the evaluators that run after `step`."""
  names = []
  for name, cfg in evals.items():
    every = eval_every if cfg.every == 'eval' else cfg.every
    if step == total_steps or (every != 'end' and step % every == 0):
      names.append(name)
  return names


def run(task, state, data, evals: dict, names=None) -> dict:
  """{'<name>/<metric>': value} of the evaluators `names` (default: all) on `state`."""
  out = {}
  for name in (evals if names is None else names):
    cfg = evals[name]
    metrics = module(cfg.type, f'config.evals.{name}').evaluate(task, state, data, cfg)
    out.update({f'{name}/{k}': float(v) for k, v in metrics.items()})
  return out


def plots(task, state, data, evals: dict, workdir: str):
  """Runs the optional `plots` of every evaluator (once, at the end)."""
  for name, cfg in evals.items():
    fn = getattr(module(cfg.type, f'config.evals.{name}'), 'plots', None)
    if fn is not None:
      fn(task, state, data, cfg, workdir)


def by_name(flat: dict, evals) -> dict:
  """{'<name>/<metric>': v} -> {name: {metric: v}} for the evaluators in `evals`."""
  out = {name: {} for name in evals}
  for key, value in flat.items():
    name, _, metric = key.partition('/')
    if name in out:
      out[name][metric] = value
  return out


def merge_summary(summary: dict, flat: dict, evals, key: str = 'final') -> dict:
  """summary with summary['evals'][name] = {metric: value} and summary[key]['<name>/<metric>']."""
  summary = dict(summary or {})
  grouped = summary.setdefault('evals' if key == 'final' else f'evals_{key}', {})
  grouped.update(by_name(flat, evals))
  summary[key] = {**(summary.get(key) or {}), **flat}
  return summary


# --- helpers for evaluator modules ----------------------------------------------------------------
def cached(task, key, make):
  """make() once per task object and key (compiled functions, evaluation arrays), so that an
  evaluator run every N steps compiles and loads once."""
  cache = task.__dict__.setdefault('_evaluator_cache', {})
  if key not in cache:
    cache[key] = make()
  return cache[key]


def split(data: dict, name: str, where: str):
  if name not in data:
    raise ConfigError(f'{where}.split={name!r}: the run has no such split; use one of '
                      f'{sorted(k for k in data if k != "train")}.')
  return data[name]


def sums(task, state, arrays: dict, fn, batch_size: int = 0) -> dict:
  """sum over every example once (padded, masked: fn sees batch['mask']) of fn(state, batch),
  a dict of per-batch sums, with the batches sharded over the devices as in the loop."""
  from dljax.data import pipeline  # pylint: disable=g-import-not-at-top
  from dljax import mesh as mesh_lib  # pylint: disable=g-import-not-at-top
  mesh = cached(task, 'mesh', mesh_lib.make_mesh)
  total = None
  for batch in pipeline.eval_batches(arrays, batch_size or task.config.data.eval_batch_size,
                                     jax.process_index(), jax.process_count()):
    out = jax.device_get(fn(state, mesh_lib.put_batch(batch, mesh)))
    total = out if total is None else jax.tree.map(np.add, total, out)
  return total
