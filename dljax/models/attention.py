"""Scaled dot-product attention and multi-head attention, from scratch (Vaswani et al. 2017).

  Attention(Q, K, V) = softmax(Q K^T / sqrt(d) + bias, masked) V
  MultiHead(x_q, x_kv) = Concat(head_1, ..., head_h) W^O,   head_i = Attention(x_q W_i^Q, x_kv W_i^K, x_kv W_i^V)

Shapes follow jax.nn.dot_product_attention: B batch, T query positions, S key positions, H heads,
D head dimension. A boolean `mask` (True = may attend) broadcasts to B x H x T x S; an additive
`bias` (relative position bias, ALiBi, ...) too. `causal_mask(T)` builds the autoregressive mask.

`scaling` picks the factor on the logits: 'sqrt' (1/sqrt(D), the default and the paper's; the
notes' "/d" is an erratum), 'linear' (1/D) or 'none' (1). With unit-variance q and k entries
<q, k> has variance D, so only 1/sqrt(D) keeps the logits O(1) as D grows: without it the softmax
saturates (experiments/sequence/attention_scaling.py).
"""
import math
from typing import Optional

import flax.linen as nn
import jax
import jax.numpy as jnp


def causal_mask(t: int, s: Optional[int] = None):
  """1 x 1 x T x S boolean mask: query i may attend keys j <= i + (S - T) (the KV-cache offset)."""
  s = t if s is None else s
  return (jnp.arange(s)[None, :] <= jnp.arange(t)[:, None] + (s - t))[None, None]


def _broadcast_to_BxHxTxS(a, shape_BxHxTxS, what):
  if a.ndim != 4:
    raise ValueError(f'attention {what} must have 4 axes (B|1, H|1, T|1, S|1); got shape {a.shape}.')
  return jnp.broadcast_to(a, shape_BxHxTxS)


SCALINGS = ('sqrt', 'linear', 'none')


def logit_scale(d: int, scaling: str = 'sqrt') -> float:
  """The factor on <q, k>: 1/sqrt(d) ('sqrt'), 1/d ('linear') or 1 ('none')."""
  if scaling not in SCALINGS:
    raise ValueError(f'attention scaling={scaling!r} is unknown; use one of {SCALINGS}.')
  return {'sqrt': 1.0 / math.sqrt(d), 'linear': 1.0 / d, 'none': 1.0}[scaling]


def attention_weights(q_BxTxHxD, k_BxSxHxD, mask=None, bias=None, scaling: str = 'sqrt'):
  """A = softmax(Q K^T / sqrt(D) + bias) over the keys, B x H x T x S; masked keys get weight 0.

  A query row whose keys are all masked gets all-zero weights (not NaN, not uniform). `scaling`
  replaces 1/sqrt(D) by 1/D ('linear') or 1 ('none') for the scaling ablation.
  """
  scale = logit_scale(q_BxTxHxD.shape[-1], scaling)
  # scores_{bhts} = <q_bth, k_bsh> / sqrt(D)
  scores_BxHxTxS = jnp.einsum('bthd,bshd->bhts', q_BxTxHxD, k_BxSxHxD) * jnp.asarray(
      scale, q_BxTxHxD.dtype)
  if bias is not None:
    scores_BxHxTxS = scores_BxHxTxS + _broadcast_to_BxHxTxS(bias, scores_BxHxTxS.shape, 'bias')
  if mask is None:
    return jax.nn.softmax(scores_BxHxTxS, axis=-1)
  mask = _broadcast_to_BxHxTxS(mask, scores_BxHxTxS.shape, 'mask').astype(bool)
  big_negative = jnp.finfo(scores_BxHxTxS.dtype).min
  scores_BxHxTxS = jnp.where(mask, scores_BxHxTxS, big_negative)
  # softmax over the allowed keys only: exp(s - max) with the masked entries set to 0
  weights = jax.nn.softmax(scores_BxHxTxS, axis=-1)
  return jnp.where(mask, weights, 0.0)


def dot_product_attention(q_BxTxHxD, k_BxSxHxD, v_BxSxHxD, mask=None, bias=None,
                          return_weights: bool = False, scaling: str = 'sqrt'):
  """softmax(Q K^T / sqrt(D) + bias) V per head: B x T x H x D (and the B x H x T x S weights)."""
  weights_BxHxTxS = attention_weights(q_BxTxHxD, k_BxSxHxD, mask, bias, scaling)
  out_BxTxHxD = jnp.einsum('bhts,bshd->bthd', weights_BxHxTxS, v_BxSxHxD)  # sum_s A_ts v_s
  return (out_BxTxHxD, weights_BxHxTxS) if return_weights else out_BxTxHxD


