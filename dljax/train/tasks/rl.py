"""Deep Q-learning on an environment written in JAX (dljax.data.cartpole): naive deep Q and DQN
(Mnih et al. 2015; seed 003 §1.11, §2.13).

  Q-learning target   y = r + gamma (1 - terminated) max_a' Q_target(s', a')
  loss                mean_B huber(Q(s, a) - stop_gradient(y))      (rl.loss='mse': 1/2 (Q - y)^2)
  behaviour           eps-greedy, eps decayed linearly from rl.eps_start to rl.eps_end over
                      rl.eps_decay env steps per environment (a function of state.step: resumable)
  DQN                 rl.replay=True: transitions go into a ring buffer (dljax.data.replay) of
                      rl.buffer_size; each update samples data.batch_size of them uniformly, once
                      the buffer holds rl.learning_starts;  rl.target=True: Q_target is a copy of
                      the online parameters synchronised every rl.target_every updates (or,
                      with rl.target_tau > 0, moved as theta' <- tau theta + (1 - tau) theta' at
                      every update)
  naive deep Q        rl.replay=False, rl.target=False: each update uses only the E transitions
                      just collected and bootstraps from the online network itself
  dueling             model.name='dueling_q_network' (dljax.models.rl): Q = V + A - mean A

One train_step runs rl.inner_steps iterations (one jax.lax.scan) of: every one of rl.num_envs
vectorised cart-poles takes one eps-greedy action (episodes that end restart at once; the 500-step
limit is a truncation, so terminated = 0 there and the target bootstraps), the transitions are
stored, and one gradient update is made. The batch argument is None: the data is made inside the
step. The environments' states, the running episode returns, the replay buffer and the target
parameters live in TrainState.extra and are checkpointed, so a killed run resumes bit for bit.

Evaluation: the greedy policy argmax_a Q(s, a) on the split's fixed episodes (dljax.data.datasets
.envs): test/return (mean undiscounted return, at most 500), test/return_std, test/solved (the
fraction of episodes at >= 475, Gymnasium's threshold for CartPole-v1).
"""
import os

import jax
import jax.numpy as jnp
import numpy as np
import optax

from dljax import models
from dljax.data import cartpole, replay
from dljax.errors import ConfigError
from dljax.models import rl as rl_models
from dljax.train import kit
from dljax.train.state import TrainState
from dljax.train.tasks.base import Task

SOLVED = 475.0
LOSSES = ('huber', 'mse')


def epsilon(rl_cfg, env_step):
  """The linear eps schedule at env step `env_step` (per environment)."""
  frac = jnp.clip(env_step / max(rl_cfg.eps_decay, 1), 0.0, 1.0)
  return rl_cfg.eps_start + frac * (rl_cfg.eps_end - rl_cfg.eps_start)


def check_rl(config):
  """ConfigError for a missing or out-of-range rl.* key (shared by the RL tasks)."""
  if config.data.name != 'cartpole':
    raise ConfigError(f"task={config.task} acts in an environment: set --config.data.name=cartpole "
                      f'(not {config.data.name!r}).')
  if 'rl' not in config:
    raise ConfigError(f'task={config.task} needs config.rl (see configs/rl/).')
  if config.train.get('epochs', 0):
    raise ConfigError('an RL run has no epochs; set train.steps and --config.train.epochs=0.')
  rl_cfg = config.rl
  if not 0.0 <= rl_cfg.get('gamma', 0.99) <= 1.0:
    raise ConfigError(f'rl.gamma={rl_cfg.gamma} is outside [0, 1].')
  if rl_cfg.get('num_envs', 1) < 1 or rl_cfg.get('inner_steps', 1) < 1:
    raise ConfigError('rl.num_envs and rl.inner_steps must be >= 1.')


