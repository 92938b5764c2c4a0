"""experiments.reproduce (rows over seeds, skipping finished runs, a torn row) and experiments.report
(mean ± std, band and verdict from the rows)."""
import json
import os

import pytest

from experiments import report, reproduce
from experiments import study as study_runner
from experiments.tools import results


def _quiet(*_):
  pass


@pytest.fixture(scope='module')
def reproduced(tmp_path_factory):
  """basics/xor and its linear variant at the smoke preset, 2 seeds, plus the init study."""
  tmp = tmp_path_factory.mktemp('reproduce')
  path = str(tmp / 'results.jsonl')
  rows = reproduce.reproduce('basics', str(tmp / 'runs'), preset='smoke', seeds=2,
                             only=['xor', 'xor:linear', 'init_study'], results_path=path, log=_quiet)
  return path, rows, tmp


def test_one_row_per_run_and_seed(reproduced):
  path, rows, _ = reproduced
  configs = [(r['experiment'], r['seed']) for r in rows if r['kind'] == 'config']
  assert sorted(configs) == [('xor', 0), ('xor', 1), ('xor:linear', 0), ('xor:linear', 1)]
  assert {r['experiment'] for r in rows if r['kind'] == 'study'} == {
      'init_study/he', 'init_study/too_small', 'init_study/too_large'}
  row = next(r for r in rows if r['experiment'] == 'xor:linear')
  assert row['overrides'] == {'model.name': 'linear'} and row['config'] == 'configs/basics/xor.py'
  for key in ('final', 'wall_s', 'steps_per_s', 'hardware', 'versions', 'commit', 'date', 'curve'):
    assert row[key], key
  assert row['curve']['step'] and 'val/accuracy' in row['curve']
  assert results.read_rows('basics', path) == json.loads(json.dumps(rows))


def test_a_second_call_trains_nothing_and_a_torn_row_is_dropped(reproduced):
  path, rows, tmp = reproduced
  with open(path, 'a') as f:
    f.write('{"experiment": "xor", "tor')  # a kill during an append
  again = reproduce.reproduce('basics', str(tmp / 'runs'), preset='smoke', seeds=2,
                              only=['xor', 'xor:linear', 'init_study'], results_path=path,
                              log=_quiet)
  assert again == []
  assert len(results.read_rows('basics', path)) == len(rows)


def test_report_gives_mean_std_band_and_verdict(reproduced):
  path, _, _ = reproduced
  rows = [dict(r, preset='cpu') for r in results.read_rows('basics', path)]  # as if at cpu
  table = {name: (ref, s) for name, _, ref, s in report.family_table('basics', rows)}
  ref, s = table['xor:linear']
  values = [r['final']['test/accuracy'] for r in rows if r['experiment'] == 'xor:linear']
  assert s['n'] == 2 and s['mean'] == pytest.approx(sum(values) / 2)
  assert s['verdict'] == report.verdict(ref, s['mean'])
  assert table['mnist1d'][1] is None  # not measured: listed, not hidden
  page = report.render_family('basics', rows)
  assert '`xor:linear`' in page and report.fmt(s['mean'], s['std'], '%') in page
  assert 'init_study/he' in page


def test_bad_names_are_one_clear_error(tmp_path):
  with pytest.raises(study_runner.StudyError, match='no family'):
    reproduce.plan('nope')
  with pytest.raises(study_runner.StudyError, match='not in basics'):
    reproduce.plan('basics', only=['xro'])
  with pytest.raises(study_runner.StudyError, match='not published'):
    reproduce.reproduce('basics', str(tmp_path), preset='smoke', only=['xor'], log=_quiet)


def test_verdicts():
  ref = results.config_module('basics', 'xor').get_config('cpu').reference
  assert [report.verdict(ref, v) for v in (0.5, 0.99, 1.0)] == ['below', 'in', 'in']
  assert report.fmt(0.9912, 0.0012, '%') == '99.12 ± 0.12 %'
  assert report.fmt(1.4712, None, '') == '1.471'
  assert os.path.basename(results.results_path('basics')) == 'results.jsonl'
