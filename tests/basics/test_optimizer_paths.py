"""experiments/basics/optimizer_paths.py: the test functions, the scanned optimizer path and the
choice of learning rate."""
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax import optim
from experiments.basics import optimizer_paths as op


@pytest.mark.parametrize('name', list(op.FUNCTIONS))
def test_minimum_is_a_stationary_zero(name):
  f, w_star, start, _ = op.FUNCTIONS[name]
  w_star = jnp.asarray(w_star)
  assert float(f(w_star)) == pytest.approx(0.0, abs=1e-6)
  np.testing.assert_allclose(jax.grad(f)(w_star), 0.0, atol=1e-5)
  assert float(f(jnp.asarray(start))) > 1.0


def test_valley_has_condition_number_100():
  hessian = jax.hessian(op.valley)(jnp.zeros(2))
  np.testing.assert_allclose(np.linalg.eigvalsh(hessian), [1.0, 100.0], rtol=1e-5)


def test_sgd_path_on_a_quadratic_is_the_closed_form():
  """f = ||w||^2 / 2: w_t = (1 - eta)^t w_0."""
  eta = 0.1
  ws_Tx2 = op.path(lambda w: 0.5 * jnp.sum(w ** 2), optim.sgd, eta, (2.0, -1.0), steps=5)
  expected = np.array([(1 - eta) ** t * np.array([2.0, -1.0]) for t in range(6)])
  np.testing.assert_allclose(ws_Tx2, expected, rtol=1e-6)


def test_vmapped_paths_equal_single_paths_and_mark_divergence():
  lrs = jnp.asarray([1e-3, 1e-1], jnp.float32)
  ws, fs = op.paths(op.rosenbrock, optim.sgd, lrs, jnp.asarray((-1.2, 1.0)), 20)
  np.testing.assert_allclose(ws[0], op.path(op.rosenbrock, optim.sgd, 1e-3, (-1.2, 1.0), 20),
                             rtol=1e-5)
  assert not math.isfinite(float(fs[1, -1]))  # lr 0.1 > 2 / curvature: SGD diverges
  assert op.best_lr([1e-3, 1e-1], [float(v) for v in fs[:, -1]]) == 0
  assert op.best_lr([1, 2], [math.nan, math.inf]) is None


def test_unknown_preset():
  with pytest.raises(ValueError, match='preset'):
    op.runs('gpu', '/unused')
  assert op.runs('smoke', '/unused') == []
