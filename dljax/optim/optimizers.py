"""The optimizers of the lecture notes, written from scratch as optax transformations.

Each optimizer is an `optax.GradientTransformation`: a pair `init(params) -> state`
and `update(grads, state, params) -> (updates, state)`, with a NamedTuple state,
working on arbitrary pytrees. Following the optax convention the returned updates
are ADDED to the params (`optax.apply_updates`), so they are `-eta_t * direction`.

`learning_rate` is a float or an optax schedule (a function of the step count t,
starting at t = 0 for the first update); the states keep that `count`.

The running averages are written (1-a) x + a avg, in the operand order of optax:
under jit XLA fuses multiply-adds, so the order decides the last bit, and
RMSProp/Adam trajectories amplify such 1-ulp differences step after step.
"""
from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax


def _lr_at(learning_rate: optax.ScalarOrSchedule, count: jax.Array) -> jax.Array:
  """eta_t: the learning rate at step t, from a constant or a schedule."""
  return learning_rate(count) if callable(learning_rate) else learning_rate


def _descend(eta: jax.Array, direction: optax.Updates) -> optax.Updates:
  """The updates -eta * direction, to be added to the params."""
  return jax.tree.map(lambda d: -eta * d, direction)


class CountState(NamedTuple):
  """State of a rule whose only memory is the step count t."""
  count: jax.Array


def _zero_count() -> jax.Array:
  return jnp.zeros([], jnp.int32)


def sgd(learning_rate: optax.ScalarOrSchedule) -> optax.GradientTransformation:
  """Gradient descent: w_{t+1} = w_t - eta_t g_t."""

  def init_fn(params):
    del params
    return CountState(count=_zero_count())

  def update_fn(grads, state, params=None):
    del params
    # w_{t+1} = w_t - eta_t g_t
    updates = _descend(_lr_at(learning_rate, state.count), grads)
    return updates, CountState(count=state.count + 1)

  return optax.GradientTransformation(init_fn, update_fn)


class MomentumState(NamedTuple):
  count: jax.Array
  m: optax.Updates  # the velocity m_t; it already carries the learning rate


def momentum(learning_rate: optax.ScalarOrSchedule, beta: float = 0.9,
             nesterov: bool = False) -> optax.GradientTransformation:
  """Heavy-ball momentum in the notes' form.

    m_{t+1} = beta m_t + eta_t g_t ;  w_{t+1} = w_t - m_{t+1}

  With `nesterov=True` the look-ahead gradient is rewritten at the current point
  (Sutskever et al. 2013; Bengio et al. 2013): w_{t+1} = w_t - (beta m_{t+1} + eta_t g_t).

  optax.sgd(momentum=beta) instead keeps m = beta m + g and steps -eta_t m: for a
  constant learning rate the two are the same (m_notes = eta m_optax); with a
  schedule they differ, since here past velocities keep the rate they were taken at.
  """

  def init_fn(params):
    return MomentumState(count=_zero_count(), m=jax.tree.map(jnp.zeros_like, params))

  def update_fn(grads, state, params=None):
    del params
    eta = _lr_at(learning_rate, state.count)
    # m_{t+1} = beta m_t + eta_t g_t
    m = jax.tree.map(lambda m, g: beta * m + eta * g, state.m, grads)
    if nesterov:
      # w_{t+1} = w_t - (beta m_{t+1} + eta_t g_t)
      updates = jax.tree.map(lambda m, g: -(beta * m + eta * g), m, grads)
    else:
      # w_{t+1} = w_t - m_{t+1}
      updates = jax.tree.map(jnp.negative, m)
    return updates, MomentumState(count=state.count + 1, m=m)

  return optax.GradientTransformation(init_fn, update_fn)


class RmspropState(NamedTuple):
  count: jax.Array
  d: optax.Updates  # d_t: running average of g^2, per coordinate


def rmsprop(learning_rate: optax.ScalarOrSchedule, decay: float = 0.9,
            eps: float = 1e-8) -> optax.GradientTransformation:
  """RMSProp, per coordinate.

    d_t = a d_{t-1} + (1-a) g_t^2 ;  w_{t+1} = w_t - eta_t g_t / sqrt(d_t + eps)

  `a` is `decay`, d_0 = 0. eps sits INSIDE the square root, which is where
  optax.rmsprop puts it by default (eps_in_sqrt=True; PyTorch puts it outside).
  """

  def init_fn(params):
    return RmspropState(count=_zero_count(), d=jax.tree.map(jnp.zeros_like, params))

  def update_fn(grads, state, params=None):
    del params
    # d_t = a d_{t-1} + (1-a) g_t^2
    d = jax.tree.map(lambda d, g: (1 - decay) * g**2 + decay * d, state.d, grads)
    # w_{t+1} = w_t - eta_t g_t / sqrt(d_t + eps)
    direction = jax.tree.map(lambda g, d: g / jnp.sqrt(d + eps), grads, d)
    updates = _descend(_lr_at(learning_rate, state.count), direction)
    return updates, RmspropState(count=state.count + 1, d=d)

  return optax.GradientTransformation(init_fn, update_fn)


class RmspropNormState(NamedTuple):
  count: jax.Array
  d: jax.Array  # d_t: running average of ||g||^2, one scalar for the whole pytree


