"""BERT: shapes, padding, the tied MLM output, golden parameter counts, encoder transfer, and
parity of the encoder with PyTorch's post-norm nn.TransformerEncoderLayer (copied weights)."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

from dljax import models
from dljax.models import bert
from tests.helpers import load_config

V, D, H, T = 40, 16, 2, 10


def _tokens(b=3, t=T, pad_from=7):
  x = np.array(jax.random.randint(jax.random.PRNGKey(0), (b, t), 4, V))
  x[:, 0], x[:, pad_from:] = 1, 0   # [CLS] ... [PAD] [PAD]
  return jnp.asarray(x)


def test_pretrain_and_classifier_shapes_and_shared_encoder_names():
  pre = bert.BertPretrain(V, d_model=D, num_heads=H, num_layers=2, max_len=T, dropout=0.0)
  cls = bert.BertClassifier(V, num_classes=5, d_model=D, num_heads=H, num_layers=2, max_len=T,
                            dropout=0.0)
  x = _tokens()
  p_pre = pre.init(jax.random.PRNGKey(1), x, jnp.zeros_like(x))['params']
  p_cls = cls.init(jax.random.PRNGKey(2), x)['params']
  mlm_BxTxV, nsp_Bx2 = pre.apply({'params': p_pre}, x, jnp.zeros_like(x))
  assert mlm_BxTxV.shape == (3, T, V) and nsp_Bx2.shape == (3, 2)
  assert cls.apply({'params': p_cls}, x).shape == (3, 5)
  # the classifier's encoder is the pretraining encoder: copy it and the outputs agree
  copied = dict(p_cls, encoder=p_pre['encoder'])   # what init_from restores (params '^model/params/encoder/')
  h_pre = pre.apply({'params': p_pre}, x, None, method=lambda m, x, s: m.encoder(x, s))
  h_cls = cls.apply({'params': copied}, x, method=lambda m, x: m.encoder(x, None))
  np.testing.assert_allclose(h_pre[1], h_cls[1], rtol=1e-6)


def test_mlm_output_is_tied_to_the_token_embedding():
  model = bert.BertPretrain(V, d_model=D, num_heads=H, num_layers=1, max_len=T, dropout=0.0)
  x = _tokens()
  params = model.init(jax.random.PRNGKey(1), x)['params']
  assert set(params) == {'encoder', 'mlm_dense', 'mlm_ln', 'mlm_bias', 'nsp'}
  # the only V-sized output parameters are the bias and the (shared) embedding
  emb = params['encoder']['tokens']['embedding']
  doubled = jax.tree.map(lambda a: a, params)
  doubled['encoder']['tokens']['embedding'] = emb.at[5].add(1.0)
  before, _ = model.apply({'params': params}, x)
  after, _ = model.apply({'params': doubled}, x)
  # changing row 5 of E changes the logit of token 5 at every position (and the inputs using it)
  assert not np.allclose(before[..., 5], after[..., 5])


def test_padding_is_never_attended():
  model = bert.BertPretrain(V, d_model=D, num_heads=H, num_layers=2, max_len=T + 4, dropout=0.0)
  x = _tokens()
  params = model.init(jax.random.PRNGKey(1), x)['params']
  longer = jnp.concatenate([x, jnp.zeros((3, 4), x.dtype)], axis=1)   # more [PAD]
  a, nsp_a = model.apply({'params': params}, x)
  b, nsp_b = model.apply({'params': params}, longer)
  np.testing.assert_allclose(a[:, :7], b[:, :7], atol=1e-5)
  np.testing.assert_allclose(nsp_a, nsp_b, atol=1e-5)


def _count(params):
  return sum(int(np.prod(a.shape)) for a in jax.tree.leaves(params))


@pytest.mark.parametrize('path,expected', [('configs/language/bert_pretrain.py', 182_594),
                                           ('configs/language/bert_play.py', 177_413)])
def test_golden_parameter_count(path, expected):
  config = load_config(path, 'cpu')
  model = models.build(config.model)
  x = jnp.zeros((1, config.data.max_len), jnp.int32)
  shapes = jax.eval_shape(lambda: model.init(jax.random.PRNGKey(0), x))['params']
  assert _count(shapes) == expected


def _torch_encoder_layer(block, d, heads):
  layer = torch.nn.TransformerEncoderLayer(
      d, heads, dim_feedforward=block['ffn']['fc1']['kernel'].shape[1], dropout=0.0,
      activation=lambda z: torch.nn.functional.gelu(z, approximate='tanh'), layer_norm_eps=1e-6,
      batch_first=True, norm_first=False)
  att = block['self_attention']
  t = lambda a: torch.tensor(np.asarray(a))  # pylint: disable=unnecessary-lambda-assignment
  w = [np.asarray(att[n]['kernel']).reshape(d, d).T for n in ('query', 'key', 'value')]
  bias = [np.asarray(att[n]['bias']).reshape(d) for n in ('query', 'key', 'value')]
  sd = {'self_attn.in_proj_weight': t(np.concatenate(w)),
        'self_attn.in_proj_bias': t(np.concatenate(bias)),
        'self_attn.out_proj.weight': t(np.asarray(att['out']['kernel']).reshape(d, d).T),
        'self_attn.out_proj.bias': t(att['out']['bias']),
        'linear1.weight': t(np.asarray(block['ffn']['fc1']['kernel']).T),
        'linear1.bias': t(block['ffn']['fc1']['bias']),
        'linear2.weight': t(np.asarray(block['ffn']['fc2']['kernel']).T),
        'linear2.bias': t(block['ffn']['fc2']['bias']),
        'norm1.weight': t(block['ln_self']['scale']), 'norm1.bias': t(block['ln_self']['bias']),
        'norm2.weight': t(block['ln_ffn']['scale']), 'norm2.bias': t(block['ln_ffn']['bias'])}
  layer.load_state_dict(sd)
  return layer.eval()


def test_encoder_matches_torch_post_norm_transformer():
  enc = bert.BertEncoder(V, d_model=D, num_heads=H, num_layers=2, max_len=T, dropout=0.0)
  x = _tokens()
  seg = jnp.asarray(np.repeat([[0] * 5 + [1] * 5], 3, 0))
  p = enc.init(jax.random.PRNGKey(3), x, seg)['params']
  h, pooled = enc.apply({'params': p}, x, seg)
  # torch: the same embeddings, then nn.TransformerEncoderLayer(norm_first=False) per block
  xt, st = torch.tensor(np.asarray(x)), torch.tensor(np.asarray(seg))
  e = (torch.tensor(np.asarray(p['tokens']['embedding']))[xt]
       + torch.tensor(np.asarray(p['segments']['embedding']))[st]
       + torch.tensor(np.asarray(p['pos_embedding']))[None])
  e = torch.nn.functional.layer_norm(e, (D,), torch.tensor(np.asarray(p['ln_embed']['scale'])),
                                     torch.tensor(np.asarray(p['ln_embed']['bias'])), eps=1e-12)
  with torch.no_grad():
    for i in (1, 2):
      e = _torch_encoder_layer(p[f'block{i}'], D, H)(e, src_key_padding_mask=xt == 0)
    ref_pooled = torch.tanh(e[:, 0] @ torch.tensor(np.asarray(p['pooler']['kernel']))
                            + torch.tensor(np.asarray(p['pooler']['bias'])))
  real = np.asarray(x) != 0
  np.testing.assert_allclose(np.asarray(h)[real], e.numpy()[real], atol=2e-5)
  np.testing.assert_allclose(pooled, ref_pooled.numpy(), atol=2e-5)
