"""Start a network from another run's checkpoint, and train only part of it.

  config.init_from.workdir    a finished (or running) run's workdir; '' = train from scratch
  config.init_from.keys       comma-separated top-level parameter names to copy ('' = every name the
                              two networks share, e.g. patch_embed,cls_token,encoder from an MAE)
  config.init_from.trainable  comma-separated top-level names that train ('' = all: fine-tuning;
                              'head' = a linear probe); the others get zero updates
                              (optax.multi_transform with optax.set_to_zero)

Used by the classification task; `copy_params` and `partition_optimizer` work on any params tree.
"""
import os

import jax
import jax.numpy as jnp
import numpy as np
import optax
import orbax.checkpoint as ocp

from dljax.errors import ConfigError


def _names(value) -> tuple:
  if isinstance(value, str):
    return tuple(n.strip() for n in value.split(',') if n.strip())
  return tuple(value or ())


def restore_params(workdir: str, net: str = 'model', best: bool = False):
  """The params of network `net` in the newest checkpoint of `workdir` (a dict of arrays)."""
  directory = os.path.join(os.path.abspath(workdir), 'checkpoints', 'best' if best else 'latest')
  if not os.path.isdir(directory):
    raise ConfigError(f'init_from.workdir={workdir!r} has no checkpoints ({directory} is missing); '
                      'train that run first or fix the path.')
  manager = ocp.CheckpointManager(directory, item_names=('state', 'data', 'meta'))
  step = manager.latest_step()
  if step is None:
    raise ConfigError(f'init_from.workdir={workdir!r} has no finished checkpoint in {directory}.')
  state = manager.restore(step, args=ocp.args.Composite(state=ocp.args.StandardRestore())).state
  manager.close()
  return jax.tree.map(np.asarray, state['nets'][net]['params'])


def copy_params(params: dict, source: dict, keys=()) -> dict:
  """`params` with the top-level subtrees `keys` (default: all names in both) taken from `source`.

  Every copied subtree must have the same structure and shapes in both; a mismatch names the key.
  """
  keys = _names(keys) or tuple(k for k in params if k in source)
  if not keys:
    raise ConfigError(f'init_from: the checkpoint shares no parameter names with this model '
                      f'(model: {sorted(params)}, checkpoint: {sorted(source)}).')
  out = dict(params)
  for key in keys:
    if key not in params or key not in source:
      raise ConfigError(f'init_from.keys: {key!r} is not in both the model ({sorted(params)}) and '
                        f'the checkpoint ({sorted(source)}).')
    mine, theirs = jax.tree.structure(params[key]), jax.tree.structure(source[key])
    shapes = [a.shape for a in jax.tree.leaves(params[key])]
    if mine != theirs or shapes != [a.shape for a in jax.tree.leaves(source[key])]:
      raise ConfigError(f'init_from: {key!r} has other shapes in the checkpoint than in this model; '
                        'give the model the same patch/width/depth/num_heads/mlp_dim as the '
                        'pretrained run.')
    out[key] = jax.tree.map(lambda new, old: jnp.asarray(new, dtype=old.dtype), source[key],
                            params[key])
  return out


def trainable_labels(params: dict, trainable=()) -> dict:
  """{'trainable' | 'frozen'} per leaf by its top-level name ('' = all trainable)."""
  trainable = _names(trainable)
  unknown = [k for k in trainable if k not in params]
  if unknown:
    raise ConfigError(f'init_from.trainable: {unknown[0]!r} is not a parameter name of the model; '
                      f'use some of {sorted(params)}.')
  return {k: jax.tree.map(lambda _, k=k: 'trainable' if not trainable or k in trainable else 'frozen',
                          v) for k, v in params.items()}


def partition_optimizer(tx: optax.GradientTransformation, params: dict, trainable=()):
  """`tx` on the trainable parameters, zero updates (optax.set_to_zero) on the frozen ones."""
  if not _names(trainable):
    return tx
  return optax.multi_transform({'trainable': tx, 'frozen': optax.set_to_zero()},
                               trainable_labels(params, trainable))


def load_source(init_cfg):
  """The checkpoint params that `init_cfg.workdir` names, read on the host (None if none)."""
  if init_cfg is None or not init_cfg.get('workdir', ''):
    return None
  return restore_params(init_cfg.workdir)


def initialise(init_cfg, source, params: dict, tx: optax.GradientTransformation):
  """(params, tx) after the `init_from` config: subtrees copied from `source` (load_source's) and
  the optimizer partitioned into trainable and frozen parameters."""
  if init_cfg is None:
    return params, tx
  if source is not None:
    params = copy_params(params, source, init_cfg.get('keys', ''))
  return params, partition_optimizer(tx, params, init_cfg.get('trainable', ''))
