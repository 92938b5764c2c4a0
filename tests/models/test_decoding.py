"""Greedy, sampling and beam search on a toy trigram model, against exhaustive search."""
import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.models import decoding

V, EOS, BOS, L = 4, 0, 1, 4


def trigram(seed=0):
  """log p(x_t | x_{t-2}, x_{t-1}): the cache holds x_{t-2}, so beams must reorder it."""
  logits = jax.random.normal(jax.random.PRNGKey(seed), (V, V, V)) * 2.0
  table = jax.nn.log_softmax(logits, axis=-1)

  def step_fn(cache, tok, t):
    del t
    return table[cache['prev2'], tok], {'prev2': tok}
  return table, step_fn


def exhaustive(table, bos, length_penalty, alpha=0.6, word_reward=0.0):
  """Every sequence of max_len tokens, each padded with EOS after its first EOS."""
  table = np.asarray(table, np.float64)
  best = (-np.inf, None)
  for seq in itertools.product(range(V), repeat=L):
    if EOS in seq:
      m = seq.index(EOS) + 1
      if any(s != EOS for s in seq[m:]):
        continue
    else:
      m = L
    prev2, prev, s = bos, bos, 0.0
    for tok in seq[:m]:
      s += float(table[prev2, prev, tok])
      prev2, prev = prev, tok
    f = float(decoding.length_normalised(np.float64(s), np.int64(m), length_penalty, alpha,
                                         word_reward))
    if f > best[0]:
      best = (f, seq)
  return best


def run_beam(step_fn, k, **kw):
  bos = jnp.full((3,), BOS)
  return decoding.beam_search(step_fn, {'prev2': bos}, bos, L, EOS, k, **kw)


@pytest.mark.parametrize('penalty', decoding.LENGTH_PENALTIES)
def test_wide_beam_is_exact(penalty):
  # with K >= V^L every hypothesis survives, so beam search must return the exhaustive optimum
  for seed in range(2):
    table, step_fn = trigram(seed)
    tokens, scores = run_beam(step_fn, V ** L, length_penalty=penalty, word_reward=0.3)
    want_score, want_seq = exhaustive(table, BOS, penalty, word_reward=0.3)
    np.testing.assert_allclose(scores[0, 0], want_score, rtol=1e-5)
    assert tuple(np.asarray(tokens[0, 0])) == want_seq


def test_beam_one_is_greedy_and_wider_beams_score_higher():
  for seed in range(2):
    _, step_fn = trigram(seed)
    bos = jnp.full((3,), BOS)
    greedy = decoding.greedy(step_fn, {'prev2': bos}, bos, L, EOS)
    tokens, scores = run_beam(step_fn, 1)
    np.testing.assert_array_equal(tokens[:, 0], greedy)
    best = [run_beam(step_fn, k)[1][0, 0] for k in (1, 3, 16)]
    assert all(a <= b + 1e-6 for a, b in zip(best, best[1:]))


def test_word_reward_lengthens_outputs():
  lengths = []
  for gamma in (0.0, 3.0):
    ls = []
    for seed in range(4):
      _, step_fn = trigram(seed)
      tokens, _ = run_beam(step_fn, 4, word_reward=gamma)
      seq = list(np.asarray(tokens[0, 0]))
      ls.append(seq.index(EOS) + 1 if EOS in seq else L)
    lengths.append(np.mean(ls))
  assert lengths[1] > lengths[0]


def test_sampling_matches_the_model_distribution_and_top1_is_greedy():
  table, step_fn = trigram(1)
  n = 4000
  bos = jnp.full((n,), BOS)
  toks = decoding.sample(step_fn, {'prev2': bos}, bos, 1, EOS, jax.random.PRNGKey(0))
  freq = np.bincount(np.asarray(toks[:, 0]), minlength=V) / n
  np.testing.assert_allclose(freq, np.exp(table[BOS, BOS]), atol=0.03)
  top1 = decoding.sample(step_fn, {'prev2': bos[:8]}, bos[:8], L, EOS, jax.random.PRNGKey(1), top_k=1)
  np.testing.assert_array_equal(top1, decoding.greedy(step_fn, {'prev2': bos[:8]}, bos[:8], L, EOS))
  cold = decoding.sample(step_fn, {'prev2': bos[:8]}, bos[:8], L, EOS, jax.random.PRNGKey(2),
                         temperature=1e-3)
  np.testing.assert_array_equal(cold, top1)
  with pytest.raises(ValueError, match='temperature'):
    decoding.sample(step_fn, {'prev2': bos}, bos, L, EOS, jax.random.PRNGKey(0), temperature=0.0)
