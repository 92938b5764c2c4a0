r"""Fashion-MNIST DenseNet-BC: conv3x3 stem (2k channels; cpu preset: then a 2x2 max pool), three dense
blocks of bottleneck layers BN-ReLU-conv1x1(4k)-BN-ReLU-conv3x3(k) with concatenation, transitions
BN-ReLU-conv1x1 (compression 0.5)-avgpool 2 between them (cpu: 14 -> 7 -> 3; full: 28 -> 14 -> 7),
BN-ReLU, global average pool, dense.

  python -m experiments.train --config=configs/vision/fmnist_densenet.py:cpu --workdir=runs/fmnist_densenet

Reference: 95.4 % test accuracy (DenseNet-BC, 768K params, standard crop+flip augmentation;
fashion-mnist README row; REFERENCES.md §1).
cpu preset: NOT YET MEASURED (estimated ~14.5 min from measured ms/step: 225 ms per train step at
  batch 128 x 3,750 steps (8 epochs) + 4 evaluations of the 10k test images at 4.8 s; without the
  stem pool a step takes ~5x longer; measured on a 2-core Intel Xeon (this machine's CPU, jax 0.10.2
  CPU), 2026-11-25, quiet machine, niced).
full preset: DenseNet-BC-100's 16-layer blocks with k=12 at 28x28 (no stem pool): 768,730 params,
  the reference's 768K; for a GPU/TPU.
"""
from configs import common


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='fmnist_densenet', task='classification')
  config.data.name = 'fashion_mnist'
  config.model.name = 'densenet'
  config.model.blocks = {'smoke': (1, 1), 'cpu': (4, 4, 4), 'full': (16, 16, 16)}[preset]
  config.model.growth = {'smoke': 4, 'cpu': 12, 'full': 12}[preset]
  config.model.compression = 0.5
  config.model.stem_pool = preset != 'full'  # blocks at 14, 7, 3: 5x faster on a CPU (memory-bound)
  common.adam_warmup_cosine(config, preset, lr=2e-3)
  common.preset(config, preset,
                smoke=common.FMNIST_SMOKE,
                cpu=dict(epochs=8, batch_size=128, eval_every=1000),
                full=dict(epochs=100, batch_size=64, eval_every=2000))
  return config
