"""Damaged data: a prepared cache with garbage in the middle of a file is rebuilt (with a warning)
before anything reads it; a truncated or corrupt source file is one `error:` line, no traceback."""
import gzip
import logging
import os
import shutil

import numpy as np
import pytest
from ml_collections import ConfigDict

from dljax import data, settings
from dljax.data import builders
from dljax.errors import DataError
from tests.helpers import run_train


def _shards(folder):
  return sorted(os.path.join(r, f) for r, _, fs in os.walk(folder) for f in fs
                if 'array_record' in f)


def test_garbage_in_the_middle_of_a_cache_file_rebuilds_it(tmp_path, monkeypatch, caplog):
  monkeypatch.setenv('DLJAX_DATA_DIR', str(tmp_path))
  cfg = ConfigDict(dict(name='toy_xor'))
  first = data.load_split(cfg, 'test')
  shard = max(_shards(tmp_path), key=os.path.getsize)
  size = os.path.getsize(shard)
  with open(shard, 'r+b') as f:          # same length, same first and last record
    f.seek(size // 2)
    f.write(b'\x00garbage\xff' * 8)
  assert os.path.getsize(shard) == size
  builders._VERIFIED.clear()  # pylint: disable=protected-access  # as a new process would start
  with caplog.at_level(logging.WARNING):
    again = data.load_split(cfg, 'test')
  assert 'is rebuilt: it is damaged' in caplog.text and 'checksum' in caplog.text
  np.testing.assert_array_equal(first['x'], again['x'])
  np.testing.assert_array_equal(first['y'], again['y'])


def test_a_missing_cache_file_rebuilds_it(tmp_path, monkeypatch, caplog):
  monkeypatch.setenv('DLJAX_DATA_DIR', str(tmp_path))
  cfg = ConfigDict(dict(name='toy_xor'))
  first = data.load_split(cfg, 'train')
  os.remove(_shards(tmp_path)[0])
  builders._VERIFIED.clear()  # pylint: disable=protected-access
  with caplog.at_level(logging.WARNING):
    again = data.load_split(cfg, 'train')
  assert 'is missing' in caplog.text
  np.testing.assert_array_equal(first['x'], again['x'])


def _damaged_fashion_mnist(folder, source):
  """A copy of the four IDX files with the training images' .gz cut in half."""
  os.makedirs(folder)
  for split in builders.FASHION_MNIST_FILES.values():
    for name in split:
      shutil.copy(os.path.join(source, name), os.path.join(folder, name))
  path = os.path.join(folder, builders.FASHION_MNIST_FILES['train'][0])
  with open(path, 'rb') as f:
    raw = f.read()
  with open(path, 'wb') as f:
    f.write(raw[:len(raw) // 2])
  return path


def test_truncated_gzip_is_one_clear_error(tmp_path):
  arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
  header = bytes([0, 0, 8, 3]) + b''.join(int(d).to_bytes(4, 'big') for d in arr.shape)
  path = str(tmp_path / 'a.idx.gz')
  with gzip.open(path, 'wb') as f:
    f.write(header + arr.tobytes() * 50)
  with open(path, 'rb') as f:
    raw = f.read()
  with open(path, 'wb') as f:
    f.write(raw[:len(raw) // 2])
  with pytest.raises(DataError, match=r'a.idx.gz is damaged \(EOFError.*reinstall'):
    builders.read_idx(path)
  with open(path, 'wb') as f:
    f.write(b'\x1f\x8b' + b'not a gzip stream' * 4)
  with pytest.raises(DataError, match='is damaged'):
    builders.read_idx(path)


@pytest.mark.skipif(not os.path.exists(settings.fashion_mnist_dir()),
                    reason='Fashion-MNIST IDX files are not installed')
def test_truncated_fashion_mnist_source_is_one_error_line(tmp_path):
  folder = str(tmp_path / 'fmnist')
  damaged = _damaged_fashion_mnist(folder, settings.fashion_mnist_dir())
  result = run_train(['--config=configs/vision/fmnist_mlp.py:smoke', f'--workdir={tmp_path / "w"}'],
                     {'DLJAX_DATA_DIR': str(tmp_path / 'cache'), 'DLJAX_FASHION_MNIST_DIR': folder},
                     timeout=240)
  assert result.returncode == 2, result.stderr[-3000:]
  lines = [l for l in result.stderr.splitlines() if l.strip()]
  assert len(lines) == 1 and lines[0].startswith('error: '), result.stderr[-3000:]
  assert damaged in lines[0] and 'is damaged' in lines[0] and 'reinstall' in lines[0]
