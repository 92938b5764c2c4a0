"""dljax.models.norm (BatchNorm, LayerNorm) and dljax.models.dropout against flax, and their invariants."""
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.errors import ConfigError
from dljax.models import dropout, mlp, norm


def _nhwc(seed=0, shape=(4, 5, 6, 3)):
  # per-channel offsets and scales, so that wrong reduction axes give visibly wrong statistics
  x = jax.random.normal(jax.random.key(seed), shape)
  return x * jnp.arange(1.0, 4.0).reshape(1, 1, 1, 3) + jnp.array([-2.0, 0.5, 3.0]).reshape(1, 1, 1, 3)


def _perturbed(variables, seed=1):
  """Variables with random gamma/beta/running statistics, so that parity does not rest on 1s and 0s."""
  leaves, tree = jax.tree.flatten(variables)
  keys = jax.random.split(jax.random.key(seed), len(leaves))
  return jax.tree.unflatten(tree, [l + 0.3 * jnp.abs(jax.random.normal(k, l.shape))
                                   for l, k in zip(leaves, keys)])


def test_batchnorm_reduces_over_n_h_w_for_nhwc():
  assert norm.batch_axes(4) == (0, 1, 2)  # per-channel statistics for NHWC
  assert norm.batch_axes(2) == (0,)  # per-feature statistics over the batch for dense inputs
  x = _nhwc()
  bn = norm.BatchNorm(use_running_average=False, momentum=0.0)
  variables = bn.init(jax.random.key(0), x)
  y, updates = bn.apply(variables, x, mutable=['batch_stats'])
  np.testing.assert_allclose(y.mean(axis=(0, 1, 2)), 0.0, atol=1e-5)  # each channel centred
  np.testing.assert_allclose(y.std(axis=(0, 1, 2)), 1.0, atol=1e-4)
  # momentum 0: the running statistics are exactly this batch's per-channel mean and variance
  np.testing.assert_allclose(updates['batch_stats']['mean'], x.mean(axis=(0, 1, 2)), rtol=1e-5)
  np.testing.assert_allclose(updates['batch_stats']['var'], x.var(axis=(0, 1, 2)), rtol=1e-5)


@pytest.mark.parametrize('shape', [(4, 5, 6, 3), (16, 3)])
def test_batchnorm_matches_flax_train_and_eval(shape):
  x = _nhwc(shape=(4, 5, 6, 3))
  x = x if len(shape) == 4 else x.reshape(-1, 3)[:16]
  ours = norm.BatchNorm(momentum=0.9, epsilon=1e-5)
  ref = nn.BatchNorm(momentum=0.9, epsilon=1e-5)
  variables = _perturbed(ref.init(jax.random.key(0), x, use_running_average=True))
  assert jax.tree.structure(variables) == jax.tree.structure(
      ours.init(jax.random.key(0), x, use_running_average=True))
  # training: batch statistics and the updated running averages
  y_ref, upd_ref = ref.apply(variables, x, use_running_average=False, mutable=['batch_stats'])
  y, upd = ours.apply(variables, x, use_running_average=False, mutable=['batch_stats'])
  np.testing.assert_allclose(y, y_ref, atol=2e-5, rtol=1e-5)
  jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6), upd, upd_ref)
  # evaluation: the running averages (here the perturbed ones), batch statistics ignored
  y_ref = ref.apply(variables, x, use_running_average=True)
  y = ours.apply(variables, x, use_running_average=True)
  np.testing.assert_allclose(y, y_ref, atol=2e-5, rtol=1e-5)


def test_batchnorm_batch_of_one_outputs_beta_in_training():
  """Dense inputs, batch size 1: x - mu_B = 0 for every feature, so y = beta whatever x is."""
  bn = norm.BatchNorm(use_running_average=False)
  x = jax.random.normal(jax.random.key(0), (1, 8)) * 5.0
  variables = _perturbed(bn.init(jax.random.key(0), x))
  y, _ = bn.apply(variables, x, mutable=['batch_stats'])
  np.testing.assert_allclose(y[0], variables['params']['bias'], atol=1e-6)


def test_layernorm_matches_flax():
  x = _nhwc().reshape(12, 10, 3) @ jnp.ones((3, 7)) + jax.random.normal(jax.random.key(3), (12, 10, 7))
  ref = nn.LayerNorm(use_fast_variance=False)  # flax default E[x^2]-E[x]^2 loses ~1e-4 here
  variables = _perturbed(ref.init(jax.random.key(0), x))
  y = norm.LayerNorm().apply(variables, x)
  np.testing.assert_allclose(y, ref.apply(variables, x), atol=2e-5, rtol=1e-5)
  # per-example statistics: the output of one example does not depend on the others
  np.testing.assert_allclose(norm.LayerNorm().apply(variables, x[:1]), y[:1], atol=1e-6)


