"""The count-based n-gram models against a dictionary implementation of the same formulas."""
import collections
import math

import numpy as np
import pytest

from dljax.models import ngram


def _naive_kn(stream, vocab_size, order):
  """Interpolated Kneser-Ney by dictionaries, written from Chen & Goodman (1998) eq. 26."""
  pad = vocab_size
  padded = [pad] * (order - 1) + list(stream)
  grams = collections.Counter(tuple(padded[i - order + 1:i + 1])
                              for i in range(order - 1, len(padded)))
  counts = {order - 1: grams}
  for k in range(order - 2, -1, -1):  # continuation counts: distinct one-longer grams
    counts[k] = collections.Counter(g[1:] for g in counts[k + 1])

  def discount(c):
    n1 = sum(1 for v in c.values() if v == 1)
    n2 = sum(1 for v in c.values() if v == 2)
    return n1 / (n1 + 2 * n2) if n1 + n2 else 0.5  # the module's convention when no count is 1 or 2

  discounts = {k: discount(c) for k, c in counts.items()}

  def prob(history, w):
    p = 1.0 / vocab_size
    for k in range(order):
      h = tuple(history[len(history) - k:]) if k else ()
      c = counts[k]
      c_h = sum(v for g, v in c.items() if g[:-1] == h)
      if c_h == 0:
        continue
      n_h = sum(1 for g in c if g[:-1] == h)
      d = discounts[k]
      p = max(c.get(h + (w,), 0) - d, 0) / c_h + d * n_h / c_h * p
    return p
  return prob, pad


@pytest.mark.parametrize('order', [1, 2, 3])
def test_kneser_ney_matches_the_dictionary_formula(order):
  rng = np.random.default_rng(0)
  train = rng.integers(0, 4, size=300)
  train[::7] = 2  # some structure, so the higher orders differ from the lower ones
  test = rng.integers(0, 4, size=40)
  model = ngram.NGram(train, vocab_size=4, order=order)
  prob, pad = _naive_kn(train, 4, order)
  history = [pad] * (order - 1) + list(test)
  want = [prob(history[i:i + order - 1], int(w)) for i, w in enumerate(test)]
  np.testing.assert_allclose(model.prob(test), want, rtol=1e-10)


@pytest.mark.parametrize('smoothing', ['kneser_ney', 'add'])
def test_probabilities_sum_to_one_over_the_next_symbol(smoothing):
  rng = np.random.default_rng(1)
  train = rng.integers(0, 5, size=500)
  model = ngram.NGram(train, vocab_size=5, order=3, smoothing=smoothing)
  for context in ([0, 1], [4, 4], [2, 3]):  # seen and (likely) rare contexts
    total = sum(model.prob(np.array(context + [w]))[-1] for w in range(5))
    assert math.isclose(total, 1.0, rel_tol=1e-9)


def test_add_alpha_is_the_laplace_formula_and_kn_beats_it_on_held_out_text():
  rng = np.random.default_rng(2)
  # a Markov chain of order 2 over 6 symbols: the order-3 model can learn it
  table = rng.dirichlet(np.full(6, 0.3), size=(6, 6))
  stream = [0, 1]
  for _ in range(6000):
    stream.append(rng.choice(6, p=table[stream[-2], stream[-1]]))
  stream = np.array(stream)
  train, test = stream[:5000], stream[5000:]
  add = ngram.NGram(train, 6, 3, smoothing='add', alpha=1.0)
  h = (train[-2], train[-1])
  c_hw = sum(1 for i in range(2, len(train)) if (train[i - 2], train[i - 1], train[i]) == h + (0,))
  c_h = sum(1 for i in range(2, len(train)) if (train[i - 2], train[i - 1]) == h)
  assert math.isclose(add.prob(np.array([h[0], h[1], 0]))[-1], (c_hw + 1) / (c_h + 6))
  kn = ngram.NGram(train, 6, 3)
  entropy = -np.mean([np.log(table[test[i - 2], test[i - 1], test[i]])
                      for i in range(2, len(test))])
  assert kn.cross_entropy(test) < ngram.NGram(train, 6, 1).cross_entropy(test)
  assert kn.cross_entropy(test) < entropy + 0.05  # near the chain's true entropy rate


def test_bad_input_is_refused_with_the_fix():
  with pytest.raises(ValueError, match='vocabulary size'):
    ngram.NGram(np.array([0, 5]), vocab_size=5, order=2)
  with pytest.raises(ValueError, match='order=12'):
    ngram.NGram(np.array([0, 1]), vocab_size=84, order=12)
  with pytest.raises(ValueError, match='smoothing'):
    ngram.NGram(np.array([0, 1]), vocab_size=2, order=2, smoothing='witten_bell')
  assert ngram.max_order(84) == 9


def test_sampling_is_deterministic_and_in_vocabulary():
  model = ngram.NGram(np.tile(np.arange(4), 50), vocab_size=4, order=2)
  a, b = model.sample([0], 20, seed=3), model.sample([0], 20, seed=3)
  assert a == b and all(0 <= t < 4 for t in a)
  assert sum(x == (y + 1) % 4 for x, y in zip(a[1:], a[:-1])) >= 15  # it learned the cycle
