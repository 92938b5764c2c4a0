"""Policy-gradient methods on the JAX CartPole (dljax.data.cartpole): REINFORCE with and without a
baseline (Williams 1992; seed 000 M57) and advantage actor-critic (A2C, Mnih et al. 2016).

  score function   grad_theta J = E[ sum_t grad_theta log pi(a_t|s_t) (G_t - b(s_t)) ]
  REINFORCE        G_t = sum_{k>=t} gamma^(k-t) r_k, the Monte-Carlo return to go of a whole
                   episode; pg.baseline='value': b(s) = V_w(s), a critic fitted to G_t by
                   (1/2)(G_t - V_w(s_t))^2 (any b(s) leaves the gradient unbiased and can lower its
                   variance); pg.baseline='none': b = 0
  A2C              pg.method='a2c': n-step rollouts (pg.rollout steps) from environments that
                   persist across train steps; R_t = r_t + gamma R_{t+1}, bootstrapped with
                   V_w(s') at the rollout's end and at a truncation (the 500-step limit), 0 after a
                   termination; advantage A_t = R_t - V_w(s_t); loss = -log pi A + c_v (1/2)(R -
                   V)^2 - c_H H(pi)
One train step: REINFORCE plays rl.num_envs complete episodes (reset at the start of the step, a
scan of 500 steps, masked after the end); A2C plays pg.rollout steps of rl.num_envs environments
whose states (and running returns) live in TrainState.extra. Both then make one Adam update.

Variance of the estimator (REINFORCE): every step also computes the per-episode policy gradient
g_e with b = 0 and with b = V_w on the same episodes and logs train/grad_var_none and
train/grad_var_value = mean over parameters of Var_e[g_e] (the baseline's variance reduction on
identical data). Evaluation as task=dqn: the greedy policy argmax_a pi(a|s) on the fixed episodes
(test/return, test/return_std, test/solved).
"""
import jax
import jax.numpy as jnp
from jax.flatten_util import ravel_pytree

from dljax import models
from dljax.data import cartpole
from dljax.errors import ConfigError
from dljax.train import kit
from dljax.train.tasks import rl as rl_task
from dljax.train.tasks.base import Task

METHODS = ('reinforce', 'a2c')
BASELINES = ('none', 'value')


def nstep_returns(reward_TxE, terminated_TxE, truncated_TxE, v_next_TxE, gamma: float):
  """R_t = r_t + gamma (1 - terminated_t) B_t with B_t = V(s'_t) at the rollout's last step and
  at a truncation, else R_{t+1} (the next step of the same episode)."""
  t, e = reward_TxE.shape
  last_TxE = jnp.broadcast_to((jnp.arange(t) == t - 1)[:, None], (t, e))

  def body(r_next_E, x):
    r, term, trunc, vn, last = x
    boot = jnp.where(last | (trunc > 0), vn, r_next_E)
    r_E = r + gamma * (1.0 - term) * boot
    return r_E, r_E
  _, ret_TxE = jax.lax.scan(body, jnp.zeros(e), (reward_TxE, terminated_TxE, truncated_TxE,
                                                  v_next_TxE, last_TxE), reverse=True)
  return ret_TxE


