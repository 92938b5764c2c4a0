r"""1-D regression with one hidden layer (seed 003 §1.3, universal approximation): the network
  g(x) = sum_i u_i a(w_i x + b_i) + b        (the notes print a(w_i + b_i): the input x is missing)
is a 1-H-1 tanh MLP; trained by mean squared error on toy_regression1d, y = sin(3x) + x/2 + noise
(std 0.1), x uniform in [-2, 2]: 1,792 training, 256 validation and 1,024 test points.

  python -m experiments.train --config=configs/basics/regression1d.py:cpu --workdir=runs/regression1d
  python -m experiments.study basics/universal_approximation --workdir=runs/universal_approximation

cpu preset: width 64, Adam lr 0.1 (100 warm-up steps, cosine to 0; lr 0.01 and 0.03 end higher on
val/loss), batch 128, 3000 steps. Measured (seed 0, 2-core CPU, 5 s of training, 2026-12-05):
val MSE 0.0100, test MSE 0.0116 (the noise floor is 0.01). Width and depth sweeps:
experiments/basics/universal_approximation.py; results in docs/basics/notes.md.
"""
from configs import common


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='regression1d', task='classification')
  config.data.name = 'toy_regression1d'
  config.loss = 'mse'  # (g(x) - y)^2; best/ is chosen on val/loss
  config.model.name = 'mlp'
  config.model.hidden = (64,)
  config.model.act = 'tanh'
  config.model.num_outputs = 1
  common.adam_warmup_cosine(config, preset, lr=0.1, warmup_steps=100)  # decays the Adam noise
  config.reference = common.reference(
      'test/loss', (0.0095, 0.013), unit='', source='expectation: the noise floor is 0.01 (noise '
      'std 0.1; ±0.0004 over 1024 test points); a smooth 64-unit fit from 1792 points nears it')
  common.preset(config, preset,
                smoke=dict(steps=10, batch_size=64, eval_batch_size=512),
                cpu=dict(steps=3000, batch_size=128, eval_batch_size=1024, eval_every=1000,
                         log_every=100),
                full=dict(steps=20000, batch_size=128, eval_batch_size=1024, eval_every=2000,
                          log_every=100))
  return config
