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
