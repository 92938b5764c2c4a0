"""Broken config files and a missing preset are one `error:` line naming the file and the cause;
a SIGTERM during start-up exits 0."""
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.helpers import ROOT, run_train

BROKEN = {
    'syntax error': ('def get_config(preset):\n  return (\n', 'SyntaxError at line'),
    'failing import': ('import no_such_module_dljax\n', "ModuleNotFoundError: No module named"),
    'get_config raises': ('def get_config(preset):\n  raise RuntimeError("boom")\n',
                          "get_config('smoke') failed: RuntimeError: boom"),
    'get_config key error': ('def get_config(preset):\n  return {}[preset]\n',
                             "failed: KeyError"),
}


@pytest.mark.parametrize('case', sorted(BROKEN))
def test_broken_config_file_is_one_line(tmp_path, case):
  text, expected = BROKEN[case]
  path = tmp_path / 'broken.py'
  path.write_text(text)
  result = run_train([f'--config={path}:smoke', f'--workdir={tmp_path / "w"}'], timeout=120)
  assert result.returncode == 2, result.stderr[-2000:]
  lines = [l for l in result.stderr.splitlines() if l.strip()]
  assert len(lines) == 1 and lines[0].startswith('error: '), result.stderr
  assert str(path) in lines[0] and expected in lines[0], lines[0]


def test_a_config_without_preset_is_refused(tmp_path):
  result = run_train(['--config=configs/vision/fmnist_mlp.py', f'--workdir={tmp_path / "w"}'],
                     timeout=120)
  assert result.returncode == 2
  assert 'names no preset' in result.stderr and 'fmnist_mlp.py:cpu' in result.stderr
  assert not (tmp_path / 'w').exists()


def test_sigterm_during_startup_exits_zero(tmp_path):
  env = dict(os.environ, PYTHONPATH=ROOT)
  proc = subprocess.Popen(
      [sys.executable, '-m', 'experiments.train', '--progress=false',
       '--config=configs/vision/fmnist_mlp.py:smoke', f'--workdir={tmp_path / "w"}'],
      cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
  time.sleep(0.5)  # importing jax, parsing flags: before the loop exists
  proc.send_signal(signal.SIGTERM)
  _, err = proc.communicate(timeout=300)
  assert proc.returncode == 0, err[-2000:]
  assert 'preempted' in err
