"""k-armed bandits (Sutton & Barto ch. 2; seed 003 §2.13): the arms' true values and the reward of
a pull, as pure JAX functions (a batch of bandits is a vmap over keys).

  gaussian   q*_i ~ N(0, 1), reward of arm i ~ N(q*_i, 1)   (the 10-armed testbed: E[max_i q*_i] =
             1.5388 for k = 10, REFERENCES.md §9)
  bernoulli  p_i ~ U(0, 1), reward of arm i ~ Bernoulli(p_i)   (q*_i = p_i)
Non-stationary arms (`drift`): every step each q*_i takes an independent N(0, sigma^2) random-walk
step (Sutton & Barto exercise 2.5: all arms start equal at 0, sigma = 0.01).
"""
import jax
import jax.numpy as jnp

KINDS = ('gaussian', 'bernoulli')


def true_values(rng, k: int, kind: str = 'gaussian'):
  """q*_K: the expected reward of each of the k arms."""
  if kind == 'gaussian':
    return jax.random.normal(rng, (k,))
  if kind == 'bernoulli':
    return jax.random.uniform(rng, (k,))
  raise ValueError(f'bandit kind {kind!r} is unknown; use one of {KINDS}.')


def pull(rng, q_K, arm, kind: str = 'gaussian'):
  """One reward of `arm`."""
  if kind == 'gaussian':
    return q_K[arm] + jax.random.normal(rng)
  return jax.random.bernoulli(rng, q_K[arm]).astype(jnp.float32)


def drift(rng, q_K, sigma: float):
  """q*_K after one random-walk step N(0, sigma^2) per arm."""
  return q_K + sigma * jax.random.normal(rng, q_K.shape)
