"""Learning-rate schedules eta_t of the lecture notes.

Each schedule is a function `step -> learning rate` built from jax.numpy only, so
it can be traced under jax.jit and passed as `learning_rate` to the optimizers
(an optax schedule). Steps count from t = 0.
"""
import math

import jax
import jax.numpy as jnp
import optax


def _as_float(step) -> jax.Array:
  return jnp.asarray(step, jnp.float32)


def constant(lr: float) -> optax.Schedule:
  """eta_t = eta_0."""
  return lambda step: jnp.full(jnp.shape(step), lr, jnp.float32)


def step_decay(lr: float, step_size: int, gamma: float = 0.1) -> optax.Schedule:
  """Step decay: eta_t = eta_0 gamma^floor(t / step_size)."""
  if step_size <= 0:
    raise ValueError(f'step_decay needs step_size > 0, got {step_size}.')
  return lambda step: lr * gamma**jnp.floor(_as_float(step) / step_size)


def polynomial(lr: float, alpha: float, t0: float = 1.0) -> optax.Schedule:
  """Polynomial decay: eta_t = eta_0 / (1 + t / t0)^alpha.

  The notes' eta_0 / t^alpha, shifted by one (and stretched by t0) so that step
  t = 0 gives eta_0 instead of dividing by zero; for t >> t0 it decays as t^-alpha.
  """
  if t0 <= 0:
    raise ValueError(f'polynomial needs t0 > 0, got {t0}.')
  return lambda step: lr / (1 + _as_float(step) / t0)**alpha


def cosine_warm_restarts(lr: float, period: int, t_mult: int = 1,
                         eta_min: float = 0.0) -> optax.Schedule:
  """SGDR, cosine annealing with warm restarts (Loshchilov & Hutter 2017).

    eta_t = eta_min + (eta_0 - eta_min)(1 + cos(pi t_cur / T_i)) / 2

  t_cur counts the steps since the last restart; cycle i lasts T_i = period t_mult^i
  steps, so cycle i starts at S_i = period (t_mult^i - 1) / (t_mult - 1)
  (S_i = period i when t_mult = 1). The cycle index comes in closed form,
  i = floor(log(1 + t (t_mult - 1) / period) / log(t_mult)), then is corrected by
  one where float rounding put t on the wrong side of a restart.
  """
  if period <= 0:
    raise ValueError(f'cosine_warm_restarts needs period > 0, got {period}.')
  if t_mult < 1 or int(t_mult) != t_mult:
    raise ValueError(f'cosine_warm_restarts needs an integer t_mult >= 1, got {t_mult}.')

  def cycle_start(i):
    """S_i, the step at which cycle i begins."""
    if t_mult == 1:
      return period * i
    return period * (t_mult**i - 1) / (t_mult - 1)

  def schedule(step):
    t = _as_float(step)
    if t_mult == 1:
      i = jnp.floor(t / period)
    else:
      i = jnp.floor(jnp.log1p(t * (t_mult - 1) / period) / math.log(t_mult))
      i = jnp.where(t < cycle_start(i), i - 1, i)
      i = jnp.where(t >= cycle_start(i + 1), i + 1, i)
    t_cur = t - cycle_start(i)
    t_i = period * t_mult**i
    return eta_min + 0.5 * (lr - eta_min) * (1 + jnp.cos(jnp.pi * t_cur / t_i))

  return schedule


def warmup_cosine(lr: float, warmup_steps: int, total_steps: int,
                  end_lr: float = 0.0) -> optax.Schedule:
  """Linear warmup to eta_0, then cosine decay to end_lr at total_steps (held afterwards).

    eta_t = eta_0 t / warmup_steps                         for t < warmup_steps,
    eta_t = end_lr + (eta_0 - end_lr)(1 + cos(pi p)) / 2   otherwise,
  with p = (t - warmup_steps) / (total_steps - warmup_steps) clipped to [0, 1].
  """
  if not 0 <= warmup_steps < total_steps:
    raise ValueError(f'warmup_cosine needs 0 <= warmup_steps < total_steps, '
                     f'got warmup_steps={warmup_steps}, total_steps={total_steps}.')

  def schedule(step):
    t = _as_float(step)
    warmup = lr * t / max(warmup_steps, 1)
    p = jnp.clip((t - warmup_steps) / (total_steps - warmup_steps), 0.0, 1.0)
    decay = end_lr + 0.5 * (lr - end_lr) * (1 + jnp.cos(jnp.pi * p))
    return jnp.where(t < warmup_steps, warmup, decay)

  return schedule


SCHEDULE_NAMES = ('constant', 'step', 'polynomial', 'cosine_restarts', 'warmup_cosine')


def get_schedule(cfg, base_lr: float, total_steps: int) -> optax.Schedule:
  """Builds the schedule named by `cfg.name` (None means constant) with eta_0 = base_lr.

  Fields read from cfg, by name:
    'constant':        none.
    'step':            step_size, gamma (0.1).
    'polynomial':      alpha, t0 (1).
    'cosine_restarts': period, t_mult (1), eta_min (0).
    'warmup_cosine':   warmup_steps, end_lr (0); decays until `total_steps`.
  """
  name = 'constant' if cfg is None else cfg.name
  if name == 'constant':
    return constant(base_lr)
  if name == 'step':
    return step_decay(base_lr, cfg.step_size, cfg.get('gamma', 0.1))
  if name == 'polynomial':
    return polynomial(base_lr, cfg.alpha, cfg.get('t0', 1.0))
  if name == 'cosine_restarts':
    return cosine_warm_restarts(base_lr, cfg.period, cfg.get('t_mult', 1), cfg.get('eta_min', 0.0))
  if name == 'warmup_cosine':
    return warmup_cosine(base_lr, cfg.warmup_steps, total_steps, cfg.get('end_lr', 0.0))
  raise ValueError(f'Unknown schedule {name!r}; valid names: {", ".join(SCHEDULE_NAMES)}.')