def test_inverted_dropout_is_flax_dropout_bit_for_bit():
  x = jax.random.normal(jax.random.key(0), (8, 32))
  rng = jax.random.key(7)
  ours = dropout.Dropout(0.3, 'inverted').apply({}, x, train=True, rngs={'dropout': rng})
  ref = nn.Dropout(0.3, deterministic=False).apply({}, x, rngs={'dropout': rng})
  np.testing.assert_array_equal(ours, ref)
  np.testing.assert_array_equal(dropout.Dropout(0.3).apply({}, x, train=False), x)


@pytest.mark.parametrize('form', dropout.FORMS)
@pytest.mark.parametrize('p', [0.2, 0.8])
def test_both_forms_have_the_test_activation_as_expected_training_activation(form, p):
  x = jnp.linspace(-2.0, 3.0, 16).reshape(1, 16)
  layer = dropout.Dropout(p, form)
  test = layer.apply({}, x, train=False)
  np.testing.assert_allclose(test, x if form == 'inverted' else (1 - p) * x, rtol=1e-6)
  # E_m[y_train] over 20,000 masks; the standard error per unit is |x| sqrt(p/q)/sqrt(n) (q = 1-p)
  samples = jax.vmap(lambda k: layer.apply({}, x, train=True, rngs={'dropout': k}))(
      jax.random.split(jax.random.key(0), 20_000))
  train_mean = samples.mean(axis=0)
  scale = 1.0 if form == 'inverted' else 1 - p
  # kept units: x / q (inverted) or x (classic); dropped units: exactly 0
  kept = np.asarray(samples != 0)
  np.testing.assert_allclose(np.asarray(samples)[kept], np.broadcast_to(
      np.asarray(x) * scale / (1 - p), samples.shape)[kept], rtol=1e-6)
  np.testing.assert_allclose(kept.mean(), 1 - p, atol=0.01)
  tolerance = 5 * np.abs(np.asarray(x)) * scale * np.sqrt(p / (1 - p)) / np.sqrt(20_000) / (1 - p) + 1e-6
  assert np.all(np.abs(np.asarray(train_mean - test)) <= tolerance)


def test_mlp_norm_and_dropout_options():
  x = jax.random.normal(jax.random.key(0), (4, 6))
  for kwargs in (dict(batch_norm=True), dict(layer_norm=True), dict(dropout=0.5, dropout_form='classic')):
    model = mlp.MLP(hidden=(5,), num_outputs=3, **kwargs)
    variables = model.init(jax.random.key(0), x)
    out, _ = model.apply(variables, x, train=True, mutable=['batch_stats'],
                         rngs={'dropout': jax.random.key(1)})
    assert out.shape == (4, 3)
  names = set(mlp.MLP(hidden=(5,), layer_norm=True).init(jax.random.key(0), x)['params'])
  assert names == {'Dense_0', 'LayerNorm_0', 'Dense_1'}
  with pytest.raises(ConfigError, match='layer_norm'):
    mlp.MLP(batch_norm=True, layer_norm=True)
  with pytest.raises(ConfigError, match='dropout_form'):
    mlp.MLP(dropout_form='scaled')
  with pytest.raises(ConfigError, match='dropout'):
    mlp.MLP(dropout=1.0)


def test_batchnorm_matches_torch_batchnorm2d():
  """The same layer as PyTorch's BatchNorm2d on NCHW (biased variance in the normalisation)."""
  torch = pytest.importorskip('torch')
  x = _nhwc()
  variables = _perturbed(norm.BatchNorm().init(jax.random.key(0), x, use_running_average=True))
  tbn = torch.nn.BatchNorm2d(3, eps=1e-5)
  with torch.no_grad():
    tbn.weight.copy_(torch.tensor(np.asarray(variables['params']['scale'])))
    tbn.bias.copy_(torch.tensor(np.asarray(variables['params']['bias'])))
    tbn.running_mean.copy_(torch.tensor(np.asarray(variables['batch_stats']['mean'])))
    tbn.running_var.copy_(torch.tensor(np.asarray(variables['batch_stats']['var'])))
  x_nchw = torch.tensor(np.asarray(x).transpose(0, 3, 1, 2))
  for train in (False, True):  # eval first: a torch forward in train mode updates its running stats
    tbn.train(train)
    with torch.no_grad():
      ref = tbn(x_nchw).numpy().transpose(0, 2, 3, 1)
    y, _ = norm.BatchNorm().apply(variables, x, use_running_average=not train,
                                  mutable=['batch_stats'])
    np.testing.assert_allclose(y, ref, atol=3e-5, rtol=1e-5)
