"""The linear SVM of experiments/basics/svm_margin.py against scikit-learn's SVC on the same primal."""
import jax.numpy as jnp
import numpy as np
import pytest

from experiments.basics import svm_margin


@pytest.mark.parametrize('lam', [1e-2, 1e-1])
def test_primal_fit_matches_sklearn_svc_with_c_from_lambda(lam):
  from sklearn import svm  # pylint: disable=g-import-not-at-top  (dev-only oracle)
  rng = np.random.default_rng(0)
  x = rng.normal(size=(200, 2)).astype(np.float32)
  y = np.where(x[:, 0] + 0.5 * x[:, 1] + 0.3 * rng.normal(size=200) > 0, 1.0, -1.0)
  w, b = svm_margin.fit(jnp.asarray(x), jnp.asarray(y, jnp.float32), lam, 20_000)
  # lambda ||w||^2 + (1/n) sum hinge  ==  (1/(2 lambda n)) * [ (1/2)||w||^2 + C sum hinge ]
  ref = svm.SVC(kernel='linear', C=1.0 / (2 * lam * len(x)), tol=1e-6).fit(x, y)
  np.testing.assert_allclose(np.asarray(w), ref.coef_[0], rtol=0.03, atol=3e-3)
  ours = svm_margin.objective((w, b), x, y, lam)
  theirs = svm_margin.objective((jnp.asarray(ref.coef_[0]), ref.intercept_[0]), x, y, lam)
  assert float(ours) <= float(theirs) * (1 + 1e-3)  # at least as low as sklearn's optimum
  np.testing.assert_array_equal(np.sign(x @ np.asarray(w) + float(b)), ref.predict(x))


def test_a_larger_lambda_gives_a_wider_margin_and_more_points_inside_it():
  table, _, _ = svm_margin.compute('smoke')
  small, large = (table['lambdas'][l] for l in svm_margin.LAMBDAS['smoke'])
  assert large['margin'] > small['margin']
  assert large['on_or_inside_margin'] >= small['on_or_inside_margin']
