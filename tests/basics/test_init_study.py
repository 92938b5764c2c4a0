"""experiments/basics/init_study.py without training: its runs, the activation std per layer of
each initialisation, the divergence read from the logged metrics, and the plot."""
import json
import os

import jax
import numpy as np
import pytest

from dljax.eval import gradients
from dljax.models import mlp
from dljax.train import config_check
from experiments.basics import init_study

jax.config.update('jax_numpy_rank_promotion', 'raise')


def test_init_study_configs():
  runs = list(init_study.runs('cpu', '/runs/init'))
  assert [n for n, _ in runs] == list(init_study.INITS)
  for init, config in runs:
    config_check.validate(config)
    config_check.validate_optimizers(config, 2000)
    assert (config.train.steps, config.train.epochs, config.seed) == (2000, 0.0, 0)
    assert config.train.eval_every == 2000
    assert config.model.init_scheme == init and config.optim.name == 'momentum'
    assert (config.optim.lr, config.optim.momentum, config.data.batch_size) == (0.01, 0.9, 128)
    assert config.train.nonfinite == 'skip' and config.train.log_every == 1
  with pytest.raises(ValueError, match="preset 'gpu'"):
    list(init_study.runs('gpu', '/runs/init'))


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


def test_first_nonfinite_step_is_read_from_the_metrics(tmp_path):
  rows = [{'step': 1, 'train/loss': 5e7, 'train/skipped': 0},
          {'step': 2, 'train/loss': 7e32, 'train/skipped': 1},
          {'step': 3, 'train/loss': float('nan'), 'train/skipped': 1}]
  with open(tmp_path / 'metrics.jsonl', 'w') as f:
    f.write(''.join(json.dumps(r) + '\n' for r in rows))
  assert init_study._first_nonfinite(str(tmp_path))['step'] == 2
  with open(tmp_path / 'metrics.jsonl', 'w') as f:
    f.write(json.dumps(rows[0]) + '\n')
  assert init_study._first_nonfinite(str(tmp_path)) is None


def test_plot_from_results(tmp_path):
  init = {'setup': {'model': 'MLP', 'optimizer': 'sgd', 'batch_size': 8}, 'runs': {
      'he': {'act_std_init': [1.0, 1.1], 'act_std_trained': [1.2, 1.3], 'test_accuracy': 0.8,
             'loss_steps': [1, 2], 'train_loss': [2.0, 1.0]},
      'too_large': {'act_std_init': [10.0, 100.0], 'test_accuracy': None,
                    'diverged': 'non-finite loss (inf) or gradient norm at step 2',
                    'loss_steps': [1], 'train_loss': [None]}}}
  path = init_study.plot(init, str(tmp_path / 'init.png'))
  assert os.path.getsize(path) > 10_000
