"""The task kit: what every single-network task repeats, written once.

  make_optimizer(optim_cfg, total_steps)   the ONE optimizer factory of every task:
      tx = freeze(layer_decay(clip -> optimizer(lr schedule) -> weight decay))
      optim.name/lr/schedule/b1/b2/eps/momentum ...   dljax.optim.get_optimizer
      optim.grad_clip_norm  c > 0: g <- g min(1, c / ||g||) before the optimizer (global norm)
      optim.weight_decay    decoupled, lr-scaled (built into adamw, chained after the others)
      optim.layer_decay     d in (0, 1]: the update of Transformer block i of L scaled by d^(L+1-i)
      optim.trainable       a regex: only the matching parameters move, the others stay bit-identical
  check_optimizer(optim_cfg, where)         the same keys checked before anything is built
  init_single(model, rng, inputs, ...)      model.init + make_optimizer -> TrainState{'model': ...}
  gradient_step(net, loss_fn, ...)          value_and_grad + one optimizer update, with the standard
                                            metrics train/loss, train/grad_norm = ||g||_2 (before
                                            clipping) and train/param_norm = ||w||_2 (after the update)

A task with several networks (GAN), an EMA target or an inner loop uses the same pieces per network
(see dljax/train/tasks/ema.py and maml.py).
"""
import difflib

import flax
import jax
import optax

from dljax import optim
from dljax.errors import ConfigError
from dljax.train import init_from
from dljax.train.state import ModelState, TrainState


def check_input_shape(model, info, data_name: str):
  """ConfigError naming the fix when the model's input_shape is not the data's example shape."""
  if info.shape and tuple(info.shape) != tuple(model.input_shape):
    raise ConfigError(f'model.input_shape={tuple(model.input_shape)} does not match '
                      f'{data_name} ({tuple(info.shape)}); set --config.model.input_shape='
                      f'"{tuple(info.shape)}".')


def check_optimizer(optim_cfg, where: str = 'optim'):
  """Raises ConfigError for an unknown optimizer name, a trainable regex that does not compile or
  a layer_decay outside (0, 1]; `where` names the config node in the message (optim, optim_d)."""
  if optim_cfg.name not in optim.OPTIMIZER_NAMES:
    close = difflib.get_close_matches(optim_cfg.name, optim.OPTIMIZER_NAMES, n=1)
    hint = f' (did you mean {close[0]!r}?)' if close else ''
    raise ConfigError(f'{where}.name={optim_cfg.name!r} is unknown{hint}; use one of '
                      f'{list(optim.OPTIMIZER_NAMES)}.')
  if optim_cfg.get('trainable', None):
    init_from.trainable_mask({}, optim_cfg.trainable)  # the regex compiles
  if optim_cfg.get('layer_decay', None):
    init_from.layer_decay(optax.identity(), optim_cfg.layer_decay)  # in (0, 1]


def make_optimizer(optim_cfg, total_steps: int) -> optax.GradientTransformation:
  """The optimizer of `optim_cfg` (module docstring): clipping, weight decay and the schedule from
  dljax.optim.get_optimizer, then layer-wise learning-rate decay, then freezing."""
  tx = optim.get_optimizer(optim_cfg, total_steps)
  if optim_cfg.get('layer_decay', None):  # fine-tuning: lower layers move less
    tx = init_from.layer_decay(tx, optim_cfg.layer_decay)
  if optim_cfg.get('trainable', None):  # fine-tuning: the other parameters are frozen
    tx = init_from.freeze(tx, optim_cfg.trainable)
  return tx


def init_net(model, rng, inputs: tuple, tx, rng_names=('params', 'dropout'), **init_kwargs):
  """(ModelState of `model` initialised on `inputs` with optimizer `tx`, the key left over).

  rng is split into len(rng_names) + 1 keys: one per flax rng stream of model.init, the last is
  returned. Collections sown at initialisation ('intermediates') are not part of the state."""
  keys = jax.random.split(rng, len(rng_names) + 1)
  variables = model.init(dict(zip(rng_names, keys[:-1])), *inputs, **init_kwargs)
  variables = {k: v for k, v in flax.core.unfreeze(variables).items() if k != 'intermediates'}
  return ModelState.create(variables, tx), keys[-1]


def init_single(model, rng, inputs: tuple, optim_cfg, total_steps: int,
                rng_names=('params', 'dropout'), extra=None, **init_kwargs) -> TrainState:
  """TrainState(step 0, nets={'model': ...}, extra) of one network trained by
  make_optimizer(optim_cfg); the state's base key is the last of the split (see init_net)."""
  net, rest = init_net(model, rng, inputs, make_optimizer(optim_cfg, total_steps), rng_names,
                       **init_kwargs)
  return TrainState(step=0, rng=rest, nets={'model': net}, extra=extra)


def gradient_step(net: ModelState, loss_fn, has_aux: bool = False, model_state_in_aux: bool = False):
  """One step of gradient descent on loss_fn at net.params: (new net, aux, metrics).

  loss_fn(params) -> loss, or (loss, aux) with has_aux. With model_state_in_aux, aux is
  (aux, new mutable collections) and the collections (e.g. BatchNorm statistics) are stored in the
  new net. metrics = {'train/loss': loss, 'train/grad_norm': ||dL/dw||_2,
  'train/param_norm': ||w_new||_2}; a task may overwrite train/loss (e.g. with the data term only).
  """
  if has_aux:
    (loss, aux), grads = jax.value_and_grad(loss_fn, has_aux=True)(net.params)
  else:
    (loss, grads), aux = jax.value_and_grad(loss_fn)(net.params), None
  model_state = None
  if model_state_in_aux:
    aux, model_state = aux
  net = net.apply_gradients(grads, model_state)
  metrics = {'train/loss': loss, 'train/grad_norm': optax.tree.norm(grads),
             'train/param_norm': optax.tree.norm(net.params)}
  return net, aux, metrics
