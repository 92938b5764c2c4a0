r"""Fashion-MNIST LeNet-5: conv5x5-6 (pad 2) - pool - conv5x5-16 - pool - FC120 - FC84 - FC10 (61,706
params), ReLU and max pooling (--config.model.act=tanh --config.model.pool=avg: the original's).

  python -m experiments.train --config=configs/vision/fmnist_lenet.py:cpu --workdir=runs/fmnist_lenet

Reference: 91.0 % test accuracy (LeNet-5, 60K params, deterministic; google/uncertainty-baselines
baselines/mnist README, 10 min on 1x P100; REFERENCES.md §1).
MEASURED (cpu preset: Adam 1e-3, warm-up + cosine, batch 128, 30 epochs = 14,063 steps, seed 0;
2-core Intel Xeon, jax 0.10.2 CPU; the first minute shared with a test run): test accuracy 90.94 %,
test loss 0.291; 248 s of training, 257 s for the whole command.
full preset: longer training for a GPU/TPU.
"""
from configs import common

_LENET = 'REFERENCES.md §1: LeNet-5 (60K params) 91.0 % (google/uncertainty-baselines)'
# the original activation and pooling (experiments.reproduce runs it; by hand: the overrides)
VARIANTS = {
    'original': ({'model.act': 'tanh', 'model.pool': 'avg'}, common.reference(
        'test/accuracy', (0.88, 0.92), value=0.91, source=_LENET + '; expectation: tanh and '
        'average pooling train a little slower than ReLU and max')),
}


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='fmnist_lenet', task='classification')
  config.data.name = 'fashion_mnist'
  config.model.name = 'lenet'
  config.model.features = (6, 16)
  config.model.dense = (120, 84)
  config.model.act = 'relu'
  config.model.pool = 'max'
  common.adam_warmup_cosine(config, preset, lr=1e-3)
  config.reference = common.reference('test/accuracy', (0.90, 0.92), value=0.91,
                                      source=_LENET + ', ±1 point')
  common.preset(config, preset,
                smoke=common.FMNIST_SMOKE,
                cpu=dict(epochs=30, batch_size=128, eval_every=2000),
                full=dict(epochs=60, batch_size=128, eval_every=2000))
  return config
