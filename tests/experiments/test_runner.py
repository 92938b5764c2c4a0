"""The study runner: --only, --report_only, --seeds, resume of a half-finished study, bad names."""
import json
import os
import subprocess
import sys

import pytest

from experiments import study
from tests.helpers import ROOT

NAME = 'vision/unet_skips'


def _quiet(*_):
  pass


def test_only_then_report_only_then_resume(tmp_path):
  wd = str(tmp_path)
  first = study.run_study(NAME, wd, preset='smoke', only=['fmnist_unet_skips'], log=_quiet)
  assert first['report'] is None  # three runs not trained yet
  assert first['runs']['fmnist_unet_skips']['seeds_done'] == 1
  assert first['runs']['shapes_unet_noskip']['seeds_done'] == 0
  mtime = os.path.getmtime(tmp_path / 'fmnist_unet_skips' / 'summary.json')
  with pytest.raises(study.StudyError, match='no such run'):
    study.run_study(NAME, wd, preset='smoke', only=['nope'], log=_quiet)
  full = study.run_study(NAME, wd, preset='smoke', log=_quiet)  # resumes: trains the other three
  assert full['report'] is not None
  assert os.path.getmtime(tmp_path / 'fmnist_unet_skips' / 'summary.json') == mtime  # not retrained
  again = study.run_study(NAME, wd, preset='smoke', report_only=True, log=_quiet)
  assert again['report'] == json.loads(json.dumps(full['report']))
  assert os.path.exists(tmp_path / 'report' / 'unet_skips.png')


def test_seeds_give_mean_and_std(tmp_path):
  result = study.run_study(NAME, str(tmp_path), preset='smoke', seeds=2,
                           only=['fmnist_unet_noskip'], log=_quiet)
  run = result['runs']['fmnist_unet_noskip']
  assert run['seeds_done'] == 2
  assert os.path.exists(tmp_path / 'seed1' / 'fmnist_unet_noskip' / 'summary.json')
  with open(tmp_path / 'seed1' / 'fmnist_unet_noskip' / 'config.json') as f:
    assert json.load(f)['seed'] == 1
  assert run['final']['test/psnr']['std'] >= 0.0


def test_bad_study_name_is_one_line():
  proc = subprocess.run([sys.executable, '-m', 'experiments.study', 'vision/nope',
                         '--workdir=/tmp/unused'], cwd=ROOT, capture_output=True, text=True,
                        timeout=120)
  assert proc.returncode == 2
  assert proc.stderr.strip().startswith('error: no study') and len(proc.stderr.splitlines()) == 1
