"""Attention, ViT and MAE: parity with jax.nn / flax / torch attention, shapes, golden parameter
counts, masking invariants, the attention-distance diagnostic and the init_from partial restore."""
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from dljax import models
from dljax.errors import ConfigError
from dljax.eval import mean_attention_distance, patch_distances
from dljax.models import attention, mae, vit
from dljax.train import init_from
from tests.helpers import load_config

B, T, S, H, D = 2, 5, 7, 3, 4


def _qkv(seed=0):
  kq, kk, kv = jax.random.split(jax.random.PRNGKey(seed), 3)
  return (jax.random.normal(kq, (B, T, H, D)), jax.random.normal(kk, (B, S, H, D)),
          jax.random.normal(kv, (B, S, H, D)))


def _random_mask(seed=1):
  mask = jax.random.bernoulli(jax.random.PRNGKey(seed), 0.6, (B, H, T, S))
  return mask.at[..., 0].set(True)  # every query keeps at least one key (jax.nn would give NaN)


def n_params(variables):
  return sum(p.size for p in jax.tree.leaves(variables['params']))


# ---------------------------------------------------------------- scaled dot-product attention
def test_dot_product_attention_matches_jax_nn():
  q, k, v = _qkv()
  np.testing.assert_allclose(attention.dot_product_attention(q, k, v),
                             jax.nn.dot_product_attention(q, k, v), atol=1e-5)
  mask = _random_mask()
  np.testing.assert_allclose(attention.dot_product_attention(q, k, v, mask=mask),
                             jax.nn.dot_product_attention(q, k, v, mask=mask), atol=1e-5)
  bias = jax.random.normal(jax.random.PRNGKey(3), (1, H, T, S))
  np.testing.assert_allclose(attention.dot_product_attention(q, k, v, mask=mask, bias=bias),
                             jax.nn.dot_product_attention(q, k, v, bias=bias, mask=mask), atol=1e-5)


def test_attention_weights_rows_sum_to_one_and_masked_keys_get_zero():
  q, k, _ = _qkv()
  mask = _random_mask()
  w = attention.attention_weights(q, k, mask=mask)
  assert w.shape == (B, H, T, S)
  np.testing.assert_allclose(w.sum(-1), 1.0, atol=1e-6)
  assert float(jnp.abs(jnp.where(mask, 0.0, w)).max()) == 0.0
  empty = attention.attention_weights(q, k, mask=jnp.zeros((1, 1, T, S), bool))
  assert np.all(np.asarray(empty) == 0.0)  # a query with no allowed key: zeros, not NaN


def test_causal_mask_ignores_the_future():
  q, k, v = _qkv()
  k, v = k[:, :T], v[:, :T]
  out = attention.dot_product_attention(q, k, v, mask=attention.causal_mask(T))
  v2 = v.at[:, -1].add(10.0)  # change only the last position
  out2 = attention.dot_product_attention(q, k.at[:, -1].add(3.0), v2, mask=attention.causal_mask(T))
  np.testing.assert_allclose(out[:, :-1], out2[:, :-1], atol=1e-6)
  assert not np.allclose(out[:, -1], out2[:, -1])
  # with a KV-cache of S keys, query i (the newest T) sees keys j <= i + S - T
  assert attention.causal_mask(2, 4)[0, 0].tolist() == [[True, True, True, False], [True] * 4]


# ---------------------------------------------------------------- multi-head attention modules
@pytest.mark.parametrize('use_mask', [False, True])
def test_multi_head_attention_matches_flax_with_copied_weights(use_mask):
  x_q = jax.random.normal(jax.random.PRNGKey(0), (B, T, 12))
  x_kv = jax.random.normal(jax.random.PRNGKey(1), (B, S, 12))
  mask = _random_mask() if use_mask else None
  ours = attention.MultiHeadAttention(num_heads=H, d_model=12)
  params = ours.init(jax.random.PRNGKey(2), x_q, x_kv)
  theirs = nn.MultiHeadDotProductAttention(num_heads=H, qkv_features=12, out_features=12)
  assert jax.tree.structure(theirs.init(jax.random.PRNGKey(2), x_q, x_kv)) == jax.tree.structure(params)
  np.testing.assert_allclose(ours.apply(params, x_q, x_kv, mask=mask),
                             theirs.apply(params, x_q, x_kv, mask=mask), atol=1e-5)


