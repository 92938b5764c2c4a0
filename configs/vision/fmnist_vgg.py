r"""Fashion-MNIST mini-VGG: stages of 2 x (conv3x3-ReLU) then 2x2 max pool (28 -> 14 -> 7 -> 3), then
FC-ReLU-dropout-FC-ReLU-dropout-FC.

  python -m experiments.train --config=configs/vision/fmnist_vgg.py:cpu --workdir=runs/fmnist_vgg

Reference: none for VGG itself in REFERENCES.md §1; the small-CNN anchor band there is 91-93.5 %
(2 conv + pool 91.6 %, 2 conv + BN + 3 FC with augmentation 93.43 %).
cpu preset: NOT YET MEASURED (estimated ~11 min from measured ms/step: 286 ms per train step at
  batch 128 x 2,344 steps (5 epochs) + 3 evaluations of the 10k test images at 2.8 s; measured on a
  2-core Intel Xeon (this machine's CPU, jax 0.10.2 CPU), 2026-11-25, quiet machine, niced).
full preset: the VGG-sized widths (64, 128, 256; FC 512) for a GPU/TPU.
"""
from configs import common


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='fmnist_vgg', task='classification')
  config.data.name = 'fashion_mnist'
  config.model.name = 'vgg'
  config.model.stages = {'smoke': ((8, 1), (16, 1)),
                         'cpu': ((32, 2), (64, 2), (128, 2)),
                         'full': ((64, 2), (128, 2), (256, 2))}[preset]
  config.model.dense = {'smoke': (32, 32), 'cpu': (256, 256), 'full': (512, 512)}[preset]
  config.model.dropout = 0.5
  common.adam_warmup_cosine(config, preset, lr=1e-3)
  common.preset(config, preset,
                smoke=common.FMNIST_SMOKE,
                cpu=dict(epochs=5, batch_size=128, eval_every=1000),
                full=dict(epochs=40, batch_size=128, eval_every=2000))
  return config
