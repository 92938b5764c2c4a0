"""The CNN ladder (LeNet-5, mini-VGG, ResNet, DenseNet-BC, mini-GoogLeNet): shapes, golden parameter
counts worked out layer by layer, BatchNorm (train vs eval, per-channel NHWC statistics, parity with
torch), ResNet shortcuts, DenseNet growth, Inception's auxiliary heads and their loss term."""
import jax

jax.config.update('jax_numpy_rank_promotion', 'raise')

import flax.linen as nn  # pylint: disable=g-import-not-at-top,wrong-import-position
import jax.numpy as jnp  # pylint: disable=wrong-import-position
import numpy as np  # pylint: disable=wrong-import-position
import optax  # pylint: disable=wrong-import-position
import pytest  # pylint: disable=wrong-import-position

from dljax import models  # pylint: disable=wrong-import-position
from dljax.models import densenet, inception, lenet, resnet, vgg  # pylint: disable=wrong-import-position
from dljax.train.tasks.classification import Classification  # pylint: disable=wrong-import-position
from tests.helpers import load_config  # pylint: disable=wrong-import-position

KEY = jax.random.PRNGKey(0)


def images(n=4, seed=1):
  return jax.random.uniform(jax.random.PRNGKey(seed), (n, 28, 28, 1))


def n_params(model, x=jnp.zeros((1, 28, 28, 1))):
  shapes = jax.eval_shape(model.init, KEY, x)  # shapes only: nothing is computed or compiled
  return sum(int(np.prod(p.shape)) for p in jax.tree.leaves(shapes['params']))


# ---- parameter counts by hand: weights + biases of each layer --------------------------------------
def conv(k, c_in, c_out, bias=True):
  return k * k * c_in * c_out + (c_out if bias else 0)


def dense(n_in, n_out):
  return n_in * n_out + n_out


def bn(c):
  return 2 * c  # gamma and beta (the running mean/var are batch_stats, not params)


def lenet_count():  # 28x28 -(pad 2, 5x5)-> 28 -pool-> 14 -(5x5)-> 10 -pool-> 5: 5*5*16 = 400 inputs
  return conv(5, 1, 6) + conv(5, 6, 16) + dense(400, 120) + dense(120, 84) + dense(84, 10)


def vgg_count():  # ((32, 2), (64, 2), (128, 2)): 28 -> 14 -> 7 -> 3, FC 256, 256
  return (conv(3, 1, 32) + conv(3, 32, 32) + conv(3, 32, 64) + conv(3, 64, 64) + conv(3, 64, 128)
          + conv(3, 128, 128) + dense(3 * 3 * 128, 256) + dense(256, 256) + dense(256, 10))


def resnet_count():  # widths (16, 32, 64), two BasicBlocks per stage, projections entering stages 2, 3
  def block(c_in, c_out, projection):
    return (conv(3, c_in, c_out, False) + bn(c_out) + conv(3, c_out, c_out, False) + bn(c_out)
            + (conv(1, c_in, c_out, False) + bn(c_out) if projection else 0))
  return (conv(3, 1, 16, False) + bn(16)
          + block(16, 16, False) + block(16, 16, False)
          + block(16, 32, True) + block(32, 32, False)
          + block(32, 64, True) + block(64, 64, False)
          + dense(64, 10))


def densenet_count():  # blocks (4, 4, 4), k = 12, compression 0.5; stem 2k = 24 channels
  def layer(c):  # BN-ReLU-conv1x1(4k)-BN-ReLU-conv3x3(k)
    return bn(c) + conv(1, c, 48, False) + bn(48) + conv(3, 48, 12, False)
  block1 = layer(24) + layer(36) + layer(48) + layer(60)  # -> 72 channels
  trans1 = bn(72) + conv(1, 72, 36, False)
  block2 = layer(36) + layer(48) + layer(60) + layer(72)  # -> 84
  trans2 = bn(84) + conv(1, 84, 42, False)
  block3 = layer(42) + layer(54) + layer(66) + layer(78)  # -> 90
  return conv(3, 1, 24, False) + block1 + trans1 + block2 + trans2 + block3 + bn(90) + dense(90, 10)


