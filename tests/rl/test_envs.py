"""The JAX environments against their oracles: CartPole-v1 step by step against gymnasium (a
dev-only dependency), the time limit as a truncation, the grid worlds' shortest paths."""
import gymnasium as gym
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.data import cartpole, gridworld


@pytest.fixture(scope='module')
def gym_env():
  env = gym.make('CartPole-v1')
  env.reset(seed=0)
  return env


def test_cartpole_step_matches_gymnasium(gym_env):
  """Same state and action -> the same next state (1e-6), termination flag and reward, on states
  across the whole non-terminal box and along gymnasium's own trajectories."""
  rng = np.random.default_rng(0)
  box = np.array([2.4, 3.0, cartpole.THETA_THRESHOLD, 3.5])
  states = rng.uniform(-box, box, size=(300, 4)).astype(np.float32)
  actions = rng.integers(0, 2, size=300)
  step = jax.jit(cartpole.step)
  raw = gym_env.unwrapped
  for s, a in zip(states, actions):
    raw.state = s.astype(np.float64)
    raw.steps_beyond_terminated = None
    obs_gym, r_gym, term_gym, _, _ = raw.step(int(a))
    _, obs, r, term, trunc = step(cartpole.EnvState(s_4=jnp.asarray(s), t=jnp.int32(0)), a)
    np.testing.assert_allclose(np.asarray(obs), obs_gym, rtol=0, atol=1e-6)
    assert bool(term) == term_gym and float(r) == r_gym and not bool(trunc)


def test_cartpole_trajectory_matches_gymnasium(gym_env):
  """A 200-step random-action trajectory of gymnasium, re-stepped from each of its states."""
  obs, _ = gym_env.reset(seed=3)
  rng = np.random.default_rng(1)
  step = jax.jit(cartpole.step)
  for _ in range(200):
    a = int(rng.integers(0, 2))
    s = np.array(gym_env.unwrapped.state, np.float32)
    obs_gym, _, term_gym, trunc_gym, _ = gym_env.step(a)
    _, obs, _, term, _ = step(cartpole.EnvState(s_4=jnp.asarray(s), t=jnp.int32(0)), a)
    np.testing.assert_allclose(np.asarray(obs), obs_gym, rtol=0, atol=1e-6)
    assert bool(term) == term_gym
    if term_gym or trunc_gym:
      obs, _ = gym_env.reset(seed=int(rng.integers(1000)))


def test_cartpole_reset_range_and_time_limit():
  envs = jax.vmap(cartpole.reset)(jax.random.split(jax.random.PRNGKey(0), 1000))
  assert np.abs(np.asarray(envs.s_4)).max() <= 0.05 and np.all(np.asarray(envs.t) == 0)
  assert gym.spec('CartPole-v1').max_episode_steps == cartpole.MAX_STEPS
  assert gym.spec('CartPole-v1').reward_threshold == 475.0


def test_time_limit_is_a_truncation_not_a_termination():
  """Step 500 from a balanced state: truncated, not terminated; step_autoreset hands back the true
  last observation (to bootstrap from) and restarts the episode."""
  env = cartpole.EnvState(s_4=jnp.zeros(4), t=jnp.int32(cartpole.MAX_STEPS - 1))
  _, obs, _, term, trunc = cartpole.step(env, 1)
  assert bool(trunc) and not bool(term)
  nxt, tr = cartpole.step_autoreset(env, 1, jax.random.PRNGKey(0))
  np.testing.assert_allclose(np.asarray(tr['next_obs']), np.asarray(obs))
  assert int(nxt.t) == 0 and bool(tr['truncated']) and not bool(tr['terminated'])
  # a fall at the last step is a termination (no bootstrap), not a truncation
  falling = cartpole.EnvState(s_4=jnp.array([0.0, 0.0, 0.2, 2.0]), t=jnp.int32(cartpole.MAX_STEPS - 1))
  _, _, _, term, trunc = cartpole.step(falling, 1)
  assert bool(term) and not bool(trunc)
  # an untruncated episode of a do-nothing-useful policy ends early (return < 500)
  ret = cartpole.rollout_return(lambda s: jnp.int32(1), jax.random.PRNGKey(0))
  assert 5 <= float(ret) < 50


def test_maze_and_cliff_structure():
  m = gridworld.maze()
  dist = gridworld.bfs_distances(m)
  assert dist[m.start] == 16
  c = gridworld.cliff()
  assert c.next_SxA.shape == (48, 4) and c.start == 36 and bool(c.terminal_S[47])
  # stepping right from the start falls off the cliff: -100, back to the start
  s, r, done = gridworld.step(c, c.start, 1)
  assert int(s) == c.start and float(r) == -100.0 and not bool(done)
  # walls and edges: a bump stays put at -1
  s, r, _ = gridworld.step(c, c.start, 3)
  assert int(s) == c.start and float(r) == -1.0
