"""Every config's smoke preset runs end to end (found by globbing: none is silently skipped): here,
or, for the configs the resume test trains as they are, in tests/faults/test_resume_every_task.py
with the same checks on its first run."""
import glob
import os

import pytest

from dljax.train import loop
from tests.faults.test_resume_every_task import RESUME_CASES
from tests.helpers import ROOT, assert_smoke_outputs, load_config

CONFIGS = sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, 'configs', '*', '*.py'))
                 if not os.path.basename(p).startswith('_'))


def test_configs_are_found():
  assert len(CONFIGS) >= 2


# A config that tests/faults/test_resume_every_task.py trains without overrides (its smoke preset run
# 20 steps, then killed and resumed) has its smoke checks there: one compile set instead of two.
IN_RESUME_TEST = sorted({path for path, overrides in RESUME_CASES.values() if not overrides})
SMOKE_HERE = [p for p in CONFIGS if p not in IN_RESUME_TEST]


def test_every_config_is_run_by_a_smoke_test():
  assert set(SMOKE_HERE) | set(IN_RESUME_TEST) == set(CONFIGS)
  assert set(IN_RESUME_TEST) <= set(CONFIGS), set(IN_RESUME_TEST) - set(CONFIGS)


@pytest.mark.parametrize('path', CONFIGS)
def test_docstring_holds_the_command(path):
  doc = open(os.path.join(ROOT, path)).read()
  assert 'python -m experiments.train' in doc, f'{path}: the docstring must hold the command'


@pytest.mark.parametrize('path', SMOKE_HERE)
def test_smoke_preset_runs(path, tmp_path):
  config = load_config(path, 'smoke')
  summary = loop.train_and_evaluate(config, str(tmp_path), progress=False)
  assert_smoke_outputs(summary, tmp_path)


@pytest.mark.parametrize('path', CONFIGS)
def test_presets_resolve(path):
  for preset in ('cpu', 'full'):
    config = load_config(path, preset)
    assert config.preset == preset
  with pytest.raises(ValueError, match='unknown preset'):
    load_config(path, 'gpu')
