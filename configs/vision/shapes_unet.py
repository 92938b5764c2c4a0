r"""Segmentation of the generated shapes dataset (circles, squares, triangles on noisy 32x32
backgrounds, 4 classes with background) with a U-Net; test mean IoU and pixel accuracy.
Without skips: --config.model.skips=False.

  python -m experiments.train --config=configs/vision/shapes_unet.py:cpu --workdir=runs/shapes_unet
  python -m experiments.train --config=configs/vision/shapes_unet.py:cpu --workdir=runs/shapes_unet_noskip \
      --config.model.skips=False

cpu preset: widths (16, 32, 64), 117,124 params (105,604 without skips), Adam 2e-3, batch 64, 360
steps. Expected (seed 0, 2-core Xeon, shared): mean IoU 0.689 with skips (118 s), 0.744 without
(112 s). Reference: none (generated data). Per-class IoU: docs/vision/README.md.
"""
from configs import common
from dljax.data import shapes


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='shapes_unet', task='segment')
  config.data.name = 'shapes'
  config.class_names = shapes.CLASSES
  config.model.name = 'unet'
  config.model.widths = {'smoke': (4, 8), 'cpu': (16, 32, 64), 'full': (64, 128, 256)}[preset]
  config.model.out_channels = len(shapes.CLASSES)
  config.model.skips = True
  common.adam_warmup_cosine(config, preset, lr=2e-3, warmup_steps=50)
  common.preset(config, preset,
                smoke=dict(steps=4, batch_size=32, eval_batch_size=200, train_limit=256,
                           validation_limit=200, test_limit=200),
                cpu=dict(steps=360, batch_size=64, eval_every=180),
                full=dict(steps=20000, batch_size=128, eval_every=2000))
  return config
