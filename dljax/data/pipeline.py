"""grain pipelines over in-memory splits.

Training: a seeded shuffle of *examples* (never of batches), repeated forever, cut into global
batches; each process gathers only its own slice of every global batch, so the global batch at a
step is the same whatever the number of processes or devices. The iterator is a grain
`DatasetIterator` whose state (one integer) is saved in every checkpoint.

Evaluation: every example exactly once, in order, the last batch padded and masked.
"""
import grain
import numpy as np


class _Gather:
  """Maps a batch of example indices to the arrays of those examples (one vectorised gather)."""

  def __init__(self, arrays, process_index, process_count):
    self.arrays = arrays
    self.process_index, self.process_count = process_index, process_count

  def __call__(self, idx):
    per_process = len(idx) // self.process_count
    idx = idx[self.process_index * per_process:(self.process_index + 1) * per_process]
    return {k: v[idx] for k, v in self.arrays.items()}


def train_iterator(arrays: dict, global_batch: int, seed: int, process_index: int = 0,
                   process_count: int = 1):
  """A checkpointable iterator over this process's part of each global training batch."""
  n = len(next(iter(arrays.values())))
  ds = (grain.MapDataset.range(n)
        .shuffle(seed=seed)   # a new permutation of the examples every epoch
        .repeat()
        .batch(global_batch, drop_remainder=True)
        .map(_Gather(arrays, process_index, process_count)))
  return iter(ds.to_iter_dataset())


def eval_batches(arrays: dict, batch_size: int, process_index: int = 0, process_count: int = 1):
  """Yields this process's part of fixed-size batches covering every example once; 'mask' marks real ones."""
  n = len(next(iter(arrays.values())))
  for start in range(0, n, batch_size):
    idx = np.arange(start, start + batch_size)
    mask = idx < n
    idx = np.where(mask, idx, 0)
    per_process = batch_size // process_count
    sl = slice(process_index * per_process, (process_index + 1) * per_process)
    batch = {k: v[idx[sl]] for k, v in arrays.items()}
    batch['mask'] = mask[sl]
    yield batch
