"""experiments/vision/equivariance.py without training: its configs are valid and probe real
strides, its runs are the three models, and the probe measures a model at initialisation."""
import os

import pytest

from dljax.train import config_check, loop
from experiments.vision import equivariance


@pytest.mark.parametrize('name', list(equivariance.PROBES))
def test_equivariance_configs_are_valid_and_probe_real_strides(name):
  cfg_module, probes = equivariance.PROBES[name]
  config = equivariance.make_config(cfg_module, 100)
  config_check.validate(config)
  config_check.validate_optimizers(config, 100)
  assert all(28 % stride == 0 for _, stride, _, _ in probes.values())
  assert (config.train.steps, config.train.epochs, config.data.test_limit) == (100, 0.0, 2000)


def test_runs_are_the_three_models_at_100_steps():
  runs = list(equivariance.runs('cpu', '/runs/eq'))
  assert [n for n, _ in runs] == list(equivariance.PROBES)
  assert all(c.train.steps == 100 and c.optim.schedule.warmup_steps == 25 for _, c in runs)
  with pytest.raises(ValueError, match="preset 'full'"):
    list(equivariance.runs('full', '/runs/eq'))


class _Loaded:  # what probe() reads of a loop.LoadedRun
  def __init__(self, run, state):
    self.config, self.data, self.state = run.config, run.data, state


def test_probe_of_the_cnn_at_initialisation(tmp_path):
  cfg_module, probes = equivariance.PROBES['cnn']
  config = equivariance.make_config(cfg_module, 2, smoke=True)
  run = loop.Run(config, str(tmp_path), progress=False, read_only=True)
  shifts = [0, 1, 2]
  features, logits = equivariance.probe(_Loaded(run, run.init_state()), probes, shifts, 16)
  assert list(features) == list(probes)
  conv1 = features['CNN conv1 (s=1)']
  assert conv1[0] == 0.0 and all(e < 1e-5 for e in conv1)  # stride 1: exact in the interior
  conv2 = features['CNN conv2 (s=2, after a pool)']
  assert conv2[2] < 1e-5 < conv2[1]  # stride 2: exact for even shifts only
  assert logits[0]['same_prediction'] == 1.0 and len(logits) == 3


def test_plots_from_a_table(tmp_path):
  table = {'shifts': [0, 1, 2], 'features': {'a (s=1)': [0.0, 0.0, 0.0], 'b (s=2)': [0.0, 0.5, 0.0]},
           'logits': {'CNN': [{'same_prediction': 1.0}, {'same_prediction': 0.9},
                              {'same_prediction': 0.8}]}}
  equivariance.plot(table, str(tmp_path))
  assert os.path.getsize(tmp_path / 'equivariance.png') > 10_000
  assert os.path.getsize(tmp_path / 'equivariance_logits.png') > 10_000
