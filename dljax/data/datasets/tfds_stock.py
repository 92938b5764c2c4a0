"""Any stock tfds image-classification dataset by name: data.name = 'tfds:<name>' (e.g. tfds:cifar10).

Read with `tfds.data_source(name, data_dir=DLJAX_DATA_DIR, download=True)` (the first use needs
internet; a dataset already prepared in the data dir is read offline). The input and label are the
builder's supervised_keys; inputs must be uint8 images (stored range [0, 255], scaled to [0, 1]).
Splits: the dataset's own train / validation / test; without a validation split, a fixed seeded
slice of train (10 % of it, at most 5,000 examples) is held out (`dljax.data.splits.carve`).
Examples are read only when a batch asks for them (`splits.SourceColumn`): nothing is loaded whole.
"""
import functools

import numpy as np
import tensorflow_datasets as tfds

from dljax import settings
from dljax.data import splits
from dljax.errors import DataError

PREFIX = 'tfds:'
STORED_RANGE = (0, 255)


def validation_size(n_train: int) -> int:
  return min(5000, n_train // 10)


@functools.lru_cache(maxsize=8)
def _builder(name: str, data_dir: str):
  try:
    builder = tfds.builder(name, data_dir=data_dir)
  except Exception as e:  # pylint: disable=broad-except
    raise DataError(f'tfds has no dataset {name!r} ({type(e).__name__}: {e}); see '
                    'https://www.tensorflow.org/datasets/catalog for the names.') from None
  keys = builder.info.supervised_keys
  if not keys or len(keys) != 2:
    raise DataError(f'tfds:{name} has no (input, label) supervised_keys; only image '
                    'classification datasets can be read by name.')
  image = builder.info.features[keys[0]]
  if np.dtype(image.np_dtype) != np.uint8 or len(image.shape) != 3:
    raise DataError(f'tfds:{name}: input {keys[0]!r} is not a uint8 image ({image.shape}, '
                    f'{image.np_dtype}); only image classification datasets are supported.')
  return builder


def _sources(name: str, split: str):
  """(builder, source of the stored split that `split` is read from, stored split names)."""
  builder = _builder(name, settings.data_dir())
  try:
    sources = tfds.data_source(name, data_dir=settings.data_dir(), download=True)
  except Exception as e:  # pylint: disable=broad-except
    raise DataError(f'tfds:{name} could not be prepared in {settings.data_dir()} '
                    f'({type(e).__name__}: {e}); the first use needs internet.') from None
  stored = tuple(sources)
  wanted = split if split in stored else ('train' if split == 'validation' else split)
  if wanted not in stored:
    raise DataError(f'tfds:{name} has no split {split!r}; it has {sorted(stored)}.')
  return builder, sources[wanted], stored


def load_named(name: str, data_cfg, split: str) -> dict:
  """{'x': lazy float32 [N, H, W, C] in [0, 1], 'y': int32 [N]} (module docstring)."""
  splits.check_split(f'tfds:{name}', split)
  if data_cfg.get('classes', None) or data_cfg.get('shuffle_positions', False):
    raise DataError(f'data.classes / data.shuffle_positions are not supported for tfds:{name}; '
                    'unset them.')
  builder, source, stored = _sources(name, split)
  if split == 'test' or 'validation' in stored:
    idx = np.arange(len(source))
  else:   # train or validation carved from the stored train split
    idx = splits.carve(len(source), validation_size(len(source)))[split]
  limit = data_cfg.get(f'{split}_limit', 0)
  idx = idx[:limit] if limit else idx
  x_key, y_key = builder.info.supervised_keys
  first = source[int(idx[0])] if len(idx) else None
  if first is None:
    raise DataError(f'tfds:{name} split {split!r} is empty.')
  return {'x': splits.SourceColumn(source, idx, x_key,
                                   lambda x: splits.scale(x, STORED_RANGE, f'tfds:{name}'),
                                   first[x_key]),
          'y': splits.SourceColumn(source, idx, y_key, splits.labels, first[y_key])}


def info_named(name: str, data_cfg) -> splits.Info:
  del data_cfg
  builder = _builder(name, settings.data_dir())
  x_key, y_key = builder.info.supervised_keys
  label = builder.info.features[y_key]
  return splits.Info('supervised', shape=tuple(builder.info.features[x_key].shape),
                     num_classes=getattr(label, 'num_classes', 0) or 0,
                     class_names=tuple(getattr(label, 'names', ()) or ()), value_range=(0.0, 1.0),
                     description=builder.info.description)


class Stock:
  """The registry entry of 'tfds:<name>' (module-like: load / info)."""

  KIND = 'supervised'

  def __init__(self, name: str):
    self.name = name.removeprefix(PREFIX)

  def load(self, data_cfg, split):
    return load_named(self.name, data_cfg, split)

  def info(self, data_cfg):
    return info_named(self.name, data_cfg)
