"""scikit-learn's handwritten digits (UCI optdigits test part): 1,797 images of 8x8, 10 classes.

Stored as uint8 counts in [0, 16] (each pixel counts the ink of a 4x4 block of a 32x32 bitmap);
inputs scaled to [0, 1] by the declared range (0, 16), not by 255. data.upsample=28 returns the
images bilinearly resized to 28x28 (half-pixel centres, as jax.image.resize), e.g. to feed a
model built for Fashion-MNIST; 0 keeps 8x8.
Splits (no official one): test = a fixed seeded 20 % (360 images, `default_rng(0)` permutation);
validation = a fixed seeded 180-image slice of the rest; train = the other 1,257.
"""
import numpy as np
import tensorflow_datasets as tfds

from dljax.data import builders, splits
from dljax.errors import ConfigError

NAMES = ('digits',)
KIND = 'supervised'
VALIDATION = 180
STORED_RANGE = (0, 16)


def _generate(test_size, seed):
  from sklearn.datasets import load_digits  # pylint: disable=g-import-not-at-top
  digits = load_digits()
  images = digits.images.astype(np.uint8)[..., None]   # float 0..16 integers -> uint8
  order = np.random.default_rng(seed).permutation(len(images))
  parts = {'test': np.sort(order[:test_size]), 'train': np.sort(order[test_size:])}
  return {split: [{'image': images[i], 'label': int(digits.target[i])} for i in idx]
          for split, idx in parts.items()}


SPEC = builders.Spec(
    name='digits', generate=_generate, params={'test_size': 360, 'seed': 0},
    supervised_keys=('image', 'label'),
    features={'image': tfds.features.Tensor(shape=(8, 8, 1), dtype=np.uint8),
              'label': tfds.features.ClassLabel(num_classes=10)},
    description='sklearn.datasets.load_digits: 8x8 images with values 0..16.')


def resize_matrix(n_out: int, n_in: int) -> np.ndarray:
  """R [n_out, n_in]: bilinear weights with half-pixel centres (edges clamped), rows sum to 1."""
  src = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
  lo = np.floor(src).astype(int)
  hi = np.minimum(lo + 1, n_in - 1)
  w = src - lo
  r = np.zeros((n_out, n_in), np.float32)
  r[np.arange(n_out), lo] += 1 - w
  r[np.arange(n_out), hi] += w
  return r


def upsample(x_Nx8x8x1, size: int):
  """x' = R x R^T per image and channel (bilinear resize to size x size)."""
  r = resize_matrix(size, x_Nx8x8x1.shape[1])
  return np.einsum('mi,bijc,nj->bmnc', r, x_Nx8x8x1, r).astype(np.float32)


def _size(data_cfg) -> int:
  size = int(data_cfg.get('upsample', 0) or 0)
  if size and size < 8:
    raise ConfigError(f'data.upsample={size} must be 0 (8x8) or a size >= 8, e.g. 28.')
  return size or 8


def load(data_cfg, split):
  arrays = splits.supervised(data_cfg, split, builders.prepare(SPEC), 'image', 'label',
                             STORED_RANGE, VALIDATION)
  size = _size(data_cfg)
  if size != 8:
    arrays['x'] = upsample(arrays['x'], size)
  return arrays


def info(data_cfg):
  size = _size(data_cfg)
  return splits.Info('supervised', shape=(size, size, 1), value_range=(0.0, 1.0),
                     num_classes=splits.num_classes(data_cfg, 10))
