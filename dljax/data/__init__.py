"""Datasets: tfds builders prepared offline on first use, read back into memory as numpy arrays.

`load_split(data_cfg, split)` returns `{'x': float32 array, 'y': labels}` for one split.
data.classes=(5, 6, 7, 8, 9) keeps only those classes, relabelled 0..4 in that order (before the
train/test limits are applied).
"""
import logging
import shutil

import numpy as np
import tensorflow_datasets as tfds

from dljax import settings
from dljax.data import builders, toys
from dljax.errors import DataError

# dataset name -> (builder class, builder config or None, input feature, label feature)
DATASETS = {
    'fashion_mnist': (builders.FashionMnistLocal, None, 'image', 'label'),
    'mnist1d': (builders.Mnist1d, None, 'x', 'label'),
    **{f'toy_{name}': (builders.Toys, name, 'x', 'label') for name in toys.TOYS},
}
# The stock tfds datasets that `data.source='tfds'` may use instead (needs internet on first use).
TFDS_NAMES = {'fashion_mnist': ('fashion_mnist', 'image', 'label')}


def check_name(name: str, source: str = 'local') -> None:
  if source not in ('local', 'tfds'):
    raise DataError(f"data.source={source!r} is unknown; use 'local' or 'tfds'.")
  known = DATASETS if source == 'local' else TFDS_NAMES
  if name not in known:
    raise DataError(f'data.name={name!r} is unknown for source {source!r}; known: {sorted(known)}.')


def _builder(name: str):
  cls, config, _, _ = DATASETS[name]
  kwargs = {'config': config} if config else {}
  return cls(data_dir=settings.data_dir(), file_format='array_record', **kwargs)


def prepare(name: str):
  """Prepares `name` into the data cache if needed; a damaged cache is deleted and rebuilt once."""
  builder = _builder(name)
  if builder.is_prepared():
    try:
      sources = builder.as_data_source()
      for source in sources.values():  # read the first and last record to validate the files
        source.__getitems__([0, len(source) - 1])
      return sources
    except Exception as e:  # pylint: disable=broad-except
      logging.warning('Data cache %s is damaged (%s: %s); rebuilding it.',
                      builder.data_dir, type(e).__name__, e)
      shutil.rmtree(builder.data_dir, ignore_errors=True)
      builder = _builder(name)
  builder.download_and_prepare()
  return builder.as_data_source()


def _to_arrays(source, x_key, y_key, limit=0, chunk=8192):
  n = min(limit, len(source)) if limit else len(source)
  xs, ys = [], []
  for start in range(0, n, chunk):
    records = source.__getitems__(list(range(start, min(start + chunk, n))))
    xs.append(np.stack([r[x_key] for r in records]))
    ys.append(np.stack([r[y_key] for r in records]))
  return np.concatenate(xs), np.concatenate(ys)


def load_split(data_cfg, split: str) -> dict:
  """The whole split in memory: {'x': float32 (images scaled to [0, 1]), 'y': int32 or float32}."""
  source_kind = data_cfg.get('source', 'local')
  check_name(data_cfg.name, source_kind)
  if source_kind == 'tfds':
    tfds_name, x_key, y_key = TFDS_NAMES[data_cfg.name]
    source = tfds.data_source(tfds_name, split=split, data_dir=settings.data_dir(), download=True)
  else:
    _, _, x_key, y_key = DATASETS[data_cfg.name]
    sources = prepare(data_cfg.name)
    if split not in sources:
      raise DataError(f'{data_cfg.name} has no split {split!r}; it has {sorted(sources)}.')
    source = sources[split]
  limit = data_cfg.get(f'{split}_limit', 0)
  classes = tuple(data_cfg.get('classes', None) or ())
  x, y = _to_arrays(source, x_key, y_key, limit=0 if classes else limit)
  if classes:
    x, y = filter_classes(x, y, classes)
    x, y = (x[:limit], y[:limit]) if limit else (x, y)
  x = x.astype(np.float32) / 255.0 if x.dtype == np.uint8 else x.astype(np.float32)
  y = y.astype(np.int32) if np.issubdtype(y.dtype, np.integer) else y.astype(np.float32)
  return {'x': x, 'y': y}


def filter_classes(x, y, classes):
  """The examples whose label is in `classes`, with labels remapped to their index in `classes`."""
  if len(set(classes)) != len(classes):
    raise DataError(f'data.classes={classes} repeats a class; list each class once.')
  missing = sorted(set(classes) - set(np.unique(y).tolist()))
  if missing:
    raise DataError(f'data.classes={classes}: no example has label {missing[0]}; the labels are '
                    f'{sorted(np.unique(y).tolist())}.')
  keep = np.isin(y, classes)
  remap = np.zeros(int(max(classes)) + 1, dtype=y.dtype)
  remap[list(classes)] = np.arange(len(classes))
  return x[keep], remap[y[keep]]
