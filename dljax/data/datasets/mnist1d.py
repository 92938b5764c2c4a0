"""MNIST-1D (Greydanus 2020), regenerated with `mnist1d.data.make_dataset` (default args, seed 42).

Sequences of 40 reals, 10 classes. Splits: test = the 1,000 test sequences; validation = a fixed
seeded 500-sequence slice of the 4,000 training sequences; train = the other 3,500. Inputs are
real-valued (no range, passed through as float32).
"""
import numpy as np
import tensorflow_datasets as tfds

from dljax.data import builders, splits

NAMES = ('mnist1d',)
KIND = 'supervised'
VALIDATION = 500


def _examples(xs, ys):
  for x, y in zip(xs, ys):
    yield {'x': x.astype(np.float32), 'label': int(y)}


def _generate(seed):
  data = builders.mnist1d_arrays(seed)
  return {'train': _examples(data['x'], data['y']), 'test': _examples(data['x_test'], data['y_test'])}


SPEC = builders.Spec(
    name='mnist1d', generate=_generate, params={'seed': 42}, supervised_keys=('x', 'label'),
    features={'x': tfds.features.Tensor(shape=(40,), dtype=np.float32),
              'label': tfds.features.ClassLabel(num_classes=10)},
    description='MNIST-1D: 4000 train / 1000 test sequences of length 40, 10 classes.')


def load(data_cfg, split):
  return splits.supervised(data_cfg, split, builders.prepare(SPEC), 'x', 'label', None, VALIDATION)


def info(data_cfg):
  return splits.Info('supervised', shape=(40,), num_classes=splits.num_classes(data_cfg, 10))
