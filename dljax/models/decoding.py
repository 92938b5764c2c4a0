"""Decoding an autoregressive model: greedy, temperature / top-k sampling, beam search.

Every decoder drives a model through one function, called once per generated position t:

  step_fn(cache, token_N, t) -> (log_probs_NxV, cache)

`token_N` is the previous token of each of N sequences (BOS at t=0) and `cache` any pytree whose
leaves have N as their leading axis (an RNN state, a Transformer's KV-cache, or the encoder output
of a seq2seq model). Beam search runs N = B*K sequences and reorders the cache with the beams.
All loops are `lax.fori_loop`s of a fixed `max_len`, so each decoder compiles once.

Beam scores (m = length including EOS, s = sum of token log-probabilities):
  'sum'      s                          prefers short outputs
  'average'  s / m
  'gnmt'     s / ((5 + m) / 6)^alpha    Wu et al. 2016
and a word reward s + gamma * m (Murray & Chiang 2018) added to any of them.
"""
import jax
import jax.numpy as jnp

NEG_INF = -1e9
LENGTH_PENALTIES = ('sum', 'average', 'gnmt')


def greedy(step_fn, cache, bos_N, max_len: int, eos_id: int):
  """argmax at every step; after EOS a sequence keeps emitting EOS. Returns tokens_NxL."""
  def body(t, carry):
    cache, prev, done, out = carry
    logp, cache = step_fn(cache, prev, t)
    tok = jnp.where(done, eos_id, jnp.argmax(logp, axis=-1))
    return cache, tok, done | (tok == eos_id), out.at[:, t].set(tok)
  n = bos_N.shape[0]
  init = (cache, bos_N, jnp.zeros(n, bool), jnp.full((n, max_len), eos_id, jnp.int32))
  return jax.lax.fori_loop(0, max_len, body, init)[-1]


def sample(step_fn, cache, bos_N, max_len: int, eos_id: int, rng,
           temperature: float = 1.0, top_k: int = 0):
  """Ancestral sampling from softmax(logits / T), optionally restricted to the top k tokens."""
  if temperature <= 0:
    raise ValueError(f'temperature must be > 0 (use greedy for T -> 0), got {temperature}.')

  def body(t, carry):
    cache, prev, done, out = carry
    logp, cache = step_fn(cache, prev, t)
    logits = logp / temperature
    if top_k:
      kth = jax.lax.top_k(logits, top_k)[0][:, -1:]
      logits = jnp.where(logits < kth, NEG_INF, logits)
    tok = jax.random.categorical(jax.random.fold_in(rng, t), logits, axis=-1)
    tok = jnp.where(done, eos_id, tok)
    return cache, tok, done | (tok == eos_id), out.at[:, t].set(tok)
  n = bos_N.shape[0]
  init = (cache, bos_N, jnp.zeros(n, bool), jnp.full((n, max_len), eos_id, jnp.int32))
  return jax.lax.fori_loop(0, max_len, body, init)[-1]


def length_normalised(score, length, length_penalty: str = 'sum', alpha: float = 0.6,
                      word_reward: float = 0.0):
  """The final score of a hypothesis with log-probability `score` and `length` tokens."""
  length = length.astype(score.dtype)
  if length_penalty == 'sum':
    s = score
  elif length_penalty == 'average':
    s = score / length
  elif length_penalty == 'gnmt':
    s = score / ((5.0 + length) / 6.0) ** alpha
  else:
    raise ValueError(f'length_penalty={length_penalty!r}; use one of {LENGTH_PENALTIES}.')
  return s + word_reward * length


