"""1 device = 8 devices: the same experiment on 8 simulated CPU devices gives the same loss curve."""
import json
import os

import pytest

from tests.helpers import read_jsonl, run_train

ARGS = ['--config=configs/vision/fmnist_mlp.py:smoke', '--config.train.steps=20',
        '--config.train.log_every=1', '--config.train.eval_every=20',
        '--config.train.checkpoint_every=20', '--config.data.batch_size=64',
        '--config.data.eval_batch_size=200']


def _run(workdir, devices, extra=()):
  flags = f'--xla_force_host_platform_device_count={devices}'
  result = run_train(ARGS + list(extra) + [f'--workdir={workdir}'],
                     {'XLA_FLAGS': flags, 'JAX_PLATFORMS': 'cpu'})
  assert result.returncode == 0, result.stderr[-3000:]
  rows = read_jsonl(os.path.join(workdir, 'metrics.jsonl'))
  with open(os.path.join(workdir, 'summary.json')) as f:
    return rows + [json.load(f)['final']]  # validation rows during training, then val + test


def metric(rows, name):
  """The validation values of `name` in order, then the final test value."""
  return [r[f'{split}/{name}'] for split in ('val', 'test') for r in rows if f'{split}/{name}' in r]


@pytest.mark.parametrize('extra', [(), ('--config.model.batch_norm=true',)], ids=['mlp', 'batchnorm'])
def test_eight_devices_match_one(tmp_path, extra):
  """With BatchNorm the batch statistics are taken over the global batch, across devices."""
  one, eight = _run(tmp_path / 'one', 1, extra), _run(tmp_path / 'eight', 8, extra)
  loss1 = [r['train/loss'] for r in one if 'train/loss' in r]
  loss8 = [r['train/loss'] for r in eight if 'train/loss' in r]
  assert len(loss1) == len(loss8) == 20
  for a, b in zip(loss1, loss8):
    assert abs(a - b) <= 1e-5 * abs(a), (a, b)
  acc1, acc8 = metric(one, 'accuracy'), metric(eight, 'accuracy')
  test1, test8 = metric(one, 'loss'), metric(eight, 'loss')
  assert len(acc1) == len(acc8) == len(test1) == len(test8) >= 3  # val at 20, final val and test
  for a, b in zip(test1, test8):   # 20 steps of float32 drift from the reduction order
    assert abs(a - b) <= 1e-4 * abs(a), (a, b)
  # the batch statistics are summed in another order across 8 devices (float rounding ~1e-7), which
  # may flip the argmax of one of the 1000 test examples that sits on a decision boundary
  for a, b in zip(acc1, acc8):
    assert abs(a - b) <= 1e-3 + 1e-9, (a, b)


def test_batch_not_divisible_by_devices_is_refused(tmp_path):
  result = run_train(ARGS + ['--config.data.batch_size=12', f'--workdir={tmp_path}'],
                     {'XLA_FLAGS': '--xla_force_host_platform_device_count=8', 'JAX_PLATFORMS': 'cpu'})
  assert result.returncode == 2
  assert 'not divisible by the 8 devices' in result.stderr
  assert 'Traceback' not in result.stderr
