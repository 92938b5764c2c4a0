r"""Fashion-MNIST LeNet-5: conv5x5-6 (pad 2) - pool - conv5x5-16 - pool - FC120 - FC84 - FC10 (61,706
params), ReLU and max pooling (--config.model.act=tanh --config.model.pool=avg: the original's).

  python -m experiments.train --config=configs/vision/fmnist_lenet.py:cpu --workdir=runs/fmnist_lenet

Reference: 91.0 % test accuracy (LeNet-5, 60K params, deterministic; google/uncertainty-baselines
baselines/mnist README, 10 min on 1x P100; REFERENCES.md §1).
cpu preset: NOT YET MEASURED (estimated ~3.5 min from measured ms/step: 14.2 ms per train step at
  batch 128 x 14,063 steps (30 epochs) + 8 evaluations of the 10k test images at 0.5 s; measured on
  a 2-core Intel Xeon (this machine's CPU, jax 0.10.2 CPU), 2026-11-25, quiet machine, niced).
full preset: longer training for a GPU/TPU.
"""
from configs import common


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='fmnist_lenet', task='classification')
  config.data.name = 'fashion_mnist'
  config.model.name = 'lenet'
  config.model.features = (6, 16)
  config.model.dense = (120, 84)
  config.model.act = 'relu'
  config.model.pool = 'max'
  common.adam_warmup_cosine(config, preset, lr=1e-3)
  common.preset(config, preset,
                smoke=common.FMNIST_SMOKE,
                cpu=dict(epochs=30, batch_size=128, eval_every=2000),
                full=dict(epochs=60, batch_size=128, eval_every=2000))
  return config
