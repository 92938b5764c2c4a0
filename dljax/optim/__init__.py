"""Optimizers and learning-rate schedules of the lecture notes, as optax transformations."""
import jax
import optax

from dljax.optim import schedules
from dljax.optim.optimizers import (adam, adamw, decoupled_weight_decay, momentum, rmsprop,
                                    rmsprop_norm, sgd)

__all__ = ['adam', 'adamw', 'decoupled_weight_decay', 'get_optimizer', 'minimize', 'momentum',
           'rmsprop', 'rmsprop_norm', 'schedules', 'sgd', 'OPTIMIZER_NAMES']

_BUILDERS = {
    'sgd': lambda cfg, lr: sgd(lr),
    'momentum': lambda cfg, lr: momentum(lr, beta=cfg.get('momentum', 0.9)),
    'nesterov': lambda cfg, lr: momentum(lr, beta=cfg.get('momentum', 0.9), nesterov=True),
    'rmsprop': lambda cfg, lr: rmsprop(lr, decay=cfg.get('decay', 0.9), eps=cfg.get('eps', 1e-8)),
    'rmsprop_norm': lambda cfg, lr: rmsprop_norm(lr, decay=cfg.get('decay', 0.9),
                                                 eps=cfg.get('eps', 1e-8)),
    'adam': lambda cfg, lr: adam(lr, **_adam_kwargs(cfg)),
    'adam_nobc': lambda cfg, lr: adam(lr, **_adam_kwargs(cfg), bias_correction=False),
    'adamw': lambda cfg, lr: adamw(lr, **_adam_kwargs(cfg), weight_decay=_weight_decay(cfg)),
}
OPTIMIZER_NAMES = tuple(_BUILDERS)


def _adam_kwargs(cfg) -> dict:
  return dict(b1=cfg.get('b1', 0.9), b2=cfg.get('b2', 0.999), eps=cfg.get('eps', 1e-8))


def _weight_decay(cfg) -> float:
  return cfg.get('weight_decay', 0.0) or 0.0


def get_optimizer(cfg, total_steps: int) -> optax.GradientTransformation:
  """Builds the optimizer named by `cfg.name` with learning rate `cfg.lr` (and `cfg.schedule`).

  Optional fields: b1, b2, eps (Adam); decay, eps (RMSProp); momentum (beta of
  momentum/nesterov); schedule (a config for `schedules.get_schedule`, None means
  constant); weight_decay (decoupled, lr-scaled: built into 'adamw', chained after
  any other optimizer when > 0); grad_clip_norm (clip by global norm first when > 0).
  """
  if cfg.name not in _BUILDERS:
    raise ValueError(f'Unknown optimizer {cfg.name!r}; valid names: {", ".join(OPTIMIZER_NAMES)}.')
  lr = schedules.get_schedule(cfg.get('schedule', None), base_lr=cfg.lr, total_steps=total_steps)
  optimizer = _BUILDERS[cfg.name](cfg, lr)
  if cfg.name != 'adamw' and _weight_decay(cfg) > 0:
    optimizer = optax.chain(optimizer, decoupled_weight_decay(_weight_decay(cfg), lr))
  if (cfg.get('grad_clip_norm', None) or 0) > 0:
    optimizer = optax.chain(optax.clip_by_global_norm(cfg.grad_clip_norm), optimizer)
  return optimizer


def minimize(loss, params, tx: optax.GradientTransformation, steps: int):
  """`steps` updates of `tx` on a full-batch `loss(params)`, as one lax.scan (jit- and
  vmap-able): the fitted params. For the small inner fits of evaluators and studies (probes,
  1-D regressions)."""
  def step(carry, _):
    p, s = carry
    u, s = tx.update(jax.grad(loss)(p), s, p)
    return (optax.apply_updates(p, u), s), None
  (params, _), _ = jax.lax.scan(step, (params, tx.init(params)), None, length=steps)
  return params
