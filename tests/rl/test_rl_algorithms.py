"""Bandit invariants, tabular Q-learning / SARSA against value iteration, the replay ring, the Huber
loss against optax, and the DQN pieces (targets, eps schedule, bad input)."""
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
import pytest

from dljax.data import gridworld, replay
from dljax.errors import ConfigError
from dljax.models import bandits, rl, tabular


# ---- bandits -------------------------------------------------------------------------------------

def test_oracle_has_zero_regret_and_random_has_linear_regret():
  out = bandits.play_many(jax.random.PRNGKey(0), 8, 'oracle', 200)
  assert float(jnp.abs(out['regret']).max()) == 0.0 and bool(out['optimal'].all())
  rnd = bandits.play_many(jax.random.PRNGKey(0), 64, 'random', 200)
  # E[regret per step] of random play = E[max q* - mean q*] ~ 1.54 for 10 Gaussian arms
  assert 1.3 < float(rnd['regret'].mean()) < 1.8


def test_ucb_regret_grows_like_log_t_and_eps_greedy_linearly():
  """Cumulative regret R(t): UCB adds far less in the second half of the run than in the first
  (R ~ log t: R(T) - R(T/2) ~ log 2 / log(T/2) R(T/2)); eps-greedy with fixed eps keeps paying
  eps * 0.9 * E[gap] per step (R ~ t)."""
  horizon = 3000
  ucb = np.asarray(bandits.play_many(jax.random.PRNGKey(1), 32, 'ucb', horizon, c=2.0)['regret'])
  eps = np.asarray(bandits.play_many(jax.random.PRNGKey(1), 32, 'eps_greedy', horizon,
                                     eps=0.1)['regret'])
  r_ucb, r_eps = ucb.mean(0).cumsum(), eps.mean(0).cumsum()
  h = horizon // 2
  assert (r_ucb[-1] - r_ucb[h - 1]) < 0.4 * r_ucb[h - 1]
  assert (r_eps[-1] - r_eps[h - 1]) > 0.6 * r_eps[h - 1]
  assert r_ucb[-1] < r_eps[-1]


def test_eps_first_explores_then_commits_and_bernoulli_rewards():
  out = bandits.play(jax.random.PRNGKey(2), 'eps_first', 1000, kind='bernoulli', eps=0.2)
  reward = np.asarray(out['reward'])
  assert set(np.unique(reward)) <= {0.0, 1.0}
  arms_late = np.asarray(out['optimal'][200:])
  assert arms_late.all() or not arms_late.any()  # greedy after exploration: one arm


def test_sample_average_and_constant_step_estimates():
  """With one arm the estimate is the plain mean of its rewards (sample average)."""
  q = jnp.array([0.3])
  out = bandits.play(jax.random.PRNGKey(3), 'eps_greedy', 200, k=1, eps=0.0, q_K=q)
  assert abs(float(out['reward'].mean()) - 0.3) < 0.25


@pytest.mark.parametrize('kwargs', [dict(name='eps_greedy', eps=1.5), dict(name='ucb', c=-1.0),
                                    dict(name='greedy')])
def test_bad_bandit_parameters_raise(kwargs):
  with pytest.raises(ConfigError):
    bandits.check(**kwargs)


# ---- tabular -------------------------------------------------------------------------------------

def corridor():
  """1 x 3 corridor: start 0, goal 2, reward -1 per move."""
  return gridworld._build(np.zeros((1, 3), bool), (0, 0), (0, 2))  # pylint: disable=protected-access


def test_value_iteration_on_a_three_state_mdp_equals_hand_values():
  """gamma = 0.9: V(1) = -1 (one move to the goal), V(0) = -1 + 0.9 V(1) = -1.9; a bump (up, down,
  left at 0) costs -1 and stays: Q(0, bump) = -1 + 0.9 V(0) = -2.71; Q(1, left) = -2.71, Q(1,
  up/down) = -1 + 0.9 V(1) = -1.9."""
  q = np.asarray(tabular.value_iteration(corridor(), gamma=0.9, iters=200))
  np.testing.assert_allclose(q[0], [-2.71, -1.9, -2.71, -2.71], atol=1e-5)
  np.testing.assert_allclose(q[1], [-1.9, -1.0, -1.9, -2.71], atol=1e-5)
  np.testing.assert_allclose(q[2], 0.0)


