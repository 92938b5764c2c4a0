"""Damaged checkpoints never cost the run: the newest readable one is restored, with a warning."""
import os
import shutil

import pytest

from dljax.errors import WorkdirError
from dljax.train import loop
from tests.helpers import load_config, read_jsonl


def config():
  return load_config('configs/vision/fmnist_mlp.py', 'smoke', **{
      'train.steps': 30, 'train.checkpoint_every': 10, 'train.eval_every': 10,
      'train.log_every': 1, 'train.keep_checkpoints': 3, 'train.async_checkpoints': False})


def _latest(workdir):
  return os.path.join(workdir, 'checkpoints', 'latest')


def _files(step_dir):
  return [os.path.join(r, f) for r, _, fs in os.walk(step_dir) for f in fs]


def _truncate(path):
  with open(path, 'r+b') as f:
    f.truncate(max(os.path.getsize(path) // 3, 1))


def _garbage(path):
  with open(path, 'wb') as f:
    f.write(b'\x00garbage' * 7)


DAMAGES = {
    'truncated files': lambda d: [_truncate(p) for p in _files(d)],
    'garbage bytes': lambda d: [_garbage(p) for p in _files(d)],
    'missing metadata': lambda d: [os.remove(p) for p in _files(d) if p.endswith(('metadata',
                                                                                 '_METADATA'))],
    'half-written step': lambda d: shutil.rmtree(os.path.join(d, 'state')),
    'valid but wrong JSON': lambda d: [_write(os.path.join(d, part, 'metadata'), '{}')
                                       for part in ('data', 'meta')],
}


def _write(path, text):
  with open(path, 'w') as f:
    f.write(text)


@pytest.fixture(scope='module')
def reference(tmp_path_factory):
  workdir = str(tmp_path_factory.mktemp('ref'))
  loop.train_and_evaluate(config(), workdir, progress=False)
  return read_jsonl(os.path.join(workdir, 'metrics.jsonl'))


@pytest.mark.parametrize('damage', sorted(DAMAGES))
def test_newest_readable_checkpoint_is_restored(tmp_path, reference, damage, caplog):
  workdir = str(tmp_path)
  loop.train_and_evaluate(config(), workdir, progress=False)  # checkpoints at 10, 20 and 30
  DAMAGES[damage](os.path.join(_latest(workdir), '30'))  # as if killed while writing step 30
  os.remove(os.path.join(workdir, 'summary.json'))
  loop.train_and_evaluate(config(), workdir, progress=False)  # resumes from step 20
  assert any('step 30' in r.getMessage() for r in caplog.records), damage
  assert read_jsonl(os.path.join(workdir, 'metrics.jsonl')) == reference
  # the damaged final step was saved anew: a rerun restores it with no warning and trains nothing
  os.remove(os.path.join(workdir, 'summary.json'))
  caplog.clear()
  loop.train_and_evaluate(config(), workdir, progress=False)
  assert not any('damaged' in r.getMessage() for r in caplog.records), damage
  assert read_jsonl(os.path.join(workdir, 'metrics.jsonl')) == reference


def test_all_checkpoints_damaged_stops_unless_overwrite(tmp_path):
  workdir = str(tmp_path)
  loop.train_and_evaluate(config(), workdir, progress=False)
  os.remove(os.path.join(workdir, 'summary.json'))
  for step in os.listdir(_latest(workdir)):
    if step.isdigit():
      DAMAGES['garbage bytes'](os.path.join(_latest(workdir), step))
  with pytest.raises(WorkdirError, match='no readable checkpoint'):
    loop.train_and_evaluate(config(), workdir, progress=False)
  loop.train_and_evaluate(config(), workdir, overwrite=True, progress=False)