def inception_count():  # stem 32; modules of width 64, 64, 128, 128; aux heads after modules 2 and 3
  def conv_bn(k, c_in, c_out):
    return conv(k, c_in, c_out, False) + bn(c_out)

  def module(c_in, w):  # 1x1: w/4 | 1x1 3w/8 -> 3x3 w/2 | 1x1 w/16 -> 5x5 w/8 | pool -> 1x1 w/8
    return (conv_bn(1, c_in, w // 4) + conv_bn(1, c_in, 3 * w // 8) + conv_bn(3, 3 * w // 8, w // 2)
            + conv_bn(1, c_in, w // 16) + conv_bn(5, w // 16, w // 8) + conv_bn(1, c_in, w // 8))

  def aux(c_in):  # avg pool to 2x2, 1x1 conv 64, FC 256, FC 10
    return conv_bn(1, c_in, 64) + dense(2 * 2 * 64, 256) + dense(256, 10)
  return (conv_bn(3, 1, 32) + module(32, 64) + module(64, 64) + aux(64) + module(64, 128) + aux(128)
          + module(128, 128) + dense(128, 10))


@pytest.mark.parametrize('name,count,literal', [
    ('lenet', lenet_count(), 61_706),
    ('vgg', vgg_count(), 649_962),
    ('resnet', resnet_count(), 174_970),
    ('densenet', densenet_count(), 102_298),
    ('inception', inception_count(), 254_094),
])
def test_golden_parameter_counts(name, count, literal):
  model = models.build(load_config(f'configs/vision/fmnist_{name}.py', 'cpu').model)
  assert n_params(model) == count == literal


# ---- shapes ------------------------------------------------------------------------------------------
SMALL = {
    'lenet': lenet.LeNet5(),
    'lenet_original': lenet.LeNet5(act='tanh', pool='avg'),
    'vgg': vgg.VGG(stages=((8, 1), (16, 2)), dense=(32, 32)),
    'resnet': resnet.ResNet(stage_sizes=(1, 1, 1), widths=(8, 16, 32)),
    'densenet': densenet.DenseNet(blocks=(2, 2, 2), growth=4),
    'densenet_stem_pool': densenet.DenseNet(blocks=(2, 2, 2), growth=4, stem_pool=True),
    'inception': inception.Inception(stem=16, stages=((16, 1), (32, 1)), aux_after=(1,),
                                     aux_features=8, aux_dense=16),
}


@pytest.mark.parametrize('name', sorted(SMALL))
def test_output_shapes_train_and_eval(name):
  model, x = SMALL[name], images(3)
  variables = jax.eval_shape(model.init, KEY, x)  # traced, not compiled: shapes only
  assert jax.eval_shape(model.apply, variables, x).shape == (3, 10)
  out, _ = jax.eval_shape(lambda v, x: model.apply(v, x, train=True, rngs={'dropout': KEY},
                                                   mutable=['batch_stats', 'intermediates']),
                          variables, x)
  assert out.shape == (3, 10)


def test_lenet_feature_maps_and_pooling():
  x = images(2)
  _, state = jax.eval_shape(
      lambda x: lenet.LeNet5().init_with_output(KEY, x, capture_intermediates=True), x)
  inter = state['intermediates']
  assert inter['Conv_0']['__call__'][0].shape == (2, 28, 28, 6)  # pad 2 keeps 28x28
  assert inter['Conv_1']['__call__'][0].shape == (2, 10, 10, 16)  # 14 - 5 + 1
  assert inter['Dense_0']['__call__'][0].shape == (2, 120)
  y = jax.random.normal(KEY, (2, 7, 7, 3))
  np.testing.assert_allclose(lenet.avg_pool(y), nn.avg_pool(y, (2, 2), strides=(2, 2)), atol=1e-6)
  with pytest.raises(ValueError, match='model.pool'):
    lenet.LeNet5(pool='median').init(KEY, x)


def test_vgg_dropout_only_in_training():
  model, x = SMALL['vgg'], images(3)
  variables = model.init(KEY, x)
  apply = jax.jit(lambda v, x, train: model.apply(v, x, train=train, rngs={'dropout': KEY}),
                  static_argnums=2)
  np.testing.assert_array_equal(apply(variables, x, False), apply(variables, x, False))
  assert not np.allclose(apply(variables, x, True), apply(variables, x, False))


# ---- BatchNorm -----------------------------------------------------------------------------------
def nhwc_batch(seed=0, shape=(8, 5, 6, 4)):
  """Channels with distinct means and scales, and a spatial pattern that differs per position."""
  rng = np.random.default_rng(seed)
  return (rng.normal(size=shape) * np.array([0.5, 1.0, 2.0, 4.0])[:shape[-1]]
          + np.array([-3.0, 0.0, 1.0, 5.0])[:shape[-1]]
          + np.linspace(0, 2, shape[1] * shape[2]).reshape(1, shape[1], shape[2], 1)).astype(np.float32)


def test_batch_norm_is_per_channel_over_n_h_w():
  x = nhwc_batch()
  bn_layer = resnet.batch_norm(train=True)
  variables = bn_layer.init(KEY, x)
  assert jax.tree.map(jnp.shape, variables['batch_stats']) == {'mean': (4,), 'var': (4,)}
  y, state = bn_layer.apply(variables, x, mutable=['batch_stats'])
  mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))  # one statistic per channel
  np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-5), atol=1e-4)
  np.testing.assert_allclose(np.asarray(y).mean(axis=(0, 1, 2)), 0.0, atol=1e-5)
  np.testing.assert_allclose(np.asarray(y).var(axis=(0, 1, 2)), 1.0, atol=1e-3)
  assert np.abs(np.asarray(y).mean(axis=0)).max() > 0.1  # per-position means remain: not over N alone
  # running averages r <- 0.9 r + 0.1 batch statistic, from r = (0, 1)
  np.testing.assert_allclose(state['batch_stats']['mean'], 0.1 * mean, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(state['batch_stats']['var'], 0.9 + 0.1 * var, rtol=1e-5)


def test_resnet_batch_norm_statistics_are_per_channel():
  model, x = resnet.ResNet(stage_sizes=(1, 1), widths=(8, 16)), images(6)
  variables = model.init(KEY, x)
  stats = variables['batch_stats']
  for path, leaf in jax.tree_util.tree_leaves_with_path(stats):
    assert leaf.ndim == 1, path
  assert stats['stem_bn']['mean'].shape == (8,)
  assert stats['stage2_block1']['proj_bn']['var'].shape == (16,)
  _, state = model.apply(variables, x, train=True, mutable=['batch_stats', 'intermediates'],
                         capture_intermediates=lambda mdl, _: mdl.name in ('stem_conv', 'stem_bn'))
  conv_out = np.asarray(state['intermediates']['stem_conv']['__call__'][0])
  bn_out = np.asarray(state['intermediates']['stem_bn']['__call__'][0])
  np.testing.assert_allclose(bn_out.mean(axis=(0, 1, 2)), 0.0, atol=1e-4)
  np.testing.assert_allclose(state['batch_stats']['stem_bn']['mean'],
                             0.1 * conv_out.mean(axis=(0, 1, 2)), rtol=1e-4, atol=1e-6)


def test_batch_norm_train_uses_the_batch_and_eval_the_running_averages():
  model, x = SMALL['resnet'], images(4)
  variables = model.init(KEY, x)
  train = lambda v, x: model.apply(v, x, train=True, mutable=['batch_stats'])
  # eval: an example's logits do not depend on the rest of the batch, and nothing is updated
  np.testing.assert_allclose(model.apply(variables, x)[:2], model.apply(variables, x[:2]), atol=1e-5)
  _, unchanged = model.apply(variables, x, train=False, mutable=['batch_stats'])
  jax.tree.map(np.testing.assert_array_equal, unchanged['batch_stats'], variables['batch_stats'])
  # train: batch statistics, so the other examples change an example's logits
  assert not np.allclose(train(variables, x)[0][:2], train(variables, x[:2])[0], atol=1e-3)
  # after many train-mode passes over one batch the running averages equal its statistics
  # (0.9^150 ~ 1e-7), and eval mode reproduces train mode on that batch
  step = jax.jit(lambda v: {'params': v['params'], **train(v, x)[1]})
  v = variables
  for _ in range(150):
    v = step(v)
  np.testing.assert_allclose(model.apply(v, x), train(v, x)[0], rtol=1e-3, atol=1e-3)


def test_flax_batch_norm_matches_torch_batchnorm2d_in_training():
  torch = pytest.importorskip('torch')
  x = nhwc_batch(seed=3)
  rng = np.random.default_rng(4)
  gamma, beta = rng.normal(size=4).astype(np.float32), rng.normal(size=4).astype(np.float32)
  flax_bn = resnet.batch_norm(train=True)  # momentum 0.9 here = torch's momentum 0.1
  variables = {'params': {'scale': jnp.asarray(gamma), 'bias': jnp.asarray(beta)},
               'batch_stats': flax_bn.init(KEY, x)['batch_stats']}
  torch_bn = torch.nn.BatchNorm2d(4, eps=1e-5, momentum=0.1).train()
  with torch.no_grad():
    torch_bn.weight.copy_(torch.from_numpy(gamma))
    torch_bn.bias.copy_(torch.from_numpy(beta))
  n = x.shape[0] * x.shape[1] * x.shape[2]  # examples per channel statistic
  for step in range(2):  # two updates of the running averages
    batch = x + step
    y_flax, state = flax_bn.apply(variables, batch, mutable=['batch_stats'])
    variables = {'params': variables['params'], **state}
    with torch.no_grad():
      y_torch = torch_bn(torch.from_numpy(batch).permute(0, 3, 1, 2)).permute(0, 2, 3, 1).numpy()
    np.testing.assert_allclose(y_flax, y_torch, atol=1e-4)
  stats = variables['batch_stats']
  np.testing.assert_allclose(stats['mean'], torch_bn.running_mean.numpy(), rtol=1e-5, atol=1e-6)
  # torch keeps the unbiased variance (n / (n-1)) in its running average, flax the biased one:
  # r_torch = 0.9^2 + 0.1 (0.9 v1 + v2) n/(n-1), r_flax the same with n/(n-1) -> 1
  torch_var = torch_bn.running_var.numpy()
  np.testing.assert_allclose(stats['var'], 0.81 + (torch_var - 0.81) * (n - 1) / n, rtol=1e-5)
  assert not np.allclose(stats['var'], torch_var, rtol=1e-4)


# ---- ResNet shortcuts ------------------------------------------------------------------------------
def test_resnet_projection_only_where_the_shape_changes():
  params = jax.eval_shape(resnet.ResNet(stage_sizes=(2, 2, 2), widths=(16, 32, 64)).init, KEY,
                          jnp.zeros((1, 28, 28, 1)))['params']
  projected = sorted(k for k, v in params.items() if 'proj_conv' in v)
  assert projected == ['stage2_block1', 'stage3_block1']
  assert params['stage2_block1']['proj_conv']['kernel'].shape == (1, 1, 16, 32)
  # a block alone: stride 2 or a new width -> projection; same shape -> identity (no parameters)
  x = jnp.ones((1, 8, 8, 8))
  cases = [(8, 1, False, (1, 8, 8, 8)), (16, 1, True, (1, 8, 8, 16)), (8, 2, True, (1, 4, 4, 8))]
  for features, strides, expect_proj, shape in cases:
    out, v = resnet.BasicBlock(features, strides).init_with_output(KEY, x)
    assert ('proj_conv' in v['params']) == expect_proj
    assert out.shape == shape


def test_resnet_identity_shortcut_adds_the_input():
  """With the residual branch's last BN zeroed (gamma = beta = 0) a block computes relu(x)."""
  x = jax.random.normal(KEY, (2, 6, 6, 8))
  block = resnet.BasicBlock(8)
  v = block.init(KEY, x)
  v = jax.tree_util.tree_map_with_path(
      lambda p, a: jnp.zeros_like(a) if 'BatchNorm_1' in jax.tree_util.keystr(p) and 'params' in
      jax.tree_util.keystr(p) else a, v)
  np.testing.assert_allclose(block.apply(v, x), nn.relu(x), atol=1e-6)


# ---- DenseNet ----------------------------------------------------------------------------------------
def test_dense_block_adds_growth_rate_channels_per_layer():
  x = jnp.ones((2, 6, 6, 7))
  out, v = densenet.DenseBlock(layers=3, growth=5).init_with_output(KEY, x)
  assert out.shape == (2, 6, 6, 7 + 3 * 5)
  np.testing.assert_array_equal(out[..., :7], x)  # the input is passed on unchanged (concatenation)
  # layer l's 1x1 bottleneck sees c0 + l k channels and makes 4k
  assert [v['params'][f'DenseLayer_{l}']['Conv_0']['kernel'].shape[2:] for l in range(3)] == [
      (7, 20), (12, 20), (17, 20)]


def test_densenet_channels_through_blocks_and_transitions():
  model, x = densenet.DenseNet(blocks=(3, 2, 4), growth=6), images(2)
  _, state = jax.eval_shape(lambda x: model.init_with_output(KEY, x, capture_intermediates=True), x)
  c = lambda name: state['intermediates'][name]['__call__'][0].shape
  c0 = 2 * 6
  assert c('block1') == (2, 28, 28, c0 + 3 * 6)  # 30
  assert c('transition1') == (2, 14, 14, 15)  # compression 0.5
  assert c('block2') == (2, 14, 14, 15 + 2 * 6)  # 27
  assert c('transition2') == (2, 7, 7, 13)
  assert c('block3') == (2, 7, 7, 13 + 4 * 6)  # 37


# ---- Inception ------------------------------------------------------------------------------------
def test_inception_module_branches():
  x = jnp.ones((2, 7, 7, 24))
  for factorised, branch in [(False, 'b5_5x5'), (True, 'b5_3x3b')]:
    out, v = jax.eval_shape(inception.InceptionModule(64, factorised).init_with_output, KEY, x)
    assert out.shape == (2, 7, 7, 64)  # 16 + 32 + 8 + 8
    assert branch in v['params']
  with pytest.raises(ValueError, match='multiple of 16'):
    jax.eval_shape(inception.InceptionModule(40).init, KEY, x)


def test_inception_aux_heads_only_in_training():
  model = inception.Inception(stem=16, stages=((16, 1), (32, 2)), aux_after=(1, 2),
                              aux_features=8, aux_dense=16)
  x = images(3)
  variables = jax.eval_shape(model.init, KEY, x)  # init runs the heads so their parameters exist
  assert {'aux1', 'aux2'} <= set(variables['params'])
  assert set(jax.eval_shape(lambda x: model.init(KEY, x, train=True), x)) == {'params', 'batch_stats'}
  out, state = jax.eval_shape(lambda v, x: model.apply(v, x, mutable=['intermediates']), variables, x)
  assert out.shape == (3, 10) and 'aux_logits' not in state.get('intermediates', {})
  out, state = jax.eval_shape(lambda v, x: model.apply(v, x, train=True, rngs={'dropout': KEY},
                                                       mutable=['batch_stats', 'intermediates']),
                              variables, x)
  aux = state['intermediates']['aux_logits']
  assert len(aux) == 2 and all(a.shape == (3, 10) for a in aux)


def _task(path, **overrides):
  config = load_config(path, 'smoke', **overrides)
  batch = {'x': images(8), 'y': jnp.arange(8) % 10}
  task = Classification(config, total_steps=10)
  return task, jax.jit(task.init)(KEY, batch), batch


def ce(logits, y):
  return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()


def test_classification_adds_the_aux_loss_in_training():
  task, state, batch = _task('configs/vision/fmnist_inception.py', aux_weight=0.5)
  assert task.aux_weight == 0.5
  net, rng = state.nets['model'], jax.random.PRNGKey(5)

  @jax.jit
  def run(net):
    total, (loss, out, model_state) = task.objective(net.params, net, batch, rng)
    logits, sown = task.model.apply(net.variables(), batch['x'], train=True, rngs={'dropout': rng},
                                    mutable=['batch_stats', 'intermediates'])
    eval_logits = task.model.apply(net.variables(), batch['x'])
    return total, loss, out, model_state, logits, sown['intermediates']['aux_logits'], eval_logits

  total, loss, out, model_state, logits, aux, eval_logits = run(net)
  assert len(aux) == 1  # the smoke model has one head
  np.testing.assert_allclose(out, logits, atol=1e-6)
  np.testing.assert_allclose(loss, ce(logits, batch['y']), rtol=1e-6)  # train/loss: the main head
  np.testing.assert_allclose(total, ce(logits, batch['y']) + 0.5 * ce(aux[0], batch['y']), rtol=1e-6)
  assert total > loss + 0.1
  # the sown logits are not part of the state; the state keeps its structure
  assert jax.tree.structure(model_state) == jax.tree.structure(net.model_state)
  # evaluation is unchanged: the main head's logits with the running averages, no aux term
  sums = jax.jit(task.eval_step)(state, dict(batch, mask=jnp.ones(8)))
  np.testing.assert_allclose(sums['loss'] / 8, ce(eval_logits, batch['y']), rtol=1e-5)


def test_classification_without_aux_heads_is_unchanged():
  task, state, batch = _task('configs/vision/fmnist_resnet.py')
  assert task.aux_weight == 0.3  # the default (GoogLeNet's), unused without aux heads
  net, rng = state.nets['model'], jax.random.PRNGKey(5)
  total, (loss, _, model_state) = jax.jit(task.objective)(net.params, net, batch, rng)
  assert float(total) == float(loss)
  assert jax.tree.structure(model_state) == jax.tree.structure(net.model_state)
  assert set(model_state) == {'batch_stats'}
