"""tfds builders for the offline datasets, prepared to ArrayRecord on first use (no TensorFlow needed).

Every builder writes into `dljax.settings.data_dir()` and is read back with `tfds.data_source`.
"""
import gzip
import os

import numpy as np
import tensorflow_datasets as tfds

from dljax import settings
from dljax.data import shapes, toys
from dljax.errors import DataError

FASHION_MNIST_FILES = {
    'train': ('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'),
    'test': ('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'),
}
FASHION_MNIST_CLASSES = ('T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt',
                         'Sneaker', 'Bag', 'Ankle boot')


def read_idx(path: str) -> np.ndarray:
  """Reads an IDX file (LeCun's MNIST format, optionally gzipped) into a numpy array."""
  opener = gzip.open if path.endswith('.gz') else open
  with opener(path, 'rb') as f:
    data = f.read()
  if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
    raise DataError(f'{path} is not an unsigned-byte IDX file; reinstall the dataset package.')
  ndim = data[3]
  shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], 'big') for i in range(ndim))
  body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
  if body.size != int(np.prod(shape)):
    raise DataError(f'{path} is truncated ({body.size} of {int(np.prod(shape))} bytes); '
                    'reinstall the dataset package.')
  return body.reshape(shape)


def fashion_mnist_arrays(folder: str, split: str):
  """(images_Nx28x28x1 uint8, labels_N int64) from the IDX files in `folder`."""
  missing = [f for f in FASHION_MNIST_FILES[split] if not os.path.exists(os.path.join(folder, f))]
  if missing:
    raise DataError(
        f'Fashion-MNIST files {missing} not found in {folder}. Install them with '
        '`sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or point '
        'DLJAX_FASHION_MNIST_DIR at a folder holding the four IDX files, or set '
        '--config.data.source=tfds to download the stock tfds dataset.')
  images, labels = (read_idx(os.path.join(folder, f)) for f in FASHION_MNIST_FILES[split])
  return images[..., None], labels.astype(np.int64)


class FashionMnistLocal(tfds.core.GeneratorBasedBuilder):
  """Fashion-MNIST (Xiao et al. 2017) from local IDX files: 60k train / 10k test, 28x28x1, 10 classes."""

  VERSION = tfds.core.Version('1.0.0')

  def _info(self):
    return tfds.core.DatasetInfo(
        builder=self,
        disable_shuffling=True,  # keep the generator order (positions matter for splits)
        description='Fashion-MNIST read from the IDX files of Debian\'s dataset-fashion-mnist.',
        features=tfds.features.FeaturesDict({
            'image': tfds.features.Tensor(shape=(28, 28, 1), dtype=np.uint8),
            'label': tfds.features.ClassLabel(names=FASHION_MNIST_CLASSES),
        }),
        supervised_keys=('image', 'label'),
    )

  def _split_generators(self, dl_manager):
    del dl_manager
    folder = settings.fashion_mnist_dir()
    return {split: self._generate_examples(folder, split) for split in FASHION_MNIST_FILES}

  def _generate_examples(self, folder, split):
    images, labels = fashion_mnist_arrays(folder, split)
    for i, (image, label) in enumerate(zip(images, labels)):
      yield i, {'image': image, 'label': label}


class Mnist1d(tfds.core.GeneratorBasedBuilder):
  """MNIST-1D (Greydanus 2020) regenerated with `mnist1d.data.make_dataset` (default args, seed 42)."""

  VERSION = tfds.core.Version('1.0.0')

  def _info(self):
    return tfds.core.DatasetInfo(
        builder=self,
        disable_shuffling=True,  # keep the generator order (positions matter for splits)
        description='MNIST-1D: 4000 train / 1000 test sequences of length 40, 10 classes.',
        features=tfds.features.FeaturesDict({
            'x': tfds.features.Tensor(shape=(40,), dtype=np.float32),
            'label': tfds.features.ClassLabel(num_classes=10),
        }),
        supervised_keys=('x', 'label'),
    )

  def _split_generators(self, dl_manager):
    del dl_manager
    data = mnist1d_arrays()
    return {'train': self._generate_examples(data['x'], data['y']),
            'test': self._generate_examples(data['x_test'], data['y_test'])}

  def _generate_examples(self, xs, ys):
    for i, (x, y) in enumerate(zip(xs, ys)):
      yield i, {'x': x.astype(np.float32), 'label': int(y)}


def mnist1d_arrays(seed: int = 42):
  """The MNIST-1D arrays, regenerated procedurally (never downloaded)."""
  from mnist1d.data import get_dataset_args, make_dataset  # pylint: disable=g-import-not-at-top
  args = get_dataset_args()
  args.seed = seed
  return make_dataset(args)


class Toys(tfds.core.GeneratorBasedBuilder):
  """Synthetic toy problems of the first lectures (see `dljax.data.toys`), one builder config each."""

  VERSION = tfds.core.Version('1.0.0')
  BUILDER_CONFIGS = [tfds.core.BuilderConfig(name=name, description=toys.TOYS[name].__doc__)
                     for name in toys.TOYS]

  def _info(self):
    x_dim = toys.X_DIM[self.builder_config.name]
    label = (tfds.features.Tensor(shape=(), dtype=np.float32)
             if self.builder_config.name in toys.REGRESSION else
             tfds.features.ClassLabel(num_classes=toys.NUM_CLASSES[self.builder_config.name]))
    return tfds.core.DatasetInfo(
        builder=self,
        disable_shuffling=True,  # keep the generator order (positions matter for splits)
        features=tfds.features.FeaturesDict({
            'x': tfds.features.Tensor(shape=(x_dim,), dtype=np.float32), 'label': label}),
        supervised_keys=('x', 'label'),
    )

  def _split_generators(self, dl_manager):
    del dl_manager
    make = toys.TOYS[self.builder_config.name]
    return {'train': self._generate_examples(*make(n=toys.TRAIN_SIZE, seed=0)),
            'test': self._generate_examples(*make(n=toys.TEST_SIZE, seed=1))}

  def _generate_examples(self, xs, ys):
    for i, (x, y) in enumerate(zip(xs, ys)):
      yield i, {'x': x.astype(np.float32), 'label': y}


class Shapes(tfds.core.GeneratorBasedBuilder):
  """Generated segmentation data (see `dljax.data.shapes`): 4000 train / 1000 test 32x32 images."""

  VERSION = tfds.core.Version('1.0.0')

  def _info(self):
    return tfds.core.DatasetInfo(
        builder=self,
        disable_shuffling=True,  # keep the generator order (positions matter for splits)
        description='Circles, squares and triangles on noisy backgrounds, with per-pixel class masks.',
        features=tfds.features.FeaturesDict({
            'image': tfds.features.Tensor(shape=(shapes.SIZE, shapes.SIZE, 1), dtype=np.uint8),
            'mask': tfds.features.Tensor(shape=(shapes.SIZE, shapes.SIZE), dtype=np.uint8),
        }),
        supervised_keys=('image', 'mask'),
    )

  def _split_generators(self, dl_manager):
    del dl_manager
    return {'train': self._generate_examples(*shapes.make(shapes.TRAIN_SIZE, seed=0)),
            'test': self._generate_examples(*shapes.make(shapes.TEST_SIZE, seed=1))}

  def _generate_examples(self, images, masks):
    for i, (image, mask) in enumerate(zip(images, masks)):
      yield i, {'image': image, 'mask': mask}