@pytest.mark.parametrize('method', tabular.METHODS)
def test_td_control_converges_to_value_iteration(method):
  """With a uniformly random behaviour (eps = 1) Q-learning converges to Q*; SARSA learns the
  value of its own (random) policy, so only Q-learning is checked against Q*."""
  world = corridor()
  q_star = np.asarray(tabular.value_iteration(world, gamma=0.9))
  q, _ = tabular.td_control(world, jax.random.PRNGKey(0), method, 5000, lr=0.2, gamma=0.9, eps=1.0)
  q = np.asarray(q)
  if method == 'q_learning':
    np.testing.assert_allclose(q[:2], q_star[:2], atol=1e-3)
  else:
    assert np.all(q[:2] < q_star[:2] + 1e-3)  # a random policy is worth less than the optimum


def test_q_learning_finds_the_maze_shortest_path():
  """The small learning test: the greedy path of learned Q is a BFS shortest path."""
  world = gridworld.maze()
  q, out = tabular.td_control(world, jax.random.PRNGKey(0), 'q_learning', 30000, lr=0.5,
                              gamma=1.0, eps=0.1)
  path = gridworld.greedy_path(world, q)
  assert bool(world.terminal_S[path[-1]])
  assert len(path) - 1 == gridworld.bfs_distances(world)[world.start] == 16
  assert tabular.episode_returns(out)[-20:].mean() > -30  # eps-greedy: near the optimum -16


def test_episode_returns_split_at_ends():
  out = {'reward': np.array([-1, -1, -1, -100, -1]), 'end': np.array([0, 1, 0, 0, 1], bool)}
  np.testing.assert_array_equal(tabular.episode_returns(out), [-2, -102])


# ---- replay, Huber, DQN ---------------------------------------------------------------------------

def _tr(values):
  n = len(values)
  v = jnp.asarray(values, jnp.float32)
  return {'obs': jnp.tile(v[:, None], (1, 4)), 'action': jnp.zeros(n, jnp.int32), 'reward': v,
          'next_obs': jnp.tile(v[:, None], (1, 4)), 'terminated': jnp.zeros(n)}


def test_replay_ring_overwrites_the_oldest():
  buf = replay.init(5, 4)
  buf = replay.add(buf, _tr([1, 2, 3]))
  assert int(buf.size) == 3 and int(buf.pos) == 3
  buf = replay.add(buf, _tr([4, 5, 6]))  # wraps: 6 overwrites 1
  assert int(buf.size) == 5 and int(buf.pos) == 1
  np.testing.assert_array_equal(np.asarray(buf.data['reward']), [6, 2, 3, 4, 5])
  buf = replay.add(buf, _tr([7, 8, 9, 10, 11]))  # a full lap
  np.testing.assert_array_equal(np.asarray(buf.data["reward"]), [11, 7, 8, 9, 10])
  assert int(buf.pos) == 1 and int(buf.size) == 5


def test_replay_samples_only_filled_slots_uniformly():
  buf = replay.add(replay.init(100, 4), _tr([1, 2, 3, 4]))
  r = np.asarray(replay.sample(buf, jax.random.PRNGKey(0), 4000)['reward'])
  assert set(np.unique(r)) == {1.0, 2.0, 3.0, 4.0}
  assert np.abs(np.bincount(r.astype(int))[1:] / 4000 - 0.25).max() < 0.03
  np.testing.assert_array_equal(replay.sample(buf, jax.random.PRNGKey(1), 8)['obs'][:, 0],
                                replay.sample(buf, jax.random.PRNGKey(1), 8)['reward'])


def test_huber_matches_optax():
  x = jnp.linspace(-5, 5, 101)
  for delta in (0.5, 1.0, 2.0):
    np.testing.assert_allclose(rl.huber(x, delta), optax.huber_loss(x, delta=delta), rtol=1e-6)


def test_dueling_head_is_v_plus_centred_a():
  model = rl.DuelingQNetwork(hidden=(8,), num_actions=3)
  s = jax.random.normal(jax.random.PRNGKey(0), (5, 4))
  params = model.init(jax.random.PRNGKey(1), s)
  q = model.apply(params, s)
  v, a = model.apply(params, s, method='streams')
  np.testing.assert_allclose(q, v[:, None] + a - a.mean(1, keepdims=True), rtol=1e-6)
  np.testing.assert_allclose(q.mean(1), v, rtol=1e-5, atol=1e-6)  # mean_a Q = V


