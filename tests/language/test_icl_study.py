"""experiments/language/icl_study.py: the per-family table (model, Bayes ceiling, chance), its
plot, and the reloaded model's per-shot accuracy equal to the loop's final metrics."""
import numpy as np
import pytest

from dljax.data import icl
from experiments import study
from experiments.language import icl_study
from tests.helpers import load_config


def _curves(config, model_at):
  """Shot curves {family: (every k, model accuracy, Bayes accuracy)} on the config's test set."""
  d = config.data
  test = icl.eval_set(d.eval_per_family, config.seed, tuple(d.families), d.num_symbols, d.num_pairs)
  bayes = icl.bayes_accuracy(test, d.num_symbols)
  ks = np.arange(d.num_pairs)
  return {name: (ks, model_at(ks), bayes[test['family'] == icl.FAMILIES.index(name)].mean(0))
          for name in d.families}


def test_shot_table_reads_the_curves_and_the_baselines(tmp_path):
  config = load_config('configs/language/icl.py', 'smoke')
  curves = _curves(config, lambda ks: 0.5 + 0.01 * ks)
  table = icl_study.shot_table(curves, config.data.eval_shots, config.data.num_symbols)
  assert set(table) == set(icl.FAMILIES)
  for t in table.values():
    assert t['k'] == list(config.data.eval_shots)
    assert t['model'] == pytest.approx([0.5 + 0.01 * k for k in t['k']])
    assert t['chance'] == pytest.approx(1 / 7)
    assert t['bayes'][0] == pytest.approx(1 / 7)          # no examples: chance
    assert all(1 / 7 - 1e-9 <= b <= 1.0 for b in t['bayes'])
  assert table['offset']['bayes'][1:] == pytest.approx([1.0] * (len(table['offset']['k']) - 1))
  path = icl_study.plot(curves, 7, str(tmp_path / 'icl_shots.png'), title='t')
  assert (tmp_path / 'icl_shots.png').stat().st_size > 1000 and path.endswith('icl_shots.png')


def test_report_reloads_the_run_and_matches_its_final_metrics(tmp_path):
  result = study.run_study('language/icl_study', str(tmp_path), preset='smoke', log=lambda *_: None)
  table = result['report']
  config = load_config('configs/language/icl.py', 'smoke')
  assert table['preset'] == 'smoke' and table['steps'] == config.train.steps
  assert (tmp_path / 'report' / 'icl_shots.png').stat().st_size > 1000
  final = result['runs']['icl']['final']
  for name, t in table['families'].items():
    assert t['k'] == list(config.data.eval_shots)
    # the report's accuracy of the reloaded model = the loop's final test metric, k by k
    assert t['model'] == pytest.approx(
        [final[f'test/{name}/accuracy_k{k}']['mean'] for k in t['k']], abs=1e-6)
