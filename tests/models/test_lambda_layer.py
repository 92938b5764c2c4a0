"""The lambda layer: the content lambda by hand, relative positions, and its cost linear in n."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.models import lambda_layer
from experiments.sequence import multihead_cost


def _layer(positions, n=6, d=8, heads=2, key_dim=4):
  layer = lambda_layer.LambdaLayer(heads=heads, key_dim=key_dim, positions=positions, max_len=128)
  x = jax.random.normal(jax.random.PRNGKey(0), (2, n, d))
  return layer, layer.init(jax.random.PRNGKey(1), x), x


def test_content_lambda_equals_the_hand_computed_einsum():
  layer, variables, x = _layer('none')
  p = {k: np.asarray(v['kernel'], np.float64) for k, v in variables['params'].items()}
  xs = np.asarray(x, np.float64)
  q = np.einsum('bnd,dhk->bnhk', xs, p['query'])
  keys, values = xs @ p['key'], xs @ p['value']
  kbar = np.exp(keys - keys.max(1, keepdims=True))
  kbar /= kbar.sum(1, keepdims=True)                       # softmax over the positions m
  lam = np.einsum('bmk,bmv->bkv', kbar, values)            # lambda^c = K_bar^T V
  expected = np.einsum('bnhk,bkv->bnhv', q, lam).reshape(2, 6, 8)
  y = layer.apply(variables, x)
  assert y.shape == x.shape
  np.testing.assert_allclose(y, expected, atol=1e-5)


def test_content_lambda_is_a_weighted_mean_of_the_values():
  values = jax.random.normal(jax.random.PRNGKey(0), (1, 5, 3))
  lam = lambda_layer.content_lambda(jnp.zeros((1, 5, 2)), values)   # K = 0: uniform K_bar
  np.testing.assert_allclose(lam[0], np.tile(values[0].mean(0), (2, 1)), atol=1e-6)


def test_relative_positions_add_a_per_query_lambda_and_shift_with_the_input():
  layer, variables, x = _layer('relative')
  content_only = lambda_layer.LambdaLayer(heads=2, key_dim=4, positions='none', max_len=128)
  no_pos = {'params': {k: v for k, v in variables['params'].items() if k != 'rel_embedding'}}
  zeroed = {'params': dict(variables['params'],
                           rel_embedding=jnp.zeros_like(variables['params']['rel_embedding']))}
  np.testing.assert_allclose(layer.apply(zeroed, x), content_only.apply(no_pos, x), atol=1e-6)
  assert not np.allclose(layer.apply(variables, x), content_only.apply(no_pos, x), atol=1e-3)
  with pytest.raises(ValueError, match='positions'):
    lambda_layer.LambdaLayer(positions='absolute').init(jax.random.PRNGKey(0), x)


def test_content_lambda_cost_is_linear_in_n_and_the_positions_quadratic():
  def flops(positions, n):
    layer, variables, x = _layer(positions, n=n, d=32, heads=4, key_dim=8)
    return multihead_cost.xla_flops(layer.apply, variables, x)
  content = [flops('none', n) for n in (64, 128)]
  position = [flops('relative', n) - flops('none', n) for n in (64, 128)]
  assert 1.9 < content[1] / content[0] < 2.1          # O(n)
  assert 3.8 < position[1] / position[0] < 4.2        # O(n m) = O(n^2)