class MultiHeadAttention(nn.Module):
  """Multi-head self-attention (x_kv=None) or cross-attention, d_model = num_heads * head_dim.

  Give `head_dim`, or `d_model` (divisible by num_heads). The projections are DenseGeneral layers
  named query/key/value/out with kernels D_in x H x D and H x D x D_out: the same parameter tree as
  flax's nn.MultiHeadDotProductAttention, so weights copy across. The attention weights B x H x T x S
  are sown into 'intermediates' as 'attention_weights' when `sow_weights` is set (read them with
  `apply(..., mutable=['intermediates'])`).
  """
  num_heads: int
  head_dim: Optional[int] = None
  d_model: Optional[int] = None
  out_features: Optional[int] = None  # default: the query's feature size
  use_bias: bool = True
  sow_weights: bool = False
  kernel_init: nn.initializers.Initializer = nn.initializers.lecun_normal()
  scaling: str = 'sqrt'  # the logit factor: 1/sqrt(D) ('sqrt'), 1/D ('linear'), 1 ('none')

  def _head_dim(self):
    if self.head_dim is not None:
      return self.head_dim
    if self.d_model is None or self.d_model % self.num_heads:
      raise ValueError(f'MultiHeadAttention needs head_dim, or d_model={self.d_model} divisible by '
                       f'num_heads={self.num_heads}.')
    return self.d_model // self.num_heads

  @nn.compact
  def __call__(self, x_q_BxTxC, x_kv_BxSxC=None, mask=None, bias=None, cache=None,
               cache_index=None):
    """With `cache` ({'k', 'v': B x max_len x H x D}) this is causal self-attention for incremental
    decoding: the new K, V are written at positions cache_index.., the queries attend to every
    position written so far, and the call returns (output, new cache)."""
    x_kv_BxSxC = x_q_BxTxC if x_kv_BxSxC is None else x_kv_BxSxC
    proj = lambda name: nn.DenseGeneral((self.num_heads, self._head_dim()), use_bias=self.use_bias,  # pylint: disable=unnecessary-lambda-assignment
                                        kernel_init=self.kernel_init, name=name)
    q_BxTxHxD = proj('query')(x_q_BxTxC)  # Q = x_q W^Q
    k_BxSxHxD = proj('key')(x_kv_BxSxC)  # K = x_kv W^K
    v_BxSxHxD = proj('value')(x_kv_BxSxC)  # V = x_kv W^V
    if cache is not None:
      if mask is not None or x_kv_BxSxC is not x_q_BxTxC:
        raise ValueError('a KV-cache is for causal self-attention: pass neither mask nor x_kv.')
      # KV-cache: K, V of positions < cache_index are reused, this call's are appended
      k_BxSxHxD = jax.lax.dynamic_update_slice_in_dim(cache['k'], k_BxSxHxD, cache_index, axis=1)
      v_BxSxHxD = jax.lax.dynamic_update_slice_in_dim(cache['v'], v_BxSxHxD, cache_index, axis=1)
      t, s = q_BxTxHxD.shape[1], k_BxSxHxD.shape[1]
      mask = (jnp.arange(s)[None, :] <= cache_index + jnp.arange(t)[:, None])[None, None]
      cache = {'k': k_BxSxHxD, 'v': v_BxSxHxD}
    out_BxTxHxD, weights_BxHxTxS = dot_product_attention(q_BxTxHxD, k_BxSxHxD, v_BxSxHxD, mask,
                                                         bias, return_weights=True,
                                                         scaling=self.scaling)
    if self.sow_weights:
      self.sow('intermediates', 'attention_weights', weights_BxHxTxS)
    # Concat(head_1..head_h) W^O
    out_BxTxC = nn.DenseGeneral(self.out_features or x_q_BxTxC.shape[-1], axis=(-2, -1),
                                use_bias=self.use_bias, kernel_init=self.kernel_init,
                                name='out')(out_BxTxHxD)
    return out_BxTxC if cache is None else (out_BxTxC, cache)
