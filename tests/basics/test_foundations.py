"""Foundations of seed 003 that are identities rather than experiments: softmax with C = 2 is the
logistic sigmoid (§1.2), log-softmax is stable, the threshold unit (§1.3), and broadcasting and
mm / bmm as jnp.matmul, einsum and vmap (§1.4)."""
import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.models.layers import activation
from dljax.train.tasks.classification import LOSSES

jax.config.update('jax_numpy_rank_promotion', 'raise')


def test_softmax_with_two_classes_is_the_sigmoid_of_the_logit_difference():
  """p_1 = exp(z_1) / (exp(z_0) + exp(z_1)) = s(z_1 - z_0), and the two cross-entropies agree."""
  z_Bx2 = jax.random.normal(jax.random.PRNGKey(0), (64, 2)) * 3
  y_B = jax.random.bernoulli(jax.random.PRNGKey(1), 0.5, (64,)).astype(jnp.int32)
  score_B = z_Bx2[:, 1] - z_Bx2[:, 0]
  np.testing.assert_allclose(jax.nn.softmax(z_Bx2)[:, 1], jax.nn.sigmoid(score_B), rtol=1e-6)
  np.testing.assert_allclose(LOSSES['softmax'](z_Bx2, y_B), LOSSES['logistic'](score_B, y_B),
                             rtol=1e-5, atol=1e-6)


def test_log_softmax_is_stable_where_the_naive_form_overflows():
  z = jnp.array([[1000.0, 0.0, -1000.0]])
  naive = jnp.log(jnp.exp(z) / jnp.exp(z).sum(-1, keepdims=True))
  assert not np.isfinite(np.asarray(naive)).all()  # exp(1000) = inf in float32
  stable = jax.nn.log_softmax(z)  # z - max z - log sum exp(z - max z)
  np.testing.assert_allclose(stable, [[0.0, -1000.0, -2000.0]], rtol=1e-6)
  np.testing.assert_allclose(LOSSES['softmax'](z, jnp.array([2])), [2000.0], rtol=1e-6)


def test_threshold_unit_fires_on_positive_input_and_passes_no_gradient():
  a = jnp.array([-2.0, -0.0, 0.0, 1e-6, 3.0])
  np.testing.assert_array_equal(activation('threshold')(a), [0, 0, 0, 1, 1])
  grad = jax.grad(lambda a: activation('threshold')(a).sum())(a)
  np.testing.assert_array_equal(grad, np.zeros(5))  # why gradient descent cannot train it


def pytorch_broadcast_shape(a: tuple, b: tuple) -> tuple:
  """The notes' rule, quoted from the PyTorch docs: "starting at the trailing dimension, the
  dimension sizes must either be equal, one of them is 1, or one of them does not exist"."""
  out = []
  for i in range(1, max(len(a), len(b)) + 1):
    da = a[-i] if i <= len(a) else None
    db = b[-i] if i <= len(b) else None
    if da is None or db is None:
      out.append(db if da is None else da)
    elif da == db or 1 in (da, db):
      out.append(max(da, db) if 1 in (da, db) else da)
    else:
      raise ValueError(f'shapes {a} and {b} do not broadcast at dimension -{i}: {da} vs {db}')
  return tuple(reversed(out))


SHAPES = [(), (1,), (3,), (4, 1), (4, 3), (2, 1, 3), (2, 4, 1), (5, 1, 1), (2, 4, 3)]


@pytest.mark.parametrize('a,b', list(itertools.combinations_with_replacement(SHAPES, 2)))
def test_broadcasting_rule_matches_numpy_and_jax(a, b):
  try:
    expected = np.broadcast_shapes(a, b)
  except ValueError:
    with pytest.raises(ValueError):
      pytorch_broadcast_shape(a, b)
    return
  assert pytorch_broadcast_shape(a, b) == expected
  with jax.numpy_rank_promotion('allow'):
    assert (jnp.zeros(a) + jnp.zeros(b)).shape == expected


def test_mm_and_bmm_as_matmul_einsum_and_vmap():
  ka, kb, kv = jax.random.split(jax.random.PRNGKey(0), 3)
  a_BxNxK = jax.random.normal(ka, (4, 3, 5))
  b_BxKxM = jax.random.normal(kb, (4, 5, 2))
  mm_NxM = a_BxNxK[0] @ b_BxKxM[0]  # torch.mm
  np.testing.assert_allclose(jnp.einsum('nk,km->nm', a_BxNxK[0], b_BxKxM[0]), mm_NxM, rtol=1e-5)
  bmm = jnp.matmul(a_BxNxK, b_BxKxM)  # torch.bmm
  np.testing.assert_allclose(jnp.einsum('bnk,bkm->bnm', a_BxNxK, b_BxKxM), bmm, rtol=1e-5)
  np.testing.assert_allclose(jax.vmap(jnp.matmul)(a_BxNxK, b_BxKxM), bmm, rtol=1e-5)
  loop = np.stack([np.asarray(a_BxNxK[i]) @ np.asarray(b_BxKxM[i]) for i in range(4)])
  np.testing.assert_allclose(bmm, loop, rtol=1e-5, atol=1e-6)
  # one matrix against a batch: matmul broadcasts the batch axis, vmap maps only over one argument
  w_KxM = jax.random.normal(kv, (5, 2))
  np.testing.assert_allclose(jax.vmap(lambda a: a @ w_KxM)(a_BxNxK),
                             jnp.einsum('bnk,km->bnm', a_BxNxK, w_KxM), rtol=1e-5)