def test_multi_head_attention_matches_torch_with_copied_weights():
  torch = pytest.importorskip('torch')
  e, t = 12, 6
  x = jax.random.normal(jax.random.PRNGKey(0), (B, t, e))
  mha = attention.MultiHeadAttention(num_heads=H, d_model=e, sow_weights=True)
  params = mha.init(jax.random.PRNGKey(1), x)['params']
  causal = attention.causal_mask(t)
  out, state = mha.apply({'params': params}, x, mask=causal, mutable=['intermediates'])
  weights = state['intermediates']['attention_weights'][0]

  ref = torch.nn.MultiheadAttention(e, H, batch_first=True)
  as_t = lambda a: torch.from_numpy(np.array(a, dtype=np.float32))  # pylint: disable=unnecessary-lambda-assignment
  with torch.no_grad():  # W^{Q,K,V}: E x H x D -> E x E, torch stores the transpose (y = x W^T)
    ref.in_proj_weight.copy_(as_t(np.concatenate(
        [params[n]['kernel'].reshape(e, e).T for n in ('query', 'key', 'value')])))
    ref.in_proj_bias.copy_(as_t(np.concatenate(
        [params[n]['bias'].reshape(e) for n in ('query', 'key', 'value')])))
    ref.out_proj.weight.copy_(as_t(params['out']['kernel'].reshape(e, e).T))
    ref.out_proj.bias.copy_(as_t(params['out']['bias']))
    x_t = as_t(x)
    torch_out, torch_w = ref(x_t, x_t, x_t, attn_mask=as_t(~np.asarray(causal[0, 0])).bool(),
                             average_attn_weights=False)
  np.testing.assert_allclose(torch_out.numpy(), out, atol=1e-5)
  np.testing.assert_allclose(torch_w.numpy(), weights, atol=1e-6)


# ---------------------------------------------------------------- ViT
def test_patchify_roundtrip_and_linear_embedding_is_a_strided_conv():
  x = jax.random.normal(jax.random.PRNGKey(0), (2, 8, 12, 3))
  p = vit.patchify(x, 4)
  assert p.shape == (2, 6, 48)
  np.testing.assert_array_equal(vit.unpatchify(p, (2, 3), 4, 3), x)
  np.testing.assert_array_equal(p[0, 4], x[0, 4:8, 4:8].reshape(-1))  # row 1, column 1 of 2 x 3
  embed = vit.PatchEmbed(dim=5, patch=4)
  params = embed.init(jax.random.PRNGKey(1), x)['params']
  conv = nn.Conv(5, (4, 4), strides=4, padding='VALID')
  conv_params = {'kernel': params['embed']['kernel'].reshape(4, 4, 3, 5), 'bias': params['embed']['bias']}
  np.testing.assert_allclose(embed.apply({'params': params}, x),
                             conv.apply({'params': conv_params}, x).reshape(2, 6, 5), atol=1e-5)
  with pytest.raises(ValueError, match='patch size'):
    vit.patchify(x, 5)


def test_sincos_2d_position_embedding():
  e = vit.sincos_2d(3, 4, 8)
  assert e.shape == (12, 8)
  np.testing.assert_allclose(e[0], [0, 0, 1, 1, 0, 0, 1, 1], atol=1e-7)  # (row 0, col 0)
  # the first half depends on the row only, the second half on the column only
  np.testing.assert_array_equal(e[1, :4], e[0, :4])
  np.testing.assert_array_equal(e[4, 4:], e[0, 4:])
  np.testing.assert_allclose(e[1, 4], np.sin(1.0), atol=1e-7)
  assert len({tuple(r) for r in e.round(5)}) == 12  # every position is distinct


@pytest.mark.parametrize('kw', [dict(), dict(pos_embedding='sincos2d', pool='mean'),
                                dict(pos_embedding='none', stem='conv', head_hidden=8),
                                dict(patch=7)])
def test_vit_shapes(kw):
  model = vit.ViT(**{**dict(width=16, depth=1, num_heads=2, mlp_dim=32), **kw})
  x = jnp.ones((3, 28, 28, 1))
  variables = model.init(jax.random.PRNGKey(0), x)
  assert model.apply(variables, x).shape == (3, 10)


def test_vit_bad_options_raise():
  x = jnp.ones((1, 28, 28, 1))
  for kw, msg in [(dict(pos_embedding='rope'), 'pos_embedding'), (dict(stem='mlp'), 'stem'),
                  (dict(stem='conv', patch=7), 'power-of-two'), (dict(pool='max'), 'pool')]:
    with pytest.raises(ValueError, match=msg):
      vit.ViT(width=16, depth=1, num_heads=2, **kw).init(jax.random.PRNGKey(0), x)


