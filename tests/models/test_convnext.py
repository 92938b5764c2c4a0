"""ConvNeXt and the ResNet -> ConvNeXt ladder: golden parameter counts worked out by hand, LayerNorm over
the channels of NHWC, the depthwise conv (grouped XLA conv vs explicit shifted sums vs torch), the
block's structure at each rung, layer scale, stochastic depth, and config errors."""
import jax

jax.config.update('jax_numpy_rank_promotion', 'raise')

import flax.linen as nn  # pylint: disable=g-import-not-at-top,wrong-import-position
import jax.numpy as jnp  # pylint: disable=wrong-import-position
import numpy as np  # pylint: disable=wrong-import-position
import pytest  # pylint: disable=wrong-import-position

from configs.vision import fmnist_convnext  # pylint: disable=wrong-import-position
from dljax import models  # pylint: disable=wrong-import-position
from dljax.errors import ConfigError  # pylint: disable=wrong-import-position
from dljax.models import convnext  # pylint: disable=wrong-import-position
from tests.helpers import load_config  # pylint: disable=wrong-import-position

KEY = jax.random.PRNGKey(0)
X28 = jnp.zeros((1, 28, 28, 1))


def param_shapes(model, x=X28):
  return jax.eval_shape(model.init, KEY, x)['params']  # shapes only: nothing is compiled


def n_params(model, x=X28):
  return sum(int(np.prod(p.shape)) for p in jax.tree.leaves(param_shapes(model, x)))


def rung_model(rung):
  config = fmnist_convnext.get_config('cpu')
  return models.build(fmnist_convnext.ladder_model(rung, config.model))


# ---- parameter counts by hand ------------------------------------------------------------------------
def convnext_count(widths=(32, 64, 128), depths=(1, 3, 1)):
  def block(c):  # dw 7x7 + bias, LN, 1x1 c -> 4c + bias, 1x1 4c -> c + bias, layer scale
    return (49 * c + c) + 2 * c + (c * 4 * c + 4 * c) + (4 * c * c + c) + c
  stem = (2 * 2 * 1 * widths[0] + widths[0]) + 2 * widths[0]  # 2x2 patchify conv + LN
  down = sum(2 * a + (2 * 2 * a * b + b) for a, b in zip(widths, widths[1:]))  # LN + 2x2 conv
  head = 2 * widths[-1] + widths[-1] * 10 + 10  # LN + dense
  return stem + sum(d * block(c) for d, c in zip(depths, widths)) + down + head


def resnet_rung0_count():
  """Bottleneck ResNet: 1x1 (C -> C/4) - 3x3 - 1x1 (-> C), BN after each (no conv biases)."""
  def block(c_in, c, proj):
    h = c // 4
    return (c_in * h + 2 * h + 9 * h * h + 2 * h + h * c + 2 * c
            + (c_in * c + 2 * c if proj else 0))
  return (9 * 64 + 2 * 64  # stem conv3x3 + BN
          + 2 * block(64, 64, False)
          + block(64, 128, True) + block(128, 128, False)
          + block(128, 256, True) + block(256, 256, False)
          + 256 * 10 + 10)


@pytest.mark.parametrize('preset,count,literal', [
    ('cpu', convnext_count(), 301_098),
    ('full', convnext_count((96, 192, 384), (2, 6, 2)), 4_773_802)])
def test_golden_parameter_counts_of_the_config(preset, count, literal):
  model = models.build(load_config('configs/vision/fmnist_convnext.py', preset).model)
  assert n_params(model) == count == literal


@pytest.mark.parametrize('rung,count', list(enumerate(
    [220_234, 163_082, 162_826, 375_402, 227_754, 225_322, 225_322, 224_010, 301_098])))
def test_golden_parameter_counts_of_the_ladder(rung, count):
  assert n_params(rung_model(rung)) == count
  if rung == 0:
    assert count == resnet_rung0_count()
  if rung == len(fmnist_convnext.LADDER) - 1:
    assert count == convnext_count()


