"""Every study runs end to end at its smoke preset through the one runner (found by globbing: no
study goes untested), and the runner's flags behave."""
import json
import os

import pytest

from experiments import study

STUDIES = study.all_studies()


def test_studies_are_found():
  assert len(STUDIES) >= 27, STUDIES


# tests/experiments/test_runner.py trains this study's smoke preset to its report (in two parts, to
# test --only and resume) and checks the report: its smoke run here would repeat that
IN_RUNNER_TEST = ('vision/unet_skips',)


def test_runner_test_covers_a_real_study():
  assert set(IN_RUNNER_TEST) <= set(STUDIES)


@pytest.mark.parametrize('name', [s for s in STUDIES if s not in IN_RUNNER_TEST])
def test_smoke_preset_runs(name, tmp_path):
  module = study.load_study(name)
  assert f'python -m experiments.study {name}' in module.__doc__, (
      f'{name}: the docstring must hold the command')
  result = study.run_study(name, str(tmp_path), preset='smoke', log=lambda *_: None)
  assert result['report'] is not None
  with open(tmp_path / 'study.json') as f:
    assert json.load(f)['study'] == name
  for run in result['runs'].values():
    assert run['seeds_done'] == 1


@pytest.mark.parametrize('name', STUDIES)
def test_unknown_preset_is_refused(name, tmp_path):
  with pytest.raises(ValueError, match='preset'):
    list(study.load_study(name).runs('gpu', str(tmp_path)))
