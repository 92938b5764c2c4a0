"""The attention and Transformer-block ablations: logit scaling, multi-head parameter and FLOP
invariance, blocks without skips, BatchNorm in place of LayerNorm, the MNIST-1D sequence model."""
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.models import MODELS, attention, transformer


def _qk(d, t=5, s=7):
  kq, kk = jax.random.split(jax.random.PRNGKey(d))
  return jax.random.normal(kq, (2, t, 3, d)), jax.random.normal(kk, (2, s, 3, d))


@pytest.mark.parametrize('scaling,factor', [('sqrt', lambda d: d ** -0.5),
                                            ('linear', lambda d: 1.0 / d),
                                            ('none', lambda d: 1.0)])
def test_scaling_is_the_logit_factor(scaling, factor):
  d = 16
  q, k = _qk(d)
  logits = np.einsum('bthd,bshd->bhts', np.asarray(q, np.float64), np.asarray(k, np.float64))
  z = logits * factor(d)
  expected = np.exp(z - z.max(-1, keepdims=True))
  expected /= expected.sum(-1, keepdims=True)
  np.testing.assert_allclose(attention.attention_weights(q, k, scaling=scaling), expected,
                             atol=2e-6)


def test_default_scaling_matches_jax_and_bad_scaling_is_refused():
  q, k = _qk(8)
  v = jax.random.normal(jax.random.PRNGKey(3), k.shape)
  np.testing.assert_allclose(attention.dot_product_attention(q, k, v),
                             jax.nn.dot_product_attention(q, k, v), atol=1e-5)
  with pytest.raises(ValueError, match='sqrt'):
    attention.attention_weights(q, k, scaling='d')


# 4 d^2 + 4 d: W^Q, W^K, W^V (d x h x d_h) and W^O (h x d_h x d) with their biases
GOLDEN_PARAMS = {100: 40_400, 512: 1_050_624}


@pytest.mark.parametrize('d_model,heads', [(100, 1), (100, 2), (100, 4), (100, 5), (100, 10),
                                           (512, 1), (512, 8), (512, 16)])
