"""The ViT / Swin / CNN / MAE studies without training: their configs are valid, the slope helper,
and their reports drawn from synthetic summaries."""
import json
import math
import os

import pytest

from dljax.train import config_check
from experiments.vision import mae_study
from experiments.vision import swin_vs_vit
from experiments.vision import vit_vs_cnn_scaling


@pytest.mark.parametrize('model', list(vit_vs_cnn_scaling.MODELS))
@pytest.mark.parametrize('n', vit_vs_cnn_scaling.SIZES)
def test_scaling_configs_share_the_step_budget(model, n):
  config = vit_vs_cnn_scaling.make_config(model, n, 'cpu')
  config_check.validate(config)
  config_check.validate_optimizers(config, config.train.steps)
  assert config.data.train_limit == n and config.data.batch_size == 128
  assert (config.train.steps, config.train.epochs) == (vit_vs_cnn_scaling.PRESET_STEPS['cpu'], 0.0)
  assert config.model.name == model


def test_scaling_runs_per_preset():
  names = [name for name, _ in vit_vs_cnn_scaling.runs('cpu', '/unused')]
  assert names == [f'{m}_{n}' for n in vit_vs_cnn_scaling.SIZES for m in vit_vs_cnn_scaling.MODELS]
  smoke = dict(vit_vs_cnn_scaling.runs('smoke', '/unused'))
  assert len(smoke) == 2 * len(vit_vs_cnn_scaling.SMOKE_SIZES)
  assert all(c.data.test_limit == 500 and c.train.steps == 3 for c in smoke.values())


def _summary(tmp_path, name, final, wall_s=1.0, steps=400, rows=()):
  os.makedirs(tmp_path / name, exist_ok=True)
  with open(tmp_path / name / 'metrics.jsonl', 'w') as f:
    for row in rows:
      f.write(json.dumps(row) + '\n')
  return {'final': final, 'wall_s': wall_s, 'steps': steps, 'workdir': str(tmp_path / name)}


def test_scaling_report_reads_the_final_test_metrics(tmp_path):
  summaries = {f'{m}_{n}': _summary(tmp_path, f'{m}_{n}', {'test/accuracy': 0.7 + i / 100 + j / 10,
                                                            'test/loss': 0.5})
               for j, m in enumerate(('cnn', 'vit')) for i, n in enumerate((1000, 10000))}
  out = tmp_path / 'report'
  os.makedirs(out)
  table = vit_vs_cnn_scaling.report(summaries, str(out))
  assert table['vit'][10000]['test_accuracy'] == pytest.approx(0.81)
  assert table['cnn'][1000] == {'test_accuracy': 0.7, 'test_loss': 0.5, 'steps': 400, 'wall_s': 1.0}
  assert os.path.getsize(out / 'vit_vs_cnn_scaling.png') > 10_000


def test_mae_runs_chain_the_pretraining(tmp_path):
  configs = dict(mae_study.runs('cpu', str(tmp_path)))
  assert list(configs) == ['pretrain', *mae_study.ARMS]
  assert configs['pretrain'].task == 'mae'
  assert not configs['scratch'].get('init_from', {}).get('workdir', '')
  for arm in ('finetune', 'linear_probe'):
    assert configs[arm].init_from.workdir == str(tmp_path / 'pretrain')
  assert configs['finetune'].optim.layer_decay == mae_study.LAYER_DECAY
  assert configs['linear_probe'].optim.trainable == '^head/'
  with pytest.raises(ValueError, match='preset'):
    list(mae_study.runs('gpu', str(tmp_path)))


def test_mae_report_from_summaries(tmp_path):
  """Curves from the evaluation rows (val/ when the run has them), bars and table from the final
  test metrics, the pretraining's reconstructions copied."""
  pre = _summary(tmp_path, 'pretrain', {'test/loss': 0.02}, wall_s=100.0, steps=50)
  os.makedirs(tmp_path / 'pretrain' / 'plots')
  with open(tmp_path / 'pretrain' / 'plots' / 'mae_reconstruction.png', 'wb') as f:
    f.write(b'png')
  summaries = {'pretrain': pre}
  for i, arm in enumerate(mae_study.ARMS):
    rows = [{'step': s, 'val/accuracy': 0.5 + s / 1000, 'val/loss': 1.0} for s in (100, 200)]
    summaries[arm] = _summary(tmp_path, arm, {'test/accuracy': (80 + i) / 100, 'test/loss': 0.4},
                              wall_s=10.0, steps=200, rows=rows)
  assert mae_study.accuracy_curve(summaries['scratch']['workdir']) == ([100, 200], [0.6, 0.7])
  out = tmp_path / 'report'
  os.makedirs(out)
  table = mae_study.report(summaries, str(out))
  assert table['finetune_minus_scratch'] == pytest.approx(0.01)
  assert table['linear_probe'] == {'test_accuracy': 0.82, 'test_loss': 0.4, 'wall_s': 10.0,
                                   'steps': 200}
  assert table['pretrain'] == {'test_loss': 0.02, 'wall_s': 100.0, 'steps': 50}
  assert table['total_s'] == pytest.approx(130.0)
  assert os.path.getsize(out / 'mae_study.png') > 10_000
  assert (out / 'mae_reconstruction.png').read_bytes() == b'png'


def test_slope_is_the_log_log_exponent():
  xs = [10.0, 20.0, 40.0]
  assert math.isclose(swin_vs_vit.slope(xs, [x ** 2 for x in xs]), 2.0)
  assert math.isclose(swin_vs_vit.slope(xs, [3 * x for x in xs]), 1.0)


def test_swin_vs_vit_trains_nothing():
  assert list(swin_vs_vit.runs('cpu', '/unused')) == []
  assert swin_vs_vit.PRESETS['cpu']['sizes'] == (28, 56, 112, 224)
  with pytest.raises(ValueError, match='preset'):
    swin_vs_vit.runs('gpu', '/unused')
