"""experiments/vision/mnist1d_shuffled.py without training: its configs select the model and the
permutation; the table and the plot are drawn from run summaries."""
import os

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


def test_cpu_runs_are_every_model_in_both_orders():
  runs = list(mnist1d_shuffled.runs('cpu', '/runs/shuffled'))
  assert [n for n, _ in runs] == [f'{m}_{o}' for m in ('mlp', 'cnn', 'rnn', 'lstm', 'gru', 'tcn')
                                  for o in mnist1d_shuffled.ORDERS]
  assert all(c.data.shuffle_positions == n.endswith('shuffled') for n, c in runs)


def test_shuffled_table_and_plot_from_run_summaries(tmp_path):
  summaries = {}
  for model, accs in (('mlp', (0.68, 0.67)), ('gru', (0.9, 0.55))):
    for order, acc in zip(mnist1d_shuffled.ORDERS, accs):
      summaries[f'{model}_{order}'] = {'final': {'test/accuracy': acc}, 'wall_s': 1.0}
  table = mnist1d_shuffled.report(summaries, str(tmp_path))['accuracy']
  assert table['gru'] == {'normal': 0.9, 'shuffled': 0.55, 'wall_s_normal': 1.0,
                          'wall_s_shuffled': 1.0}
  assert list(table) == ['mlp', 'gru']
  assert os.path.getsize(tmp_path / 'mnist1d_shuffled.png') > 1000
  # a model with one order only: the missing bar is left out, not invented
  table = {'cnn': {'normal': 0.9, 'wall_s_normal': 1.0}}
  assert os.path.getsize(mnist1d_shuffled.plot(table, str(tmp_path / 'p.png'))) > 1000
