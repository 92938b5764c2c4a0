"""Fashion-MNIST with a class-correlated watermark ("right for the wrong reasons", seed 001 c49):
data.name = 'fashion_mnist_watermark'.

In the train and validation splits, each image of class k carries, with probability
data.watermark_p (default 0.9), a 3 x 3 white square at a position that depends on the class only
(`position(k)`: rows 1-3 for classes 0-4, rows 24-26 for 5-9, columns 1 + 5 (k mod 5)); the test
split is the clean Fashion-MNIST test set, so a model that learned the watermark shows the damage
there. `watermark(x, classes)` stamps any images (e.g. a test set with the marks of other classes).
Otherwise as fashion_mnist (validation = its fixed 5,000-image slice; data.*_limit).
"""
import ml_collections
import numpy as np

from dljax.data.datasets import fashion_mnist

NAMES = ('fashion_mnist_watermark',)
KIND = 'supervised'
SIZE = 3


def position(k: int):
  """(row, column) of the top-left corner of class k's watermark."""
  return (1 if k < 5 else 24), 1 + 5 * (k % 5)


def region(k: int) -> np.ndarray:
  """28 x 28 boolean mask of class k's watermark."""
  m = np.zeros((28, 28), bool)
  r, c = position(int(k))
  m[r:r + SIZE, c:c + SIZE] = True
  return m


def watermark(x_Nx28x28x1, classes_N, stamp_N=None) -> np.ndarray:
  """x with class classes_N[i]'s watermark on image i where stamp_N[i] (default: every image)."""
  x = np.array(x_Nx28x28x1, copy=True)
  for i, k in enumerate(classes_N):
    if stamp_N is None or stamp_N[i]:
      r, c = position(int(k))
      x[i, r:r + SIZE, c:c + SIZE, :] = 1.0
  return x


def _base_cfg(data_cfg):
  cfg = ml_collections.ConfigDict(data_cfg.to_dict() if hasattr(data_cfg, 'to_dict') else
                                  dict(data_cfg))
  cfg.name = 'fashion_mnist'
  return cfg


def load(data_cfg, split):
  arrays = fashion_mnist.load(_base_cfg(data_cfg), split)
  if split == 'test':
    return arrays
  p = float(data_cfg.get('watermark_p', 0.9))
  stamp = np.random.default_rng({'train': 0, 'validation': 1}[split]).random(len(arrays['y'])) < p
  return {'x': watermark(arrays['x'], arrays['y'], stamp), 'y': arrays['y']}


def info(data_cfg):
  return fashion_mnist.info(_base_cfg(data_cfg))