def beam_search(step_fn, cache, bos_B, max_len: int, eos_id: int, beam: int,
                length_penalty: str = 'sum', alpha: float = 0.6, word_reward: float = 0.0):
  """Keeps the `beam` best prefixes (by summed log-probability) of every example.

  A finished hypothesis (it emitted EOS) stays in the beam with its score frozen, extended by EOS
  at no cost, so it competes with the live ones; the word reward gamma is paid per token during
  the search too (so it does lengthen outputs). At the end the K hypotheses are ranked by
  `length_normalised(...)`. Returns (tokens_BxKxL, final_scores_BxK), best first.
  """
  if length_penalty not in LENGTH_PENALTIES:
    raise ValueError(f'length_penalty={length_penalty!r}; use one of {LENGTH_PENALTIES}.')
  b, k = bos_B.shape[0], beam
  # every beam starts as a copy of the example; only beam 0 is live at t=0 (so no duplicates)
  cache = jax.tree.map(lambda x: jnp.repeat(x, k, axis=0), cache)
  score = jnp.tile(jnp.array([0.0] + [NEG_INF] * (k - 1)), (b, 1))

  def body(t, carry):
    cache, prev, score, done, length, out = carry
    logp, cache = step_fn(cache, prev.reshape(b * k), t)
    v = logp.shape[-1]
    logp = logp.reshape(b, k, v)
    # finished beams: only EOS, at log-prob 0
    eos_row = jnp.full((v,), NEG_INF).at[eos_id].set(0.0)
    logp = jnp.where(done[..., None], eos_row, logp + word_reward)   # + gamma per live token
    cand = (score[..., None] + logp).reshape(b, k * v)
    score, flat = jax.lax.top_k(cand, k)                     # the K best of K*V extensions
    parent, tok = flat // v, flat % v
    gather = lambda x: jnp.take_along_axis(x, parent, axis=1)
    done, length = gather(done), gather(length)
    out = jnp.take_along_axis(out, parent[..., None], axis=1).at[:, :, t].set(tok)
    length = length + (~done).astype(jnp.int32)
    done = done | (tok == eos_id)
    rows = (jnp.arange(b)[:, None] * k + parent).reshape(b * k)
    cache = jax.tree.map(lambda x: x[rows], cache)
    return cache, tok, score, done, length, out

  init = (cache, jnp.repeat(bos_B[:, None], k, axis=1), score, jnp.zeros((b, k), bool),
          jnp.zeros((b, k), jnp.int32), jnp.full((b, k, max_len), eos_id, jnp.int32))
  _, _, score, _, length, out = jax.lax.fori_loop(0, max_len, body, init)
  logprob = score - word_reward * length
  final = length_normalised(logprob, length, length_penalty, alpha, word_reward)
  order = jnp.argsort(-final, axis=1)
  return (jnp.take_along_axis(out, order[..., None], axis=1),
          jnp.take_along_axis(final, order, axis=1))


def complete(step_fn, cache, tokens_NxL, prompt_len_N, eos_id: int, rng=None,
             temperature=0.0):
  """Completes prompts of different lengths in one pass over the L positions.

  tokens_NxL holds each prompt in its first prompt_len_N positions (anything after is ignored). At
  position t the input is the prompt's token while t < prompt_len, otherwise the token generated at
  t; the output at t gives the token at t + 1: the argmax (no rng, or temperature 0) or a sample
  from softmax(log p / T). `temperature` may be a traced scalar (one compilation for every T).
  After EOS a sequence keeps EOS. Returns the full sequences N x L (prompt and completion).
  """
  if isinstance(temperature, (int, float)) and temperature < 0:
    raise ValueError(f'temperature must be >= 0 (0 = greedy), got {temperature}.')
  if isinstance(temperature, (int, float)) and temperature > 0 and rng is None:
    raise ValueError('sampling (temperature > 0) needs an rng.')
  n, length = tokens_NxL.shape

  def body(t, carry):
    cache, seq, done = carry
    logp, cache = step_fn(cache, seq[:, t], t)
    tok = jnp.argmax(logp, axis=-1)
    if rng is not None:
      sampled = jax.random.categorical(jax.random.fold_in(rng, t),
                                       logp / jnp.maximum(temperature, 1e-6), axis=-1)
      tok = jnp.where(temperature > 0, sampled, tok)
    in_prompt = t + 1 < prompt_len_N
    tok = jnp.where(in_prompt, seq[:, t + 1], jnp.where(done, eos_id, tok)).astype(seq.dtype)
    done = done | (~in_prompt & (tok == eos_id))
    return cache, seq.at[:, t + 1].set(tok), done

  init = (cache, tokens_NxL, jnp.zeros(n, bool))
  return jax.lax.fori_loop(0, length - 1, body, init)[1]
