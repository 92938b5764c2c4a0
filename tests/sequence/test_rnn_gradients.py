"""Shuffled MNIST-1D configs and table (the gradient/clipping study: tests/sequence/, to come)."""
import json
import os

import numpy as np
import pytest

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