def _squared_norm(tree: optax.Updates) -> jax.Array:
  """||g||^2 over every leaf of the pytree."""
  return sum(jnp.sum(jnp.square(leaf)) for leaf in jax.tree.leaves(tree))


def rmsprop_norm(learning_rate: optax.ScalarOrSchedule, decay: float = 0.9,
                 eps: float = 1e-8) -> optax.GradientTransformation:
  """The notes' RMSProp on the whole gradient.

    d_t = a d_{t-1} + (1-a) ||g_t||^2 ;  w_{t+1} = w_t - eta_t g_t / sqrt(d_t + eps)

  ||g_t|| is the norm of the whole gradient pytree, so every coordinate is
  divided by the same scalar: the update is parallel to g_t (only its length adapts).
  """

  def init_fn(params):
    del params
    return RmspropNormState(count=_zero_count(), d=jnp.zeros([]))

  def update_fn(grads, state, params=None):
    del params
    # d_t = a d_{t-1} + (1-a) ||g_t||^2
    d = (1 - decay) * _squared_norm(grads) + decay * state.d
    # w_{t+1} = w_t - eta_t g_t / sqrt(d_t + eps)
    direction = jax.tree.map(lambda g: g / jnp.sqrt(d + eps), grads)
    updates = _descend(_lr_at(learning_rate, state.count), direction)
    return updates, RmspropNormState(count=state.count + 1, d=d)

  return optax.GradientTransformation(init_fn, update_fn)


class AdamState(NamedTuple):
  count: jax.Array
  m: optax.Updates  # m_t: running average of g
  v: optax.Updates  # v_t: running average of g^2


def adam(learning_rate: optax.ScalarOrSchedule, b1: float = 0.9, b2: float = 0.999,
         eps: float = 1e-8, bias_correction: bool = True) -> optax.GradientTransformation:
  """Adam (Kingma & Ba 2015).

    m_t = b1 m_{t-1} + (1-b1) g_t ;  v_t = b2 v_{t-1} + (1-b2) g_t^2
    w_t = w_{t-1} - eta_t m_hat_t / (sqrt(v_hat_t) + eps)

  With bias correction m_hat_t = m_t / (1 - b1^t) and v_hat_t = v_t / (1 - b2^t),
  t = 1, 2, ... (the notes write 1 - b1, a typo: the correction must fade as t grows).
  With `bias_correction=False`, m_hat = m and v_hat = v.
  """

  def init_fn(params):
    zeros = lambda: jax.tree.map(jnp.zeros_like, params)
    return AdamState(count=_zero_count(), m=zeros(), v=zeros())

  def update_fn(grads, state, params=None):
    del params
    t = state.count + 1
    # m_t = b1 m_{t-1} + (1-b1) g_t
    m = jax.tree.map(lambda m, g: (1 - b1) * g + b1 * m, state.m, grads)
    # v_t = b2 v_{t-1} + (1-b2) g_t^2
    v = jax.tree.map(lambda v, g: (1 - b2) * g**2 + b2 * v, state.v, grads)
    if bias_correction:
      # m_hat_t = m_t / (1 - b1^t) ; v_hat_t = v_t / (1 - b2^t)
      m_hat = jax.tree.map(lambda m: m / (1 - b1**t), m)
      v_hat = jax.tree.map(lambda v: v / (1 - b2**t), v)
    else:
      m_hat, v_hat = m, v
    # w_t = w_{t-1} - eta_t m_hat_t / (sqrt(v_hat_t) + eps)
    direction = jax.tree.map(lambda m, v: m / (jnp.sqrt(v) + eps), m_hat, v_hat)
    updates = _descend(_lr_at(learning_rate, state.count), direction)
    return updates, AdamState(count=t, m=m, v=v)

  return optax.GradientTransformation(init_fn, update_fn)


def decoupled_weight_decay(
    weight_decay: float, learning_rate: optax.ScalarOrSchedule) -> optax.GradientTransformation:
  """Decoupled weight decay, scaled by the learning rate.

    w_{t+1} = w_t - eta_t g_t - lambda eta_t w_t

  Chained after an optimizer, it adds -lambda eta_t w_t to that optimizer's updates.
  """

  def init_fn(params):
    del params
    return CountState(count=_zero_count())

  def update_fn(updates, state, params=None):
    if params is None:
      raise ValueError('decoupled_weight_decay needs the params: '
                       'call update(grads, state, params).')
    eta = _lr_at(learning_rate, state.count)
    # w_{t+1} = (w_t - eta_t g_t) - lambda eta_t w_t
    updates = jax.tree.map(lambda u, w: u - weight_decay * eta * w, updates, params)
    return updates, CountState(count=state.count + 1)

  return optax.GradientTransformation(init_fn, update_fn)


def adamw(learning_rate: optax.ScalarOrSchedule, b1: float = 0.9, b2: float = 0.999,
          eps: float = 1e-8, weight_decay: float = 1e-4) -> optax.GradientTransformation:
  """AdamW (Loshchilov & Hutter 2019).

    w_t = w_{t-1} - eta_t (m_hat_t / (sqrt(v_hat_t) + eps) + lambda w_{t-1})

  Bias-corrected Adam chained with `decoupled_weight_decay`; like optax.adamw the
  decay is multiplied by the learning rate.
  """
  return optax.chain(adam(learning_rate, b1, b2, eps),
                     decoupled_weight_decay(weight_decay, learning_rate))
