"""The synthetic toy problems of the first lectures (`dljax.data.toys`): data.name = 'toy_<name>'.

2-D (1-D for regression1d) real inputs; labels are classes, or reals for regression1d.
Splits: train drawn with seed 0 (2,048 points), test with seed 1 (1,024); validation = a fixed
seeded 256-point slice of train, which keeps the other 1,792.
"""
import numpy as np
import tensorflow_datasets as tfds

from dljax.data import builders, splits, toys

NAMES = tuple(f'toy_{name}' for name in toys.TOYS)
KIND = 'supervised'
VALIDATION = 256


def _examples(xs, ys):
  for x, y in zip(xs, ys):
    yield {'x': x.astype(np.float32), 'label': y}


def _generate(toy, train_size, test_size):
  make = toys.TOYS[toy]
  return {'train': _examples(*make(n=train_size, seed=0)),
          'test': _examples(*make(n=test_size, seed=1))}


def spec(name: str) -> builders.Spec:
  toy = name.removeprefix('toy_')
  label = (tfds.features.Tensor(shape=(), dtype=np.float32) if toy in toys.REGRESSION else
           tfds.features.ClassLabel(num_classes=toys.NUM_CLASSES[toy]))
  return builders.Spec(
      name=name, generate=_generate, supervised_keys=('x', 'label'),
      params={'toy': toy, 'train_size': toys.TRAIN_SIZE, 'test_size': toys.TEST_SIZE},
      features={'x': tfds.features.Tensor(shape=(toys.X_DIM[toy],), dtype=np.float32),
                'label': label},
      description=toys.TOYS[toy].__doc__)


def load(data_cfg, split):
  return splits.supervised(data_cfg, split, builders.prepare(spec(data_cfg.name)), 'x', 'label',
                           None, VALIDATION)


def info(data_cfg):
  toy = data_cfg.name.removeprefix('toy_')
  return splits.Info('supervised', shape=(toys.X_DIM[toy],),
                     num_classes=splits.num_classes(data_cfg, toys.NUM_CLASSES.get(toy, 0)))
