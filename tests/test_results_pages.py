"""The published results pages are generated, never typed: each docs/<family>/README.md and
docs/RESULTS.md is what `python -m experiments.report` makes of the committed results.jsonl rows;
and every experiment says what it is compared against."""
import os

import pytest

from dljax.eval import common as evaluators
from experiments import report
from experiments import study as study_runner
from experiments.tools import results

FAMILIES = report.families()


def _read(path):
  with open(path) as f:
    return f.read()


@pytest.mark.parametrize('family', FAMILIES)
def test_family_page_is_generated_from_its_rows(family):
  page = os.path.join(results.ROOT, 'docs', family, 'README.md')
  assert _read(page) == report.render_family(family, results.read_rows(family)), (
      f'docs/{family}/README.md differs from its rows: run `python -m experiments.report {family}` '
      '(numbers come from results.jsonl, prose belongs in notes.md)')


def test_summary_page_is_generated():
  rows = {f: results.read_rows(f) for f in FAMILIES}
  assert _read(os.path.join(results.ROOT, 'docs', 'RESULTS.md')) == report.render_summary(rows), (
      'docs/RESULTS.md is stale: run `python -m experiments.report`')


def test_performance_page_is_generated():
  assert _read(os.path.join(results.ROOT, 'docs', 'PERFORMANCE.md')) == report.render_performance(
      report.read_bench()), 'docs/PERFORMANCE.md is stale: run `python -m experiments.report`'


def is_test_metric(metric: str, config) -> bool:
  """A reported number, never one chosen on: 'test/...', or '<evaluator>/...' of an evaluator run on
  the test split, or whose module declares TEST_METRICS (test-split numbers, every choice made on
  validation)."""
  if metric.startswith('test/'):
    return True
  name = metric.split('/')[0]
  spec = config.get('evals', {}).get(name)
  return spec is not None and (spec.get('split') == 'test' or
                               getattr(evaluators.module(spec.type, name), 'TEST_METRICS', False))


@pytest.mark.parametrize('family', FAMILIES)
def test_every_experiment_has_a_reference_or_says_it_has_none(family):
  for e in results.experiments(family):
    ref = e.reference
    assert ref is not None, (f'{e.path} ({e.name}) declares no config.reference: use '
                             'common.reference(...) or common.no_reference(why)')
    assert ref.source, e.name
    if ref.metric is not None:
      assert is_test_metric(ref.metric, e.config('cpu')), (e.name, ref.metric)
      lo, hi = ref.band
      assert lo <= hi, e.name
  for name in results.studies(family):
    for run, ref in getattr(study_runner.load_study(name), 'REFERENCES', {}).items():
      assert ref.metric.startswith('test/') and ref.source, (name, run)


@pytest.mark.parametrize('family', FAMILIES)
def test_rows_name_known_experiments(family):
  known = {e.name for e in results.experiments(family)}
  studies = {s.split('/')[1] for s in results.studies(family)}
  for row in results.read_rows(family):
    assert row['experiment'] in known or row['experiment'].split('/')[0] in studies, row['experiment']
    assert row['preset'] in ('cpu', 'full'), row['experiment']
