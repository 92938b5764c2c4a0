r"""DQN on CartPole (our JAX CartPole-v1, parity-tested against gymnasium): a 4-120-84-2 Q-network,
replay buffer, target network, eps-greedy (Mnih et al. 2015; seed 003 §1.11), set up as CleanRL's
dqn_jax (REFERENCES.md §13) on a smaller budget.

  python -m experiments.train --config=configs/rl/dqn_cartpole.py:cpu --workdir=runs/dqn_cartpole

One train step = rl.inner_steps = 25 iterations of (8 cart-poles act eps-greedily, their 8
transitions go into the 10,000-slot ring buffer, one Adam update (lr 2.5e-4) on 128 sampled
transitions once 10,000 are stored); the target network is copied every 62 updates (~500 env
steps, CleanRL's); eps decays 1 -> 0.05 over 30,000 iterations (240,000 env steps); gamma 0.99.
cpu preset: 1,600 steps = 40,000 updates, 320,000 env steps.
The loss is the squared TD error (CleanRL's); variant huber uses the notes' Huber loss. Measured
while building (seed 0, validation episodes): squared error 500 at 1,200 steps; Huber with the
same settings diverged (Q -> 1e6, a constant action, return 9.2). docs/rl/notes.md has the history.
Variants: naive (no replay, no target: each update on the 8 fresh transitions, the online net as
its own target), dueling (Q = V + A - mean A; plots/dueling_saliency.png), huber.
Reference: CleanRL dqn_jax 500.00 ± 0.00 after 5e5 env steps; ours runs 3.2e5.
"""
from configs import common

VARIANTS = {
    'naive': ({'rl.replay': False, 'rl.target': False}, common.no_reference(
        'the comparison for DQN: online Q-learning with a network, no replay and no target; the '
        'notes predict oscillation and divergence, so a return well below DQN is the expectation')),
    'dueling': ({'model.name': 'dueling_q_network'}, common.no_reference(
        'the dueling head at the same budget (plots/dueling_saliency.png: where V and A look)')),
    'huber': ({'rl.loss': 'huber'}, common.no_reference(
        'DQN with the Huber loss of the notes instead of the squared TD error, same settings')),
}


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='dqn_cartpole', task='dqn')
  config.data.name = 'cartpole'
  config.data.eval_episodes = 20
  config.data.batch_size = 128  # replay batch
  config.data.eval_batch_size = 20  # unused: evaluation runs whole episodes
  config.model.name = 'q_network'
  config.model.hidden = (120, 84)
  config.model.num_actions = 2
  config.optim.name = 'adam'
  config.optim.lr = 2.5e-4
  config.rl = dict(num_envs=8, inner_steps=25, gamma=0.99, replay=True, target=True,
                   buffer_size=10_000, learning_starts=10_000, target_every=62, target_tau=0.0,
                   loss='mse', eps_start=1.0, eps_end=0.05, eps_decay=30_000)
  config.reference = common.reference(
      'test/return', (450.0, 500.0), value=500.0, unit='',
      source='REFERENCES.md §13: CleanRL DQN (JAX) 500.00 ± 0.00 on CartPole-v1 after 5e5 env '
      'steps; at 3.2e5 env steps the expectation is at or near it (475 = "solved")')
  common.preset(config, preset,
                smoke=dict(steps=4, log_every=1),
                cpu=dict(steps=1600, log_every=20, eval_every=400, checkpoint_every=400),
                full=dict(steps=2500, log_every=20, eval_every=250, checkpoint_every=250))
  if preset == 'smoke':
    config.rl.update(inner_steps=5, buffer_size=256, learning_starts=64, target_every=5,
                     eps_decay=10)
    config.data.batch_size = 32
    config.data.eval_episodes = 2
  return config