def test_the_ladder_ends_at_the_configs_convnext():
  config = fmnist_convnext.get_config('cpu')
  ladder = fmnist_convnext.ladder_model(len(fmnist_convnext.LADDER) - 1,
                                        fmnist_convnext.get_config('cpu').model)
  # the same network, except the layer-scale init: the paper's 1e-6 on the ladder, 1 in the config
  # (its docstring has the measured difference)
  assert ladder.layer_scale == 1e-6 and config.model.layer_scale == 1.0
  assert dict(ladder, layer_scale=1.0) == dict(config.model)
  for _, overrides in fmnist_convnext.LADDER:  # every override is a field of the one model
    assert set(overrides) <= set(config.model)


def test_each_rung_changes_what_it_names():
  p = [param_shapes(rung_model(r)) for r in range(len(fmnist_convnext.LADDER))]
  # 0: ResNet bottleneck 64 -> 16 -> 64 with a dense 3x3 conv; 2x2 strided first blocks project
  b = p[0]['stage1_block1']
  assert (b['conv1']['kernel'].shape, b['conv2']['kernel'].shape, b['conv3']['kernel'].shape) == (
      (1, 1, 64, 16), (3, 3, 16, 16), (1, 1, 16, 64))
  assert p[0]['stem_conv']['kernel'].shape == (3, 3, 1, 64) and 'BatchNorm' not in str(p[0])
  assert p[0]['stage2_block1']['proj_conv']['kernel'].shape == (1, 1, 64, 128)
  # 1: stage ratio (2, 2, 2) -> (1, 3, 1)
  assert sorted(k for k in p[1] if k.startswith('stage')) == [
      'stage1_block1', 'stage2_block1', 'stage2_block2', 'stage2_block3', 'stage3_block1']
  # 2: patchify stem, a 2x2 conv
  assert p[2]['stem_conv']['kernel'].shape == (2, 2, 1, 64)
  # 3: depthwise 3x3 (one filter per channel), 2x wider: 128 -> 32 -> 128
  assert p[3]['stage1_block1']['conv2']['kernel'].shape == (3, 3, 1, 32)
  assert p[3]['stage1_block1']['conv1']['kernel'].shape == (1, 1, 128, 32)
  # 4: inverted bottleneck 32 -> 128 -> 32
  assert p[4]['stage1_block1']['conv1']['kernel'].shape == (1, 1, 32, 128)
  assert p[4]['stage1_block1']['conv2']['kernel'].shape == (3, 3, 1, 128)
  # 5: the depthwise conv first (on the 32 channels), 7x7
  assert p[5]['stage1_block1']['conv1']['kernel'].shape == (7, 7, 1, 32)
  assert p[5]['stage1_block1']['conv2']['kernel'].shape == (1, 1, 32, 128)
  # 7: one LayerNorm per block (params scale + bias, no running statistics)
  block7 = p[7]['stage2_block2']
  assert sorted(k for k in block7 if k.startswith('norm')) == ['norm1']
  variables = jax.eval_shape(rung_model(7).init, KEY, X28)
  assert 'batch_stats' not in variables and 'batch_stats' in jax.eval_shape(
      rung_model(6).init, KEY, X28)
  # 8: separate downsampling layers (LN + 2x2 conv), no projections, layer scale, head LN
  assert p[8]['down2_conv']['kernel'].shape == (2, 2, 32, 64)
  assert not any('proj_conv' in v for v in p[8].values() if hasattr(v, 'keys'))
  assert p[8]['stage1_block1']['gamma'].shape == (32,) and 'head_norm' in p[8]