def _dqn_config(**rl_overrides):
  from tests.helpers import load_config  # pylint: disable=g-import-not-at-top
  return load_config('configs/rl/dqn_cartpole.py', 'smoke',
                     **{f'rl.{k}': v for k, v in rl_overrides.items()})


def test_dqn_target_bootstraps_only_through_non_terminal_transitions():
  from dljax.train.tasks.rl import DQN  # pylint: disable=g-import-not-at-top
  config = _dqn_config(gamma=0.5, loss='mse')
  task = DQN(config, total_steps=4)
  state = task.init(jax.random.PRNGKey(0), None)
  params = state.nets['model'].params
  b = {'obs': jnp.zeros((2, 4)), 'action': jnp.array([0, 1]), 'reward': jnp.ones(2),
       'next_obs': jnp.ones((2, 4)), 'terminated': jnp.array([1.0, 0.0])}
  q_next = task.q(params, b['next_obs']).max(-1)
  q_sa = task.q(params, b['obs'])[jnp.arange(2), b['action']]
  y = jnp.array([1.0, 1.0 + 0.5 * q_next[1]])  # terminated: y = r; truncated/running: bootstrap
  loss, _ = task.td_loss(params, params, b)
  np.testing.assert_allclose(loss, jnp.mean(0.5 * (q_sa - y) ** 2), rtol=1e-5)


def test_dqn_eps_schedule_and_bad_eps():
  from dljax.train import config_check  # pylint: disable=g-import-not-at-top
  from dljax.train.tasks.rl import epsilon  # pylint: disable=g-import-not-at-top
  r = ml_collections.ConfigDict(dict(eps_start=1.0, eps_end=0.1, eps_decay=100))
  np.testing.assert_allclose([epsilon(r, t) for t in (0, 50, 100, 1000)], [1.0, 0.55, 0.1, 0.1],
                             rtol=1e-6)
  with pytest.raises(ConfigError, match='eps_end'):
    config_check.validate(_dqn_config(eps_end=1.2))
  with pytest.raises(ConfigError, match='rl.loss'):
    config_check.validate(_dqn_config(loss='l1'))


def test_policy_gradient_returns_and_a2c_bootstrap():
  """REINFORCE's returns to go against numpy; A2C's n-step return bootstraps with V(s') at the
  rollout's end and at a truncation, and not after a termination."""
  from dljax.train.tasks.policy_gradient import PolicyGradient, nstep_returns  # pylint: disable=g-import-not-at-top
  from tests.helpers import load_config  # pylint: disable=g-import-not-at-top
  config = load_config('configs/rl/a2c_cartpole.py', 'smoke', **{'rl.gamma': 0.5})
  task = PolicyGradient(config, total_steps=3)
  r = np.array([[1.0, 1.0], [1.0, 0.0], [1.0, 0.0]])
  g = np.asarray(task.returns_to_go(jnp.asarray(r)))
  np.testing.assert_allclose(g[:, 0], [1.75, 1.5, 1.0])
  np.testing.assert_allclose(g[:, 1], [1.0, 0.0, 0.0])
  vn = jnp.array([[10.0], [20.0], [30.0]])
  one = jnp.ones((3, 1))
  zero = jnp.zeros((3, 1))
  col = lambda v: jnp.asarray(v, jnp.float32)[:, None]  # pylint: disable=unnecessary-lambda-assignment
  # running episode: bootstrap with V(s') of the last step
  np.testing.assert_allclose(nstep_returns(one, zero, zero, vn, 0.5)[:, 0],
                             [5.5, 9.0, 16.0], rtol=1e-6)
  # termination at step 1: no bootstrap beyond it; step 2 belongs to a new episode
  np.testing.assert_allclose(nstep_returns(one, col([0, 1, 0]), zero, vn, 0.5)[:, 0],
                             [1.5, 1.0, 16.0], rtol=1e-6)
  # truncation at step 1: bootstrap from V(s'_1) = 20, not from the next episode's return
  np.testing.assert_allclose(nstep_returns(one, zero, col([0, 1, 0]), vn, 0.5)[:, 0],
                             [6.5, 11.0, 16.0], rtol=1e-6)
