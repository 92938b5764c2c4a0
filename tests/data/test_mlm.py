"""BERT data: the 15 % / 80-10-10 masking, specials never masked, NSP pairs and their balance."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.data import bpe, mlm
from dljax.errors import ConfigError

V = 50


def _tokens(b=64, t=128):
  x = np.array(jax.random.randint(jax.random.PRNGKey(0), (b, t), mlm.NUM_SPECIAL, V))
  x[:, 0], x[:, t // 2], x[:, 3 * t // 4:] = mlm.CLS, mlm.SEP, mlm.PAD
  return jnp.asarray(x)


def test_masking_proportions_and_specials():
  x = _tokens()
  inputs, chosen = mlm.mask_tokens(jax.random.PRNGKey(1), x, V)
  x, inputs, chosen = np.asarray(x), np.asarray(inputs), np.asarray(chosen)
  special = x < mlm.NUM_SPECIAL
  assert not chosen[special].any()                         # specials are never chosen
  np.testing.assert_array_equal(inputs[~chosen], x[~chosen])   # only chosen positions change
  n = (~special).sum()
  rate = chosen.sum() / n
  assert abs(rate - 0.15) < 4 * np.sqrt(0.15 * 0.85 / n)   # 15 % of the non-special positions
  c = chosen.sum()
  to_mask = (inputs[chosen] == mlm.MASK).mean()
  unchanged = (inputs[chosen] == x[chosen]).mean()
  to_random = 1 - to_mask - unchanged
  # unchanged also counts a random token that happens to equal the original (prob 1 / 46)
  p_same = 0.1 + 0.1 / (V - mlm.NUM_SPECIAL)
  for got, p in ((to_mask, 0.8), (unchanged, p_same), (to_random, 0.1 - 0.1 / (V - 4))):
    assert abs(got - p) < 4 * np.sqrt(p * (1 - p) / c), (got, p)
  replaced = inputs[chosen][inputs[chosen] != mlm.MASK]
  assert replaced.min() >= mlm.NUM_SPECIAL and replaced.max() < V   # random tokens are not specials


def test_masking_is_a_function_of_the_rng():
  x = _tokens(8, 32)
  a = mlm.mask_tokens(jax.random.PRNGKey(3), x, V)
  b = mlm.mask_tokens(jax.random.PRNGKey(3), x, V)
  c = mlm.mask_tokens(jax.random.PRNGKey(4), x, V)
  np.testing.assert_array_equal(a[0], b[0])
  assert not np.array_equal(a[1], c[1])


def test_pretraining_loss_is_taken_on_chosen_positions_only():
  from dljax.train.tasks.bert import BertPretrain  # pylint: disable=g-import-not-at-top
  x = _tokens(4, 16)
  _, chosen = mlm.mask_tokens(jax.random.PRNGKey(1), x, V)
  logits = jax.random.normal(jax.random.PRNGKey(2), (4, 16, V))
  batch = {'tokens': x, 'nsp': jnp.zeros(4, jnp.int32)}
  nll, _ = BertPretrain.losses(None, logits, jnp.zeros((4, 2)), batch, chosen.astype(jnp.float32))
  other = logits.at[~chosen].set(0.0)   # logits at unchosen positions do not matter
  nll2, _ = BertPretrain.losses(None, other, jnp.zeros((4, 2)), batch, chosen.astype(jnp.float32))
  np.testing.assert_allclose(nll, nll2)
  assert (np.asarray(nll)[~np.asarray(chosen)] == 0).all()
  assert (np.asarray(nll)[np.asarray(chosen)] > 0).all()


def test_pack_pair_layout_and_truncation():
  tokens, segments = mlm.pack_pair([10, 11, 12], [20, 21], max_len=10)
  np.testing.assert_array_equal(tokens, [1, 10, 11, 12, 2, 20, 21, 2, 0, 0])
  np.testing.assert_array_equal(segments, [0, 0, 0, 0, 0, 1, 1, 1, 0, 0])
  tokens, segments = mlm.pack_pair(list(range(10, 30)), [40, 41], max_len=8)
  assert list(tokens) == [1, 10, 11, 12, 2, 40, 41, 2]   # the longer side is cut first


def test_nsp_pairs_are_balanced_true_next_and_deterministic():
  lines = [[100 + i] for i in range(500)]   # line i is the single token 100 + i
  batch = mlm.nsp_batch(lines, 4000, 8, seed=0, step=7)
  assert abs(batch['nsp'].mean() - 0.5) < 4 * np.sqrt(0.25 / 4000)
  a, b = batch['tokens'][:, 1], batch['tokens'][:, 3]
  np.testing.assert_array_equal(b - a == 1, batch['nsp'] == 1)   # IsNext <=> B follows A
  again = mlm.nsp_batch(lines, 4000, 8, seed=0, step=7)
  np.testing.assert_array_equal(again['tokens'], batch['tokens'])
  assert not np.array_equal(mlm.nsp_batch(lines, 4000, 8, seed=0, step=8)['tokens'],
                            batch['tokens'])
  with pytest.raises(ConfigError, match='at least 3 lines'):
    mlm.nsp_batch(lines[:2], 4, 8, 0, 0)


def test_tokenizer_offsets_bpe_ids_past_the_specials():
  model = bpe.train(bpe.word_counts(['to be or not to be', 'to be']), 5)
  tok = mlm.Tokenizer(model)
  ids = tok.encode('to be or not')
  assert min(ids) >= mlm.NUM_SPECIAL and tok.vocab_size == len(model.vocab) + mlm.NUM_SPECIAL
  assert tok.decode([mlm.CLS] + ids + [mlm.SEP, mlm.PAD]) == '[CLS] to be or not[SEP]'
  packed = mlm.pack_single([ids, ids[:1]], 5)
  assert list(packed[1]) == [mlm.CLS, ids[0], mlm.SEP, 0, 0] and packed[0, -1] == mlm.SEP