class DQN(Task):
  """eps-greedy deep Q-learning with optional replay buffer and target network."""

  best_metric = 'return'
  best_mode = 'max'

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    self.model = models.build(config.model)
    self.rl = config.rl

  @classmethod
  def check_config(cls, config):
    super().check_config(config)
    check_rl(config)
    r = config.rl
    for key in ('eps_start', 'eps_end'):
      if not 0.0 <= r[key] <= 1.0:
        raise ConfigError(f'rl.{key}={r[key]} is outside [0, 1]; it is a probability of acting at '
                          'random.')
    if r.loss not in LOSSES:
      raise ConfigError(f'rl.loss={r.loss!r} is unknown; use one of {LOSSES}.')
    if r.replay and r.buffer_size < max(config.data.batch_size, r.num_envs):
      raise ConfigError(f'rl.buffer_size={r.buffer_size} is smaller than data.batch_size / '
                        'rl.num_envs; make it larger.')
    if config.model.get('num_actions', cartpole.NUM_ACTIONS) != cartpole.NUM_ACTIONS:
      raise ConfigError(f'model.num_actions must be {cartpole.NUM_ACTIONS} for CartPole.')

  @classmethod
  def load_data(cls, config) -> dict:
    from dljax import data as data_lib  # pylint: disable=g-import-not-at-top
    return {split: data_lib.load(config.data, split) for split in ('validation', 'test')}

  @classmethod
  def num_train(cls, data):
    return 1  # no epochs (check_config refuses them)

  @classmethod
  def train_batches(cls, config, data, process_index, process_count):
    return None  # rollouts are generated inside train_step

  def init(self, rng, batch):
    del batch
    k_net, k_env = jax.random.split(rng)
    e = self.rl.num_envs
    # the learning-rate schedule counts optimizer updates: inner_steps per train step
    state = kit.init_single(self.model, k_net, (jnp.zeros((1, cartpole.OBS_DIM)),),
                            self.config.optim, self.total_steps * self.rl.inner_steps,
                            rng_names=('params',))
    extra = {
        'env': jax.vmap(cartpole.reset)(jax.random.split(k_env, e)),
        'ep_return_E': jnp.zeros(e),  # return of the running episode
        'last_return_E': jnp.zeros(e),  # return of the last finished episode
        'episodes': jnp.int32(0),
        'target': state.nets['model'].params,
        'updates': jnp.int32(0),
        'buffer': replay.init(self.rl.buffer_size if self.rl.replay else 1, cartpole.OBS_DIM),
    }
    return state.replace(extra=extra)

  def q(self, params, s_BxD):
    return self.model.apply({'params': params}, s_BxD)

  def td_loss(self, params, target_params, b):
    """mean huber(Q(s, a) - y), y = r + gamma (1 - terminated) max_a' Q_target(s', a')."""
    q_sa_B = jnp.take_along_axis(self.q(params, b['obs']), b['action'][:, None], 1)[:, 0]
    q_next_B = self.q(target_params, b['next_obs']).max(-1)
    y_B = jax.lax.stop_gradient(b['reward'] + self.rl.gamma * (1.0 - b['terminated']) * q_next_B)
    err_B = q_sa_B - y_B
    loss_B = rl_models.huber(err_B) if self.rl.loss == 'huber' else 0.5 * err_B ** 2
    return loss_B.mean(), q_sa_B.mean()

  def _iteration(self, carry, key):
    """One env step of every environment, storage, one update (module docstring)."""
    net, extra, step = carry
    r = self.rl
    k_act, k_explore, k_reset, k_sample = jax.random.split(key, 4)
    env, e = extra['env'], r.num_envs
    obs_ExD = env.s_4
    eps = epsilon(r, step)
    greedy_E = jnp.argmax(self.q(net.params, obs_ExD), -1)
    random_E = jax.random.randint(k_act, (e,), 0, cartpole.NUM_ACTIONS)
    action_E = jnp.where(jax.random.bernoulli(k_explore, eps, (e,)), random_E, greedy_E)
    env, tr = jax.vmap(cartpole.step_autoreset)(env, action_E, jax.random.split(k_reset, e))
    done_E = tr['terminated'] | tr['truncated']
    ep_ret_E = extra['ep_return_E'] + tr['reward']
    transitions = {'obs': obs_ExD, 'action': action_E, 'reward': tr['reward'],
                   'next_obs': tr['next_obs'], 'terminated': tr['terminated'].astype(jnp.float32)}
    buf = extra['buffer']
    if r.replay:
      buf = replay.add(buf, transitions)
      batch = replay.sample(buf, k_sample, self.config.data.batch_size)
      ready = buf.size >= r.learning_starts
    else:
      batch, ready = transitions, jnp.bool_(True)
    target = extra['target'] if r.target else net.params
    new_net, q_mean, metrics = kit.gradient_step(
        net, lambda p: self.td_loss(p, target, batch), has_aux=True)
    net = jax.tree.map(lambda a, b: jnp.where(ready, a, b), new_net, net)
    updates = extra['updates'] + ready.astype(jnp.int32)
    tau = r.get('target_tau', 0.0)
    if tau > 0:  # Polyak averaging every update: theta' <- tau theta + (1 - tau) theta'
      synced = jax.tree.map(lambda a, b: tau * a + (1 - tau) * b, net.params, extra['target'])
      sync = ready
    else:  # a hard copy every target_every updates
      synced, sync = net.params, ready & (updates % r.get('target_every', 1) == 0)
    extra = {
        'env': env,
        'ep_return_E': jnp.where(done_E, 0.0, ep_ret_E),
        'last_return_E': jnp.where(done_E, ep_ret_E, extra['last_return_E']),
        'episodes': extra['episodes'] + done_E.sum(),
        'target': jax.tree.map(lambda a, b: jnp.where(sync, a, b), synced, extra['target']),
        'updates': updates,
        'buffer': buf,
    }
    metrics.update({'train/q_mean': q_mean, 'train/epsilon': eps})
    return (net, extra, step + 1), metrics

  def train_step(self, state, batch, rng):
    del batch  # None: the data is generated here
    n = self.rl.inner_steps
    env_step0 = state.step * n  # env steps per environment so far
    (net, extra, _), metrics = jax.lax.scan(
        self._iteration, (state.nets['model'], state.extra, env_step0), jax.random.split(rng, n))
    metrics = jax.tree.map(jnp.mean, metrics)
    metrics['train/episode_return'] = extra['last_return_E'].mean()
    metrics['train/episodes'] = extra['episodes']
    return state.replace(nets={'model': net}, extra=extra), metrics

  def policy(self, state):
    params = state.nets['model'].params
    return lambda s_4: jnp.argmax(self.q(params, s_4[None])[0])

  def evaluate(self, state, arrays, eval_fn, put_batch):
    del eval_fn, put_batch
    return episode_metrics(self.returns(state, arrays['seed']))

  def returns(self, state, seeds):
    """The greedy policy's return on each episode seed (host numpy)."""
    fn = jax.jit(lambda st, keys: jax.vmap(
        lambda k: cartpole.rollout_return(self.policy(st), k))(keys))
    keys = jax.vmap(jax.random.PRNGKey)(jnp.asarray(seeds))
    return np.asarray(fn(state, keys))

  def plots(self, state, workdir, data):
    if self.config.model.name == 'dueling_q_network':
      saliency_plot(self, state, data['test']['seed'][:8], os.path.join(workdir, 'plots'))


