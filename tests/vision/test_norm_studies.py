"""experiments/vision/{batchnorm,dropout}_study.py without training: their runs, the BatchNorm
evaluation helpers, the dropout table from run summaries, and the plots."""
import os

import jax
import numpy as np
import pytest

from dljax.train import config_check, tasks
from experiments.vision import batchnorm_study
from experiments.vision import dropout_study

jax.config.update('jax_numpy_rank_promotion', 'raise')


def _valid(config, steps):
  config_check.validate(config)
  config_check.validate_optimizers(config, steps)
  assert (config.train.steps, config.train.epochs, config.seed) == (steps, 0.0, 0)
  assert config.train.eval_every == steps


@pytest.mark.parametrize('norm', list(batchnorm_study.NORMS))
def test_batchnorm_study_configs(norm):
  config = batchnorm_study.make_config(norm, 4, 'cpu', 300)
  _valid(config, 300)
  assert config.data.batch_size == 4 and config.data.train_limit == 0
  assert (config.model.batch_norm, config.model.get('layer_norm', False)) == (norm == 'batch',
                                                                            norm == 'layer')
  assert config.model.dropout == 0.0  # batch statistics alone: no dropout noise on top


def test_batchnorm_cpu_runs_are_the_published_grid():
  runs = list(batchnorm_study.runs('cpu', '/runs/bn'))
  assert [n for n, _ in runs] == [f'{norm}_{bs}' for norm in ('batch', 'layer', 'none')
                                  for bs in (1, 2, 4, 8, 32, 128)]
  for name, config in runs:
    _valid(config, 1500)
    assert config.data.batch_size == int(name.split('_')[1])


@pytest.mark.parametrize('form', dropout_study.FORMS)
def test_dropout_study_configs(form):
  config = dropout_study.make_config(0.6, form, 'cpu', 200)
  _valid(config, 200)
  assert (config.model.dropout, config.model.dropout_form) == (0.6, form)


def test_dropout_cpu_runs_and_unknown_preset():
  runs = list(dropout_study.runs('cpu', '/runs/do'))
  assert [n for n, _ in runs] == ['none_0'] + [f'{form}_{p}' for form in dropout_study.FORMS
                                               for p in ('0.2', '0.4', '0.6', '0.8')]
  assert runs[0][1].model.dropout == 0.0 and runs[-1][1].model.dropout == 0.8
  for _, config in runs:
    _valid(config, 4000)
  with pytest.raises(ValueError, match="preset 'full'"):
    list(dropout_study.runs('full', '/runs/do'))


def _bn_task_and_state(n=64):
  config = batchnorm_study.make_config('batch', 8, 'smoke', 0)
  task = tasks.TASKS[config.task](config, 10)
  kx, ky = jax.random.split(jax.random.key(0))
  test = {'x': np.asarray(jax.random.uniform(kx, (n, 28, 28, 1))),
          'y': np.asarray(jax.random.randint(ky, (n,), 0, 10))}
  state = task.init(jax.random.key(1), {k: v[:2] for k, v in test.items()})
  return task, state, test


def test_batch_of_one_makes_every_prediction_the_same():
  task, state, test = _bn_task_and_state()
  assert batchnorm_study.bn_batch_of_one_deviation(task, state, test) == 0.0  # BN_0(x) = beta
  acc1 = batchnorm_study.batch_stat_accuracy(task, state, test, 1)
  logits = task.model.apply(state.nets['model'].variables(), test['x'][:1], train=True,
                            mutable=['batch_stats'])[0]
  constant_class = int(np.asarray(logits).argmax())  # any image gives these logits at batch 1
  assert acc1 == pytest.approx(np.mean(test['y'] == constant_class))
  # eval batch size = the whole set: the ordinary training-mode forward pass
  logits = task.model.apply(state.nets['model'].variables(), test['x'], train=True,
                            mutable=['batch_stats'])[0]
  full = batchnorm_study.batch_stat_accuracy(task, state, test, len(test['y']))
  assert full == pytest.approx(np.mean(np.asarray(logits).argmax(-1) == test['y']))
  ra = batchnorm_study.running_average_accuracy(task, state, test)
  assert 0.0 <= ra <= 1.0


def test_dropout_report_from_summaries(tmp_path):
  summaries = {'none_0': {'final': {'test/accuracy': 0.8, 'test/loss': 0.5}, 'steps': 10,
                          'wall_s': 1.0}}
  for form in dropout_study.FORMS:
    for p in (0.2, 0.8):
      summaries[f'{form}_{p:g}'] = {'final': {'test/accuracy': 0.8 - p / 10, 'test/loss': 0.5 + p},
                                    'steps': 10, 'wall_s': 1.0}
  table = dropout_study.report(summaries, str(tmp_path))
  assert table['setup']['steps'] == 10
  assert table['runs']['classic/0.8'] == {'p': 0.8, 'test_accuracy': pytest.approx(0.72),
                                          'test_loss': pytest.approx(1.3), 'wall_s': 1.0}
  assert table['runs']['none/0']['p'] == 0.0
  assert os.path.getsize(tmp_path / 'dropout_sweep.png') > 10_000


def test_batchnorm_plot_from_results(tmp_path):
  bn = {'setup': {'steps': 10},
        'train_batch_size': {f'{n}/{b}': {'test_accuracy': 0.5 + b / 1000}
                             for n in batchnorm_study.NORMS for b in (1, 8, 128)},
        'eval_mode': {'trained_batch_size': 128, 'running_averages': 0.8,
                      'batch_stats': {'1': 0.1, '8': 0.7, '1000': 0.82}}}
  bn['train_batch_size']['batch/1']['bn0_minus_beta_max_at_batch_1'] = 0.0
  path = batchnorm_study.plot(bn, str(tmp_path / 'bn.png'))
  assert os.path.getsize(path) > 10_000
