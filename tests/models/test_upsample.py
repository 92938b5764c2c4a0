"""Upsampling layers: values of the parameter-free ones, max-unpooling at the argmax positions, and
the from-scratch transposed convolution against flax's and torch's (copied weights)."""
import itertools

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

from dljax.models import conv_arithmetic, upsample


def _x(shape, seed=0):
  return jax.random.normal(jax.random.PRNGKey(seed), shape)


def _nchw(x):
  return torch.from_numpy(np.asarray(x).transpose(0, 3, 1, 2).copy())


def _nhwc(t):
  return t.detach().numpy().transpose(0, 2, 3, 1)


def test_nearest_and_bed_of_nails():
  x = jnp.arange(6.0).reshape(1, 2, 3, 1)
  near = upsample.nearest(x, 2)
  nails = upsample.bed_of_nails(x, 2)
  assert near.shape == nails.shape == (1, 4, 6, 1)
  np.testing.assert_array_equal(near[0, :, :, 0], np.repeat(np.repeat(x[0, :, :, 0], 2, 0), 2, 1))
  np.testing.assert_array_equal(nails[0, ::2, ::2, 0], x[0, :, :, 0])  # the nails
  assert float(jnp.abs(nails).sum()) == float(jnp.abs(x).sum())  # zeros everywhere else
  z = upsample.zero_insert(x, 3)
  assert z.shape == (1, 4, 7, 1)  # (H - 1) s + 1
  np.testing.assert_array_equal(z[0, ::3, ::3, 0], x[0, :, :, 0])


@pytest.mark.parametrize('shape,s', [((2, 5, 7, 3), 2), ((1, 4, 4, 1), 3)])
def test_bilinear_matches_jax_image_and_torch(shape, s):
  x = _x(shape)
  ours = upsample.bilinear(x, s)
  np.testing.assert_allclose(ours, upsample.bilinear_resize(x, s), atol=1e-5)
  theirs = torch.nn.functional.interpolate(_nchw(x), scale_factor=s, mode='bilinear',
                                           align_corners=False)
  np.testing.assert_allclose(ours, _nhwc(theirs), atol=1e-5)


def test_max_unpool_puts_values_back_at_argmax_positions():
  x = _x((2, 6, 8, 3))
  pooled, idx = upsample.max_pool_with_argmax(x, 2)
  np.testing.assert_array_equal(pooled, nn.max_pool(x, (2, 2), strides=(2, 2)))
  up = np.asarray(upsample.max_unpool(pooled, idx, 2))
  assert up.shape == x.shape
  kept = up != 0
  np.testing.assert_array_equal(up[kept], np.asarray(x)[kept])  # the maxima, where they were
  assert kept.reshape(2, 3, 2, 4, 2, 3).sum(axis=(2, 4)).max() == 1  # one per window
  # the same as torch's MaxUnpool2d with the indices of max_pool2d(return_indices=True)
  t_pooled, t_idx = torch.nn.functional.max_pool2d(_nchw(x), 2, return_indices=True)
  np.testing.assert_allclose(up, _nhwc(torch.nn.functional.max_unpool2d(t_pooled, t_idx, 2)))


CASES = [  # (in, k, s, p, d, output_padding)
    (5, 3, 2, 1, 1, 1), (4, 2, 2, 0, 1, 0), (5, 4, 3, 2, 1, 2), (4, 3, 2, 0, 2, 1),
    (3, 5, 2, 3, 1, 0),  # the last crops: d(k - 1) - p < 0
]


@pytest.mark.parametrize('n,k,s,p,d,op', CASES)
def test_conv_transpose_matches_torch(n, k, s, p, d, op):
  c_in, c_out = 3, 2
  x = _x((2, n, n, c_in))
  layer = torch.nn.ConvTranspose2d(c_in, c_out, k, stride=s, padding=p, output_padding=op,
                                   dilation=d)
  kernel = layer.weight.detach().numpy().transpose(2, 3, 0, 1)  # (C_in, C_out, k, k) -> (k, k, I, O)
  bias = layer.bias.detach().numpy()
  ours = upsample.ConvTranspose(c_out, k, s, p, d, op).apply(
      {'params': {'kernel': kernel, 'bias': bias}}, x)
  size = conv_arithmetic.transposed_conv_size(n, k, s, p, d, op)
  assert ours.shape == (2, size, size, c_out)
  np.testing.assert_allclose(ours, _nhwc(layer(_nchw(x))), atol=1e-5)


