"""Transformer properties: causality, permutation equivariance, KV-cache = recomputation, positions."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.models import decoding, transformer

V = 11


def lm(**kw):
  kw = dict(vocab_size=V, d_model=16, num_heads=2, num_layers=2, max_len=12) | kw
  model = transformer.LM(**kw)
  tokens = jax.random.randint(jax.random.PRNGKey(1), (3, 10), 0, V)
  return model, model.init(jax.random.PRNGKey(0), tokens), tokens


def test_sinusoidal_positions_follow_vaswani():
  pe = transformer.sinusoidal_positions(50, 8)
  t, i = 7, 2
  np.testing.assert_allclose(pe[t, 2 * i], np.sin(t / 10000 ** (2 * i / 8)), rtol=1e-6)
  np.testing.assert_allclose(pe[t, 2 * i + 1], np.cos(t / 10000 ** (2 * i / 8)), rtol=1e-6)
  np.testing.assert_allclose(pe[:, 0], np.sin(np.arange(50)), atol=1e-6)   # i = 0: wavelength 2*pi
  with pytest.raises(ValueError, match='even'):
    transformer.sinusoidal_positions(4, 7)


@pytest.mark.parametrize('prenorm', [True, False])
def test_causal_mask_future_tokens_never_change_earlier_outputs(prenorm):
  model, variables, tokens = lm(prenorm=prenorm)
  logits = model.apply(variables, tokens)
  changed = tokens.at[:, 6:].set((tokens[:, 6:] + 1) % V)
  logits2 = model.apply(variables, changed)
  np.testing.assert_allclose(logits[:, :6], logits2[:, :6], atol=1e-5)
  assert not np.allclose(logits[:, 6:], logits2[:, 6:])


def test_self_attention_without_positions_is_permutation_equivariant():
  block = transformer.Block(num_heads=2, mlp_dim=32)
  x = jax.random.normal(jax.random.PRNGKey(0), (2, 7, 16))
  variables = block.init(jax.random.PRNGKey(1), x)
  perm = np.random.default_rng(0).permutation(7)
  np.testing.assert_allclose(block.apply(variables, x)[:, perm], block.apply(variables, x[:, perm]),
                             atol=1e-5)


@pytest.mark.parametrize('positions', transformer.POSITIONS)
def test_kv_cache_decoding_equals_full_recomputation(positions):
  model, variables, tokens = lm(positions=positions)
  full = jax.nn.log_softmax(model.apply(variables, tokens))
  step = jax.jit(transformer.step_fn(model, variables))
  cache = model.empty_cache(tokens.shape[0])
  for t in range(tokens.shape[1]):
    logp, cache = step(cache, tokens[:, t], t)
    np.testing.assert_allclose(logp, full[:, t], atol=1e-4)


def test_teacher_forced_loss_equals_step_by_step_loss_for_encoder_decoder():
  model = transformer.EncoderDecoder(src_vocab=V, tgt_vocab=V, d_model=16, num_heads=2,
                                     num_layers=2, max_len=12)
  src = jax.random.randint(jax.random.PRNGKey(1), (3, 9), 1, V).at[0, 7:].set(0)   # padded source
  tgt_in = jax.random.randint(jax.random.PRNGKey(2), (3, 6), 1, V)
  variables = model.init(jax.random.PRNGKey(0), src, tgt_in)
  parallel = jax.nn.log_softmax(model.apply(variables, src, tgt_in))
  enc = model.apply(variables, src, method=model.encode)
  cache = model.empty_cache(enc, src)
  step = transformer.step_fn(model, variables)
  for t in range(tgt_in.shape[1]):
    logp, cache = step(cache, tgt_in[:, t], t)
    np.testing.assert_allclose(logp, parallel[:, t], atol=1e-4)
  # padding in the source is invisible: changing padded tokens changes nothing
  other = src.at[0, 7:].set(0)
  np.testing.assert_allclose(model.apply(variables, other, tgt_in), model.apply(variables, src, tgt_in))


def test_beam_search_runs_on_the_lm_and_beam_one_is_greedy():
  model, variables, _ = lm()
  step = transformer.step_fn(model, variables)
  bos = jnp.zeros((2,), jnp.int32)
  greedy = decoding.greedy(step, model.empty_cache(2), bos, 8, eos_id=V - 1)
  tokens, _ = decoding.beam_search(step, model.empty_cache(2), bos, 8, eos_id=V - 1, beam=1)
  np.testing.assert_array_equal(tokens[:, 0], greedy)
  tokens, scores = decoding.beam_search(step, model.empty_cache(2), bos, 8, eos_id=V - 1, beam=3)
  assert tokens.shape == (2, 3, 8) and bool(jnp.all(scores[:, 0] >= scores[:, 1]))


def test_golden_parameter_count():
  # embedding V*D + learned positions L*D + per block (4 D^2 + 4 D attention, 2 LN 4D,
  # FFN D*4D + 4D + 4D*D + D) + final LN 2D; output tied to the embedding
  model, variables, _ = lm()
  d, nb = 16, 2
  per_block = (4 * d * d + 4 * d) + 4 * d + (8 * d * d + 5 * d)
  want = V * d + 12 * d + nb * per_block + 2 * d
  assert sum(x.size for x in jax.tree.leaves(variables['params'])) == want
