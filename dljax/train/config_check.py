"""Checks a resolved config before any data is read or anything is compiled."""
import math

import jax

from dljax import data, optim
from dljax.data import augment
from dljax.errors import ConfigError, DataError
from dljax.eval import common as evaluators
from dljax.train import init_from, tasks


def _positive(config, key):
  node = config
  for part in key.split('.'):
    node = node[part]
  if (not isinstance(node, (int, float)) or isinstance(node, bool) or not math.isfinite(node)
      or node <= 0):
    raise ConfigError(f'{key}={node!r} must be a positive number; set --config.{key}=<value > 0>.')


def _non_finite(node, prefix=''):
  """The first key (dotted) holding a NaN or infinite number, or None."""
  items = node.items() if hasattr(node, 'items') else (
      enumerate(node) if isinstance(node, (list, tuple)) else ())
  for key, value in items:
    name = f'{prefix}.{key}' if prefix else str(key)
    if isinstance(value, float) and not math.isfinite(value):
      return name, value
    found = _non_finite(value, name) if not isinstance(value, (str, bytes)) else None
    if found:
      return found
  return None


def validate(config):
  """Raises ConfigError/DataError naming the offending key and the fix."""
  found = _non_finite(config)
  if found:
    raise ConfigError(f'{found[0]}={found[1]!r} is not a finite number; set --config.{found[0]} '
                      'to a finite value.')
  for key in ('name', 'task', 'seed', 'data', 'model', 'optim', 'train'):
    if key not in config:
      raise ConfigError(f'the config has no field {key!r}; every experiment config defines it.')
  if config.task not in tasks.TASKS:
    raise ConfigError(f'task={config.task!r} is unknown; use one of {sorted(tasks.TASKS)}.')
  for key in ('data.batch_size', 'data.eval_batch_size', 'optim.lr', 'train.log_every',
              'train.eval_every', 'train.checkpoint_every'):
    _positive(config, key)
  if not config.train.get('steps', 0) and not config.train.get('epochs', 0):
    raise ConfigError('set a positive train.steps or train.epochs.')
  for key in ('train.steps', 'train.epochs'):
    value = config.train.get(key.split('.')[1], 0)
    if value and not value > 0 or (value is not None and value < 0):
      raise ConfigError(f'{key}={value!r} must be positive.')
  n = jax.device_count()
  for key in ('batch_size', 'eval_batch_size'):
    if config.data[key] % n:
      raise ConfigError(f'data.{key}={config.data[key]} is not divisible by the {n} devices; '
                        f'use a multiple of {n}.')
  if config.train.get('nonfinite', 'halt') not in ('halt', 'skip'):
    raise ConfigError(f"train.nonfinite={config.train.nonfinite!r}; use 'halt' or 'skip'.")
  try:
    data.check_name(config.data.name, config.data.get('source', 'local'))
  except DataError as e:
    raise ConfigError(str(e)) from None
  tasks.TASKS[config.task].check_config(config)  # the task's model and optimizer keys
  augment.build(config.get('augment', None))  # unknown ops or bad amounts
  if config.get('init_from', None) and config.init_from.get('workdir', ''):
    init_from.include_regex(config.init_from)
  evaluators.check_config(config, tasks.TASKS[config.task])  # types, every, parameter names


def validate_optimizers(config, total_steps: int):
  """Builds every optimizer once (no compilation) so that a bad schedule fails here, clearly."""
  for key in ('optim', 'optim_d'):
    if key in config:
      try:
        optim.get_optimizer(config[key], total_steps)
      except ValueError as e:
        raise ConfigError(f'{key}: {e}') from None
