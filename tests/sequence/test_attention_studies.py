"""The pure parts of the attention studies: the saturation measures, the rank-collapse residual,
the fitted time exponent (their cpu numbers are measured, not tested)."""
import jax
import jax.numpy as jnp
import numpy as np

from experiments.sequence import attention_scaling, attention_vs_rnn_time, rank_collapse


def test_saturation_measures_match_their_closed_forms():
  n, d = 6, 8
  q = jax.random.normal(jax.random.PRNGKey(0), (n, d))
  k = jax.random.normal(jax.random.PRNGKey(1), (n, d))
  s = d ** -0.5
  std, max_w, entropy, saturated, jac, grad_q, grad_k = (np.asarray(v) for v in
                                              attention_scaling.measure(q, k, s))
  z = s * np.asarray(k, np.float64) @ np.asarray(q, np.float64).T   # z[:, i]: query i's logits
  a = np.exp(z - z.max(0)) / np.exp(z - z.max(0)).sum(0)
  np.testing.assert_allclose(std, z.std(0), rtol=1e-5)
  np.testing.assert_allclose(max_w, a.max(0), rtol=1e-5)
  np.testing.assert_allclose(entropy, -(a * np.log(a)).sum(0), rtol=1e-5)
  np.testing.assert_array_equal(saturated, a.max(0) > 0.99)
  for i in range(n):
    j = np.diag(a[:, i]) - np.outer(a[:, i], a[:, i])     # softmax Jacobian
    np.testing.assert_allclose(jac[i], np.linalg.norm(j), rtol=1e-5)
    np.testing.assert_allclose(grad_q[i], np.linalg.norm(s * j @ np.asarray(k)), rtol=1e-4)
    # d a / d k_m = s J[:, m] q^T: Frobenius norm s ||J||_F ||q||
    np.testing.assert_allclose(grad_k[i], s * np.linalg.norm(j) * np.linalg.norm(q[i]), rtol=1e-4)


def test_uniform_softmax_has_log_n_entropy_and_no_saturation_when_logits_vanish():
  q = jnp.ones((3, 4))
  k = jnp.zeros((5, 4))
  _, max_w, entropy, saturated, _, _, _ = attention_scaling.measure(q, k, 1.0)
  assert not np.any(saturated)
  np.testing.assert_allclose(max_w, 0.2, rtol=1e-6)
  np.testing.assert_allclose(entropy, np.log(5), rtol=1e-6)


def test_residual_is_zero_for_identical_rows_and_scale_free():
  rows = jnp.tile(jnp.array([[1.0, -2.0, 3.0]]), (4, 1))
  assert float(rank_collapse.residual(rows)) == 0.0
  x = jnp.array([[1.0, 0.0], [-1.0, 0.0]])    # mean row 0: res = 1
  np.testing.assert_allclose(rank_collapse.residual(x), 1.0)
  np.testing.assert_allclose(rank_collapse.residual(7 * (x + 1)), rank_collapse.residual(x + 1),
                             rtol=1e-6)
  assert rank_collapse.first_below([1.0, 0.1, 1e-4, 1e-6]) == 2
  assert rank_collapse.first_below([1.0, 0.5]) is None


def test_pure_attention_collapses_and_the_skip_keeps_the_rank():
  pure = rank_collapse.residuals('attention', depth=3, n=8, d=16, heads=2, seed=0)
  skip = rank_collapse.residuals('attention_skip', depth=3, n=8, d=16, heads=2, seed=0)
  assert pure[3] < 1e-3 < 0.5 < skip[3]
  assert pure[2] / pure[1] < pure[1] / pure[0]   # faster than exponential


def test_fitted_exponent_recovers_a_power_law():
  n = [64, 128, 256, 512]
  assert abs(attention_vs_rnn_time.fit_exponent(n, [3e-6 * m ** 2 for m in n]) - 2.0) < 1e-9
  assert attention_vs_rnn_time.fit_exponent([8, 16], [1.0, 2.0]) is None   # one point per half
  assert attention_vs_rnn_time.sequential_steps('gru', 100) == 100
  assert attention_vs_rnn_time.sequential_steps('attention', 100) == 1
