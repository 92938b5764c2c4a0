"""The recurrent studies: shuffled MNIST-1D configs and table, and the gradient/clipping study."""
import json
import os

import numpy as np
import pytest

from experiments.sequence import rnn_gradients
from experiments.vision import mnist1d_shuffled


@pytest.mark.parametrize('model', list(mnist1d_shuffled.MODELS))
def test_shuffled_configs_select_the_model_and_the_permutation(model):
  from dljax import models  # pylint: disable=g-import-not-at-top
  for shuffled in (False, True):
    config = mnist1d_shuffled.make_config(model, shuffled, 'smoke')
    assert config.model.name == model and config.data.shuffle_positions is shuffled
    assert config.data.name == 'mnist1d'
    models.build(config.model)  # the variant exists


def test_shuffled_table_and_plot_from_run_summaries(tmp_path):
  for model, accs in (('mlp', (0.68, 0.67)), ('gru', (0.9, 0.55))):
    for order, acc in zip(mnist1d_shuffled.ORDERS, accs):
      os.makedirs(tmp_path / f'{model}_{order}')
      with open(tmp_path / f'{model}_{order}' / 'summary.json', 'w') as f:
        json.dump({'final': {'test/accuracy': acc}, 'wall_s': 1.0}, f)
  table = mnist1d_shuffled.summarize(str(tmp_path), ['mlp', 'gru', 'cnn'])
  assert table['gru'] == {'normal': 0.9, 'shuffled': 0.55, 'wall_s_normal': 1.0,
                          'wall_s_shuffled': 1.0}
  assert table['cnn'] == {}  # not run: left empty, not invented
  path = mnist1d_shuffled.plot(table, str(tmp_path / 'p.png'))
  assert os.path.getsize(path) > 1000


def test_gradient_study_writes_finite_grads_clipping_runs_and_plots(tmp_path):
  out = tmp_path / 'plots'
  rnn_gradients.study(length=8, hidden=4, batch=8, train_steps=0, clip_steps=4, clip_lr=50.0,
                      clip_norm=1.0, out_dir=str(out), json_path=str(tmp_path / 'r.json'))
  with open(tmp_path / 'r.json') as f:
    result = json.load(f)
  for cell in rnn_gradients.CELLS:  # train_steps=0: at initialisation only (training: part 2)
    norms = np.asarray(result['grad_vs_lag'][cell]['init'], np.float64)
    assert norms.shape == (8,) and np.all(np.isfinite(norms))
    assert norms[-1] > 0  # dL/dh_T: the head reads h_T directly
  clipped = result['clipping']['clip ||g|| <= 1']
  assert clipped['test_mse'] is not None and all(l is not None for l in clipped['loss'])
  # both runs start from the same initialisation and batch: the same first loss
  assert result['clipping']['no clipping']['loss'][0] == clipped['loss'][0]
  for name in ('rnn_grad_vs_lag.png', 'adding_clipping.png'):
    assert os.path.getsize(out / name) > 1000
