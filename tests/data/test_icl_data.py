"""In-context learning data (dljax.data.icl): function families, layout, seeds, Bayes ceiling."""
import itertools

import numpy as np
import pytest

from dljax.data import icl

P = 7


def _batch(family, n=200, num_pairs=9, seed=0, p=P):
  fam = np.full(n, icl.FAMILIES.index(family))
  return icl.make(n, np.random.default_rng(seed), num_symbols=p, num_pairs=num_pairs, family_B=fam)


def _fits_offset(xs, ys, p=P):
  return len(set((ys - xs) % p)) == 1


def _fits_linear(xs, ys, p=P):
  return any(np.all((a * xs + b) % p == ys) for a in range(1, p) for b in range(p))


def _fits_bijection(xs, ys):
  pairs = set(zip(xs.tolist(), ys.tolist()))
  return (len({x for x, _ in pairs}) == len(pairs)) and (len({y for _, y in pairs}) == len(pairs))


@pytest.mark.parametrize('family,fits', [('mapping', _fits_bijection), ('linear', _fits_linear),
                                         ('offset', _fits_offset)])
def test_query_answer_is_the_examples_function(family, fits):
  """Every pair, the query's included, is one function of the family: all pairs fit it."""
  b = _batch(family)
  for xs, ys in zip(b['pairs_x'], b['pairs_y']):
    assert fits(xs, ys)
  # the query (last pair) answers as any example with the same input does
  for xs, ys in zip(b['pairs_x'], b['pairs_y']):
    same = xs[:-1] == xs[-1]
    assert np.all(ys[:-1][same] == ys[-1])


def test_families_differ():
  """Offset sequences are all offsets; linear and mapping sequences mostly are not (16 pairs)."""
  fit = {f: np.mean([_fits_offset(x, y) for x, y in zip(*(_batch(f, num_pairs=16)[k]
                                                          for k in ('pairs_x', 'pairs_y')))])
         for f in icl.FAMILIES}
  assert fit['offset'] == 1.0
  assert fit['linear'] < 0.4          # a = 1 only: 1/(p-1)
  assert fit['mapping'] < 0.05
  b = _batch('mapping', num_pairs=16)
  assert np.mean([_fits_linear(x, y) for x, y in zip(b['pairs_x'], b['pairs_y'])]) < 0.1


def test_token_layout_and_answer_mask():
  b = _batch('linear', n=5, num_pairs=4)
  assert b['x'].shape == b['y'].shape == b['answer'].shape == (5, 8)
  assert np.all(b['x'][:, 0] == P + icl.FAMILIES.index('linear'))   # the family token
  np.testing.assert_array_equal(b['x'][:, 1:], b['y'][:, :-1])      # y = x shifted by one
  np.testing.assert_array_equal(b['x'][:, 1::2], b['pairs_x'])      # inputs at 1, 3, 5, ...
  np.testing.assert_array_equal(b['y'][:, 1::2], b['pairs_y'])      # answers predicted there
  np.testing.assert_array_equal(b['answer'][0], [0, 1, 0, 1, 0, 1, 0, 1])
  assert b['x'].max() < icl.vocab_size(P) and b['x'].min() >= 0


def test_stream_is_a_function_of_seed_and_step():
  it = icl.train_iterator(16, seed=3, num_pairs=5)
  first, second = next(it), next(it)
  assert set(first) == set(icl.MODEL_KEYS)
  again = icl.train_iterator(16, seed=3, num_pairs=5)
  np.testing.assert_array_equal(next(again)['x'], first['x'])
  state = again.get_state()
  resumed = icl.train_iterator(16, seed=3, num_pairs=5)
  resumed.set_state(state)
  np.testing.assert_array_equal(next(resumed)['x'], second['x'])     # resumes at batch 1
  assert not np.array_equal(first['x'], second['x'])                 # fresh tasks every step
  other = next(icl.train_iterator(16, seed=4, num_pairs=5))
  assert not np.array_equal(first['x'], other['x'])
  halves = [next(icl.train_iterator(16, 3, i, 2, num_pairs=5))['x'] for i in range(2)]
  np.testing.assert_array_equal(np.concatenate(halves), first['x'])  # processes split the batch
  test = icl.eval_set(8, seed=3, num_pairs=5)
  assert not any(np.array_equal(test['x'][i], first['x'][j]) for i in range(24) for j in range(16))


def test_check_rejects_bad_families_and_moduli():
  with pytest.raises(ValueError, match='prime'):
    icl.check(('linear',), 8)
  icl.check(('mapping', 'offset'), 8)   # fine without the linear family
  with pytest.raises(ValueError, match='unknown'):
    icl.check(('lookup',), 7)


def _brute_force_bayes(family, xs, ys, p):
  """Expected accuracy of the MAP answer by enumerating every function of the family."""
  if family == 'mapping':
    funcs = [np.array(q) for q in itertools.permutations(range(p))]
  elif family == 'linear':
    funcs = [(a * np.arange(p) + b) % p for a in range(1, p) for b in range(p)]
  else:
    funcs = [(np.arange(p) + c) % p for c in range(p)]
  out = []
  for k in range(len(xs)):
    consistent = [f for f in funcs if np.all(f[xs[:k]] == ys[:k])]
    votes = np.bincount([f[xs[k]] for f in consistent], minlength=p)
    out.append(votes.max() / len(consistent))
  return np.array(out)


@pytest.mark.parametrize('family', icl.FAMILIES)
def test_bayes_accuracy_matches_enumeration(family):
  p = 5
  b = _batch(family, n=12, num_pairs=6, p=p, seed=1)
  got = icl.bayes_accuracy(b, p)
  for i in range(12):
    np.testing.assert_allclose(got[i], _brute_force_bayes(family, b['pairs_x'][i],
                                                          b['pairs_y'][i], p))
  np.testing.assert_allclose(got[:, 0], 1 / p)   # no examples: chance
  if family == 'offset':
    np.testing.assert_allclose(got[:, 1:], 1.0)  # one example fixes c