def test_multi_head_parameter_count_is_the_same_for_every_split(d_model, heads):
  x = jnp.zeros((1, 3, d_model))
  params = attention.MultiHeadAttention(heads, d_model=d_model).init(jax.random.PRNGKey(0), x)
  assert sum(p.size for p in jax.tree_util.tree_leaves(params)) == GOLDEN_PARAMS[d_model]
  assert params['params']['query']['kernel'].shape == (d_model, heads, d_model // heads)


def test_multi_head_flops_match_the_analytic_count_for_every_split():
  from experiments.sequence import multihead_cost  # pylint: disable=g-import-not-at-top
  b, t, d = 2, 16, 64
  x = jnp.ones((b, t, d))
  flops = []
  for h in (1, 4, 16):
    model = attention.MultiHeadAttention(h, d_model=d)
    params = model.init(jax.random.PRNGKey(0), x)
    flops.append(multihead_cost.xla_flops(model.apply, params, x))
  analytic = multihead_cost.analytic_flops(b, t, d)   # 8 B T d^2 + 4 B T^2 d
  assert analytic == 8 * 2 * 16 * 64 ** 2 + 4 * 2 * 16 ** 2 * 64
  for f in flops:   # XLA adds the biases and the softmax: a few % over the matmuls
    assert analytic <= f <= 1.06 * analytic, (f, analytic)
  # the only term that changes is the softmax's, O(h B T^2): linear in h, small beside the matmuls
  per_head = [(f - flops[0]) / (h - 1) for f, h in zip(flops[1:], (4, 16))]
  np.testing.assert_allclose(per_head[0], per_head[1], rtol=0.02)
  assert 0 < per_head[0] <= 10 * b * t * t
  assert max(flops) / min(flops) < 1.05


def _block_parts(params, x, block):
  """The pre-norm block's sublayers applied by hand with its parameters."""
  p = params['params']
  d = x.shape[-1]
  ln = lambda name, h: nn.LayerNorm().apply({'params': p[name]}, h)  # pylint: disable=unnecessary-lambda-assignment
  attn = lambda h: attention.MultiHeadAttention(block.num_heads, d_model=d).apply(  # pylint: disable=unnecessary-lambda-assignment
      {'params': p['self_attention']}, h)
  ffn = lambda h: transformer.FeedForward(block.mlp_dim).apply({'params': p['ffn']}, h)  # pylint: disable=unnecessary-lambda-assignment
  return ln, attn, ffn


@pytest.mark.parametrize('residual', [True, False])
def test_block_with_and_without_skips_equals_its_sublayers_by_hand(residual):
  block = transformer.Block(num_heads=2, mlp_dim=32, residual=residual)
  x = jax.random.normal(jax.random.PRNGKey(0), (2, 6, 16))
  params = block.init(jax.random.PRNGKey(1), x)
  ln, attn, ffn = _block_parts(params, x, block)
  if residual:   # x + SA(LN(x)), then + FFN(LN(.))
    h = x + attn(ln('ln_self', x))
    expected = h + ffn(ln('ln_ffn', h))
  else:          # FFN(LN(SA(LN(x))))
    expected = ffn(ln('ln_ffn', attn(ln('ln_self', x))))
  np.testing.assert_allclose(block.apply(params, x), expected, atol=1e-5)


def test_batchnorm_block_normalises_each_feature_over_batch_and_positions():
  block = transformer.Block(num_heads=2, mlp_dim=32, norm='batch', prenorm=False)  # BN(x + F(x))
  x = 3.0 + 2.0 * jax.random.normal(jax.random.PRNGKey(0), (4, 6, 16))
  variables = block.init(jax.random.PRNGKey(1), x)
  assert set(variables) == {'params', 'batch_stats'}
  assert 'bn_self' in variables['params'] and 'ln_self' not in variables['params']
  y, updated = block.apply(variables, x, train=True, mutable=['batch_stats'])
  flat = np.asarray(y).reshape(-1, 16)   # the B x T positions of each feature
  np.testing.assert_allclose(flat.mean(0), 0.0, atol=1e-5)
  np.testing.assert_allclose(flat.var(0), 1.0, atol=1e-3)
  # eval uses the running averages, so one example's output no longer depends on the others
  y_eval = block.apply({**variables, **updated}, x)
  y_eval_one = block.apply({**variables, **updated}, x[:1])
  np.testing.assert_allclose(y_eval[:1], y_eval_one, atol=1e-5)
  with pytest.raises(ValueError, match='layer'):
    transformer.Block(num_heads=2, mlp_dim=32, norm='group').init(jax.random.PRNGKey(0), x)


def test_sequence_transformer_reads_patches_and_is_registered():
  assert MODELS['seq_transformer'] is transformer.SequenceTransformer
  model = transformer.SequenceTransformer(d_model=16, num_heads=2, num_layers=1, patch=4,
                                          max_len=40)
  x = jax.random.normal(jax.random.PRNGKey(0), (3, 40))
  variables = model.init(jax.random.PRNGKey(1), x)
  assert model.apply(variables, x).shape == (3, 10)
  assert variables['params']['embed']['kernel'].shape == (4, 16)   # a token is 4 steps
  with pytest.raises(ValueError, match='patch'):
    model.init(jax.random.PRNGKey(1), x[:, :38])


@pytest.mark.parametrize('positions', ['learned', 'sinusoidal', 'none', 'index', 'scaled_index',
                                       'concat'])
def test_sequence_transformer_position_options(positions):
  """Every form of p_t runs; only `learned` adds parameters (max_len x D). Without positions the
  mean-pooled encoder is blind to token order - and so it is with the notes' naive forms (the same
  number t added to every coordinate) in a pre-norm stack, because every sublayer and the final
  norm read LayerNorm(h), which subtracts the mean over the features: the shift never reaches a
  weight. In a post-norm stack the first attention reads h itself, so the shift is seen."""
  from dljax.models.transformer import SequenceTransformer  # pylint: disable=g-import-not-at-top
  x = jax.random.normal(jax.random.PRNGKey(0), (2, 40))
  reversed_tokens = x.reshape(2, 10, 4)[:, ::-1].reshape(2, 40)  # the same tokens, order reversed
  for prenorm in (True, False):
    model = SequenceTransformer(d_model=8, num_heads=1, num_layers=1, max_len=10, patch=4,
                                positions=positions, prenorm=prenorm)
    params = model.init(jax.random.PRNGKey(1), x)
    blind = np.allclose(model.apply(params, x), model.apply(params, reversed_tokens),
                        atol=5e-3)  # float32 LayerNorm of a shift of up to 10: ~6e-4 apart
    naive = positions in ('index', 'scaled_index')
    assert blind == (positions == 'none' or (naive and prenorm)), (positions, prenorm)
    assert ('pos_embedding' in params['params']) == (positions == 'learned')
  with pytest.raises(ValueError, match='positions'):
    SequenceTransformer(positions='rope').init(jax.random.PRNGKey(0), x)
