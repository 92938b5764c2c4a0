"""Fine-tuning: start from part of another run's checkpoint, and train only some parameters.

Config (all optional):
  init_from = dict(workdir='runs/pretrain', params='^model/params/(Conv_|Dense_0)')
      restores the leaves of `state.nets` whose path matches the regex (re.search) from the newest
      checkpoint of that run, into the freshly initialised state; everything else (the optimizer
      state, the step, the RNG, unmatched layers) stays as initialised. `params` may also be a list
      of path prefixes. Paths are '<net>/params/<module>/.../<leaf>' for parameters and
      '<net>/model_state/<collection>/<module>/.../<leaf>' for mutable collections, e.g.
      'model/params/Dense_1/kernel', 'model/model_state/batch_stats/BatchNorm_0/mean'. Optimizer
      state ('<net>/opt_state/...') is never restored.
  optim.trainable = '^(Dense_1)/'
      only parameters whose path inside the params tree ('Dense_1/kernel') matches are updated;
      the others get optax.set_to_zero() through optax.multi_transform and stay bit-identical.
      (Mutable collections such as BatchNorm statistics of frozen layers still update in train mode.)
  optim.layer_decay = 0.75
      layer-wise learning-rate decay (BEiT / MAE fine-tuning): the update of a parameter in
      Transformer block i of L (a path containing 'block<i>/', i = 1..L) is scaled by
      decay^(L + 1 - i); the embeddings (no block, not the head) by decay^(L + 1); the final norm
      and the head keep the full rate. Pretrained lower layers thus move least.

API: restore_subtree(state, workdir, include_regex) and trainable_mask(params, regex), plus
freeze(tx, regex) which wraps an optimizer with the mask, and layer_decay(tx, decay).
"""
import os
import re

import jax
import numpy as np
import optax
import orbax.checkpoint as ocp

from dljax.errors import ConfigError


def _path(key_path) -> str:
  return '/'.join(str(getattr(k, 'key', getattr(k, 'name', getattr(k, 'idx', k))))
                  for k in key_path)


def _compile(regex: str, where: str):
  try:
    return re.compile(regex)
  except (re.error, TypeError) as e:
    raise ConfigError(f'{where}={regex!r} is not a valid regular expression ({e}).') from None


def include_regex(init_cfg) -> str:
  """The regex of an init_from config: `params` as a regex, or a list of prefixes joined."""
  params = init_cfg.get('params', None)
  if not params:
    raise ConfigError("init_from.params is empty; name what to restore, e.g. "
                      "init_from.params='^model/params/Conv_'.")
  if isinstance(params, str):
    return params
  return '^(' + '|'.join(re.escape(p) for p in params) + ')'


def _read_state(workdir: str):
  """The saved state of the newest checkpoint in `workdir`, as nested dicts of numpy arrays."""
  directory = os.path.join(os.path.abspath(workdir), 'checkpoints', 'latest')
  if not os.path.isdir(directory):
    raise ConfigError(f'init_from.workdir={workdir!r} has no checkpoints ({directory} is missing); '
                      'train that run first or fix the path.')
  with ocp.CheckpointManager(directory, item_names=('state', 'data', 'meta'),
                             options=ocp.CheckpointManagerOptions(read_only=True, create=False)) as manager:
    step = manager.latest_step()
    if step is None:
      raise ConfigError(f'init_from.workdir={workdir!r} has no checkpoint step in {directory}.')
    return manager.restore(step, args=ocp.args.Composite(state=ocp.args.StandardRestore())).state


def restore_params(workdir: str, net: str = 'model'):
  """The parameters of network `net` in the newest checkpoint of `workdir` (numpy pytree), e.g. to
  analyse a trained model outside its run."""
  saved = _read_state(workdir)
  nets = saved['nets'] if isinstance(saved, dict) else saved.nets
  if net not in nets:
    raise ConfigError(f'{workdir} has networks {sorted(nets)}, not {net!r}.')
  return nets[net]['params']


