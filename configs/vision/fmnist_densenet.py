r"""Fashion-MNIST DenseNet-BC: conv3x3 stem (2k channels; cpu preset: then a 2x2 max pool), three dense
blocks of bottleneck layers BN-ReLU-conv1x1(4k)-BN-ReLU-conv3x3(k) with concatenation, transitions
BN-ReLU-conv1x1 (compression 0.5)-avgpool 2 between them (cpu: 14 -> 7 -> 3; full: 28 -> 14 -> 7),
BN-ReLU, global average pool, dense.

  python -m experiments.train --config=configs/vision/fmnist_densenet.py:cpu --workdir=runs/fmnist_densenet

Reference: 95.4 % test accuracy (DenseNet-BC, 768K params, standard crop+flip augmentation;
fashion-mnist README row; REFERENCES.md §1).
cpu preset: 102,298 params, 8 epochs = 3750 steps at batch 128.
MEASURED (cpu preset, seed 0; 2-core Intel Xeon, jax 0.10.2 CPU, alone on the machine): test
  accuracy 92.90 % (test loss 0.205; 89.41 / 91.93 / 92.73 % at steps 1000 / 2000 / 3000) in 930 s
  of training (4.03 steps/s).
full preset: DenseNet-BC-100's 16-layer blocks with k=12 at 28x28 (no stem pool): 768,730 params,
  the reference's 768K; for a GPU/TPU.
"""
from configs import common

_ANCHOR_102K = ('REFERENCES.md §1: DenseNet-BC 768K 95.4 % with augmentation; this 102k one '
               'without augmentation: the small-CNN anchor band 91-93.5 %')


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='fmnist_densenet', task='classification')
  config.data.name = 'fashion_mnist'
  config.model.name = 'densenet'
  config.model.blocks = {'smoke': (1, 1), 'cpu': (4, 4, 4), 'full': (16, 16, 16)}[preset]
  config.model.growth = {'smoke': 4, 'cpu': 12, 'full': 12}[preset]
  config.model.compression = 0.5
  config.model.stem_pool = preset != 'full'  # blocks at 14, 7, 3: 5x faster on a CPU (memory-bound)
  common.adam_warmup_cosine(config, preset, lr=2e-3)
  if preset == 'full':   # the reference's size, but without its crop + flip augmentation
    config.reference = common.reference(
        'test/accuracy', (0.935, 0.955), value=0.954, source='REFERENCES.md §1: DenseNet-BC 768K '
        '95.4 % with crop + flip augmentation (none here)')
  else:
    config.reference = common.reference(
        'test/accuracy', (0.91, 0.935), value=0.954, source=_ANCHOR_102K)
  common.preset(config, preset,
                smoke=common.FMNIST_SMOKE,
                cpu=dict(epochs=8, batch_size=128, eval_every=1000),
                full=dict(epochs=100, batch_size=64, eval_every=2000))
  return config
