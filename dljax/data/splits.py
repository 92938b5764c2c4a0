"""What every dataset module shares: its `Info`, the validation split, value ranges, supervised reads.

Validation discipline: every dataset has 'train', 'validation' and 'test'. Where the source has
no validation split, `carve(n_train, n_val)` holds out a fixed seeded slice of the source's train
split: validation = the first n_val indices of `default_rng(VALIDATION_SEED).permutation(n_train)`
(sorted), train = the other indices (in their stored order). Test stays the source's test split,
so validation is disjoint from both and the same on every machine.

Value ranges: a dataset declares the range of its *stored* inputs (e.g. (0, 255) for uint8 pixels,
(0, 16) for scikit-learn's digits) and `scale` maps them to [0, 1] after checking that the values
lie in it; real-valued inputs declare None and are passed through as float32. Nothing is divided
by 255 because of its dtype.
"""
import dataclasses
from typing import Any

import numpy as np

from dljax.errors import DataError

SPLITS = ('train', 'validation', 'test')
VALIDATION_SEED = 0


@dataclasses.dataclass(frozen=True)
class Info:
  """What a task needs to know about a dataset before reading it (`DATASETS[name].info(cfg)`).

  kind: 'supervised' ({'x', 'y'} arrays), 'tokens' (an int32 stream), 'words' ((ids, WordVocab)),
    'sequences' (a dict of seq2seq / per-step arrays), 'lines' (lists of token ids), or
    'generated' (drawn by its task on the fly; load gives the evaluation sets).
  shape: one input's shape; num_classes / class_names: of the labels ('supervised');
  value_range: the range of the inputs that `load` returns (None: unbounded reals);
  vocab: a Vocab / (source, target) vocabularies / vocabulary size, as the kind reads it;
  groups: names of example groups with per-group metrics (text2text's tasks).
  """
  kind: str
  splits: tuple = SPLITS
  shape: tuple = None
  num_classes: int = 0
  class_names: tuple = ()
  value_range: tuple = None
  vocab: Any = None
  groups: tuple = None
  description: str = ''


def carve(n_train: int, n_val: int, seed: int = VALIDATION_SEED) -> dict:
  """{'train': indices, 'validation': indices} of a source train split of n_train examples."""
  if not 0 < n_val < n_train:
    raise DataError(f'cannot hold out {n_val} of {n_train} training examples for validation.')
  held = np.zeros(n_train, dtype=bool)
  held[np.random.default_rng(seed).permutation(n_train)[:n_val]] = True
  return {'train': np.flatnonzero(~held), 'validation': np.flatnonzero(held)}


def check_split(name: str, split: str, splits=SPLITS):
  if split not in splits:
    raise DataError(f'{name} has no split {split!r}; it has {list(splits)}.')


def scale(x, stored_range, name: str):
  """float32 inputs: x mapped from the declared stored range (lo, hi) to [0, 1], or x as it is
  (stored_range None); values outside the declared range are refused."""
  if stored_range is None:
    return np.asarray(x, dtype=np.float32)
  lo, hi = stored_range
  x = np.asarray(x)
  if x.size and (x.min() < lo or x.max() > hi):
    raise DataError(f'{name}: input values in [{x.min()}, {x.max()}] lie outside the declared '
                    f'range [{lo}, {hi}]; fix the dataset module\'s value range.')
  return ((x.astype(np.float32) - lo) / (hi - lo)).astype(np.float32)


def labels(y) -> np.ndarray:
  y = np.asarray(y)
  return y.astype(np.int32) if np.issubdtype(y.dtype, np.integer) else y.astype(np.float32)


def read(source, indices, keys, chunk: int = 8192) -> dict:
  """{key: stacked array} of the records at `indices` of a tfds data source."""
  out = {k: [] for k in keys}
  indices = np.asarray(indices)
  for start in range(0, len(indices), chunk):
    records = source.__getitems__(indices[start:start + chunk].tolist())
    for k in keys:
      out[k].append(np.stack([r[k] for r in records]))
  return {k: np.concatenate(v) if v else np.zeros((0,)) for k, v in out.items()}


def split_indices(sources: dict, split: str, n_val: int, name: str):
  """(source, example indices) of `split`: the stored split, or a carve of the stored train."""
  check_split(name, split)
  if split in ('train', 'validation') and 'validation' not in sources:
    return sources['train'], carve(len(sources['train']), n_val)[split]
  if split in sources:
    return sources[split], np.arange(len(sources[split]))
  raise DataError(f'{name} has no split {split!r}; it has {sorted(sources)}.')


def supervised(data_cfg, split: str, sources: dict, x_key: str, y_key: str, stored_range,
               n_val: int) -> dict:
  """{'x': float32, 'y': int32 or float32} of one split, honouring data.{split}_limit (the first N
  examples), data.classes (keep those classes, relabelled 0..K-1, before the limit) and
  data.shuffle_positions (one fixed permutation of axis 1 for every example)."""
  source, idx = split_indices(sources, split, n_val, data_cfg.name)
  limit = data_cfg.get(f'{split}_limit', 0)
  classes = tuple(data_cfg.get('classes', None) or ())
  arrays = read(source, idx if classes or not limit else idx[:limit], (x_key, y_key))
  x, y = arrays[x_key], arrays[y_key]
  if classes:
    x, y = filter_classes(x, y, classes)
    x, y = (x[:limit], y[:limit]) if limit else (x, y)
  x = scale(x, stored_range, data_cfg.name)
  if data_cfg.get('shuffle_positions', False):
    x = shuffle_positions(x, data_cfg.get('shuffle_seed', 0))
  return {'x': x, 'y': labels(y)}


def shuffle_positions(x_NxT, seed: int = 0):
  """Permutes the positions (axis 1) of every example with one fixed permutation drawn from `seed`:
  the same for every example and every split, so the signal is intact but its order is not
  (Greydanus's "shuffled MNIST-1D"; set by data.shuffle_positions=True, data.shuffle_seed)."""
  return x_NxT[:, np.random.default_rng(seed).permutation(x_NxT.shape[1])]


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


def num_classes(data_cfg, n: int) -> int:
  """Classes after data.classes (if set)."""
  classes = tuple(data_cfg.get('classes', None) or ())
  return len(classes) if classes else n


class SourceColumn:
  """One feature of a tfds data source as a read-only array: rows are read (and transformed) only
  when indexed, so a large split is never held in memory. Supports len, shape, dtype, ndim,
  integer-array / slice indexing and np.asarray (which reads everything)."""

  def __init__(self, source, indices, key, transform, example):
    self.source, self.indices, self.key, self.transform = source, np.asarray(indices), key, transform
    first = transform(np.stack([example]))
    self.dtype, self.shape = first.dtype, (len(self.indices),) + first.shape[1:]
    self.ndim = len(self.shape)

  def __len__(self):
    return len(self.indices)

  def __getitem__(self, item):
    rows = self.indices[item]
    if np.ndim(rows) == 0:
      return self[np.array([item])][0]
    records = self.source.__getitems__(np.asarray(rows).tolist()) if len(rows) else []
    if not records:
      return np.zeros((0,) + self.shape[1:], self.dtype)
    return self.transform(np.stack([r[self.key] for r in records]))

  def __array__(self, dtype=None, copy=None):
    del copy
    out = self[np.arange(len(self))]
    return out if dtype is None else out.astype(dtype)
