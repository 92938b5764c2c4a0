"""The order task's bag of words carries no label information; combine() is what it claims."""
import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.data import word_order
from dljax.models import word_combine


def _bags(tokens_NxT, vocab_size):
  return np.stack([np.bincount(row, minlength=vocab_size) for row in tokens_NxT])


def test_order_task_bag_is_label_free():
  tokens, labels = word_order.make('order', 2000, 0, length=6, vocab_size=5)
  assert ((tokens == word_order.A).sum(1) == 1).all() and ((tokens == word_order.B).sum(1) == 1).all()
  pos_a, pos_b = np.argmax(tokens == 0, 1), np.argmax(tokens == 1, 1)
  np.testing.assert_array_equal(labels, (pos_a < pos_b).astype(np.int32))
  # swapping A and B: the same bag, the other label
  swapped = np.where(tokens == 0, 1, np.where(tokens == 1, 0, tokens))
  np.testing.assert_array_equal(_bags(swapped, 5), _bags(tokens, 5))
  # every sequence of length 4 with one A, one B and fillers {2, 3}: each bag holds as many
  # label-1 as label-0 sequences, so no function of the bag beats 50 %
  per_bag = {}
  for seq in itertools.product(range(4), repeat=4):
    if seq.count(0) == 1 and seq.count(1) == 1:
      bag = tuple(np.bincount(seq, minlength=4))
      per_bag.setdefault(bag, []).append(int(seq.index(0) < seq.index(1)))
  assert len(per_bag) == 3 and all(np.mean(v) == 0.5 for v in per_bag.values())
  assert 0.45 < labels.mean() < 0.55


def test_presence_task_is_decided_by_the_bag():
  tokens, labels = word_order.make('presence', 500, 1)
  np.testing.assert_array_equal(labels, (tokens == word_order.B).any(1).astype(np.int32))
  assert ((tokens == word_order.A).sum(1) == 1).all()


def test_combine_sum_is_permutation_invariant_and_concat_is_not():
  e = jax.random.normal(jax.random.PRNGKey(0), (3, 5, 4))
  perm = jnp.array([4, 2, 0, 1, 3])
  np.testing.assert_allclose(word_combine.combine(e, 'sum'), word_combine.combine(e[:, perm], 'sum'),
                             rtol=1e-6)
  np.testing.assert_allclose(word_combine.combine(e, 'mean'), e.sum(1) / 5, rtol=1e-6)
  np.testing.assert_array_equal(word_combine.combine(e, 'concat'), np.asarray(e).reshape(3, 20))
  assert not np.allclose(word_combine.combine(e, 'concat'), word_combine.combine(e[:, perm], 'concat'))
  with pytest.raises(ValueError, match='combine'):
    word_combine.combine(e, 'max')


def test_one_hot_bow_input_is_the_count_vector():
  tokens, _ = word_order.make('order', 7, 3, length=6, vocab_size=5)
  x = word_combine.combine(jax.nn.one_hot(tokens, 5), 'sum')
  np.testing.assert_array_equal(np.asarray(x), _bags(tokens, 5))
  model = word_combine.CombineMLP(5, how='sum')
  params = model.init(jax.random.PRNGKey(0), tokens)
  assert model.apply(params, tokens).shape == (7, 2)
  with pytest.raises(ValueError, match='task'):
    word_order.make('reverse', 3, 0)