def _vit_count(width, depth, mlp, patch=4, channels=1, tokens=49, classes=10, pos=True):
  block = 2 * (2 * width) + 4 * (width * width + width) + (width * mlp + mlp) + (mlp * width + width)
  return ((patch * patch * channels + 1) * width + tokens * width * pos + width + depth * block
          + 2 * width + (width + 1) * classes)


@pytest.mark.parametrize('path,count', [
    ('configs/vision/fmnist_vit.py', _vit_count(64, 4, 128)),
    ('configs/vision/fmnist_mae_finetune.py', _vit_count(64, 4, 128, pos=False) - 64),  # no CLS
])
def test_golden_parameter_counts(path, count):
  model = models.build(load_config(path, 'cpu').model)
  shapes = jax.eval_shape(model.init, jax.random.PRNGKey(0), jnp.zeros((1, 28, 28, 1)))
  assert n_params(shapes) == count
  assert count in (138_954, 135_754)


def test_mae_golden_parameter_count():
  model = models.build(load_config('configs/vision/fmnist_mae.py', 'cpu').model)
  variables = jax.eval_shape(model.init, {'params': jax.random.PRNGKey(0),
                                          'masking': jax.random.PRNGKey(1)}, jnp.zeros((1, 28, 28, 1)))
  encoder = _vit_count(64, 4, 128, pos=False, classes=0)  # patch embed, CLS, blocks, final LN
  decoder_block = 2 * 128 + 4 * (64 * 64 + 64) + (64 * 128 + 128) + (128 * 64 + 64)
  decoder = (64 * 64 + 64) + 64 + 2 * decoder_block + 2 * 64 + (64 * 16 + 16)
  assert n_params(variables) == encoder + decoder == 207_504


# ---------------------------------------------------------------- MAE
def test_random_masking_is_a_per_example_permutation():
  ids_keep, ids_restore, mask = mae.random_masking(jax.random.PRNGKey(0), 4, 16, 4)
  assert ids_keep.shape == (4, 4) and mask.shape == (4, 16)
  np.testing.assert_array_equal(mask.sum(1), 12.0)
  for b in range(4):
    assert sorted(np.flatnonzero(np.asarray(mask[b]) == 0)) == sorted(np.asarray(ids_keep[b]))
    assert sorted(np.asarray(ids_restore[b])) == list(range(16))
  assert len({tuple(np.asarray(ids_keep[b])) for b in range(4)}) > 1  # examples differ


def test_mae_sees_only_visible_patches_and_loss_counts_only_masked():
  model = mae.MAE(width=16, depth=1, num_heads=2, mlp_dim=32, decoder_width=16, decoder_depth=1,
                  decoder_heads=2, decoder_mlp_dim=32)
  x = jax.random.uniform(jax.random.PRNGKey(0), (2, 28, 28, 1))
  rngs = {'params': jax.random.PRNGKey(1), 'masking': jax.random.PRNGKey(2)}
  variables = model.init(rngs, x)
  run = lambda x: model.apply(variables, x, rngs={'masking': jax.random.PRNGKey(3)})  # pylint: disable=unnecessary-lambda-assignment
  pred, mask = run(x)
  assert pred.shape == (2, 49, 16) and float(mask.mean()) == pytest.approx(37 / 49)
  # changing the pixels of the masked patches changes nothing the model computes
  patches = vit.patchify(x, 4)
  noisy = vit.unpatchify(patches + 5.0 * mask[:, :, None], (7, 7), 4, 1)
  pred2, mask2 = run(noisy)
  np.testing.assert_array_equal(mask, mask2)
  np.testing.assert_allclose(pred, pred2, atol=1e-5)
  # ... but it changes the loss, which only the masked patches' pixels enter
  assert not np.allclose(model.loss(pred, mask, x), model.loss(pred, mask, noisy))
  pred_visible_changed = pred + 3.0 * (1.0 - mask)[:, :, None]
  np.testing.assert_allclose(model.loss(pred, mask, x), model.loss(pred_visible_changed, mask, x),
                             atol=1e-6)


def test_norm_pix_targets_are_standardised_per_patch():
  x = jax.random.uniform(jax.random.PRNGKey(0), (2, 8, 8, 1))
  t = mae.patch_targets(x, 4, norm_pix_loss=True)
  np.testing.assert_allclose(t.mean(-1), 0.0, atol=1e-5)
  np.testing.assert_allclose(t.var(-1), 1.0, atol=1e-3)


