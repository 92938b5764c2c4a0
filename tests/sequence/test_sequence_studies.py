"""The pure parts of the sequence and memory studies (their runs are measured, not tested)."""
import json
import os

from experiments.memory import ntm_ngram, ntm_study
from experiments.sequence import decoding_study


def test_repetition_counts_earlier_ngrams():
  assert decoding_study.repetition([1, 2, 3, 4, 5, 6]) == 0.0
  assert decoding_study.repetition([1, 2, 1, 2, 1, 2], n=2) == 3 / 5   # (1,2),(2,1) seen again


def test_ntm_ngram_table_measures_the_gap_to_the_optimum():
  final = {'test/bits_per_seq': 60.5, 'test/bayes_bits_per_seq': 56.5,
           'test/bit_error_per_seq': 20.0}
  rows = ntm_ngram.table({'ntm': {'final': final, 'wall_s': 10.0, 'workdir': '/nowhere'}})
  assert rows == {'ntm': {'bits_per_seq': 60.5, 'bayes_bits_per_seq': 56.5, 'gap_bits': 4.0,
                          'bit_error_per_seq': 20.0, 'wall_s': 10.0}}
  assert {n: c.model.name for n, c in ntm_ngram.runs('smoke', '')} == {'ntm': 'ntm', 'lstm': 'lstm'}


def _write_run(path, final, rows, extra=None):
  os.makedirs(path)
  with open(os.path.join(path, 'metrics.jsonl'), 'w') as f:
    f.writelines(json.dumps(r) + '\n' for r in rows)
  for name, content in (extra or {}).items():
    with open(os.path.join(path, name), 'w') as f:
      json.dump(content, f)
  return {'final': final, 'wall_s': 1.0, 'workdir': str(path)}


def test_ntm_ngram_report_prefers_val_rows_and_plots(tmp_path):
  summaries = {}
  for model, bits in (('ntm', 60.0), ('lstm', 62.0)):
    final = {'test/bits_per_seq': bits, 'test/bayes_bits_per_seq': 56.5,
             'test/bit_error_per_seq': 20.0}
    rows = [{'step': 10, 'train/loss': 0.7}, {'step': 10, 'test/bits_per_seq': 99.0},
            {'step': 10, 'val/bits_per_seq': bits + 5}, {'step': 20, 'val/bits_per_seq': bits}]
    summaries[model] = _write_run(tmp_path / model, final, rows)
  assert ntm_ngram.curve(summaries['ntm']['workdir'], 'bits_per_seq') == ([10, 20], [65.0, 60.0])
  out = tmp_path / 'report'
  os.makedirs(out)
  table = ntm_ngram.report(summaries, str(out))
  assert table['lstm']['gap_bits'] == 5.5 and table['ntm']['gap_bits'] == 3.5
  assert os.path.getsize(out / 'ntm_ngram.png') > 1000


def test_ntm_study_runs_and_report_from_run_outputs(tmp_path):
  names = {n: c.model.name for n, c in ntm_study.runs('cpu', '')}
  assert names == {'copy_ntm': 'ntm', 'copy_lstm': 'lstm', 'repeat_copy_ntm': 'ntm',
                   'repeat_copy_lstm': 'lstm'}
  summaries = {}
  for model, errors in (('ntm', 0.5), ('lstm', 2.0)):
    final = {'test/bit_error_per_seq': errors}
    rows = [{'step': s, 'train/loss': 0.7 / s} for s in (1, 2, 3)] + [
        {'step': 3, 'test/loss': 0.3}]
    summaries[f'copy_{model}'] = _write_run(
        tmp_path / f'copy_{model}', final, rows,
        {'length_generalisation.json': {'1': 0.0, '3': errors, '6': 4 * errors},
         'config.json': {'data': {'args': {'max_len': 3}}}})
  out = tmp_path / 'report'
  os.makedirs(out)
  table = ntm_study.report(summaries, str(out))
  assert list(table) == ['copy'] and table['copy']['lstm']['by_length'] == {1: 0.0, 3: 2.0, 6: 8.0}
  assert table['copy']['ntm']['final'] == {'test/bit_error_per_seq': 0.5}
  assert os.path.getsize(out / 'ntm_copy.png') > 1000
