r"""DQN on CartPole (our JAX CartPole-v1, parity-tested against gymnasium): a 4-64-64-2 Q-network,
replay buffer, target network, Huber loss, eps-greedy (Mnih et al. 2015; seed 003 §1.11).

  python -m experiments.train --config=configs/rl/dqn_cartpole.py:cpu --workdir=runs/dqn_cartpole

One train step = rl.inner_steps iterations of (8 cart-poles act eps-greedily, 8 transitions into the
50,000-slot ring buffer, one Adam update on 128 sampled transitions); the target network is synced
every 250 updates; eps decays 1 -> 0.05 over the first 8,000 iterations (64,000 env steps).
cpu preset: 800 steps x 25 = 20,000 updates, 160,000 env steps.
Variants: naive (no replay, no target: each update on the 8 fresh transitions, the online net as
its own target), dueling (Q = V + A - mean A; plots/dueling_saliency.png), mse (no Huber).
Reference: REFERENCES.md §13, CleanRL dqn_jax reaches 500.00 ± 0.00 after 5e5 env steps; at our
3x smaller budget the band is an expectation (see docs/rl/notes.md), measured numbers on the
results page (docs/rl/README.md).
"""
from configs import common

VARIANTS = {
    'naive': ({'rl.replay': False, 'rl.target': False}, common.no_reference(
        'the comparison for DQN: online Q-learning with a network, no replay and no target; the '
        'notes predict oscillation and divergence, so a return well below DQN is the expectation')),
    'dueling': ({'model.name': 'dueling_q_network'}, common.no_reference(
        'the dueling head at the same budget (plots/dueling_saliency.png: where V and A look)')),
    'mse': ({'rl.loss': 'mse'}, common.no_reference(
        'DQN with the squared TD error instead of the Huber loss (the ablation of the Huber term)')),
}


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='dqn_cartpole', task='dqn')
  config.data.name = 'cartpole'
  config.data.eval_episodes = 20
  config.data.batch_size = 128  # replay batch
  config.data.eval_batch_size = 20  # unused: evaluation runs whole episodes
  config.model.name = 'q_network'
  config.model.hidden = (64, 64)
  config.model.num_actions = 2
  config.optim.name = 'adam'
  config.optim.lr = 5e-4
  config.rl = dict(num_envs=8, inner_steps=25, gamma=0.99, replay=True, target=True,
                   buffer_size=50_000, learning_starts=1_000, target_every=250, target_tau=0.0,
                   loss='huber',
                   eps_start=1.0, eps_end=0.05, eps_decay=8_000)
  config.reference = common.reference(
      'test/return', (400.0, 500.0), value=500.0, unit='',
      source='REFERENCES.md §13: CleanRL DQN (JAX) 500.00 ± 0.00 on CartPole-v1 after 5e5 env '
      'steps; expectation at 1.6e5 env steps: near the 475 "solved" line, DQN being unstable')
  common.preset(config, preset,
                smoke=dict(steps=4, log_every=1),
                cpu=dict(steps=800, log_every=20, eval_every=200, checkpoint_every=200),
                full=dict(steps=2500, log_every=20, eval_every=250, checkpoint_every=250))
  if preset == 'smoke':
    config.rl.update(inner_steps=5, buffer_size=256, learning_starts=64, target_every=5,
                     eps_decay=10)
    config.data.batch_size = 32
    config.data.eval_episodes = 2
  return config
