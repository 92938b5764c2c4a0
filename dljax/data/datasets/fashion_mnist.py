"""Fashion-MNIST (Xiao et al. 2017) from the local IDX files: 28x28x1 uint8, 10 classes.

Splits: test = the 10,000 test images; validation = a fixed seeded 5,000-image slice of the 60,000
training images (`dljax.data.splits.carve`); train = the other 55,000. Inputs scaled from the
stored [0, 255] to [0, 1]. data.source='tfds' reads the stock tfds dataset instead (`tfds:fashion_mnist`).
"""
import numpy as np
import tensorflow_datasets as tfds

from dljax import settings
from dljax.data import builders, splits
from dljax.data.datasets import tfds_stock

NAMES = ('fashion_mnist',)
KIND = 'supervised'
CLASSES = ('T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker',
           'Bag', 'Ankle boot')
VALIDATION = 5000
STORED_RANGE = (0, 255)


def _examples(split):
  images, labels = builders.fashion_mnist_arrays(settings.fashion_mnist_dir(), split)
  for image, label in zip(images, labels):
    yield {'image': image, 'label': label}


def _generate():
  return {split: _examples(split) for split in builders.FASHION_MNIST_FILES}


SPEC = builders.Spec(
    name='fashion_mnist_local', generate=_generate, supervised_keys=('image', 'label'),
    features={'image': tfds.features.Tensor(shape=(28, 28, 1), dtype=np.uint8),
              'label': tfds.features.ClassLabel(names=CLASSES)},
    description="Fashion-MNIST read from the IDX files of Debian's dataset-fashion-mnist.")


def load(data_cfg, split):
  if data_cfg.get('source', 'local') == 'tfds':
    return tfds_stock.load_named('fashion_mnist', data_cfg, split)
  return splits.supervised(data_cfg, split, builders.prepare(SPEC), 'image', 'label',
                           STORED_RANGE, VALIDATION)


def info(data_cfg):
  return splits.Info('supervised', shape=(28, 28, 1), num_classes=splits.num_classes(data_cfg, 10),
                     class_names=CLASSES, value_range=(0.0, 1.0))
