"""Bandit strategies (seed 003 §2.13; Sutton & Barto ch. 2): who pulls which arm, from the running
estimates e_i(t) of each arm's value and the pull counts N_t(i).

  random             a_t ~ U{1..k}                                       (the lower reference)
  oracle             a_t = argmax_i q*_i (knows the true values)           (the upper reference)
  eps_first          the first eps T pulls uniformly at random, then greedy argmax_i e_i(t)
  eps_first_softmax  the first eps T pulls with P(i) ∝ exp(e_i(t) / tau), then greedy
  eps_greedy         with probability eps a random arm, else greedy
  softmax            P(i) ∝ exp(e_i(t) / tau) at every step (Boltzmann exploration)
  ucb                a_t = argmax_i e_i(t) + c sqrt(log t / N_t(i)); an arm never pulled first
The estimate is the sample average e_i <- e_i + (r - e_i) / N(i), or with a constant step size
alpha (`step_size`) e_i <- e_i + alpha (r - e_i), the exponential recency-weighted average that
tracks non-stationary arms. Greedy ties are broken uniformly at random.

The (pseudo-)regret after T pulls is sum_t (max_i q*_i - q*_{a_t}); `play` runs one bandit for T
steps in one jax.lax.scan, and a batch of runs is jax.vmap(play) over keys.
"""
import functools

import jax
import jax.numpy as jnp

from dljax.data import bandits
from dljax.errors import ConfigError

STRATEGIES = ('random', 'oracle', 'eps_first', 'eps_first_softmax', 'eps_greedy', 'softmax', 'ucb')


def check(name: str, eps: float = 0.1, tau: float = 1.0, c: float = 2.0, step_size: float = 0.0):
  """ConfigError for an unknown strategy or a parameter out of range, before anything compiles."""
  if name not in STRATEGIES:
    raise ConfigError(f'bandit strategy {name!r} is unknown; use one of {STRATEGIES}.')
  if not 0.0 <= eps <= 1.0:
    raise ConfigError(f'eps={eps} is outside [0, 1]; give the fraction of exploratory pulls, '
                      'e.g. eps=0.1.')
  if tau <= 0 or c < 0 or not 0.0 <= step_size <= 1.0:
    raise ConfigError(f'tau={tau} must be > 0, c={c} >= 0 and step_size={step_size} in [0, 1] '
                      '(0: sample average).')


def _greedy(rng, values_K):
  """argmax_i values_i with ties broken uniformly at random."""
  noise_K = jax.random.uniform(rng, values_K.shape)
  return jnp.argmax(jnp.where(values_K == values_K.max(), noise_K, -1.0))


def choose(name: str, rng, t, horizon: int, est_K, count_K, q_K, eps, tau, c):
  """The arm pulled at step t (0-based) by strategy `name`."""
  k = est_K.shape[0]
  k_explore, k_arm, k_greedy = jax.random.split(rng, 3)
  uniform = jax.random.randint(k_arm, (), 0, k)
  boltzmann = jax.random.categorical(k_arm, est_K / tau)
  greedy = _greedy(k_greedy, est_K)
  if name == 'random':
    return uniform
  if name == 'oracle':
    return jnp.argmax(q_K)
  if name == 'eps_first':
    return jnp.where(t < eps * horizon, uniform, greedy)
  if name == 'eps_first_softmax':
    return jnp.where(t < eps * horizon, boltzmann, greedy)
  if name == 'eps_greedy':
    return jnp.where(jax.random.bernoulli(k_explore, eps), uniform, greedy)
  if name == 'softmax':
    return boltzmann
  if name == 'ucb':  # e_i + c sqrt(log t / N_t(i)); t counts pulls from 1
    bonus_K = c * jnp.sqrt(jnp.log(t + 1.0) / jnp.maximum(count_K, 1))
    return _greedy(k_greedy, jnp.where(count_K == 0, jnp.inf, est_K + bonus_K))
  raise ValueError(name)


@functools.partial(jax.jit, static_argnames=('name', 'horizon', 'k', 'kind'))
def play(rng, name: str, horizon: int, k: int = 10, kind: str = 'gaussian', eps=0.1, tau=1.0,
         c=2.0, step_size=0.0, drift_sigma=0.0, q_K=None):
  """One bandit run: {'reward', 'regret', 'optimal'} each of length T = horizon.

  q_K: the true values (drawn from rng when None). drift_sigma > 0 makes the arms random-walk
  (bandits.drift); the regret is then measured against the best arm of each step."""
  k_q, k_run = jax.random.split(rng)
  q_K = bandits.true_values(k_q, k, kind) if q_K is None else q_K

  def body(carry, t):
    est_K, count_K, q_K = carry
    k_choose, k_pull, k_drift = jax.random.split(jax.random.fold_in(k_run, t), 3)
    arm = choose(name, k_choose, t, horizon, est_K, count_K, q_K, eps, tau, c)
    r = bandits.pull(k_pull, q_K, arm, kind)
    count_K = count_K.at[arm].add(1)
    alpha = jnp.where(step_size > 0, step_size, 1.0 / count_K[arm])  # constant or 1 / N(i)
    est_K = est_K.at[arm].add(alpha * (r - est_K[arm]))
    out = {'reward': r, 'regret': q_K.max() - q_K[arm], 'optimal': arm == jnp.argmax(q_K)}
    q_K = jnp.where(drift_sigma > 0, bandits.drift(k_drift, q_K, drift_sigma), q_K)
    return (est_K, count_K, q_K), out

  init = (jnp.zeros(k), jnp.zeros(k, jnp.int32), q_K)
  _, out = jax.lax.scan(body, init, jnp.arange(horizon))
  return out


def play_many(rng, runs: int, name: str, horizon: int, **kwargs):
  """vmap of play over `runs` independent bandits (keys split from rng): each output runs x T."""
  return jax.vmap(lambda key: play(key, name, horizon, **kwargs))(jax.random.split(rng, runs))