def restore_subtree(state, workdir: str, include_regex: str):
  """`state` with the leaves of state.nets whose path matches `include_regex` replaced by the saved
  ones of `workdir`'s newest checkpoint. Shapes and dtypes are checked: one ConfigError names every
  selected path that is missing or different there."""
  pattern = _compile(include_regex, 'init_from.params')
  saved = _read_state(workdir)
  saved_nets = saved['nets'] if isinstance(saved, dict) else saved.nets
  flat_saved = {_path(p): v for p, v in jax.tree_util.tree_flatten_with_path(saved_nets)[0]}
  leaves, treedef = jax.tree_util.tree_flatten_with_path(state.nets)
  selected, problems, out = [], [], []
  for key_path, leaf in leaves:
    path = _path(key_path)
    if path.split('/')[1:2] == ['opt_state'] or not pattern.search(path):
      out.append(leaf)
      continue
    selected.append(path)
    if path not in flat_saved:
      problems.append(f'{path} (not in the checkpoint)')
      out.append(leaf)
      continue
    value = flat_saved[path]
    if tuple(value.shape) != tuple(leaf.shape) or np.dtype(value.dtype) != np.dtype(leaf.dtype):
      problems.append(f'{path} (checkpoint {value.dtype}{list(value.shape)}, '
                      f'model {leaf.dtype}{list(leaf.shape)})')
      out.append(leaf)
      continue
    out.append(jax.device_put(np.asarray(value), getattr(leaf, 'sharding', None)))
  if problems:
    raise ConfigError(f'init_from: {len(problems)} selected path(s) do not fit: '
                      f'{"; ".join(problems)}. Narrow init_from.params={include_regex!r} to layers '
                      'of the same shape.')
  if not selected:
    some = ', '.join(_path(p) for p, _ in leaves[:4])
    raise ConfigError(f'init_from.params={include_regex!r} selects nothing; paths look like {some}.')
  return state.replace(nets=jax.tree_util.tree_unflatten(treedef, out))


def trainable_mask(params, regex: str):
  """A pytree of bools like `params`: True where the '/'-joined path inside params matches."""
  pattern = _compile(regex, 'optim.trainable')
  return jax.tree_util.tree_map_with_path(lambda p, _: bool(pattern.search(_path(p))), params)


def freeze(tx: optax.GradientTransformation, regex: str) -> optax.GradientTransformation:
  """`tx` for the parameters matching `regex`, optax.set_to_zero() for all others."""
  _compile(regex, 'optim.trainable')
  labels = lambda params: jax.tree.map(lambda m: 'train' if m else 'frozen',
                                       trainable_mask(params, regex))
  return optax.multi_transform({'train': tx, 'frozen': optax.set_to_zero()}, labels)


_BLOCK = re.compile(r'(?:^|/)block(\d+)/')
_TOP = re.compile(r'(?:^|/)(head|ln_final|head_hidden)(?:/|$)')


def layer_scales(params, decay: float):
  """A pytree like `params` of floats decay^(L + 1 - layer): layer i for 'block<i>/' paths, L + 1
  for the final norm and the head, 0 for everything else (patch/position embeddings, [class])."""
  paths = [_path(p) for p, _ in jax.tree_util.tree_flatten_with_path(params)[0]]
  blocks = [int(m.group(1)) for m in map(_BLOCK.search, paths) if m]
  if not blocks:
    raise ConfigError(f'optim.layer_decay={decay} needs Transformer blocks named block<i> in the '
                      f'params; found paths like {", ".join(paths[:4])}. Unset optim.layer_decay.')
  depth = max(blocks)

  def scale(key_path, _):
    path = _path(key_path)
    block = _BLOCK.search(path)
    layer = int(block.group(1)) if block else depth + 1 if _TOP.search(path) else 0
    return float(decay) ** (depth + 1 - layer)  # eta_layer = eta * decay^(L + 1 - layer)
  return jax.tree_util.tree_map_with_path(scale, params)


def layer_decay(tx: optax.GradientTransformation, decay: float) -> optax.GradientTransformation:
  """`tx` with its updates (the weight-decay term included, as BEiT/MAE scale the group's lr)
  multiplied per parameter by `layer_scales(params, decay)`."""
  if not 0.0 < decay <= 1.0:
    raise ConfigError(f'optim.layer_decay={decay} must be in (0, 1]; 0.75 is MAE\'s fine-tuning value.')

  def init_fn(params):
    layer_scales(params, decay)  # fails here, before compilation, on a network without blocks
    return tx.init(params)

  def update_fn(updates, state, params=None):
    updates, state = tx.update(updates, state, params)
    scales = layer_scales(updates, decay)
    return jax.tree.map(lambda u, c: u * c, updates, scales), state
  return optax.GradientTransformation(init_fn, update_fn)
