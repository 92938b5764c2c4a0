"""A run killed at any moment and restarted with the same command ends exactly as an uninterrupted one."""
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.helpers import ROOT, run_train

ARGS = ['--config=configs/vision/fmnist_mlp.py:smoke', '--config.train.steps=1500',
        '--config.train.log_every=5', '--config.train.eval_every=500',
        '--config.train.checkpoint_every=100', '--progress=false']


def _env():
  return dict(os.environ, PYTHONPATH=ROOT)


def _start(workdir):
  return subprocess.Popen([sys.executable, '-m', 'experiments.train', *ARGS, f'--workdir={workdir}'],
                          cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)


def _wait_for_rows(workdir, rows, proc, timeout=120):
  path = os.path.join(workdir, 'metrics.jsonl')
  deadline = time.time() + timeout
  while time.time() < deadline and proc.poll() is None:
    if os.path.exists(path) and sum(1 for _ in open(path)) >= rows:
      return
    time.sleep(0.05)
  raise AssertionError(f'run did not reach {rows} rows: {proc.poll()}')


@pytest.fixture(scope='module')
def reference(tmp_path_factory):
  workdir = tmp_path_factory.mktemp('reference')
  result = run_train(ARGS + [f'--workdir={workdir}'])
  assert result.returncode == 0, result.stderr[-2000:]
  with open(workdir / 'metrics.jsonl') as f:
    return f.read()


@pytest.mark.parametrize('kill_after_rows', [25, 140])
def test_sigkill_then_restart_is_bitwise_identical(tmp_path, reference, kill_after_rows):
  proc = _start(tmp_path)
  _wait_for_rows(tmp_path, kill_after_rows, proc)
  proc.send_signal(signal.SIGKILL)
  proc.wait()
  result = run_train(ARGS + [f'--workdir={tmp_path}'])
  assert result.returncode == 0, result.stderr[-2000:]
  with open(tmp_path / 'metrics.jsonl') as f:
    assert f.read() == reference


def test_sigterm_checkpoints_and_exits_zero(tmp_path, reference):
  proc = _start(tmp_path)
  _wait_for_rows(tmp_path, 40, proc)
  t0 = time.time()
  proc.send_signal(signal.SIGTERM)
  _, stderr = proc.communicate(timeout=30)
  assert proc.returncode == 0, stderr[-2000:]
  assert time.time() - t0 < 30
  assert 'run the same command again' in stderr
  stopped_at = max(int(d) for d in os.listdir(tmp_path / 'checkpoints' / 'latest') if d.isdigit())
  assert 0 < stopped_at < 1500
  result = run_train(ARGS + [f'--workdir={tmp_path}'])
  assert result.returncode == 0, result.stderr[-2000:]
  with open(tmp_path / 'metrics.jsonl') as f:
    assert f.read() == reference
