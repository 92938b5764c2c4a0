"""Generated segmentation data (`dljax.data.shapes`): 32x32x1 uint8 images, per-pixel class masks.

Splits: train drawn with seed 0 (4,000 images), test with seed 1 (1,000); validation = a fixed
seeded 500-image slice of train, which keeps the other 3,500. Images scaled from [0, 255] to [0, 1].
  shapes             y = the mask (int32 class per pixel: background, circle, square, triangle)
  shapes_multilabel  y = which shapes are visible (float32 0/1 per label: circle, square, triangle;
                     a shape counts when at least one of its pixels is left uncovered) -- a
                     multilabel problem: an image holds 1-3 shapes, so the labels are not exclusive
"""
import numpy as np
import tensorflow_datasets as tfds

from dljax.data import builders, shapes, splits

NAMES = ('shapes', 'shapes_multilabel')
LABELS = shapes.CLASSES[1:]  # shapes_multilabel: one yes/no label per shape
KIND = 'supervised'
VALIDATION = 500
STORED_RANGE = (0, 255)


def _examples(images, masks):
  for image, mask in zip(images, masks):
    yield {'image': image, 'mask': mask}


def _generate(train_size, test_size, size):
  return {'train': _examples(*shapes.make(train_size, seed=0, size=size)),
          'test': _examples(*shapes.make(test_size, seed=1, size=size))}


SPEC = builders.Spec(
    name='shapes', generate=_generate, supervised_keys=('image', 'mask'),
    params={'train_size': shapes.TRAIN_SIZE, 'test_size': shapes.TEST_SIZE, 'size': shapes.SIZE},
    features={'image': tfds.features.Tensor(shape=(shapes.SIZE, shapes.SIZE, 1), dtype=np.uint8),
              'mask': tfds.features.Tensor(shape=(shapes.SIZE, shapes.SIZE), dtype=np.uint8)},
    description='Circles, squares and triangles on noisy backgrounds, with per-pixel class masks.')


def present(mask_NxHxW) -> np.ndarray:
  """N x 3 float32: 1 where circle / square / triangle has a visible pixel in the mask."""
  kinds = np.arange(1, len(shapes.CLASSES))
  return (mask_NxHxW[..., None] == kinds).any(axis=(1, 2)).astype(np.float32)


def load(data_cfg, split):
  arrays = splits.supervised(data_cfg, split, builders.prepare(SPEC), 'image', 'mask',
                             STORED_RANGE, VALIDATION)
  if data_cfg.name == 'shapes_multilabel':
    arrays['y'] = present(arrays['y'])
  return arrays


def info(data_cfg):
  names = LABELS if data_cfg.name == 'shapes_multilabel' else shapes.CLASSES
  return splits.Info('supervised', shape=(shapes.SIZE, shapes.SIZE, 1), num_classes=len(names),
                     class_names=names, value_range=(0.0, 1.0))