def test_rung_6_uses_gelu_and_one_activation():
  """Rung 5 -> 6 changes no parameter: with the same weights the outputs must differ, and rung 6's
  block must equal x + pw2(gelu(pw1(norm(dw(x))))) without a ReLU after the addition."""
  x = jax.random.normal(KEY, (2, 28, 28, 1))
  v = rung_model(5).init(KEY, x)
  assert not np.allclose(rung_model(5).apply(v, x), rung_model(6).apply(v, x), atol=1e-4)
  block = convnext.Block(8, 32, kernel=3, norm='bn', fewer_norms=False, layer_scale=0.0)
  xb = jax.random.normal(KEY, (2, 5, 5, 8))
  vb = block.init(KEY, xb)
  assert (np.asarray(block.apply(vb, xb)) < 0).any()  # no activation after the addition
  resnet_block = block.clone(act='relu', fewer_acts=False)
  assert (np.asarray(resnet_block.apply(vb, xb)) >= 0).all()  # ResNet: ReLU after the addition


# ---- LayerNorm on NHWC ------------------------------------------------------------------------------
def test_layer_norm_is_over_the_channels_of_each_pixel():
  rng = np.random.default_rng(0)
  x = (rng.normal(size=(3, 4, 5, 6)) * np.arange(1, 7) + np.arange(6)).astype(np.float32)
  ln = convnext.layer_norm()
  v = ln.init(KEY, x)
  assert jax.tree.map(jnp.shape, v['params']) == {'scale': (6,), 'bias': (6,)}
  y = np.asarray(ln.apply(v, x))
  mean, var = x.mean(axis=-1, keepdims=True), x.var(axis=-1, keepdims=True)
  np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-6), atol=1e-4)
  np.testing.assert_allclose(y.mean(axis=-1), 0.0, atol=1e-5)  # per pixel, over C
  assert np.abs(y.mean(axis=(0, 1, 2))).max() > 0.1  # not per channel over N, H, W (BatchNorm's)
  torch = pytest.importorskip('torch')
  y_torch = torch.nn.functional.layer_norm(torch.from_numpy(x), (6,), eps=1e-6).numpy()
  np.testing.assert_allclose(y, y_torch, atol=1e-5)


# ---- depthwise conv ------------------------------------------------------------------------------
@pytest.mark.parametrize('kernel,strides', [(3, 1), (7, 1), (3, 2), (7, 2)])
def test_depthwise_xla_equals_shifted_sums_equals_flax_conv(kernel, strides):
  x = jax.random.normal(KEY, (2, 7, 7, 5))
  xla = convnext.DepthwiseConv(kernel, strides, impl='xla')
  v = xla.init(jax.random.PRNGKey(1), x)
  v = jax.tree.map(lambda a: a + 0.1, v)  # a non-zero bias
  shift = convnext.DepthwiseConv(kernel, strides, impl='shift')
  flax_conv = nn.Conv(5, (kernel, kernel), strides=strides, padding=kernel // 2, feature_group_count=5)
  y = xla.apply(v, x)
  assert y.shape == ((2, 7, 7, 5) if strides == 1 else (2, 4, 4, 5))  # padding k // 2
  np.testing.assert_allclose(y, shift.apply(v, x), atol=1e-5)
  np.testing.assert_allclose(y, flax_conv.apply(v, x), atol=1e-5)  # same parameter layout
  loss = lambda m: lambda v, x: (m.apply(v, x) ** 2).sum()
  g_xla = jax.grad(loss(xla), argnums=(0, 1))(v, x)
  g_shift = jax.grad(loss(shift), argnums=(0, 1))(v, x)
  jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4), g_xla, g_shift)


