r"""Segmentation of the generated shapes dataset (dljax/data/shapes.py: circles, squares and
triangles on noisy 32x32 backgrounds, 4 classes with background) with a U-Net; per-pixel softmax
cross-entropy, test mean IoU over the 4 classes and pixel accuracy. Without skips:
--config.model.skips=False.

  python -m experiments.train --config=configs/vision/shapes_unet.py:cpu --workdir=runs/shapes_unet
  python -m experiments.train --config=configs/vision/shapes_unet.py:cpu --workdir=runs/shapes_unet_noskip \
      --config.model.skips=False

Model (cpu): widths (16, 32, 64), 32 -> 16 -> 8, 117,124 params with skips and 105,604 without.
Adam 2e-3, 50 warm-up steps + cosine, batch 64, 360 steps (about 6 epochs of the 4000 images).
Reference: none (generated data); the issue asks for the IoU of both networks.
MEASURED (cpu preset, seed 0, experiments/unet_skips.py; 2-core Xeon shared with another job): mean
IoU 0.689 with skips (pixel accuracy 94.75 %; background / circle / square / triangle 0.987 / 0.568
/ 0.829 / 0.372), 118 s; 0.744 without skips (95.01 %; 0.970 / 0.639 / 0.763 / 0.606), 112 s. At
this budget the network without skips segments the triangles better; with skips the borders of
the background are sharper (0.987 vs 0.970). One seed: the gap is not yet shown to be robust.
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