# ---------------------------------------------------------------- init_from
def _small_pair():
  kw = dict(patch=4, width=16, depth=1, num_heads=2, mlp_dim=32, pos_embedding='sincos2d')
  x = jnp.zeros((1, 28, 28, 1))
  mae_params = mae.MAE(**kw, decoder_width=16, decoder_depth=1, decoder_heads=2,
                       decoder_mlp_dim=32).init({'params': jax.random.PRNGKey(0),
                                                 'masking': jax.random.PRNGKey(1)}, x)['params']
  vit_params = vit.ViT(**kw, pool='mean').init(jax.random.PRNGKey(2), x)['params']
  return mae_params, vit_params


def _saved_mae(tmp_path):
  from dljax.train import checkpoint  # pylint: disable=g-import-not-at-top
  from dljax.train.state import ModelState, TrainState  # pylint: disable=g-import-not-at-top
  mae_params, _ = _small_pair()
  state = TrainState(step=3, rng=jax.random.PRNGKey(0), nets={'model': ModelState.create(
      {'params': mae_params}, optax.adam(1e-3))})
  ckpt = checkpoint.Checkpoints(str(tmp_path), use_async=False)
  ckpt.save(3, state, {}, {'best': None})
  ckpt.close()
  return mae_params


def test_classifier_starts_from_another_runs_mae_checkpoint_and_probes(tmp_path):
  from dljax.train import tasks  # pylint: disable=g-import-not-at-top
  mae_params = _saved_mae(tmp_path)
  jax.tree.map(np.testing.assert_array_equal, init_from.restore_params(str(tmp_path)), mae_params)
  config = load_config('configs/vision/fmnist_mae_finetune.py', 'smoke', **{
      'init_from.workdir': str(tmp_path), 'optim.trainable': '^head/', 'model.width': 16,
      'optim.schedule.name': 'constant',
      'model.depth': 1, 'model.num_heads': 2, 'model.mlp_dim': 32})
  task = tasks.TASKS['classification'](config, total_steps=10)
  batch = {'x': jax.random.uniform(jax.random.PRNGKey(0), (4, 28, 28, 1)), 'y': jnp.arange(4)}
  fresh = task.init(jax.random.PRNGKey(1), batch)
  # what the loop does after init: restore the shared encoder from the MAE run
  start = init_from.restore_subtree(fresh, str(tmp_path), init_from.include_regex(config.init_from))
  params = start.nets['model'].params
  for key in ('patch_embed', 'encoder'):
    jax.tree.map(np.testing.assert_array_equal, params[key], mae_params[key])
  jax.tree.map(np.testing.assert_array_equal, params['head'], fresh.nets['model'].params['head'])
  after, _ = jax.jit(task.train_step)(start, batch, jax.random.PRNGKey(2))  # a linear-probe step
  new = after.nets['model'].params
  jax.tree.map(np.testing.assert_array_equal, new['encoder'], mae_params['encoder'])
  assert not np.allclose(new['head']['kernel'], params['head']['kernel'])


def test_restoring_a_wider_encoder_is_refused(tmp_path):
  from dljax.train import tasks  # pylint: disable=g-import-not-at-top
  _saved_mae(tmp_path)
  config = load_config('configs/vision/fmnist_mae_finetune.py', 'smoke', **{
      'model.width': 32, 'model.depth': 1, 'model.num_heads': 2, 'model.mlp_dim': 32})
  task = tasks.TASKS['classification'](config, total_steps=10)
  batch = {'x': jnp.zeros((2, 28, 28, 1)), 'y': jnp.arange(2)}
  with pytest.raises(ConfigError, match='do not fit'):
    init_from.restore_subtree(task.init(jax.random.PRNGKey(1), batch), str(tmp_path),
                              init_from.include_regex(config.init_from))


# ---------------------------------------------------------------- attention distance
def test_mean_attention_distance():
  grid = (2, 2)
  dist = patch_distances(grid, patch=4)
  np.testing.assert_allclose(dist[0], [0, 4, 4, 4 * np.sqrt(2)])
  # head 0 attends to itself only (distance 0); head 1 uniformly over the 4 patches
  eye = np.eye(4)[None, None]
  uniform = np.full((1, 1, 4, 4), 0.25)
  d = mean_attention_distance(np.concatenate([eye, uniform], axis=1), grid, 4, cls_token=False)
  np.testing.assert_allclose(d, [0.0, (8 + 4 * np.sqrt(2)) / 4])
  # with a [class] token, its row and column are dropped and the rest renormalised
  with_cls = np.zeros((1, 1, 5, 5))
  with_cls[..., 1:, 0] = 0.5
  with_cls[..., 1:, 1:] = 0.5 * np.eye(4)
  np.testing.assert_allclose(mean_attention_distance(with_cls, grid, 4), [0.0])
