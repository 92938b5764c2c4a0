"""LSTM encoder-decoder: teacher forcing = step-by-step decoding, padding invisible, attention kinds."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.models import decoding, seq2seq, transformer

V = 9


def setup(**kw):
  model = seq2seq.Seq2SeqLSTM(src_vocab=V, tgt_vocab=V, embed=8, hidden=12, max_len=10, **kw)
  src = jax.random.randint(jax.random.PRNGKey(1), (3, 7), 3, V).at[0, 5:].set(0)
  tgt_in = jax.random.randint(jax.random.PRNGKey(2), (3, 5), 3, V)
  return model, model.init(jax.random.PRNGKey(0), src, tgt_in), src, tgt_in


@pytest.mark.parametrize('attention, bidirectional', [(a, True) for a in seq2seq.ATTENTIONS]
                         + [('dot', False)])
def test_teacher_forcing_equals_step_by_step_and_padding_is_invisible(attention, bidirectional):
  model, variables, src, tgt_in = setup(attention=attention, bidirectional=bidirectional)
  parallel = jax.nn.log_softmax(model.apply(variables, src, tgt_in))
  cache = model.empty_cache(model.apply(variables, src, method=model.encode), src)
  step = transformer.step_fn(model, variables)
  for t in range(tgt_in.shape[1]):
    logp, cache = step(cache, tgt_in[:, t], t)
    np.testing.assert_allclose(logp, parallel[:, t], atol=1e-5)
  # a shorter source padded further gives the same outputs as the same source with other padding
  trimmed = src[:1, :5]
  np.testing.assert_allclose(model.apply(variables, trimmed, tgt_in[:1]),
                             model.apply(variables, src[:1], tgt_in[:1]), atol=1e-5)


def test_alignment_is_a_distribution_over_real_source_tokens():
  model, variables, src, tgt_in = setup(attention='additive', sow_weights=True)
  _, inter = model.apply(variables, src, tgt_in, mutable=['intermediates'])
  alpha = model.cross_attention_maps(inter['intermediates'])
  assert alpha.shape == (3, 5, 7)
  np.testing.assert_allclose(alpha.sum(-1), 1.0, atol=1e-5)
  assert float(jnp.abs(alpha[0, :, 5:]).max()) == 0.0          # padded positions get no weight


def test_beam_one_is_greedy():
  model, variables, src, _ = setup()
  cache = model.empty_cache(model.apply(variables, src, method=model.encode), src)
  step = transformer.step_fn(model, variables)
  bos = jnp.ones((3,), jnp.int32)
  greedy = decoding.greedy(step, cache, bos, 6, eos_id=2)
  tokens, _ = decoding.beam_search(step, cache, bos, 6, eos_id=2, beam=1)
  np.testing.assert_array_equal(tokens[:, 0], greedy)
