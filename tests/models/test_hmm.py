"""The HMM: the scaled forward pass against a brute-force sum over state paths, EM never lowers the
likelihood, and EM recovers a two-state chain well enough to beat the unigram model."""
import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.models import hmm


def _brute_force(pi, A, B, x):
  total = 0.0
  for path in itertools.product(range(len(pi)), repeat=len(x)):
    p = pi[path[0]] * B[path[0], x[0]]
    for t in range(1, len(x)):
      p *= A[path[t - 1], path[t]] * B[path[t], x[t]]
    total += p
  return np.log(total)


def test_forward_pass_equals_the_sum_over_all_state_paths():
  params = hmm.init(jax.random.PRNGKey(0), 3, 4)
  x = jnp.asarray([[0, 3, 1, 1, 2, 0], [2, 2, 2, 1, 0, 3]])
  want = [_brute_force(*[np.asarray(p, np.float64) for p in params], list(map(int, row)))
          for row in x]
  np.testing.assert_allclose(hmm.log_likelihood(params, x), want, rtol=1e-5)


def test_em_steps_never_lower_the_likelihood_and_recover_a_two_state_chain():
  rng = np.random.default_rng(0)
  A = np.array([[0.95, 0.05], [0.1, 0.9]])
  B = np.array([[0.7, 0.2, 0.1, 0.0], [0.0, 0.1, 0.2, 0.7]])
  z, xs = 0, []
  for _ in range(8192):
    xs.append(rng.choice(4, p=B[z]))
    z = rng.choice(2, p=A[z])
  xs = np.asarray(xs)
  params, history = hmm.fit(jax.random.PRNGKey(1), xs, num_states=2, vocab_size=4, iters=30,
                            length=512)
  assert all(b >= a - 1e-5 for a, b in zip(history, history[1:]))  # monotone (up to float32)
  unigram = np.bincount(xs, minlength=4) / len(xs)
  unigram_nats = -np.mean(np.log(unigram[xs]))
  assert hmm.cross_entropy(params, xs, length=512) < unigram_nats - 0.2
  learned_B = np.asarray(params[2])
  order = np.argsort(learned_B[:, 0])[::-1]  # state 0 = the one that emits symbol 0
  np.testing.assert_allclose(learned_B[order], B, atol=0.08)


def test_a_stream_shorter_than_a_chunk_is_refused():
  with pytest.raises(ValueError, match='shorter chunk'):
    hmm.chunks(np.arange(10), 256)
