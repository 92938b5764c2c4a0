"""Swin: window partition, the shifted-window mask, relative position index, patch merging, golden
parameter count, information crossing window borders only through the shift."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax import models
from dljax.errors import ConfigError
from dljax.models import swin
from tests.helpers import load_config


def test_window_partition_round_trip_and_layout():
  x = jax.random.normal(jax.random.PRNGKey(0), (2, 8, 12, 3))
  windows = swin.window_partition(x, 4)
  assert windows.shape == (2 * 2 * 3, 16, 3)
  # window 1 of image 0 is rows 0..3, columns 4..7, flattened row-major
  np.testing.assert_array_equal(windows[1], x[0, 0:4, 4:8].reshape(16, 3))
  np.testing.assert_array_equal(windows[6 + 5], x[1, 4:8, 8:12].reshape(16, 3))
  np.testing.assert_array_equal(swin.window_reverse(windows, 4, 8, 12), x)


@pytest.mark.parametrize('size,window,shift', [(8, 4, 2), (14, 7, 3), (12, 4, 2)])
def test_shifted_window_mask_allows_only_true_neighbours(size, window, shift):
  allowed = swin.shifted_window_mask(size, size, window, shift)
  n_win = (size // window) ** 2
  assert allowed.shape == (n_win, window * window, window * window)
  # Independent definition: after rolling by -shift, the token at (y, x) came from
  # ((y + shift) % size, (x + shift) % size). Two tokens of one window are neighbours in the
  # original image (distance < M on both axes) unless the roll wrapped one of them around.
  ys, xs = np.meshgrid(np.arange(size), np.arange(size), indexing='ij')
  orig = np.stack([(ys + shift) % size, (xs + shift) % size], -1)[None]  # 1 x H x W x 2
  orig_win = np.asarray(swin.window_partition(orig, window))  # nW x MM x 2
  dist = np.abs(orig_win[:, :, None] - orig_win[:, None, :]).max(-1)
  np.testing.assert_array_equal(allowed, dist < window)
  assert not allowed.all() and allowed[0].all()  # border windows are masked, the first one is not
  assert swin.shifted_window_mask(size, size, window, 0).all()  # W-MSA: no mask at all


def test_relative_position_index_range_and_symmetry():
  m = 4
  index = swin.relative_position_index(m)
  assert index.shape == (m * m, m * m)
  assert index.min() == 0 and index.max() == (2 * m - 1) ** 2 - 1
  assert len(np.unique(index)) == (2 * m - 1) ** 2  # every relative offset is used
  center = (m - 1) * (2 * m - 1) + (m - 1)  # offset (0, 0)
  np.testing.assert_array_equal(np.diag(index), center)
  np.testing.assert_array_equal(index + index.T, 2 * center)  # offset(j, i) = -offset(i, j)
  # query (0, 0), key (1, 2): offset (-1, -2) -> row (m - 2) (2m - 1) + (m - 3)
  assert index[0, 1 * m + 2] == (m - 2) * (2 * m - 1) + (m - 3)


def test_patch_merging_shapes_and_layout():
  x = jax.random.normal(jax.random.PRNGKey(0), (2, 6, 4, 5))
  merge = swin.PatchMerging()
  variables = merge.init(jax.random.PRNGKey(1), x)
  assert merge.apply(variables, x).shape == (2, 3, 2, 10)
  assert variables['params']['reduction']['kernel'].shape == (20, 10)


def _block_params(c, heads, m, mlp_ratio=4):
  """LN + qkv + bias table + proj + LN + MLP."""
  return (2 * c + (c * 3 * c + 3 * c) + (2 * m - 1) ** 2 * heads + (c * c + c) + 2 * c
          + (c * mlp_ratio * c + mlp_ratio * c) + (mlp_ratio * c * c + c))


@pytest.mark.parametrize('preset,count', [('cpu', 138_934), ('full', 2_977_444)])
def test_golden_parameter_count(preset, count):
  config = load_config('configs/vision/fmnist_swin.py', preset)
  model = models.build(config.model)
  c, p, depths, heads = config.model.embed_dim, config.model.patch, config.model.depths, config.model.heads
  if config.model.get('stem', 'linear') == 'conv':  # conv3x3 1 -> C/2, then p x p conv C/2 -> C
    expected = (9 * (c // 2) + c // 2) + (p * p * (c // 2) * c + c) + 2 * c
  else:
    expected = (p * p * c + c) + 2 * c  # patch embedding + its LayerNorm
  for i, (depth, h) in enumerate(zip(depths, heads)):
    width = c * 2 ** i
    if i > 0:
      expected += 2 * 2 * width + 2 * width * width  # merge: LN(4C') + linear 4C' -> 2C', C' = width/2
    expected += depth * _block_params(width, h, 7)
  width = c * 2 ** (len(depths) - 1)
  expected += 2 * width + width * 10 + 10  # final LayerNorm + head
  variables = jax.eval_shape(model.init, jax.random.PRNGKey(0), jnp.zeros((1, 28, 28, 1)))
  assert sum(p.size for p in jax.tree.leaves(variables['params'])) == expected == count


def _grad_of_token(block, x, out_yx, in_yx):
  """|d out[out_yx] / d x[in_yx]|: does the input token influence the output token?"""
  variables = block.init(jax.random.PRNGKey(1), x)
  def out_token(x):
    return block.apply(variables, x)[0, out_yx[0], out_yx[1]].sum()
  return float(jnp.abs(jax.grad(out_token)(x)[0, in_yx[0], in_yx[1]]).sum())


def test_only_the_shift_lets_information_cross_window_borders():
  x = jax.random.normal(jax.random.PRNGKey(0), (1, 8, 8, 8))
  w_msa = swin.SwinBlock(heads=2, window=4, shift=0)
  sw_msa = swin.SwinBlock(heads=2, window=4, shift=2)
  # (3, 3) and (4, 4) are in different windows without shift, in the same one after shifting by 2
  assert _grad_of_token(w_msa, x, (3, 3), (4, 4)) == 0.0
  assert _grad_of_token(sw_msa, x, (3, 3), (4, 4)) > 1e-6
  assert _grad_of_token(w_msa, x, (3, 3), (2, 1)) > 1e-6  # same window: attention reaches it
  # (0, 0) and (7, 7) share the last window after the cyclic shift but are not neighbours: masked
  assert _grad_of_token(sw_msa, x, (7, 7), (0, 0)) == 0.0
  assert _grad_of_token(sw_msa, x, (0, 0), (7, 7)) == 0.0


def test_swin_forward_and_bad_configs():
  model = swin.Swin(patch=2, embed_dim=8, depths=(2, 1), heads=(2, 2), window=4)
  x = jnp.zeros((2, 16, 16, 1))
  variables = model.init(jax.random.PRNGKey(0), x)
  assert model.apply(variables, x).shape == (2, 10)
  with pytest.raises(ConfigError, match='same length'):
    swin.Swin(depths=(2, 2), heads=(2,))
  with pytest.raises(ConfigError, match='not divisible'):
    swin.Swin(embed_dim=10, heads=(3, 6))
  with pytest.raises(ConfigError, match='stem'):
    swin.Swin(stem='resnet')
  conv_stem = swin.Swin(patch=2, embed_dim=8, depths=(2, 1), heads=(2, 2), window=4, stem='conv')
  assert conv_stem.apply(conv_stem.init(jax.random.PRNGKey(0), x), x).shape == (2, 10)
  with pytest.raises(ValueError, match='does not tile'):
    swin.Swin(patch=2, embed_dim=8, depths=(2,), heads=(2,), window=4).init(
        jax.random.PRNGKey(0), jnp.zeros((1, 28, 28, 1)))
