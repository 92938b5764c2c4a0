"""Edit distance, WER and PER."""
import functools

import numpy as np
import pytest

from dljax.eval import sequence_metrics as sm


def reference_edit_distance(a, b) -> int:
  """The textbook recursion, memoised: the slow reference for the row-by-row implementation."""
  @functools.lru_cache(maxsize=None)
  def d(i, j):
    if i == 0 or j == 0:
      return i + j
    return min(d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + (a[i - 1] != b[j - 1]))
  return d(len(a), len(b))


@pytest.mark.parametrize('a,b,expected', [
    ('kitten', 'sitting', 3), ('flaw', 'lawn', 2), ('', 'abc', 3), ('abc', '', 3), ('', '', 0),
    ('same', 'same', 0), ('ab', 'ba', 2), ('intention', 'execution', 5),
    (['K', 'AE', 'T'], ['K', 'AA', 'T', 'S'], 2)])
def test_edit_distance_known_cases(a, b, expected):
  assert sm.edit_distance(a, b) == expected
  assert sm.edit_distance(b, a) == expected


def test_edit_distance_matches_the_reference_recursion():
  rng = np.random.default_rng(0)
  for _ in range(200):
    a = tuple(rng.integers(0, 4, rng.integers(0, 9)).tolist())
    b = tuple(rng.integers(0, 4, rng.integers(0, 9)).tolist())
    assert sm.edit_distance(a, b) == reference_edit_distance(a, b), (a, b)


def test_wer_and_per():
  refs = [['K', 'AE', 'T'], ['D', 'AO', 'G'], ['AH']]
  hyps = [['K', 'AE', 'T'], ['D', 'AO'], ['EH', 'AH', 'AH']]
  rates = sm.error_rates(hyps, refs)
  assert rates['wer'] == pytest.approx(2 / 3)  # two of three words have an error
  assert rates['per'] == pytest.approx((0 + 1 + 2) / 7)  # 3 edits over 7 reference phones
  with pytest.raises(ValueError):
    sm.error_rates(hyps[:2], refs)


def test_error_rates_from_padded_ids_cut_at_eos():
  targets = np.array([[5, 6, 2, 0], [7, 2, 0, 0]])
  preds = np.array([[5, 6, 2, 9], [7, 8, 2, 0]])  # tokens after EOS are ignored
  rates = sm.error_rates_from_ids(preds, targets)
  assert rates == {'wer': 0.5, 'per': pytest.approx(1 / 3), 'words': 2, 'ref_len': 3, 'edits': 1}
