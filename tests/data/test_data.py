"""Datasets and pipelines: IDX reading, determinism, sharding, exact-once evaluation."""
import gzip
import os

import numpy as np
import pytest
from ml_collections import ConfigDict

from dljax import data
from dljax.data import builders, pipeline, splits, toys
from dljax.errors import DataError


def test_idx_reader_roundtrip_and_truncation(tmp_path):
  arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
  header = bytes([0, 0, 8, 3]) + b''.join(int(d).to_bytes(4, 'big') for d in arr.shape)
  path = str(tmp_path / 'a.idx.gz')
  with gzip.open(path, 'wb') as f:
    f.write(header + arr.tobytes())
  np.testing.assert_array_equal(builders.read_idx(path), arr)
  with gzip.open(path, 'wb') as f:
    f.write(header + arr.tobytes()[:-3])
  with pytest.raises(DataError, match='truncated'):
    builders.read_idx(path)


def test_missing_fashion_mnist_says_how_to_install(tmp_path):
  with pytest.raises(DataError, match='apt-get install dataset-fashion-mnist'):
    builders.fashion_mnist_arrays(str(tmp_path), 'train')


def test_fashion_mnist_split_sizes():
  test = data.load_split(ConfigDict(dict(name='fashion_mnist')), 'test')
  assert test['x'].shape == (10000, 28, 28, 1) and test['x'].dtype == np.float32
  assert 0.0 <= test['x'].min() and test['x'].max() <= 1.0
  assert np.bincount(test['y']).tolist() == [1000] * 10


def test_mnist1d_regeneration_is_deterministic():
  a, b = builders.mnist1d_arrays(), builders.mnist1d_arrays()
  assert a['x'].shape == (4000, 40) and a['x_test'].shape == (1000, 40)
  for key in ('x', 'y', 'x_test', 'y_test'):
    np.testing.assert_array_equal(a[key], b[key])
  held = splits.carve(4000, 500)   # validation: a fixed seeded 500 of the 4,000 training sequences
  for split in ('train', 'validation'):
    cached = data.load_split(ConfigDict(dict(name='mnist1d')), split)
    np.testing.assert_allclose(cached['x'], a['x'][held[split]].astype(np.float32))
    np.testing.assert_array_equal(cached['y'], a['y'][held[split]])


@pytest.mark.parametrize('name', sorted(toys.TOYS))
def test_toys_are_deterministic(name):
  x1, y1 = toys.TOYS[name](n=64, seed=3)
  x2, y2 = toys.TOYS[name](n=64, seed=3)
  np.testing.assert_array_equal(x1, x2)
  np.testing.assert_array_equal(y1, y2)
  assert x1.shape == (64, toys.X_DIM[name])


def test_xor_labels():
  x, y = toys.xor(1000, 0)
  np.testing.assert_array_equal(y, (x[:, 0] > 0) != (x[:, 1] > 0))


def test_unknown_dataset_is_refused():
  with pytest.raises(DataError, match='unknown'):
    data.load_split(ConfigDict(dict(name='imagenet')), 'train')


def _arrays(n):
  return {'x': np.arange(n, dtype=np.float32)[:, None], 'y': np.arange(n)}


def test_train_iterator_shuffles_examples_each_epoch_and_resumes():
  it = pipeline.train_iterator(_arrays(12), global_batch=4, seed=0)
  epoch1 = np.concatenate([next(it)['y'] for _ in range(3)])
  epoch2 = np.concatenate([next(it)['y'] for _ in range(3)])
  assert sorted(epoch1) == list(range(12)) and sorted(epoch2) == list(range(12))
  assert not np.array_equal(epoch1, epoch2)
  state = it.get_state()
  expected = [next(it)['y'] for _ in range(4)]
  resumed = pipeline.train_iterator(_arrays(12), global_batch=4, seed=0)
  resumed.set_state(state)
  for e in expected:
    np.testing.assert_array_equal(next(resumed)['y'], e)


def test_processes_split_each_global_batch():
  whole = pipeline.train_iterator(_arrays(32), global_batch=8, seed=1)
  parts = [pipeline.train_iterator(_arrays(32), 8, 1, process_index=p, process_count=2)
           for p in range(2)]
  for _ in range(5):
    np.testing.assert_array_equal(np.concatenate([next(p)['y'] for p in parts]), next(whole)['y'])


def test_eval_sees_every_example_once():
  seen = []
  for batch in pipeline.eval_batches(_arrays(10), batch_size=4):
    assert len(batch['y']) == 4
    seen += list(batch['y'][batch['mask']])
  assert seen == list(range(10))


def test_damaged_cache_is_rebuilt(tmp_path, monkeypatch):
  monkeypatch.setenv('DLJAX_DATA_DIR', str(tmp_path))
  cfg = ConfigDict(dict(name='toy_xor'))
  first = data.load_split(cfg, 'test')
  shards = [os.path.join(r, f) for r, _, fs in os.walk(tmp_path) for f in fs if 'array_record' in f]
  assert shards
  for shard in shards:
    with open(shard, 'wb') as f:
      f.write(b'garbage')
  again = data.load_split(cfg, 'test')
  np.testing.assert_array_equal(first['x'], again['x'])
