"""experiments/basics/optimizer_study.py without training: its configs are valid, its report is drawn
from summaries and metrics."""
import json
import os

import jax
import pytest

from dljax import optim
from dljax.train import config_check
from experiments.basics import optimizer_study

jax.config.update('jax_numpy_rank_promotion', 'raise')


@pytest.mark.parametrize('name', list(optimizer_study.LRS))
@pytest.mark.parametrize('preset', ['cpu', 'smoke'])
def test_configs_are_valid(name, preset):
  config = optimizer_study.make_config(name, preset, steps=120)
  config_check.validate(config)
  config_check.validate_optimizers(config, 120)
  assert config.optim.name == name and config.optim.lr == optimizer_study.LRS[name]
  assert config.optim.schedule.name == 'constant'
  assert (config.train.steps, config.train.epochs, config.seed) == (120, 0.0, 0)
  assert config.model.dropout == 0.2  # as in configs/vision/fmnist_mlp.py


def test_every_compared_optimizer_exists():
  assert set(optimizer_study.LRS) <= set(optim.OPTIMIZER_NAMES)


def test_smoke_and_unknown_presets():
  names = [name for name, _ in optimizer_study.runs('smoke', '/unused')]
  assert names == list(optimizer_study.SMOKE_OPTIMIZERS)
  assert [name for name, _ in optimizer_study.runs('cpu', '/unused')] == list(optimizer_study.LRS)
  with pytest.raises(ValueError, match='preset'):
    optimizer_study.make_config('adam', 'gpu')


def test_report_from_summaries_and_metrics(tmp_path):
  """report(): test metrics from summary['final'], train loss and steps from metrics.jsonl."""
  names = ['sgd', 'adam']
  summaries = {}
  for i, name in enumerate(names):
    os.makedirs(tmp_path / name)
    with open(tmp_path / name / 'metrics.jsonl', 'w') as f:
      for step in range(50, 501, 50):
        f.write(json.dumps({'step': step, 'train/loss': 2.0 / (1 + step / 100) + i}) + '\n')
      # a row of the evaluation during training, which report() must not use as the final number
      f.write(json.dumps({'step': 500, 'val/accuracy': 0.5, 'val/loss': 9.0}) + '\n')
    summaries[name] = {'final': {'test/accuracy': 0.8 + i / 100, 'test/loss': 0.5},
                       'wall_s': 10.0 + i, 'workdir': str(tmp_path / name)}
  out = tmp_path / 'report'
  os.makedirs(out)
  table = optimizer_study.report(summaries, str(out))
  assert table['adam']['test_accuracy'] == pytest.approx(0.81)
  assert table['sgd']['test_loss'] == pytest.approx(0.5) and table['adam']['wall_s'] == 11.0
  assert table['sgd']['steps'] == 500 and table['sgd']['lr'] == optimizer_study.LRS['sgd']
  expected_sgd = sum(2.0 / (1 + s / 100) for s in range(300, 501, 50)) / 5
  assert table['sgd']['train_loss'] == pytest.approx(expected_sgd)
  assert os.path.getsize(out / 'optimizer_study.png') > 10_000
