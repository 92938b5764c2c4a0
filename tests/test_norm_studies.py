"""experiments/{batchnorm,dropout,init}_study.py without training: configs, evaluation helpers, plots."""
import os

import jax
import numpy as np
import pytest

from dljax.eval import gradients
from dljax.models import mlp
from dljax.train import config_check, tasks
from experiments.vision import batchnorm_study
from experiments.vision import dropout_study
from experiments.basics import init_study

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


@pytest.mark.parametrize('form', dropout_study.FORMS)
def test_dropout_and_init_study_configs(form):
  config = dropout_study.make_config(0.6, form, 'cpu', 200)
  _valid(config, 200)
  assert (config.model.dropout, config.model.dropout_form) == (0.6, form)
  for init in init_study.INITS:
    config = init_study.make_config(init, 'cpu', 200)
    _valid(config, 200)
    assert config.model.init_scheme == init and config.optim.name == 'momentum'


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


def test_activation_std_per_layer_he_keeps_it_too_small_shrinks_it():
  x = jax.random.normal(jax.random.key(0), (128, 64))
  stds = {}
  for init in init_study.INITS:
    model = mlp.MLP(hidden=(128,) * 5, init_scheme=init)
    stds[init] = gradients.layer_activation_stds(model, model.init(jax.random.key(1), x), x)
    assert len(stds[init]) == 6  # five hidden Dense layers and the read-out
  assert max(stds['he']) / min(stds['he']) < 3  # N(0, 2/n_in): Var(a_l) ~ constant with ReLU
  small, large = np.asarray(stds['too_small']), np.asarray(stds['too_large'])
  assert np.all(small[1:] / small[:-1] < 0.05)  # N(0, 1e-6): x ~0.008 per layer (sqrt(128/2)/1e3)
  assert np.all(large[1:] / large[:-1] > 5)  # N(0, 1): x ~8 per layer


def test_plots_from_results(tmp_path):
  bn = {'setup': {'steps': 10},
        'train_batch_size': {f'{n}/{b}': {'test_accuracy': 0.5 + b / 1000}
                             for n in batchnorm_study.NORMS for b in (1, 8, 128)},
        'eval_mode': {'trained_batch_size': 128, 'running_averages': 0.8,
                      'batch_stats': {'1': 0.1, '8': 0.7, '1000': 0.82}}}
  bn['train_batch_size']['batch/1']['bn0_minus_beta_max_at_batch_1'] = 0.0
  do = {'setup': {'steps': 10}, 'runs': {'none/0': {'p': 0.0, 'test_accuracy': 0.8, 'test_loss': 0.5}}}
  for form in dropout_study.FORMS:
    for p in (0.2, 0.8):
      do['runs'][f'{form}/{p:g}'] = {'p': p, 'test_accuracy': 0.8 - p / 10, 'test_loss': 0.5 + p}
  init = {'setup': {'model': 'MLP', 'optimizer': 'sgd', 'batch_size': 8}, 'runs': {
      'he': {'act_std_init': [1.0, 1.1], 'act_std_trained': [1.2, 1.3], 'test_accuracy': 0.8,
             'loss_steps': [1, 2], 'train_loss': [2.0, 1.0]},
      'too_large': {'act_std_init': [10.0, 100.0], 'test_accuracy': None,
                    'diverged': 'non-finite loss (inf) or gradient norm at step 2',
                    'loss_steps': [1], 'train_loss': [None]}}}
  paths = [batchnorm_study.plot(bn, str(tmp_path / 'bn.png')),
           dropout_study.plot(do, str(tmp_path / 'do.png')),
           init_study.plot(init, str(tmp_path / 'init.png'))]
  assert all(os.path.getsize(p) > 10_000 for p in paths)
