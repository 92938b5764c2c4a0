r"""REINFORCE on CartPole (our JAX CartPole-v1) with a learned value baseline b(s) = V(s) (Williams
1992; seed 000 M57): a 4-64-64-2 policy and a separate 4-64-64-1 critic (dljax.models.rl.PolicyValue).

  python -m experiments.train --config=configs/rl/reinforce_cartpole.py:cpu --workdir=runs/reinforce

One train step = 8 complete episodes (Monte-Carlo returns to go, gamma 0.99) and one Adam update
(lr 1e-3). Every step also logs train/grad_var_none and train/grad_var_value: the variance over the
8 episodes of the per-episode policy gradient without and with the baseline, on the same episodes.
Variant no_baseline: b = 0 (the critic is not used). cpu preset: 400 steps = 3,200 episodes.
Reference: an expectation (no published number at this budget): REINFORCE with a baseline reaches
the 475 line on CartPole-v1 within a few thousand episodes, without it more slowly and noisily.
"""
from configs import common

VARIANTS = {
    'no_baseline': ({'pg.baseline': 'none'}, common.no_reference(
        'REINFORCE with b = 0 on the same budget: the comparison for the baseline (same seeds)')),
}


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='reinforce_cartpole', task='policy_gradient')
  config.data.name = 'cartpole'
  config.data.eval_episodes = 20
  config.data.batch_size = 8  # unused (episodes are generated in the step); kept divisible
  config.data.eval_batch_size = 8
  config.model.name = 'policy_value'
  config.model.hidden = (64, 64)
  config.model.num_actions = 2
  config.optim.name = 'adam'
  config.optim.lr = 1e-3
  config.rl = dict(num_envs=8, inner_steps=1, gamma=0.99)
  config.pg = dict(method='reinforce', baseline='value', value_coef=0.5)
  config.reference = common.reference(
      'test/return', (400.0, 500.0), unit='',
      source='expectation: REINFORCE + value baseline near the 475 "solved" line of CartPole-v1 '
      'after ~3,000 episodes (Gymnasium reward_threshold 475)')
  common.preset(config, preset,
                smoke=dict(steps=3, log_every=1),
                cpu=dict(steps=400, log_every=10, eval_every=100, checkpoint_every=100),
                full=dict(steps=1500, log_every=10, eval_every=100, checkpoint_every=100))
  if preset == 'smoke':
    config.rl.num_envs = 2
    config.data.eval_episodes = 2
  return config
