"""experiments/icl_study.py: the per-family table (model, Bayes ceiling, chance) and its plot."""
import pytest

from dljax.data import icl
from experiments.language import icl_study
from tests.helpers import load_config


def test_shot_table_reads_the_run_and_the_baselines(tmp_path):
  config = load_config('configs/language/icl.py', 'smoke')
  final = {f'test/{name}/accuracy_k{k}': 0.5 + 0.01 * k
           for name in icl.FAMILIES for k in config.data.eval_shots}
  table = icl_study.shot_table(config, final)
  assert set(table) == set(icl.FAMILIES)
  for t in table.values():
    assert t['k'] == list(config.data.eval_shots)
    assert t['model'] == [0.5 + 0.01 * k for k in t['k']]
    assert t['chance'] == pytest.approx(1 / 7)
    assert t['bayes'][0] == pytest.approx(1 / 7)          # no examples: chance
    assert all(1 / 7 - 1e-9 <= b <= 1.0 for b in t['bayes'])
  assert table['offset']['bayes'][1:] == pytest.approx([1.0] * (len(table['offset']['k']) - 1))
  path = icl_study.plot(table, 7, str(tmp_path / 'shots.png'), title='t')
  assert (tmp_path / 'shots.png').stat().st_size > 1000 and path.endswith('shots.png')
