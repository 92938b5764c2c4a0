"""Translation equivariance: exact for a stride-1 circular conv, interior-only for SAME padding,
multiples of the stride only for a strided conv; global pooling of a circular conv is invariant."""
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.eval import equivariance as eq


def _conv(padding, strides=1):
  conv = nn.Conv(4, (3, 3), strides=strides, padding=padding)
  x = jax.random.normal(jax.random.PRNGKey(0), (2, 12, 12, 3))
  return conv, conv.init(jax.random.PRNGKey(1), x), x


@pytest.mark.parametrize('k', [1, 3, 5])
def test_circular_conv_is_exactly_equivariant_to_circular_shifts(k):
  conv, variables, x = _conv('CIRCULAR')
  shifted_then_conv = conv.apply(variables, jnp.roll(x, (k, -k), axis=(1, 2)))
  conv_then_shifted = jnp.roll(conv.apply(variables, x), (k, -k), axis=(1, 2))
  np.testing.assert_allclose(shifted_then_conv, conv_then_shifted, atol=1e-5)
  # ... so the global average pool is invariant
  np.testing.assert_allclose(shifted_then_conv.mean((1, 2)), conv.apply(variables, x).mean((1, 2)),
                             atol=1e-5)


def test_same_padding_is_equivariant_in_the_interior_only():
  conv, variables, x = _conv('SAME')
  f_x, f_tx = conv.apply(variables, x), conv.apply(variables, eq.translate(x, 2))
  assert eq.equivariance_error(f_x, f_tx, 2, 1, border=1) < 1e-6  # away from the borders: exact
  assert eq.equivariance_error(f_x, f_tx, 2, 1, border=0) > 1e-3  # the right border sees padding


def test_strided_conv_is_equivariant_for_multiples_of_the_stride_only():
  conv, variables, x = _conv('SAME', strides=2)
  f_x = conv.apply(variables, x)
  assert eq.equivariance_error(f_x, conv.apply(variables, eq.translate(x, 2)), 2, 2, border=1) < 1e-6
  assert eq.equivariance_error(f_x, conv.apply(variables, eq.translate(x, 1)), 1, 2, border=1) > 0.1


def test_translate_moves_content_right_with_zero_fill():
  x = jnp.arange(8.0).reshape(1, 1, 8, 1)
  np.testing.assert_array_equal(eq.translate(x, 3)[0, 0, :, 0], [0, 0, 0, 0, 1, 2, 3, 4])


def test_intermediates_and_logit_change():
  class Net(nn.Module):
    @nn.compact
    def __call__(self, x):
      h = nn.Conv(4, (3, 3), padding='CIRCULAR', name='conv')(x)
      return nn.Dense(3, name='head')(h.mean((1, 2)))
  net = Net()
  x = jax.random.normal(jax.random.PRNGKey(0), (4, 8, 8, 1))
  variables = net.init(jax.random.PRNGKey(1), x)
  out = eq.intermediates(net, variables, x, ['conv'])
  assert out['conv'].shape == (4, 8, 8, 4) and out['logits'].shape == (4, 3)
  change = eq.logit_change(out['logits'], net.apply(variables, jnp.roll(x, 3, axis=2)))
  assert change['relative_change'] < 1e-5 and change['same_prediction'] == 1.0
  with pytest.raises(KeyError, match='no submodule'):
    eq.intermediates(net, variables, x, ['nope'])


def test_tokens_to_map_drops_the_class_token_and_keeps_row_major_order():
  z = jnp.arange(2 * 7 * 3, dtype=jnp.float32).reshape(1, 7, 6)  # [class] + 2 x 3 tokens
  grid = eq.tokens_to_map(z[:, :, :1], (2, 3), cls=True)
  np.testing.assert_array_equal(grid[0, :, :, 0], [[6, 12, 18], [24, 30, 36]])
