"""Combining the words of a sequence into one input vector (seed 001 §1.7, Goldberg ch. 10; seed 003
§1.7), then one MLP classifier:

  one-hot       e(w) = 1_w ∈ {0,1}^V            (orthogonal, bijective)
  learned       e(w) = E[w],  E ∈ R^{V×D}
  concatenation x = [e(w_1); e(w_2); ...; e(w_T)] ∈ R^{T·dim}   keeps the position of every word
  sum (BOW)     x = Σ_t e(w_t)                   the bag of words: invariant to any permutation of
                                                 the words, so it "destroys information about sequence"
  mean          x = (1/T) Σ_t e(w_t)             the same bag, rescaled

  logits = W_2 relu(W_1 x + b_1) + b_2

`combine(e_BxTxD, how)` is the pure function; `CombineMLP` the classifier (dim = 0: one-hot inputs).
"""
import flax.linen as nn
import jax
import jax.numpy as jnp

COMBINE = ('concat', 'sum', 'mean')


def combine(e_BxTxD, how: str):
  """One vector per sequence from its word vectors: concat [B, T·D], sum or mean [B, D]."""
  if how == 'concat':
    return e_BxTxD.reshape(e_BxTxD.shape[0], -1)
  if how == 'sum':
    return e_BxTxD.sum(axis=1)
  if how == 'mean':
    return e_BxTxD.mean(axis=1)
  raise ValueError(f'combine={how!r} does not exist; use one of {COMBINE}.')


class CombineMLP(nn.Module):
  """Token ids [B, T] -> logits [B, num_classes] through e(w), combine and a 1-hidden-layer MLP."""
  vocab_size: int
  how: str = 'concat'
  dim: int = 0          # 0: one-hot vectors; > 0: a learned embedding table of this width
  hidden: int = 64
  num_classes: int = 2

  @nn.compact
  def __call__(self, tokens_BxT):
    if self.dim:
      e_BxTxD = nn.Embed(self.vocab_size, self.dim)(tokens_BxT)          # E[w_t]
    else:
      e_BxTxD = jax.nn.one_hot(tokens_BxT, self.vocab_size)              # 1_{w_t}
    x = combine(e_BxTxD, self.how)
    h = nn.relu(nn.Dense(self.hidden)(x))
    return nn.Dense(self.num_classes)(h)