def episode_metrics(returns) -> dict:
  returns = np.asarray(returns, np.float64)
  return {'test/return': float(returns.mean()), 'test/return_std': float(returns.std()),
          'test/solved': float((returns >= SOLVED).mean())}


def visited_states(task, state, seeds, steps: int = 200) -> np.ndarray:
  """The observations of the greedy policy's first `steps` steps of each episode (N*steps x 4)."""
  policy = task.policy(state)

  def one(key):
    def body(env, _):
      new, _, _, _, _ = cartpole.step(env, policy(env.s_4))
      return new, env.s_4
    _, obs = jax.lax.scan(body, cartpole.reset(key), None, length=steps)
    return obs
  keys = jax.vmap(jax.random.PRNGKey)(jnp.asarray(seeds))
  return np.asarray(jax.jit(jax.vmap(one))(keys)).reshape(-1, cartpole.OBS_DIM)


def streams_saliency(task, state, obs_NxD):
  """Mean |dV/ds_j| and mean |dA(s, a*)/ds_j| (a* the greedy action) over the states: the Jacobian
  saliency of the dueling network's value and advantage streams, 4 numbers each."""
  params = state.nets['model'].params
  streams = lambda s: task.model.apply({'params': params}, s[None], method='streams')  # pylint: disable=unnecessary-lambda-assignment
  def grads(s):
    v_grad = jax.grad(lambda x: streams(x)[0][0])(s)
    a_star = jnp.argmax(streams(s)[1][0])
    a_grad = jax.grad(lambda x: streams(x)[1][0, a_star])(s)
    return v_grad, a_grad
  v_NxD, a_NxD = jax.jit(jax.vmap(grads))(jnp.asarray(obs_NxD))
  return np.abs(np.asarray(v_NxD)).mean(0), np.abs(np.asarray(a_NxD)).mean(0)


def saliency_plot(task, state, seeds, out_dir) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top,unused-import  (selects Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  obs = visited_states(task, state, seeds)
  v_D, a_D = streams_saliency(task, state, obs)
  names = ['x', 'x_dot', 'theta', 'theta_dot']
  fig, ax = plt.subplots(figsize=(5.0, 3.2))
  pos = np.arange(len(names))
  ax.bar(pos - 0.2, v_D, 0.4, label='value |dV/ds|')
  ax.bar(pos + 0.2, a_D, 0.4, label='advantage |dA(s,a*)/ds|')
  ax.set_xticks(pos, names)
  ax.set_ylabel('mean |Jacobian| over visited states')
  ax.set_title('dueling DQN saliency (CartPole)')
  ax.legend(fontsize=8)
  fig.tight_layout()
  os.makedirs(out_dir, exist_ok=True)
  path = os.path.join(out_dir, 'dueling_saliency.png')
  fig.savefig(path, dpi=110)
  plt.close(fig)
  return path