@pytest.mark.parametrize('n,k,s,p,d,op', CASES)
def test_conv_transpose_matches_flax(n, k, s, p, d, op):
  x = _x((1, n, n, 2))
  kernel = _x((k, k, 2, 3), seed=1)
  ours = upsample.conv_transpose(x, kernel, s, p, d, op)
  # flax pads the zero-inserted input explicitly and does not flip the kernel
  edge = d * (k - 1) - p
  flax_layer = nn.ConvTranspose(3, (k, k), strides=(s, s), kernel_dilation=(d, d), use_bias=False,
                                padding=((edge, edge + op), (edge, edge + op)))
  theirs = flax_layer.apply({'params': {'kernel': kernel[::-1, ::-1]}}, x)
  np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_conv_transpose_is_the_gradient_of_a_strided_conv():
  """<conv(y, w), x> = <y, conv_transpose(x, w)>: the transposed conv is the conv's adjoint."""
  k, s, p = 3, 2, 1
  y = _x((1, 9, 9, 2))
  w = _x((k, k, 2, 3), seed=1)  # conv: 2 -> 3 channels; its transpose: 3 -> 2
  conv = lambda v: jax.lax.conv_general_dilated(v, w, (s, s), ((p, p), (p, p)),  # pylint: disable=unnecessary-lambda-assignment
                                                dimension_numbers=('NHWC', 'HWIO', 'NHWC'))
  x = _x(conv(y).shape, seed=2)
  # the conv's transpose maps 3 -> 2 channels with the same kernel read as (k, k, O, I)
  ours = upsample.conv_transpose(x, w.transpose(0, 1, 3, 2), s, p)
  assert ours.shape == y.shape  # 9 -> 5 -> 9 (output_padding 0 gives back the odd size)
  np.testing.assert_allclose(jnp.vdot(conv(y), x), jnp.vdot(y, ours), rtol=1e-4)


def test_output_size_formula_over_a_grid():
  """(in - 1) s - 2p + d(k - 1) + output_padding + 1, checked on shapes only (eval_shape)."""
  checked = 0
  for n, k, s, p, d, op in itertools.product((1, 4, 7), (1, 2, 3, 5), (1, 2, 3), (0, 1, 2), (1, 2),
                                             (0, 1, 2)):
    expected = conv_arithmetic.transposed_conv_size(n, k, s, p, d, op)
    if op >= max(s, d) or expected < 1:
      continue
    got = jax.eval_shape(lambda x, w, s=s, p=p, d=d, op=op: upsample.conv_transpose(x, w, s, p, d, op),
                         jax.ShapeDtypeStruct((1, n, n, 1), jnp.float32),
                         jax.ShapeDtypeStruct((k, k, 1, 1), jnp.float32))
    assert got.shape == (1, expected, expected, 1), (n, k, s, p, d, op)
    checked += 1
  assert checked > 200


def test_bad_output_padding_is_refused():
  with pytest.raises(ValueError, match='output_padding'):
    upsample.conv_transpose(jnp.zeros((1, 3, 3, 1)), jnp.zeros((3, 3, 1, 1)), 2, 0, 1, 2)


def test_transposed_conv_overlap_makes_a_checkerboard_only_when_k_is_not_a_multiple_of_s():
  """Odena et al. 2016: a uniform kernel on a constant input gives overlap counts 1, 2 per axis for
  k = 3, s = 2 (2-D phases 1 : 2 : 2 : 4, index (4 - 1) / 2.25), and an even cover for k = 2, 4."""
  from experiments.vision import checkerboard  # pylint: disable=g-import-not-at-top
  const = jnp.ones((1, 16, 16, checkerboard.C))
  index = {k: float(checkerboard.checkerboard_index(
      checkerboard.UPSAMPLERS[f'transposed k={k}'](const, None, checkerboard._uniform))[0])
           for k in (2, 3, 4)}
  np.testing.assert_allclose([index[2], index[3], index[4]], [0.0, 4 / 3, 0.0], atol=1e-5)
  resize = checkerboard.UPSAMPLERS['nearest + conv 3x3'](const, jax.random.PRNGKey(0))
  assert float(checkerboard.checkerboard_index(resize)[0]) < 1e-5
