r"""Mean teacher on 1-D regression: a 1-64-64-1 tanh MLP (student) trained on y = sin(3x) + x/2 +
noise and to agree with its EMA teacher (tau 0.99) on noisy inputs (sigma 0.05).

  python -m experiments.train --config=configs/self_supervised/mean_teacher_1d.py:cpu --workdir=runs/mean_teacher

Reported: test/loss (student MSE) and test/loss_teacher (the EMA weights; chooses best/) on 1024
test points (dljax.train.tasks.ema). The noise floor is 0.01 (noise std 0.1). Not yet measured.
"""
from configs import common


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='mean_teacher_1d', task='mean_teacher')
  config.data.name = 'toy_regression1d'
  config.model.name = 'mlp'
  config.model.hidden = (64, 64)
  config.model.act = 'tanh'
  config.model.num_outputs = 1
  config.ema = dict(decay=0.99, consistency=1.0, noise=0.05)
  config.optim.name = 'adam'
  config.optim.lr = 3e-3
  config.reference = common.reference(
      'test/loss_teacher', (0.009, 0.012), unit='', source='expectation: a smooth 1-D fit from '
      '1792 points nears the noise floor 0.01 (noise std 0.1; ±0.0004 over 1024 test points)')
  common.preset(config, preset,
                smoke=dict(steps=10, batch_size=64, eval_batch_size=512),
                cpu=dict(steps=3000, batch_size=128, eval_batch_size=1024, eval_every=500),
                full=dict(steps=10000, batch_size=128, eval_batch_size=1024, eval_every=1000))
  return config
