"""CartPole-v1 in JAX: the cart-pole of Barto, Sutton & Anderson (1983) as Gymnasium writes it,
as pure functions of an explicit state, so that a batch of environments steps inside a jitted
train step (vmap) and the environment state is checkpointed with the TrainState.

Dynamics (Florian 2007, Euler integration with tau = 0.02 s), force F = +-10 N:
  temp        = (F + m_p l thetadot^2 sin theta) / (m_c + m_p)
  thetaddot   = (g sin theta - cos theta temp) / (l (4/3 - m_p cos^2 theta / (m_c + m_p)))
  xddot       = temp - m_p l thetaddot cos theta / (m_c + m_p)
  x += tau xdot;  xdot += tau xddot;  theta += tau thetadot;  thetadot += tau thetaddot
Reward 1 on every step (the terminating one included). An episode *terminates* when |x| > 2.4 or
|theta| > 12 degrees (a true end: the value of the next state is 0) and is *truncated* after
MAX_STEPS = 500 steps (a time limit, not part of the MDP: the target must still bootstrap from the
next state; REFERENCES.md §13, Gymnasium #751). Reset draws the 4 state variables from U(-0.05, 0.05).

Why here (dljax/data/) and not a new dljax/rl/ layer: an environment is where an RL task's data
comes from, exactly as sine_tasks is for MAML; the data layer already sits below dljax.train in the
one-way import rule, and the registry entry dljax.data.datasets.envs gives the fixed evaluation
episodes (validation and test seeds). Parity with gymnasium's CartPole-v1 is tested step by step
(tests/rl/test_envs.py).
"""
import jax
import jax.numpy as jnp
from flax import struct

GRAVITY = 9.8
MASS_CART = 1.0
MASS_POLE = 0.1
TOTAL_MASS = MASS_CART + MASS_POLE
LENGTH = 0.5  # half the pole's length
POLEMASS_LENGTH = MASS_POLE * LENGTH
FORCE_MAG = 10.0
TAU = 0.02
THETA_THRESHOLD = 12 * 2 * jnp.pi / 360
X_THRESHOLD = 2.4
MAX_STEPS = 500
OBS_DIM = 4
NUM_ACTIONS = 2


class EnvState(struct.PyTreeNode):
  """One cart-pole: s = (x, xdot, theta, thetadot) and the steps taken in this episode."""
  s_4: jax.Array
  t: jax.Array  # int32


def reset(rng) -> EnvState:
  """A new episode: s ~ U(-0.05, 0.05)^4, t = 0."""
  return EnvState(s_4=jax.random.uniform(rng, (4,), minval=-0.05, maxval=0.05), t=jnp.int32(0))


def dynamics(s_4, action):
  """The next physical state after one Euler step with action 0 (push left) or 1 (push right)."""
  x, x_dot, theta, theta_dot = s_4[0], s_4[1], s_4[2], s_4[3]
  force = jnp.where(action == 1, FORCE_MAG, -FORCE_MAG)
  cos, sin = jnp.cos(theta), jnp.sin(theta)
  temp = (force + POLEMASS_LENGTH * theta_dot ** 2 * sin) / TOTAL_MASS
  theta_acc = (GRAVITY * sin - cos * temp) / (LENGTH * (4.0 / 3.0 - MASS_POLE * cos ** 2 / TOTAL_MASS))
  x_acc = temp - POLEMASS_LENGTH * theta_acc * cos / TOTAL_MASS
  return jnp.stack([x + TAU * x_dot, x_dot + TAU * x_acc, theta + TAU * theta_dot,
                    theta_dot + TAU * theta_acc])


def terminal(s_4):
  """True where the pole fell or the cart left the track."""
  return (jnp.abs(s_4[0]) > X_THRESHOLD) | (jnp.abs(s_4[2]) > THETA_THRESHOLD)


def step(env: EnvState, action):
  """(next EnvState, observation s', reward, terminated, truncated) without resetting."""
  s_4 = dynamics(env.s_4, action)
  t = env.t + 1
  terminated = terminal(s_4)
  truncated = (t >= MAX_STEPS) & ~terminated
  return EnvState(s_4=s_4, t=t), s_4, jnp.float32(1.0), terminated, truncated


def step_autoreset(env: EnvState, action, rng):
  """step(); an episode that ended (terminated or truncated) restarts from reset(rng).

  Returns (env to act from next, transition) with transition = dict(next_obs = s' of the step (the
  true last observation, before any reset, which is what a target bootstraps from), reward,
  terminated, truncated)."""
  new, obs, reward, terminated, truncated = step(env, action)
  fresh = reset(rng)
  done = terminated | truncated
  nxt = jax.tree.map(lambda a, b: jnp.where(done, a, b), fresh, new)
  return nxt, dict(next_obs=obs, reward=reward, terminated=terminated, truncated=truncated)


def rollout_return(policy, rng, max_steps: int = MAX_STEPS):
  """The undiscounted return of one episode from reset(rng) with a deterministic policy(obs) ->
  action, up to max_steps steps (a scan of fixed length; steps after the end add nothing)."""
  def body(carry, _):
    env, done, ret = carry
    new, _, reward, terminated, truncated = step(env, policy(env.s_4))
    ret = ret + jnp.where(done, 0.0, reward)
    return (new, done | terminated | truncated, ret), None
  (_, _, ret), _ = jax.lax.scan(body, (reset(rng), jnp.bool_(False), jnp.float32(0.0)), None,
                                length=max_steps)
  return ret
