"""Tabular control on a grid world (dljax.data.gridworld): value iteration, Q-learning and SARSA.

  value iteration  Q(s, a) <- R(s, a) + gamma (1 - done(s')) max_a' Q(s', a'),  s' = next(s, a),
                   repeated until it stops changing: Q* of the (deterministic) MDP
  Q-learning       Q(s, a) <- Q(s, a) + eta (r + gamma (1 - done) max_a' Q(s', a') - Q(s, a))
                   (off-policy: the target is the greedy policy's, whatever the behaviour does)
  SARSA            Q(s, a) <- Q(s, a) + eta (r + gamma (1 - done) Q(s', a') - Q(s, a)),
                   a' the action the eps-greedy behaviour actually takes next (on-policy)
The notes (seed 003 §2.13) call the update "equivalent to gradient descent": it is a step of size
eta on (1/2)(target - Q(s, a))^2 with the target held fixed. Both learners act eps-greedily
(ties broken at random) and run for a fixed number of environment steps in one jax.lax.scan; an
episode that reaches a terminal cell (or max_episode_steps) restarts from the start cell.
"""
import functools

import jax
import jax.numpy as jnp
import numpy as np

from dljax.data import gridworld
from dljax.errors import ConfigError

METHODS = ('q_learning', 'sarsa')


def value_iteration(world, gamma: float, iters: int = 1000):
  """Q*_SxA by `iters` sweeps of the Bellman optimality backup (rows of terminal cells are 0)."""
  cont_SxA = 1.0 - world.terminal_S[world.next_SxA].astype(jnp.float32)

  def sweep(q_SxA, _):
    q_SxA = world.reward_SxA + gamma * cont_SxA * q_SxA.max(1)[world.next_SxA]
    return jnp.where(world.terminal_S[:, None], 0.0, q_SxA), None
  q_SxA, _ = jax.lax.scan(sweep, jnp.zeros(world.next_SxA.shape), None, length=iters)
  return q_SxA


def eps_greedy(rng, q_A, eps):
  """A random action with probability eps, else argmax_a Q(s, a) (ties at random)."""
  k_explore, k_random, k_tie = jax.random.split(rng, 3)
  noise_A = jax.random.uniform(k_tie, q_A.shape)
  greedy = jnp.argmax(jnp.where(q_A == q_A.max(), noise_A, -1.0))
  return jnp.where(jax.random.bernoulli(k_explore, eps),
                   jax.random.randint(k_random, (), 0, q_A.shape[0]), greedy)


def check(method: str, eps: float, lr: float, gamma: float):
  if method not in METHODS:
    raise ConfigError(f'tabular method {method!r} is unknown; use one of {METHODS}.')
  if not 0.0 <= eps <= 1.0:
    raise ConfigError(f'eps={eps} is outside [0, 1]; give the exploration probability, e.g. 0.1.')
  if not 0.0 < lr <= 1.0 or not 0.0 <= gamma <= 1.0:
    raise ConfigError(f'the step size eta={lr} must be in (0, 1] and gamma={gamma} in [0, 1].')


@functools.partial(jax.jit, static_argnames=('method', 'steps', 'max_episode_steps'))
def td_control(world, rng, method: str, steps: int, lr: float = 0.5, gamma: float = 1.0,
               eps: float = 0.1, max_episode_steps: int = 1000):
  """(Q_SxA after `steps` environment steps, per-step {'reward', 'end'}) of Q-learning or SARSA
  from Q = 0; 'end' marks the last step of an episode (reached the goal or max_episode_steps)."""
  n_states, n_actions = world.next_SxA.shape

  def body(carry, t):
    q_SxA, s, a, ep_t = carry
    k_next, k_reset = jax.random.split(jax.random.fold_in(rng, t))
    s_next, r, done = gridworld.step(world, s, a)
    a_next = eps_greedy(k_next, q_SxA[s_next], eps)  # the behaviour's next action
    if method == 'q_learning':
      bootstrap = q_SxA[s_next].max()  # max_a' Q(s', a')
    else:
      bootstrap = q_SxA[s_next, a_next]  # Q(s', a') of the action taken
    target = r + gamma * jnp.where(done, 0.0, bootstrap)
    q_SxA = q_SxA.at[s, a].add(lr * (target - q_SxA[s, a]))
    ep_t = ep_t + 1
    end = done | (ep_t >= max_episode_steps)
    s0 = jnp.int32(world.start)
    a0 = eps_greedy(k_reset, q_SxA[s0], eps)
    carry = (q_SxA, jnp.where(end, s0, s_next), jnp.where(end, a0, a_next),
             jnp.where(end, 0, ep_t))
    return carry, {'reward': r, 'end': end}

  q0 = jnp.zeros((n_states, n_actions))
  a0 = eps_greedy(jax.random.fold_in(rng, steps), q0[world.start], eps)
  (q_SxA, _, _, _), out = jax.lax.scan(body, (q0, jnp.int32(world.start), a0, jnp.int32(0)),
                                       jnp.arange(steps))
  return q_SxA, out


def episode_returns(out) -> np.ndarray:
  """The undiscounted return of every finished episode, from td_control's per-step output."""
  reward, end = np.asarray(out['reward']), np.asarray(out['end'])
  cum = np.cumsum(reward)
  ends = np.flatnonzero(end)
  totals = cum[ends]
  return np.diff(np.concatenate([[0.0], totals]))
