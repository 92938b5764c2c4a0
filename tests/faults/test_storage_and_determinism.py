"""Storage faults give a clear error and keep the previous checkpoint; runs are deterministic;
nothing is pickled."""
import errno
import pathlib

import orbax.checkpoint as ocp
import pytest

from dljax.errors import WorkdirError
from dljax.train import loop
from tests.helpers import ROOT, load_config, read_jsonl


def config(seed=0, **kw):
  base = {'train.steps': 20, 'train.checkpoint_every': 10, 'train.eval_every': 10,
          'train.log_every': 1, 'train.async_checkpoints': False}
  base.update(kw, seed=seed)
  return load_config('configs/vision/fmnist_mlp.py', 'smoke', **base)


def test_disk_full_during_save_is_a_clear_error_and_keeps_the_previous_checkpoint(
    tmp_path, monkeypatch):
  real_save = ocp.CheckpointManager.save

  def save(self, step, *args, **kwargs):
    if step == 20:
      raise OSError(errno.ENOSPC, 'No space left on device')
    return real_save(self, step, *args, **kwargs)

  monkeypatch.setattr(ocp.CheckpointManager, 'save', save)
  with pytest.raises(WorkdirError, match=r'step 20 in .*No space left.*last good checkpoint is step 10'):
    loop.train_and_evaluate(config(), str(tmp_path), progress=False)
  monkeypatch.setattr(ocp.CheckpointManager, 'save', real_save)
  summary = loop.train_and_evaluate(config(), str(tmp_path), progress=False)  # resumes from 10
  assert summary['steps'] == 20


def test_same_config_and_seed_give_identical_metrics(tmp_path):
  for name in ('a', 'b'):
    loop.train_and_evaluate(config(), str(tmp_path / name), progress=False)
  assert read_jsonl(tmp_path / 'a' / 'metrics.jsonl') == read_jsonl(tmp_path / 'b' / 'metrics.jsonl')
  loop.train_and_evaluate(config(seed=1), str(tmp_path / 'c'), progress=False)
  assert read_jsonl(tmp_path / 'a' / 'metrics.jsonl') != read_jsonl(tmp_path / 'c' / 'metrics.jsonl')


def test_no_pickle_in_dljax():
  """Checkpoints are Orbax (tensorstore + JSON), data is ArrayRecord + JSON iterator state."""
  for path in pathlib.Path(ROOT, 'dljax').rglob('*.py'):
    text = path.read_text()
    assert 'import pickle' not in text and 'cloudpickle' not in text, path