class PolicyGradient(Task):
  """REINFORCE (+ baseline) or A2C with a PolicyValue network."""

  best_metric = 'return'
  best_mode = 'max'
  load_data = rl_task.DQN.load_data
  num_train = rl_task.DQN.num_train
  train_batches = rl_task.DQN.train_batches

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    self.model = models.build(config.model)
    self.rl, self.pg = config.rl, config.pg

  @classmethod
  def check_config(cls, config):
    super().check_config(config)
    rl_task.check_rl(config)
    if 'pg' not in config or config.pg.get('method') not in METHODS:
      raise ConfigError(f'task=policy_gradient needs pg.method in {METHODS}.')
    if config.pg.get('baseline', 'value') not in BASELINES:
      raise ConfigError(f'pg.baseline={config.pg.baseline!r} is unknown; use one of {BASELINES}.')
    if config.model.name != 'policy_value':
      raise ConfigError("task=policy_gradient needs model.name='policy_value' (policy + critic).")

  def init(self, rng, batch):
    del batch
    k_net, k_env = jax.random.split(rng)
    state = kit.init_single(self.model, k_net, (jnp.zeros((1, cartpole.OBS_DIM)),),
                            self.config.optim, self.total_steps, rng_names=('params',))
    e = self.rl.num_envs
    extra = {'env': jax.vmap(cartpole.reset)(jax.random.split(k_env, e)),
             'ep_return_E': jnp.zeros(e), 'last_return_E': jnp.zeros(e),
             'episodes': jnp.int32(0)}
    return state.replace(extra=extra)

  def apply(self, params, s_NxD):
    return self.model.apply({'params': params}, s_NxD)

  def _act(self, params, rng, s_ExD):
    logits_ExA, _ = self.apply(params, s_ExD)
    return jax.random.categorical(rng, logits_ExA)

  # ---- REINFORCE ---------------------------------------------------------------------------------

  def episodes(self, params, rng, e=None):
    """E whole episodes from fresh resets: obs TxExD, action TxE, reward TxE, alive TxE (1 while
    the episode runs), T = 500; E = rl.num_envs unless given."""
    e = e or self.rl.num_envs
    k_reset, k_run = jax.random.split(rng)
    env0 = jax.vmap(cartpole.reset)(jax.random.split(k_reset, e))

    def body(carry, key):
      env, alive_E = carry
      a_E = self._act(params, key, env.s_4)
      new, _, r_E, term_E, trunc_E = jax.vmap(cartpole.step)(env, a_E)
      out = {'obs': env.s_4, 'action': a_E, 'reward': r_E * alive_E, 'alive': alive_E}
      return (new, alive_E * (1.0 - (term_E | trunc_E))), out
    _, traj = jax.lax.scan(body, (env0, jnp.ones(e)), jax.random.split(k_run, cartpole.MAX_STEPS))
    return traj

  def returns_to_go(self, reward_TxE):
    def body(g_E, r_E):
      g_E = r_E + self.rl.gamma * g_E
      return g_E, g_E
    _, g_TxE = jax.lax.scan(body, jnp.zeros(reward_TxE.shape[1]), reward_TxE, reverse=True)
    return g_TxE

  def reinforce_loss(self, params, traj, g_TxE, use_baseline: bool):
    """-(1/E) sum_{t,e} alive log pi(a|s) (G - b(s)) + (1/E) sum alive (1/2)(G - V)^2."""
    t, e = traj['action'].shape
    logits, v = self.apply(params, traj['obs'].reshape(t * e, -1))
    logp_TxE = jnp.take_along_axis(jax.nn.log_softmax(logits), traj['action'].reshape(-1, 1),
                                   1).reshape(t, e)
    v_TxE = v.reshape(t, e)
    b_TxE = jax.lax.stop_gradient(v_TxE) if use_baseline else 0.0
    pg = -(traj['alive'] * logp_TxE * (g_TxE - b_TxE)).sum() / e
    value = (traj['alive'] * 0.5 * (g_TxE - v_TxE) ** 2).sum() / e
    return pg + self.pg.get('value_coef', 0.5) * value * use_baseline, (pg, value)

  def gradient_variance(self, params, traj, g_TxE, use_baseline: bool):
    """mean over policy parameters of the variance over the E episodes of each episode's
    policy-gradient estimate."""
    def one(obs, action, alive, g):
      one_traj = {'obs': obs[:, None], 'action': action[:, None], 'alive': alive[:, None]}
      grads = jax.grad(lambda p: self.reinforce_loss(p, one_traj, g[:, None], use_baseline)[1][0])(
          params)
      return ravel_pytree(grads)[0]
    g_ExP = jax.vmap(one, in_axes=(1, 1, 1, 1))(traj['obs'], traj['action'], traj['alive'], g_TxE)
    policy_mask = jnp.abs(g_ExP).sum(0) > 0  # the critic's parameters get no policy gradient
    return (g_ExP.var(0) * policy_mask).sum() / jnp.maximum(policy_mask.sum(), 1)

  # ---- A2C ---------------------------------------------------------------------------------------

  def a2c_rollout(self, params, extra, rng):
    def body(carry, key):
      env, ep_ret, last_ret, episodes = carry
      k_act, k_reset = jax.random.split(key)
      a_E = self._act(params, k_act, env.s_4)
      nxt, tr = jax.vmap(cartpole.step_autoreset)(env, a_E, jax.random.split(k_reset, a_E.shape[0]))
      done = tr['terminated'] | tr['truncated']
      ep_ret = ep_ret + tr['reward']
      out = {'obs': env.s_4, 'action': a_E, 'reward': tr['reward'], 'next_obs': tr['next_obs'],
             'terminated': tr['terminated'].astype(jnp.float32),
             'truncated': tr['truncated'].astype(jnp.float32)}
      carry = (nxt, jnp.where(done, 0.0, ep_ret), jnp.where(done, ep_ret, last_ret),
               episodes + done.sum())
      return carry, out
    init = (extra['env'], extra['ep_return_E'], extra['last_return_E'], extra['episodes'])
    (env, ep_ret, last_ret, episodes), traj = jax.lax.scan(
        body, init, jax.random.split(rng, self.pg.rollout))
    return traj, {'env': env, 'ep_return_E': ep_ret, 'last_return_E': last_ret,
                  'episodes': episodes}

  def a2c_loss(self, params, traj):
    t, e = traj['action'].shape
    logits, v = self.apply(params, traj['obs'].reshape(t * e, -1))
    _, v_next = self.apply(params, traj['next_obs'].reshape(t * e, -1))
    v_TxE, v_next_TxE = v.reshape(t, e), jax.lax.stop_gradient(v_next.reshape(t, e))
    ret_TxE = nstep_returns(traj['reward'], traj['terminated'], traj['truncated'], v_next_TxE,
                            self.rl.gamma)
    ret_TxE = jax.lax.stop_gradient(ret_TxE)
    adv_TxE = ret_TxE - jax.lax.stop_gradient(v_TxE)
    logp_N = jax.nn.log_softmax(logits)
    logp_TxE = jnp.take_along_axis(logp_N, traj['action'].reshape(-1, 1), 1).reshape(t, e)
    entropy = -(jnp.exp(logp_N) * logp_N).sum(-1).mean()
    pg = -(logp_TxE * adv_TxE).mean()
    value = (0.5 * (ret_TxE - v_TxE) ** 2).mean()
    loss = pg + self.pg.get('value_coef', 0.5) * value - self.pg.get('entropy_coef', 0.01) * entropy
    return loss, (pg, value)

  # ---- the step ----------------------------------------------------------------------------------

  def train_step(self, state, batch, rng):
    del batch
    net = state.nets['model']
    if self.pg.method == 'reinforce':
      traj = self.episodes(net.params, rng)
      g_TxE = self.returns_to_go(traj['reward'])
      use_b = self.pg.baseline == 'value'
      net, (pg, value), metrics = kit.gradient_step(
          net, lambda p: self.reinforce_loss(p, traj, g_TxE, use_b), has_aux=True)
      ret_E = traj['reward'].sum(0)
      e = self.rl.num_envs
      extra = {**state.extra, 'last_return_E': ret_E, 'episodes': state.extra['episodes'] + e}
      metrics['train/grad_var_none'] = self.gradient_variance(state.nets['model'].params, traj,
                                                              g_TxE, False)
      metrics['train/grad_var_value'] = self.gradient_variance(state.nets['model'].params, traj,
                                                               g_TxE, True)
    else:
      traj, extra = self.a2c_rollout(net.params, state.extra, rng)
      net, (pg, value), metrics = kit.gradient_step(
          net, lambda p: self.a2c_loss(p, traj), has_aux=True)
    metrics.update({'train/pg_loss': pg, 'train/value_loss': value,
                    'train/episode_return': extra['last_return_E'].mean(),
                    'train/episodes': extra['episodes']})
    return state.replace(nets={'model': net}, extra=extra), metrics

  def policy(self, state):
    params = state.nets['model'].params
    return lambda s_4: jnp.argmax(self.apply(params, s_4[None])[0][0])

  def evaluate(self, state, arrays, eval_fn, put_batch):
    """The greedy policy's returns; for REINFORCE also the variance of the per-episode policy
    gradient with b = 0 and b = V on len(seeds) sampled episodes of the current policy
    (test/grad_var_none, test/grad_var_value and their ratio value / none)."""
    del eval_fn, put_batch
    metrics = rl_task.episode_metrics(rl_task.DQN.returns(self, state, arrays['seed']))
    if self.pg.method == 'reinforce':
      n = len(arrays['seed'])

      @jax.jit
      def variances(params, key):
        traj = self.episodes(params, key, n)
        g_TxE = self.returns_to_go(traj['reward'])
        return (self.gradient_variance(params, traj, g_TxE, False),
                self.gradient_variance(params, traj, g_TxE, True))
      none, value = variances(state.nets['model'].params,
                              jax.random.PRNGKey(int(arrays['seed'][0])))
      metrics.update({'test/grad_var_none': float(none), 'test/grad_var_value': float(value),
                      'test/grad_var_ratio': float(value) / max(float(none), 1e-30)})
    return metrics