def test_depthwise_matches_torch_grouped_conv_and_mixes_no_channels():
  torch = pytest.importorskip('torch')
  x = jax.random.normal(KEY, (2, 9, 9, 4))
  conv = convnext.DepthwiseConv(7, 1)
  v = conv.init(jax.random.PRNGKey(2), x)
  y = np.asarray(conv.apply(v, x))
  t = torch.nn.Conv2d(4, 4, 7, padding=3, groups=4)
  with torch.no_grad():
    t.weight.copy_(torch.from_numpy(np.asarray(v['params']['kernel']).transpose(3, 2, 0, 1)))
    t.bias.copy_(torch.from_numpy(np.asarray(v['params']['bias'])))
    y_torch = t(torch.from_numpy(np.asarray(x)).permute(0, 3, 1, 2)).permute(0, 2, 3, 1).numpy()
  np.testing.assert_allclose(y, y_torch, atol=1e-5)
  dy = np.asarray(conv.apply(v, x.at[..., 1].add(1.0))) - y  # perturb channel 1 only
  assert np.abs(dy[..., 1]).max() > 1e-3
  np.testing.assert_array_equal(dy[..., [0, 2, 3]], 0.0)


# ---- the block ------------------------------------------------------------------------------------
def test_convnext_block_shapes_and_layer_scale_starts_near_identity():
  x = jax.random.normal(KEY, (2, 7, 7, 16))
  block = convnext.Block(16, 64)
  out, v = block.init_with_output(KEY, x)
  assert out.shape == x.shape
  p = v['params']
  assert (p['conv1']['kernel'].shape, p['conv2']['kernel'].shape, p['conv3']['kernel'].shape) == (
      (7, 7, 1, 16), (1, 1, 16, 64), (1, 1, 64, 16))  # dw 7x7, then 16 -> 4*16 -> 16
  np.testing.assert_allclose(p['gamma'], 1e-6)
  np.testing.assert_allclose(out, x, atol=1e-4)  # gamma = 1e-6: the block starts as the identity
  v = {'params': {**p, 'gamma': jnp.zeros(16)}}
  np.testing.assert_array_equal(block.apply(v, x), x)


def test_drop_path_drops_whole_examples_in_training_only():
  x = jnp.ones((64, 3, 3, 4))
  block = convnext.Block(4, 16, kernel=3, drop_path=0.5, layer_scale=1.0)
  v = block.init(KEY, x)
  np.testing.assert_array_equal(block.apply(v, x), block.apply(v, x))  # eval: deterministic
  y = np.asarray(block.apply(v, x, train=True, rngs={'dropout': KEY}))
  branch = np.asarray(block.apply(v, x)) - 1.0
  dropped = np.all(np.isclose(y, 1.0), axis=(1, 2, 3))
  assert 10 < dropped.sum() < 54  # about half of the 64 examples lose the whole branch
  np.testing.assert_allclose(y[~dropped] - 1.0, 2.0 * branch[~dropped], rtol=1e-4, atol=1e-5)


def test_output_shapes_smoke_model_train_and_eval():
  model = models.build(load_config('configs/vision/fmnist_convnext.py', 'smoke').model)
  x = jnp.zeros((3, 28, 28, 1))
  v = jax.eval_shape(model.init, KEY, x)
  assert jax.eval_shape(model.apply, v, x).shape == (3, 10)
  _, state = jax.eval_shape(lambda v, x: model.init_with_output(KEY, x, capture_intermediates=True),
                            v, x)
  inter = state['intermediates']
  assert inter['stem_norm']['__call__'][0].shape == (3, 14, 14, 8)  # patchify 2: 28 -> 14
  assert inter['stage2_block1']['__call__'][0].shape == (3, 7, 7, 16)


@pytest.mark.parametrize('field,value,match', [
    ('depths', (1, 1), 'same length'), ('stem', 'vit', 'model.stem'),
    ('downsample', 'pool', 'model.downsample'), ('norm', 'gn', 'model.norm'),
    ('kernel', 4, 'odd'), ('dw_impl', 'fft', 'dw_impl'), ('drop_path', 1.0, 'drop_path'),
    ('act', 'swish', 'model.act')])
def test_bad_config_is_one_config_error_before_compiling(field, value, match):
  config = load_config('configs/vision/fmnist_convnext.py', 'cpu', **{f'model.{field}': value})
  with pytest.raises(ConfigError, match=match):
    models.build(config.model)
