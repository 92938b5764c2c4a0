r"""Segmentation of the generated shapes dataset (circles, squares, triangles on noisy 32x32
backgrounds, 4 classes with background) with a U-Net; test mean IoU and pixel accuracy.
Without skips: --config.model.skips=False.

  python -m experiments.train --config=configs/vision/shapes_unet.py:cpu --workdir=runs/shapes_unet
  python -m experiments.train --config=configs/vision/shapes_unet.py:cpu --workdir=runs/shapes_unet_noskip \
      --config.model.skips=False

cpu preset: widths (16, 32, 64), 117,124 params (105,604 without skips), Adam 2e-3, batch 64, 360
steps. Expected (seed 0, 2-core Xeon, shared): mean IoU 0.689 with skips (118 s), 0.744 without
(112 s). Reference: none (generated data). Per-class IoU: docs/vision/notes.md.
"""
from configs import common
from dljax.data import shapes

_SHAPES = ('expectation: generated data, no published number; all background scores mean IoU 0.20; '
           'shapes contrast >= 0.25 with noise 0.08, the class is in the outline: ')
# without skips (experiments.reproduce runs it; by hand: the override as a flag)
VARIANTS = {
    'noskip': ({'model.skips': False}, common.reference(
        'test/iou', (0.6, 0.9), unit='', source=_SHAPES + '360 steps, partly learned')),
}


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='shapes_unet', task='segment')
  config.data.name = 'shapes'
  config.class_names = shapes.CLASSES
  config.model.name = 'unet'
  config.model.widths = {'smoke': (4, 8), 'cpu': (16, 32, 64), 'full': (64, 128, 256)}[preset]
  config.model.out_channels = len(shapes.CLASSES)
  config.model.skips = True
  common.adam_warmup_cosine(config, preset, lr=2e-3, warmup_steps=50)
  if preset == 'full':
    config.reference = common.reference('test/iou', (0.85, 0.98), unit='',
                                        source=_SHAPES + '20,000 steps: learned')
  else:
    config.reference = common.reference('test/iou', (0.6, 0.9), unit='',
                                        source=_SHAPES + '360 steps, partly learned')
  common.preset(config, preset,
                smoke=dict(steps=4, batch_size=32, eval_batch_size=200, train_limit=256,
                           validation_limit=200, test_limit=200),
                cpu=dict(steps=360, batch_size=64, eval_every=180),
                full=dict(steps=20000, batch_size=128, eval_every=2000))
  return config
