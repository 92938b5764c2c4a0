"""Learning-rate schedules: hand-computed values, numpy and optax references."""
import math

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
import pytest

from dljax.optim import schedules

jax.config.update('jax_numpy_rank_promotion', 'raise')
jax.config.update('jax_enable_x64', False)


def values(schedule, steps):
  return np.array([float(schedule(t)) for t in steps])


def test_constant():
  np.testing.assert_allclose(values(schedules.constant(0.3), [0, 1, 1000]), 0.3, rtol=1e-7)


def test_step_decay_by_hand():
  schedule = schedules.step_decay(1.0, step_size=10, gamma=0.5)
  np.testing.assert_allclose(values(schedule, [0, 9, 10, 19, 20, 25, 40]),
                             [1, 1, 0.5, 0.5, 0.25, 0.25, 0.0625], rtol=1e-7)


def test_step_decay_matches_optax_staircase():
  ours = schedules.step_decay(0.1, step_size=7, gamma=0.3)
  theirs = optax.exponential_decay(0.1, transition_steps=7, decay_rate=0.3, staircase=True)
  steps = range(100)
  np.testing.assert_allclose(values(ours, steps), values(theirs, steps), rtol=1e-6)


def test_polynomial_by_hand():
  # eta_0 / (1 + t / t0)^alpha
  np.testing.assert_allclose(values(schedules.polynomial(1.0, alpha=0.5), [0, 3, 8, 99]),
                             [1, 1 / 2, 1 / 3, 1 / 10], rtol=1e-6)
  np.testing.assert_allclose(values(schedules.polynomial(2.0, alpha=1.0, t0=4), [0, 4, 12]),
                             [2, 1, 0.5], rtol=1e-6)


def test_cosine_warm_restarts_by_hand():
  # period 10, t_mult 2: cycles [0, 10), [10, 30), [30, 70), ...
  schedule = schedules.cosine_warm_restarts(1.0, period=10, t_mult=2)
  np.testing.assert_allclose(values(schedule, [0, 5, 10, 20, 30, 50, 70]),
                             [1, 0.5, 1, 0.5, 1, 0.5, 1], rtol=1e-6, atol=1e-7)
  schedule = schedules.cosine_warm_restarts(1.0, period=4, eta_min=0.2)
  np.testing.assert_allclose(values(schedule, [0, 2, 4, 6, 8]), [1, 0.6, 1, 0.6, 1], rtol=1e-6)


def numpy_sgdr(lr, period, t_mult, eta_min, n_steps):
  """SGDR by walking through the cycles one step at a time."""
  out, t_cur, t_i = [], 0, period
  for _ in range(n_steps):
    out.append(eta_min + 0.5 * (lr - eta_min) * (1 + math.cos(math.pi * t_cur / t_i)))
    t_cur += 1
    if t_cur == t_i:
      t_cur, t_i = 0, t_i * t_mult
  return np.array(out)


@pytest.mark.parametrize('t_mult', [1, 2, 3])
@pytest.mark.parametrize('period', [1, 7, 10])
def test_cosine_warm_restarts_matches_numpy(period, t_mult):
  n_steps = 2000
  schedule = schedules.cosine_warm_restarts(0.1, period=period, t_mult=t_mult, eta_min=0.01)
  ours = np.asarray(jax.jit(schedule)(jnp.arange(n_steps)))
  np.testing.assert_allclose(ours, numpy_sgdr(0.1, period, t_mult, 0.01, n_steps), atol=1e-6)


def test_cosine_warm_restarts_rejects_bad_arguments():
  with pytest.raises(ValueError, match='t_mult'):
    schedules.cosine_warm_restarts(0.1, period=10, t_mult=1.5)
  with pytest.raises(ValueError, match='period'):
    schedules.cosine_warm_restarts(0.1, period=0)


def test_warmup_cosine_by_hand():
  schedule = schedules.warmup_cosine(1.0, warmup_steps=10, total_steps=110, end_lr=0.1)
  np.testing.assert_allclose(values(schedule, [0, 5, 10, 60, 110, 200]),
                             [0, 0.5, 1, 0.55, 0.1, 0.1], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize('warmup_steps,end_lr', [(10, 0.0), (25, 0.001), (0, 0.0)])
def test_warmup_cosine_matches_optax(warmup_steps, end_lr):
  total_steps = 200
  ours = schedules.warmup_cosine(0.1, warmup_steps, total_steps, end_lr)
  theirs = optax.warmup_cosine_decay_schedule(init_value=0.0, peak_value=0.1,
                                              warmup_steps=warmup_steps,
                                              decay_steps=total_steps, end_value=end_lr)
  steps = range(total_steps + 20)
  np.testing.assert_allclose(values(ours, steps), values(theirs, steps), atol=1e-6)


SCHEDULE_CONFIGS = {
    'constant': ({}, lambda: schedules.constant(0.1)),
    'step': ({'step_size': 30, 'gamma': 0.2}, lambda: schedules.step_decay(0.1, 30, 0.2)),
    'polynomial': ({'alpha': 0.5, 't0': 10}, lambda: schedules.polynomial(0.1, 0.5, 10)),
    'cosine_restarts': ({'period': 20, 't_mult': 2, 'eta_min': 0.001},
                        lambda: schedules.cosine_warm_restarts(0.1, 20, 2, 0.001)),
    'warmup_cosine': ({'warmup_steps': 10, 'end_lr': 0.001},
                      lambda: schedules.warmup_cosine(0.1, 10, 100, 0.001)),
}


@pytest.mark.parametrize('name', schedules.SCHEDULE_NAMES)
def test_get_schedule_builds_each_name(name):
  fields, expected = SCHEDULE_CONFIGS[name]
  cfg = ml_collections.ConfigDict({'name': name, **fields})
  schedule = schedules.get_schedule(cfg, base_lr=0.1, total_steps=100)
  steps = jnp.arange(150)
  np.testing.assert_allclose(jax.jit(schedule)(steps), expected()(steps), rtol=1e-6)


def test_get_schedule_none_is_constant():
  schedule = schedules.get_schedule(None, base_lr=0.1, total_steps=100)
  np.testing.assert_allclose(values(schedule, [0, 50, 500]), 0.1, rtol=1e-7)


def test_get_schedule_rejects_an_unknown_name():
  with pytest.raises(ValueError) as error:
    schedules.get_schedule(ml_collections.ConfigDict({'name': 'linear'}), 0.1, 100)
  for name in schedules.SCHEDULE_NAMES:
    assert name in str(error.value)
