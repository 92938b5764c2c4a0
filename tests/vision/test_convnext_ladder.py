"""experiments/vision/convnext_ladder.py without training: every rung's config is valid and differs from
the rung before it only in what the rung names; the table and the plot are drawn from run outputs."""
import json
import os

import jax
import pytest

from configs.vision import fmnist_convnext
from experiments.vision import convnext_ladder
from dljax.train import config_check

jax.config.update('jax_numpy_rank_promotion', 'raise')
RUNGS = range(len(fmnist_convnext.LADDER))


@pytest.mark.parametrize('rung', RUNGS)
def test_rung_configs_are_valid_with_one_equal_budget(rung):
  config = convnext_ladder.make_config(rung, 'cpu', steps=200, train_limit=12800)
  config_check.validate(config)
  config_check.validate_optimizers(config, 200)
  assert (config.train.steps, config.train.epochs, config.data.train_limit) == (200, 0.0, 12800)
  assert config.optim.schedule.warmup_steps == 20 and config.data.batch_size == 128
  assert config.optim.grad_clip_norm == 0.0 and config.augment is None  # as the ladder was measured
  if rung > 0:  # the same config as the rung before, except the fields this rung overrides
    before = convnext_ladder.make_config(rung - 1, 'cpu')
    changed = {k for k in config.model if config.model[k] != before.model[k]}
    assert changed and changed <= set(fmnist_convnext.LADDER[rung][1])
    assert config.optim == before.optim and config.train == before.train


def test_cpu_runs_are_every_rung_at_the_measured_budget():
  runs = list(convnext_ladder.runs('cpu', '/runs/ladder'))
  assert [n for n, _ in runs] == [f'rung{r}' for r in RUNGS]
  for rung, (_, config) in enumerate(runs):
    assert config.to_dict() == convnext_ladder.make_config(rung, 'cpu', 200, 12800).to_dict()


def test_report_from_run_outputs(tmp_path):
  summaries = {}
  for rung in (0, 8):
    d = tmp_path / f'rung{rung}'
    os.makedirs(d)
    with open(d / 'metrics.jsonl', 'w') as f:
      for step in range(10, 201, 10):
        f.write(json.dumps({'step': step, 'train/loss': 2.0 / (1 + step / 50) + rung / 10}) + '\n')
    with open(d / 'config.json', 'w') as f:
      f.write(convnext_ladder.make_config(rung, 'cpu').to_json_best_effort())
    summaries[f'rung{rung}'] = {'final': {'test/accuracy': 0.8 + rung / 100}, 'steps': 200,
                                'wall_s': 100.0 + rung, 'workdir': str(d)}
  table = convnext_ladder.report(summaries, str(tmp_path))
  assert list(table) == ['0 ResNet', '8 ConvNeXt']
  assert table['8 ConvNeXt']['test_accuracy'] == pytest.approx(0.88)
  assert table['8 ConvNeXt']['params'] == 301_098 and table['0 ResNet']['params'] == 220_234
  assert table['0 ResNet']['s_per_step'] == pytest.approx(0.5)
  assert os.path.getsize(tmp_path / 'convnext_ladder.png') > 10_000
