"""Fashion-MNIST models: shapes, golden parameter counts, the reshape max-pool against flax's."""
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax import models
from dljax.models import cnn, layers, mlp
from tests.helpers import load_config


def n_params(model, x):
  variables = model.init(jax.random.PRNGKey(0), x)
  return sum(p.size for p in jax.tree.leaves(variables['params']))


@pytest.mark.parametrize('path,count', [
    ('configs/vision/fmnist_mlp.py', 784 * 256 + 256 + 256 * 128 + 128 + 128 * 100 + 100 + 1010),
    ('configs/vision/fmnist_cnn.py', (25 * 32 + 32) + (25 * 32 * 64 + 64) + (7 * 7 * 64 * 1024 + 1024)
     + 10250),
])
def test_golden_parameter_counts(path, count):
  model = models.build(load_config(path, 'cpu').model)
  assert n_params(model, jnp.zeros((1, 28, 28, 1))) == count
  assert count in (247_766, 3_274_634)


def test_cnn_shapes_and_dropout_only_in_training():
  model = cnn.CNN()
  x = jax.random.normal(jax.random.PRNGKey(1), (3, 28, 28, 1))
  variables = model.init(jax.random.PRNGKey(0), x)
  assert model.apply(variables, x).shape == (3, 10)
  eval1, eval2 = model.apply(variables, x), model.apply(variables, x)
  np.testing.assert_array_equal(eval1, eval2)
  train = model.apply(variables, x, train=True, rngs={'dropout': jax.random.PRNGKey(2)})
  assert not np.allclose(train, eval1)


@pytest.mark.parametrize('shape', [(2, 28, 28, 3), (1, 14, 14, 5), (2, 7, 7, 1)])
def test_reshape_max_pool_matches_flax(shape):
  x = jax.random.normal(jax.random.PRNGKey(0), shape)
  ours = layers.max_pool(x, 2)
  theirs = nn.max_pool(x, (2, 2), strides=(2, 2), padding='VALID')
  np.testing.assert_array_equal(ours, theirs)
  g_ours = jax.grad(lambda x: (layers.max_pool(x, 2) ** 2).sum())(x)
  g_theirs = jax.grad(lambda x: (nn.max_pool(x, (2, 2), strides=(2, 2)) ** 2).sum())(x)
  np.testing.assert_allclose(g_ours, g_theirs, atol=1e-6)


def test_mlp_inits_and_unknown_init():
  x = jnp.ones((2, 4))
  for scheme in mlp.INITS:
    assert mlp.MLP(hidden=(3,), init_scheme=scheme).init(jax.random.PRNGKey(0), x)
  with pytest.raises(ValueError, match='init_scheme'):
    mlp.MLP(init_scheme='xavier').init(jax.random.PRNGKey(0), x)


def test_he_init_variance():
  w = mlp.INITS['he'](jax.random.PRNGKey(0), (1000, 500))
  assert abs(float(jnp.var(w)) - 2 / 1000) < 2e-4  # Var = 2 / n_in (not (2/n_in)^2 as the notes say)
