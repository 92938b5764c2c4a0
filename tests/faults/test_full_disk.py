"""A real full disk (a 2 MB tmpfs): the run ends within seconds with one `error:` line that names
the path, the failed step, the last good checkpoint and the cause -- no hang, no library tracebacks."""
import os
import subprocess
import uuid

import pytest

from tests.helpers import run_train


@pytest.fixture
def small_disk(tmp_path):
  mount = tmp_path / f'disk-{uuid.uuid4().hex[:6]}'
  mount.mkdir()
  made = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', str(mount)],
                        capture_output=True, check=False)
  if made.returncode:
    pytest.skip('cannot mount a small tmpfs here (needs root); the injected-ENOSPC tests cover it')
  try:
    yield mount
  finally:
    subprocess.run(['umount', '-l', str(mount)], check=False)


def test_full_disk_is_one_clear_line(small_disk):
  result = run_train(['--config=configs/vision/fmnist_mlp.py:smoke',
                      f'--workdir={small_disk / "w"}'], timeout=240)
  assert result.returncode == 2, result.stderr[-3000:]
  lines = [l for l in result.stderr.splitlines() if l.strip()]
  assert len(lines) == 1, result.stderr[-3000:]
  # which write meets the full disk first (a checkpoint, the plots, the summary) depends on timing
  assert lines[0].startswith('error: could not write '), lines[0]
  assert 'No space left on device' in lines[0] and os.fspath(small_disk) in lines[0]
  assert 'step 4' in lines[0] and 'last good checkpoint' in lines[0]
