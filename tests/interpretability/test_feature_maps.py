"""The attribution study's helpers against library oracles: PCA by SVD vs scikit-learn, Spearman vs
scipy, the map scores, and cascading randomisation touching only the named layers."""
import jax
import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.decomposition import PCA

from experiments.interpretability import attributions


def test_pca_matches_sklearn_up_to_sign():
  x = np.random.default_rng(0).normal(size=(100, 6)) @ np.diag([5, 3, 1, 1, 0.5, 0.1])
  ours = attributions.pca(x)
  theirs = PCA(2).fit_transform(x)
  for k in range(2):
    assert abs(np.corrcoef(ours[:, k], theirs[:, k])[0, 1]) == pytest.approx(1.0, abs=1e-8)


def test_spearman_matches_scipy():
  rng = np.random.default_rng(1)
  a, b = rng.normal(size=(3, 50)), rng.normal(size=(3, 50))
  b[0] = a[0] * 2 + 0.1 * b[0]
  ours = attributions.spearman(a, b)
  for i in range(3):
    assert ours[i] == pytest.approx(spearmanr(a[i], b[i]).statistic, abs=1e-10)


def test_map_scores_perfect_on_separated_clusters():
  rng = np.random.default_rng(2)
  y = np.repeat(np.arange(3), 40)
  high = np.eye(3)[y] * 10 + 0.1 * rng.normal(size=(120, 3))
  s = attributions.map_scores(high[:, :2] * 1.0, high, y)
  assert s['knn_accuracy'] == 1.0 and s['trustworthiness'] > 0.9


def test_randomisation_redraws_only_named_layers():
  params = {'Dense_0': {'kernel': np.ones((3, 2)), 'bias': np.ones(2)},
            'ConvBlock_0': {'Conv_0': {'kernel': np.ones((3, 3, 1, 2)) * 2, 'bias': np.ones(2)}}}
  params = jax.tree_util.tree_map(np.asarray, params)
  out = attributions._randomised(params, ['ConvBlock_0'])  # pylint: disable=protected-access
  np.testing.assert_array_equal(out['Dense_0']['kernel'], params['Dense_0']['kernel'])
  assert not np.allclose(out['ConvBlock_0']['Conv_0']['kernel'], 2.0)
  np.testing.assert_array_equal(out['ConvBlock_0']['Conv_0']['bias'], 0.0)
