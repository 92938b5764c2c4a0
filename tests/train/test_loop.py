"""The training loop: resume, non-finite losses, workdir identity, outputs."""
import json
import os

import pytest

from dljax.errors import ConfigError, NonFiniteError, WorkdirError
from dljax.train import loop
from tests.helpers import assert_resume_is_bitwise_identical, load_config, read_jsonl

MLP = 'configs/vision/fmnist_mlp.py'


def small(**overrides):
  base = {'train.steps': 6, 'train.checkpoint_every': 3, 'train.eval_every': 3,
          'train.log_every': 1, 'train.async_checkpoints': False}
  base.update(overrides)
  return load_config(MLP, 'smoke', **base)


def test_resume_after_losing_the_last_checkpoint_gives_identical_metrics(tmp_path):
  # a kill after step 3's checkpoint, which also left a row of step 5 behind
  assert_resume_is_bitwise_identical(small, str(tmp_path), last_step=6,
                                     stray_row={'step': 5, 'train/loss': 123.0})


def test_finished_run_is_not_retrained(tmp_path):
  first = loop.train_and_evaluate(small(), str(tmp_path), progress=False)
  mtime = os.path.getmtime(tmp_path / 'metrics.jsonl')
  again = loop.train_and_evaluate(small(), str(tmp_path), progress=False)
  assert again == first
  assert os.path.getmtime(tmp_path / 'metrics.jsonl') == mtime


def test_nonfinite_loss_halts_with_the_step(tmp_path):
  with pytest.raises(NonFiniteError, match=r'step \d+'):
    loop.train_and_evaluate(small(**{'optim.lr': 1e12, 'optim.name': 'sgd'}), str(tmp_path),
                            progress=False)


def test_nonfinite_skip_policy_counts_skips(tmp_path):
  config = small(**{'optim.lr': 1e12, 'optim.name': 'sgd', 'train.nonfinite': 'skip'})
  loop.train_and_evaluate(config, str(tmp_path), progress=False)
  rows = [r for r in read_jsonl(tmp_path / 'metrics.jsonl') if 'train/skipped' in r]
  assert sum(r['train/skipped'] for r in rows) >= 1


def test_workdir_of_another_experiment_is_refused(tmp_path):
  loop.train_and_evaluate(small(), str(tmp_path), progress=False)
  other = load_config('configs/vision/fmnist_cnn.py', 'smoke')
  with pytest.raises(WorkdirError, match='another experiment'):
    loop.train_and_evaluate(other, str(tmp_path), progress=False)
  loop.train_and_evaluate(other, str(tmp_path), overwrite=True, progress=False)


def test_workdir_that_is_a_file_is_refused(tmp_path):
  path = tmp_path / 'file'
  path.write_text('x')
  with pytest.raises(WorkdirError, match='is a file'):
    loop.train_and_evaluate(small(), str(path), progress=False)


@pytest.mark.parametrize('key,value,match', [
    ('optim.lr', -1.0, 'optim.lr'), ('data.batch_size', 0, 'data.batch_size'),
    ('train.steps', -5, 'train.steps'), ('optim.name', 'adamm', "did you mean 'adam'"),
    ('model.widht', 3, 'model.widht'), ('data.name', 'imagenet', 'imagenet'),
    ('train.nonfinite', 'ignore', 'nonfinite'),
    ('optim.lr', float('nan'), 'optim.lr'), ('optim.lr', float('inf'), 'optim.lr'),
])
def test_bad_config_values_are_refused_before_compiling(tmp_path, key, value, match):
  config = small()
  node = config
  *parents, leaf = key.split('.')
  for p in parents:
    node = node[p]
  node[leaf] = value
  with pytest.raises(ConfigError, match=match):
    loop.train_and_evaluate(config, str(tmp_path), progress=False)
  assert not os.path.exists(tmp_path / 'checkpoints')


def test_outputs(tmp_path):
  summary = loop.train_and_evaluate(small(), str(tmp_path), progress=False)
  for key in ('final', 'best', 'steps', 'wall_s', 'steps_per_s', 'versions', 'devices'):
    assert key in summary
  # the final state on validation and test; best = the validation metrics at best_step
  assert set(summary['final']) == {'val/accuracy', 'val/loss', 'test/accuracy', 'test/loss'}
  assert set(summary['best']) == {'val/accuracy', 'val/loss'} and summary['best_step'] in (3, 6)
  rows = read_jsonl(tmp_path / 'metrics.jsonl')
  assert [r['step'] for r in rows if 'train/loss' in r] == [1, 2, 3, 4, 5, 6]
  assert [r['step'] for r in rows if 'val/accuracy' in r] == [3, 6]   # test is never logged
  assert not any(k.startswith('test/') for r in rows for k in r)
  best = max((r for r in rows if 'val/accuracy' in r), key=lambda r: r['val/accuracy'])
  assert summary['best']['val/accuracy'] == best['val/accuracy']
  assert os.listdir(tmp_path / 'tensorboard')


def test_workdir_without_checkpoints_is_reused(tmp_path):
  """A start that failed before its first checkpoint (e.g. missing data) blocks nothing."""
  (tmp_path / 'config.json').write_text(json.dumps({'name': 'other', 'task': 'classification'}))
  summary = loop.train_and_evaluate(small(), str(tmp_path), progress=False)
  assert summary['experiment'] == 'fmnist_mlp'


def test_load_run_reproduces_the_final_metrics_and_needs_a_checkpoint(tmp_path):
  with pytest.raises(WorkdirError, match='no checkpoint'):
    loop.load_run(str(tmp_path / 'empty'), config=small())
  summary = loop.train_and_evaluate(small(), str(tmp_path), progress=False)
  run = loop.load_run(str(tmp_path))
  assert int(run.state.step) == 6
  again = run.evaluate(run.data['test'])
  assert again['test/accuracy'] == pytest.approx(summary['final']['test/accuracy'])
  val = run.evaluate(run.data['validation'], split='validation')
  assert val['val/accuracy'] == pytest.approx(summary['final']['val/accuracy'])


def test_curves_plot_only_metrics_logged_more_than_once():
  from dljax import viz  # pylint: disable=g-import-not-at-top
  rows = [{'step': 1, 'train/loss': 2.0}, {'step': 2, 'train/loss': 1.0, 'test/accuracy': 0.5},
          {'step': 2, 'ood/noise_msp_auroc': 0.9, 'test/accuracy': 0.6}]
  assert viz.curve_keys(rows) == ['test/accuracy', 'train/loss']
  # everything logged once (a smoke run): the train / test points, never the evaluators'
  assert viz.curve_keys([{'step': 4, 'train/loss': 1.0, 'probe/linear_all': 0.3}]) == ['train/loss']
