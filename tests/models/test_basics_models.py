"""The models of configs/basics: shapes, golden parameter counts, the hand-set XOR network and the
MNIST-1D CNN's length arithmetic."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from configs.basics import logistic, mnist1d, xor
from dljax import data as data_lib, models
from dljax.models import cnn, linear, mlp
from dljax.models import xor as xor_models

jax.config.update('jax_numpy_rank_promotion', 'raise')


def n_params(model, x):
  shapes = jax.eval_shape(model.init, jax.random.PRNGKey(0), x)['params']
  return sum(int(np.prod(s.shape)) for s in jax.tree.leaves(shapes))


def variant(config_module, name):
  config = config_module.get_config('smoke')
  config.model.name = name
  return models.build(config.model)


@pytest.mark.parametrize('name, arch, count', [
    ('logistic', linear.Linear, 410),        # 40 x 10 + 10
    ('mlp', mlp.ResidualMLP, 15_210),        # (40 x 100 + 100) + (100 x 100 + 100) + (100 x 10 + 10)
    ('cnn', cnn.CNN1D, 5_210),               # (5 x 25 + 25) + 2 (3 x 25 x 25 + 25) + (125 x 10 + 10)
])
def test_mnist1d_models_golden_param_counts_and_shapes(name, arch, count):
  model = variant(mnist1d, name)
  assert isinstance(model, arch)
  x = jnp.zeros((3, 40))
  assert n_params(model, x) == count
  variables = model.init(jax.random.PRNGKey(0), x)
  assert model.apply(variables, x).shape == (3, 10)


def conv_out(m, k, s, r):
  """The notes' output size floor((M + 2r - k) / s + 1)."""
  return (m + 2 * r - k) // s + 1


def test_mnist1d_cnn_lengths_40_19_10_5():
  model = cnn.CNN1D()
  x = jnp.zeros((2, 40))
  variables = model.init(jax.random.PRNGKey(0), x)
  _, state = model.apply(variables, x, capture_intermediates=True, mutable=['intermediates'])
  inter = state['intermediates']
  lengths = [inter[f'Conv_{i}']['__call__'][0].shape for i in range(3)]
  assert lengths == [(2, 19, 25), (2, 10, 25), (2, 5, 25)]
  m = 40
  for kernel, expected in zip((5, 3, 3), (19, 10, 5)):
    m = conv_out(m, kernel, 2, 1)
    assert m == expected


@pytest.mark.parametrize('name, arch, out_shape', [
    ('handset', xor_models.HandsetXOR, (5, 2)),
    ('mlp', mlp.MLP, (5, 2)),
    ('linear', linear.Linear, (5, 2)),
])
def test_xor_variants(name, arch, out_shape):
  model = variant(xor, name)
  assert isinstance(model, arch)
  x = jnp.zeros((5, 2))
  assert model.apply(model.init(jax.random.PRNGKey(0), x), x).shape == out_shape


def test_xor_mlp_is_2_4_2():
  assert n_params(variant(xor, 'mlp'), jnp.zeros((1, 2))) == (2 * 4 + 4) + (4 * 2 + 2)


def test_logistic_model_is_one_score():
  config = logistic.get_config('smoke')
  model = models.build(config.model)
  x = jnp.ones((7, 2))
  assert model.apply(model.init(jax.random.PRNGKey(0), x), x).shape == (7,)
  assert n_params(model, x) == 3


def handset_accuracy(gain, x, y):
  model = xor_models.HandsetXOR(gain=gain)
  out = model.apply(model.init(jax.random.PRNGKey(0), x), x)
  return np.asarray(out.argmax(-1)) == y


@pytest.fixture(scope='module')
def xor_test_split():
  split = data_lib.load_split(xor.get_config('smoke').data, 'test')
  assert split['x'].shape == (1024, 2)
  return split['x'], split['y']


def test_handset_xor_corners_and_no_training_effect():
  corners = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1], [0.5, 0.3], [-0.4, 0.9]], np.float32)
  labels = np.array([0, 0, 1, 1, 0, 1])
  assert handset_accuracy(10.0, corners, labels).all()
  model = xor_models.HandsetXOR()
  params = model.init(jax.random.PRNGKey(0), corners)['params']
  assert list(params) == ['scale']  # the only parameter: a positive scale does not move the boundary


def test_handset_xor_gain_100_scores_100_percent_on_the_test_split(xor_test_split):
  x, y = xor_test_split
  assert handset_accuracy(100.0, x, y).mean() == 1.0


def test_handset_xor_notes_gain_10_errs_only_where_tanh_is_not_saturated(xor_test_split):
  """The notes' tanh(10 x): z3, z4 only see s = z1 + z2, so points of the (+,+) and (-,-) quadrants
  with tanh(10|x1|) + tanh(10|x2|) < 1 are called XOR-true. On toy_xor's test split that is one
  point, (-0.023, -0.089): 1023 / 1024."""
  x, y = xor_test_split
  correct = handset_accuracy(10.0, x, y)
  unsaturated = (np.tanh(10 * np.abs(x)).sum(1) < 1) & (y == 0)
  assert correct[~unsaturated].all()
  assert correct.sum() == 1023


def test_residual_mlp_adds_the_identity_path_only_where_the_width_repeats():
  """model.residual: z_{l+1} = z_l + sigma(W_l z_l) for the equal-width hidden layers; the first
  layer (784 -> 64) has no identity to add. Same parameters as the plain MLP."""
  import jax.numpy as jnp  # pylint: disable=g-import-not-at-top
  from dljax.models import mlp  # pylint: disable=g-import-not-at-top
  x = jax.random.normal(jax.random.PRNGKey(0), (5, 12))
  plain = mlp.MLP(hidden=(8, 8, 8), num_outputs=3, act='tanh')
  residual = mlp.MLP(hidden=(8, 8, 8), num_outputs=3, act='tanh', residual=True)
  params = plain.init(jax.random.PRNGKey(1), x)
  assert jax.tree.structure(params) == jax.tree.structure(residual.init(jax.random.PRNGKey(1), x))
  p = params['params']
  dense = lambda z, i: z @ p[f'Dense_{i}']['kernel'] + p[f'Dense_{i}']['bias'][None]
  z = jnp.tanh(dense(x, 0))
  for i in (1, 2):
    z = z + jnp.tanh(dense(z, i))
  want = dense(z, 3)
  np.testing.assert_allclose(residual.apply(params, x), want, rtol=1e-5, atol=1e-6)
  assert not np.allclose(plain.apply(params, x), want)
