"""grain pipelines over in-memory splits.

Training: every epoch is a fresh seeded permutation of the *examples* (never of batches), the
epochs are concatenated into one stream, and the stream is cut into global batches. Batch b holds
stream positions [b B, (b+1) B): its example indices are computed in one vectorised step and its
arrays gathered in one go. Each process takes only its own slice of every global batch, so the
global batch at a step is the same whatever the number of processes or devices. The iterator is a
grain `DatasetIterator` over batch numbers; its state (the next batch number) is saved in every
checkpoint, so a resumed run sees exactly the batches an uninterrupted run would have seen.

Evaluation: every example exactly once, in order, the last batch padded and masked.
"""
import functools
import sys

import grain
import numpy as np


@functools.lru_cache(maxsize=4)
def _permutation(n: int, seed: int, epoch: int) -> np.ndarray:
  return np.random.default_rng([seed, epoch]).permutation(n)


class _Batch:
  """Maps a batch number to this process's part of that global batch."""

  def __init__(self, arrays, global_batch, seed, process_index, process_count):
    self.arrays, self.global_batch, self.seed = arrays, global_batch, seed
    self.n = len(next(iter(arrays.values())))
    per_process = global_batch // process_count
    self.local = slice(process_index * per_process, (process_index + 1) * per_process)

  def indices(self, b: int) -> np.ndarray:
    """Example indices of global batch b: positions b*B..(b+1)*B-1 of the epoch-permuted stream."""
    position = np.arange(b * self.global_batch, (b + 1) * self.global_batch)[self.local]
    epoch, offset = np.divmod(position, self.n)
    idx = np.empty_like(position)
    for e in np.unique(epoch):
      here = epoch == e
      idx[here] = _permutation(self.n, self.seed, int(e))[offset[here]]
    return idx

  def __call__(self, b):
    idx = self.indices(int(b))
    return {k: v[idx] for k, v in self.arrays.items()}


def train_iterator(arrays: dict, global_batch: int, seed: int, process_index: int = 0,
                   process_count: int = 1):
  """A checkpointable iterator over this process's part of each global training batch."""
  ds = grain.MapDataset.range(sys.maxsize).map(
      _Batch(arrays, global_batch, seed, process_index, process_count))
  return iter(ds.to_iter_dataset())


def eval_batches(arrays: dict, batch_size: int, process_index: int = 0, process_count: int = 1):
  """Yields this process's part of fixed-size batches covering every example once; 'mask' marks real ones."""
  n = len(next(iter(arrays.values())))
  per_process = batch_size // process_count
  local = slice(process_index * per_process, (process_index + 1) * per_process)
  for start in range(0, n, batch_size):
    idx = np.arange(start, start + batch_size)[local]
    mask = idx < n
    batch = {k: v[np.where(mask, idx, 0)] for k, v in arrays.items()}
    batch['mask'] = mask
    yield batch


# Token streams (language modelling): random windows of block_size + 1 tokens.


class _Windows:
  """Maps a batch number b to this process's part of global batch b of random windows.

  The global batch's window starts are `default_rng([seed, b]).integers(0, n - block_size, B)`,
  so batch b depends on (seed, b) only: checkpointing the batch number restores the stream.
  """

  def __init__(self, tokens, block_size, global_batch, seed, process_index, process_count):
    if len(tokens) < block_size + 1:
      raise ValueError(f'{len(tokens)} tokens hold no window of {block_size + 1}')
    self.tokens, self.block_size, self.global_batch, self.seed = tokens, block_size, global_batch, seed
    per_process = global_batch // process_count
    self.local = slice(process_index * per_process, (process_index + 1) * per_process)

  def starts(self, b: int) -> np.ndarray:
    rng = np.random.default_rng([self.seed, b])
    return rng.integers(0, len(self.tokens) - self.block_size, self.global_batch)[self.local]

  def __call__(self, b):
    w_BxT1 = self.tokens[self.starts(int(b))[:, None] + np.arange(self.block_size + 1)]
    return {'x': w_BxT1[:, :-1].astype(np.int32), 'y': w_BxT1[:, 1:].astype(np.int32)}


def window_iterator(tokens: np.ndarray, block_size: int, global_batch: int, seed: int,
                    process_index: int = 0, process_count: int = 1):
  """A checkpointable iterator of {'x', 'y'} int32 [B, block_size] batches, y = x shifted by one.

  Windows are drawn uniformly with replacement (nanoGPT's `get_batch`); batch b is a function of
  (seed, b) only, and the iterator's grain state (the next b) goes into every checkpoint.
  """
  ds = grain.MapDataset.range(sys.maxsize).map(
      _Windows(tokens, block_size, global_batch, seed, process_index, process_count))
  return iter(ds.to_iter_dataset())


def eval_windows(tokens: np.ndarray, block_size: int, num_windows: int = 0, seed: int = 0) -> dict:
  """A fixed set of evaluation windows {'x', 'y'} [W, block_size], for `eval_batches`.

  num_windows = 0: consecutive non-overlapping windows, so every token after the first is
  predicted once (a tail shorter than a window is dropped). Otherwise `num_windows` windows at
  starts drawn once from `seed` (the same set at every evaluation).
  """
  if num_windows:
    starts = np.random.default_rng(seed).integers(0, len(tokens) - block_size, num_windows)
  else:
    starts = np.arange(0, len(tokens) - block_size, block_size)
  w_WxT1 = tokens[starts[:, None] + np.arange(block_size + 1)]
  return {'x': w_WxT1[:, :-1].astype(np.int32), 'y': w_WxT1[:, 1:].astype(np.int32)}


class _GeneratedBatch:
  """Maps a batch number b to this process's rows of global batch b, drawn from (seed, 0, b) only."""

  def __init__(self, make, keys, global_batch, seed, process_index, process_count, args):
    self.make, self.keys, self.global_batch, self.seed, self.args = (make, keys, global_batch,
                                                                     seed, args)
    per_process = global_batch // process_count
    self.local = slice(process_index * per_process, (process_index + 1) * per_process)

  def __call__(self, b):
    batch = self.make(self.global_batch, np.random.default_rng([self.seed, 0, int(b)]),
                      **self.args)
    return {k: batch[k][self.local] for k in self.keys}


def generated_iterator(make, keys, global_batch: int, seed: int, process_index: int = 0,
                       process_count: int = 1, **args):
  """A checkpointable grain iterator of freshly generated batches (tasks whose data is drawn, not
  read): batch b = make(global_batch, default_rng([seed, 0, b]), **args), restricted to `keys` and
  to this process's rows; its state is the batch number alone, so a resumed run redraws exactly."""
  ds = grain.MapDataset.range(sys.maxsize).map(
      _GeneratedBatch(make, tuple(keys), global_batch, seed, process_index, process_count, args))
  return iter(ds.to_iter_dataset())
