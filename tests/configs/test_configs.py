"""Every config's smoke preset runs end to end (found by globbing: none is silently skipped)."""
import glob
import math
import os

import pytest

from dljax.train import loop
from tests.helpers import ROOT, load_config

CONFIGS = sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, 'configs', '*', '*.py'))
                 if not os.path.basename(p).startswith('_'))


def test_configs_are_found():
  assert len(CONFIGS) >= 2


@pytest.mark.parametrize('path', CONFIGS)
def test_smoke_preset_runs(path, tmp_path):
  config = load_config(path, 'smoke')
  doc = open(os.path.join(ROOT, path)).read()
  assert 'python -m experiments.train' in doc, f'{path}: the docstring must hold the command'
  summary = loop.train_and_evaluate(config, str(tmp_path), progress=False)
  assert summary['steps'] >= 1
  assert summary['final'] and all(math.isfinite(v) for v in summary['final'].values())
  for name in ('config.json', 'metrics.jsonl', 'summary.json', 'plots/curves.png'):
    assert os.path.exists(tmp_path / name), name


@pytest.mark.parametrize('path', CONFIGS)
def test_presets_resolve(path):
  for preset in ('cpu', 'full'):
    config = load_config(path, preset)
    assert config.preset == preset
  with pytest.raises(ValueError, match='unknown preset'):
    load_config(path, 'gpu')
