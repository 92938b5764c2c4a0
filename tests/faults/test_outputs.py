"""No output file a kill can leave half-written, and no write failure that hangs: the writers."""
import errno
import os

import pytest

from dljax.train import writers


def _kill_before_rename(monkeypatch):
  def killed(*_):
    raise KeyboardInterrupt('killed between write and rename')
  monkeypatch.setattr(writers.os, 'replace', killed)


def test_atomic_json_survives_a_kill_between_write_and_rename(tmp_path, monkeypatch):
  path = str(tmp_path / 'summary.json')
  writers.write_json_atomic(path, {'final': 1})
  _kill_before_rename(monkeypatch)
  with pytest.raises(KeyboardInterrupt):
    writers.write_json_atomic(path, {'final': 2})
  assert writers.read_json(path) == {'final': 1}  # the old document, whole


def test_damaged_json_reads_as_missing(tmp_path):
  path = tmp_path / 'config.json'
  path.write_text('')  # what a kill during a non-atomic rewrite left
  assert writers.read_json(str(path)) is None
  path.write_text('{"name": "x"')
  assert writers.read_json(str(path)) is None
  assert writers.read_json(str(tmp_path / 'missing.json')) is None


def _metrics(tmp_path, steps):
  w = writers.MetricWriter(str(tmp_path), 100, 0, progress=False)
  for s in steps:
    w.write(s, {'train/loss': 1.0 / s})
  w.close()
  return (tmp_path / 'metrics.jsonl').read_text()


def test_resume_truncation_is_atomic_and_drops_a_torn_line(tmp_path, monkeypatch):
  full = _metrics(tmp_path, range(1, 7))
  path = str(tmp_path / 'metrics.jsonl')
  with open(path, 'a') as f:
    f.write('{"step": 7, "train/lo')  # a kill in the middle of an append
  assert [r['step'] for r in writers.read_metrics(str(tmp_path))] == [1, 2, 3, 4, 5, 6]
  with monkeypatch.context() as m:
    _kill_before_rename(m)
    with pytest.raises(KeyboardInterrupt):
      writers.truncate_after(path, 3)  # a resumed run killed while cutting the file back
  assert [r['step'] for r in writers.read_metrics(str(tmp_path))] == [1, 2, 3, 4, 5, 6]
  writers.truncate_after(path, 3)
  assert open(path).read() == ''.join(full.splitlines(keepends=True)[:3])  # rows kept verbatim


@pytest.mark.parametrize('code', [errno.ENOSPC, errno.EROFS, errno.EIO])
def test_failed_tensorboard_write_raises_at_once(tmp_path, monkeypatch, code):
  w = writers.MetricWriter(str(tmp_path), 10, 0, progress=False)

  def full(*_):
    raise OSError(code, os.strerror(code))

  monkeypatch.setattr(w.tb._writer, 'write_event', full)  # pylint: disable=protected-access
  with pytest.raises(writers.StorageError, match=r'tensorboard.*' + os.strerror(code)):
    w.write(1, {'train/loss': 0.5})
  w.close()


def test_failed_metrics_append_names_the_file(tmp_path):
  w = writers.MetricWriter(str(tmp_path), 10, 0, progress=False)
  w.path = str(tmp_path / 'gone' / 'metrics.jsonl')  # the folder vanished (as root, chmod would not stop the write)
  with pytest.raises(writers.StorageError, match=r'gone/metrics.jsonl'):
    w.write(1, {'train/loss': 0.5})
  w.close()
