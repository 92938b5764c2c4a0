r"""A discrete hidden Markov model fitted by Baum-Welch (EM): the latent-state baseline of seed 002
§1.1 next to the n-grams (dljax.models.ngram).

  z_1 ~ pi,  z_t | z_{t-1} ~ A[z_{t-1}, :],  x_t | z_t ~ B[z_t, :]       (K states, V symbols)

Unlike an order-n Markov chain on the symbols, the state carries information from arbitrarily far
back, but only log2 K bits of it. Inference is the scaled forward-backward recursion (Rabiner 1989):

  alpha_t(k) = B[k, x_t] sum_j alpha_{t-1}(j) A[j, k] / c_t,   c_t = the normaliser,
  log p(x_1..T) = sum_t log c_t,
  beta_t(j) = sum_k A[j, k] B[k, x_{t+1}] beta_{t+1}(k) / c_{t+1},
  gamma_t(k) = alpha_t(k) beta_t(k),   xi_t(j, k) = alpha_t(j) A[j, k] B[k, x_{t+1}] beta_{t+1}(k) / c_{t+1},

and the M-step sets pi, A, B to the normalised expected counts of gamma_1, sum_t xi_t and
sum_t gamma_t [x_t = v] (plus a small pseudo-count, so that no probability is exactly 0). Each EM
step cannot lower the likelihood (checked in tests/models/test_hmm.py, with the forward pass
against a brute-force sum over all state paths). Sequences are scored as independent chunks of
length T, each starting from pi (the chunk boundary forgets the state: a small cost at T = 256).
"""
import functools

import jax
import jax.numpy as jnp


def init(key, num_states: int, vocab_size: int, unigram_V=None):
  """(pi_K, A_KxK, B_KxV): near-uniform pi and A, and B = the unigram frequencies (or uniform)
  perturbed per state so that EM can break the symmetry between states."""
  k_a, k_b = jax.random.split(key)
  pi_K = jnp.full((num_states,), 1.0 / num_states)
  A_KxK = jax.nn.softmax(0.1 * jax.random.normal(k_a, (num_states, num_states)), axis=-1)
  base_V = (jnp.full((vocab_size,), 1.0 / vocab_size) if unigram_V is None
            else jnp.asarray(unigram_V, jnp.float32))
  B_KxV = base_V[None] * jnp.exp(jax.random.normal(k_b, (num_states, vocab_size)))
  return pi_K, A_KxK, B_KxV / B_KxV.sum(-1, keepdims=True)


def _forward(pi_K, A_KxK, B_KxV, x_T):
  """Scaled alphas T x K and normalisers c_T of one sequence."""
  def step(alpha_K, x):
    a = (alpha_K @ A_KxK) * B_KxV[:, x]
    c = a.sum()
    return a / c, (a / c, c)
  a0 = pi_K * B_KxV[:, x_T[0]]
  c0 = a0.sum()
  _, (alphas, cs) = jax.lax.scan(step, a0 / c0, x_T[1:])
  return jnp.concatenate([(a0 / c0)[None], alphas]), jnp.concatenate([c0[None], cs])


def log_likelihood(params, x_NxT):
  """log p(x) of each sequence: N (nats)."""
  pi_K, A_KxK, B_KxV = params
  return jax.vmap(lambda x: jnp.log(_forward(pi_K, A_KxK, B_KxV, x)[1]).sum())(x_NxT)


def _expected_counts(pi_K, A_KxK, B_KxV, x_T):
  alphas_TxK, c_T = _forward(pi_K, A_KxK, B_KxV, x_T)

  def back(beta_K, inputs):
    x_next, c_next = inputs
    b = A_KxK @ (B_KxV[:, x_next] * beta_K) / c_next
    return b, b
  last = jnp.ones_like(pi_K)
  _, betas = jax.lax.scan(back, last, (x_T[1:], c_T[1:]), reverse=True)
  betas_TxK = jnp.concatenate([betas, last[None]])
  gamma_TxK = alphas_TxK * betas_TxK
  # xi summed over t: sum_t alpha_t(j) A[j, k] B[k, x_{t+1}] beta_{t+1}(k) / c_{t+1}
  weighted_TxK = B_KxV[:, x_T[1:]].T * betas_TxK[1:] / c_T[1:, None]
  xi_KxK = A_KxK * (alphas_TxK[:-1].T @ weighted_TxK)
  emit_KxV = jax.ops.segment_sum(gamma_TxK, x_T, num_segments=B_KxV.shape[1]).T
  return gamma_TxK[0], xi_KxK, emit_KxV, jnp.log(c_T).sum()


@functools.partial(jax.jit, static_argnames=('pseudo_count',))
def em_step(params, x_NxT, pseudo_count: float = 1e-3):
  """One Baum-Welch step: (new params, total log-likelihood of x under the OLD params)."""
  pi, A, B, ll = jax.vmap(lambda x: _expected_counts(*params, x))(x_NxT)
  normalise = lambda m: m / m.sum(-1, keepdims=True)
  return ((normalise(pi.sum(0) + pseudo_count), normalise(A.sum(0) + pseudo_count),
           normalise(B.sum(0) + pseudo_count)), ll.sum())


def chunks(tokens, length: int):
  """The stream cut into N x length (the tail that does not fill a chunk is dropped)."""
  n = len(tokens) // length
  if n == 0:
    raise ValueError(f'a stream of {len(tokens)} symbols holds no chunk of length {length}; use '
                     'a shorter chunk length.')
  return jnp.asarray(tokens[:n * length]).reshape(n, length)


def fit(key, tokens, num_states: int, vocab_size: int, iters: int, length: int = 256):
  """Baum-Welch from init(): (params, [log-likelihood per symbol before each step])."""
  x = chunks(tokens, length)
  unigram = jnp.bincount(x.reshape(-1), length=vocab_size) + 1.0
  params = init(key, num_states, vocab_size, unigram / unigram.sum())
  history = []
  for _ in range(iters):
    params, ll = em_step(params, x)
    history.append(float(ll) / x.size)
  return params, history


def cross_entropy(params, tokens, length: int = 256) -> float:
  """Mean -log p per symbol (nats) over the chunks of the stream."""
  x = chunks(tokens, length)
  return float(-jax.jit(log_likelihood)(params, x).sum() / x.size)
