"""The lambda layer (Bello 2021, "LambdaNetworks: modeling long-range interactions without
attention"; seed 003 §1.6): a linear function lambda summarises the context and is applied to each
query, instead of an n x m attention map.

For inputs X (n x d) and context C (m x d; self: C = X), with h heads of query/key depth k and
value depth v = d / h (the "multi-query" form: the heads share keys and values):
  Q = X W^Q  (n x h x k),   K = C W^K  (m x k),   V = C W^V  (m x v)
  K_bar = softmax(K) over the m context positions (each of the k key dimensions separately)
  content lambda   lambda^c = K_bar^T V                    (k x v, the same for every query)
  position lambda  lambda^p_n = E_n^T V,  E_n[m] = e_{n-m}  (k x v per query n: relative position
                   embeddings e_r in R^k, r = -(L-1) .. L-1, learned)
  y_n = concat over heads of (lambda^c + lambda^p_n)^T q_n^head                   (n x h v = n x d)
The content lambda costs O(m k v) to build and O(n h k v) to apply: linear in n = m, where
attention's softmax(Q K^T) V costs O(n m). The position lambdas cost O(n m k v) (the paper's
Table 2: Theta(b n m k v) time, but no n x m x h attention maps are kept per head). The paper
batch-normalises Q and V; here they are plain projections (LayerNorm the input instead).
"""
import flax.linen as nn
import jax
import jax.numpy as jnp

POSITIONS = ('relative', 'none')


def content_lambda(keys_BxMxK, values_BxMxV, mask_BxM=None):
  """lambda^c = softmax_m(K)^T V: B x K x V (masked context positions get weight 0)."""
  if mask_BxM is not None:
    keys_BxMxK = jnp.where(mask_BxM[..., None], keys_BxMxK, jnp.finfo(keys_BxMxK.dtype).min)
  kbar_BxMxK = jax.nn.softmax(keys_BxMxK, axis=1)  # normalised over the context positions
  return jnp.einsum('bmk,bmv->bkv', kbar_BxMxK, values_BxMxV)


class LambdaLayer(nn.Module):
  """Multi-query lambda layer: B x N x D -> B x N x D (d = heads * value depth)."""
  heads: int = 4
  key_dim: int = 16
  positions: str = 'relative'
  max_len: int = 128

  @nn.compact
  def __call__(self, x_BxNxD, context_BxMxD=None):
    if self.positions not in POSITIONS:
      raise ValueError(f'lambda positions={self.positions!r} is unknown; use one of {POSITIONS}.')
    d = x_BxNxD.shape[-1]
    if d % self.heads:
      raise ValueError(f'the width {d} must be divisible by heads={self.heads} (d = h v).')
    c_BxMxD = x_BxNxD if context_BxMxD is None else context_BxMxD
    n, m = x_BxNxD.shape[1], c_BxMxD.shape[1]
    if self.positions == 'relative' and max(n, m) > self.max_len:
      raise ValueError(f'length {max(n, m)} > max_len={self.max_len}; raise max_len.')
    v = d // self.heads
    q_BxNxHxK = nn.DenseGeneral((self.heads, self.key_dim), use_bias=False, name='query')(x_BxNxD)
    k_BxMxK = nn.Dense(self.key_dim, use_bias=False, name='key')(c_BxMxD)
    v_BxMxV = nn.Dense(v, use_bias=False, name='value')(c_BxMxD)
    lam_c_BxKxV = content_lambda(k_BxMxK, v_BxMxV)                         # K_bar^T V
    y_BxNxHxV = jnp.einsum('bnhk,bkv->bnhv', q_BxNxHxK, lam_c_BxKxV)       # (lambda^c)^T q_n
    if self.positions == 'relative':
      table_RxK = self.param('rel_embedding', nn.initializers.normal(1.0 / self.key_dim ** 0.5),
                             (2 * self.max_len - 1, self.key_dim))
      rel_NxM = jnp.arange(n)[:, None] - jnp.arange(m)[None, :] + self.max_len - 1
      e_NxMxK = table_RxK[rel_NxM]                                          # E_n[m] = e_{n-m}
      lam_p_BxNxKxV = jnp.einsum('nmk,bmv->bnkv', e_NxMxK, v_BxMxV)         # E_n^T V
      y_BxNxHxV = y_BxNxHxV + jnp.einsum('bnhk,bnkv->bnhv', q_BxNxHxK, lam_p_BxNxKxV)
    return y_BxNxHxV.reshape(*y_BxNxHxV.shape[:2], self.heads * v)
