"""BERT (Devlin et al. 2019): a bidirectional post-norm Transformer encoder pretrained with a masked
language model (MLM) and next-sentence prediction (NSP), then fine-tuned as a classifier.

  input  [CLS] A_1 .. A_n [SEP] B_1 .. B_m [SEP] [PAD] ..       segment ids 0 .. 0 1 .. 1 0 ..
  h_0 = LN(E_tok[x_t] + E_seg[s_t] + P_t)                        learned positions P (L x D)
  h_l = Block_l(h_{l-1}), post-norm: x = LN(x + Sublayer(x))     no causal mask; keys that are
                                                                 [PAD] are never attended
  MLM:  p(x_t | x_masked) = softmax(E_tok LN(GELU(W h_t)) + b)   output tied to the token embedding
  pooled = tanh(W_p h_[CLS])                                     the pooler on [CLS]
  NSP:  p(IsNext | A, B) = softmax(W_nsp pooled)                 2 classes
  fine-tuning: softmax(W_cls dropout(pooled))                    K classes

`BertPretrain` and `BertClassifier` share one submodule named 'encoder' (embeddings, blocks and
pooler), so a pretraining checkpoint initialises the classifier with init_from.keys='encoder'.

Conventions: the embedding and MLM LayerNorms use epsilon 1e-12 (BERT's); the blocks are
transformer.Block, whose LayerNorms use flax's 1e-6 (PyTorch's default: 1e-5). GELU is flax's
nn.gelu, the tanh approximation (BERT's TF code uses it too; PyTorch's nn.GELU() default is exact).
"""
import flax.linen as nn
import jax.numpy as jnp

from dljax.models.transformer import Block

PAD_ID = 0  # [PAD]; the data (dljax.data.mlm) fixes [PAD] [CLS] [SEP] [MASK] = 0 1 2 3


class BertSizes(nn.Module):
  """The sizes every BERT module shares (the encoder's, and the heads' that wrap one)."""
  vocab_size: int
  d_model: int = 128
  num_heads: int = 4
  num_layers: int = 2
  mlp_ratio: int = 4
  max_len: int = 64
  dropout: float = 0.1


class BertEncoder(BertSizes):
  """Embeddings (token + segment + learned position, LN, dropout), post-norm blocks, pooler."""
  num_segments: int = 2

  def setup(self):
    if self.d_model % self.num_heads:
      raise ValueError(f'd_model={self.d_model} must be divisible by num_heads={self.num_heads}.')
    init = nn.initializers.normal(0.02)
    self.tokens = nn.Embed(self.vocab_size, self.d_model, embedding_init=init)
    self.segments = nn.Embed(self.num_segments, self.d_model, embedding_init=init)
    self.pos = self.param('pos_embedding', init, (self.max_len, self.d_model))
    self.ln_embed = nn.LayerNorm(epsilon=1e-12)
    self.drop = nn.Dropout(self.dropout)
    self.blocks = [Block(self.num_heads, self.mlp_ratio * self.d_model, self.dropout,
                         prenorm=False, name=f'block{i + 1}') for i in range(self.num_layers)]
    self.pooler = nn.Dense(self.d_model)

  def __call__(self, tokens_BxT, segments_BxT=None, train: bool = False):
    """(h B x T x D, pooled B x D)."""
    t = tokens_BxT.shape[1]
    if t > self.max_len:
      raise ValueError(f'sequence length {t} > model.max_len={self.max_len}; raise max_len or '
                       'shorten data.max_len.')
    if segments_BxT is None:
      segments_BxT = jnp.zeros_like(tokens_BxT)
    # h_0 = LN(E_tok[x] + E_seg[s] + P)
    x = self.tokens(tokens_BxT) + self.segments(segments_BxT) + self.pos[None, :t]
    h_BxTxD = self.drop(self.ln_embed(x), deterministic=not train)
    mask_Bx1x1xT = (tokens_BxT != PAD_ID)[:, None, None, :]   # never attend to [PAD]
    for block in self.blocks:
      h_BxTxD = block(h_BxTxD, mask=mask_Bx1x1xT, train=train)
    pooled_BxD = jnp.tanh(self.pooler(h_BxTxD[:, 0]))          # tanh(W_p h_[CLS])
    return h_BxTxD, pooled_BxD

  def logits(self, h_BxTxD):
    """h E_tok^T: the output layer tied to the token embedding."""
    return self.tokens.attend(h_BxTxD)


def _encoder(m):
  return BertEncoder(m.vocab_size, m.d_model, m.num_heads, m.num_layers, m.mlp_ratio, m.max_len,
                     m.dropout, name='encoder')


class BertPretrain(BertSizes):
  """Encoder + MLM head (dense-GELU-LN, tied output + bias) + NSP head on the pooled [CLS]."""

  def setup(self):
    self.encoder = _encoder(self)
    self.mlm_dense = nn.Dense(self.d_model)
    self.mlm_ln = nn.LayerNorm(epsilon=1e-12)
    self.mlm_bias = self.param('mlm_bias', nn.initializers.zeros, (self.vocab_size,))
    self.nsp = nn.Dense(2)

  def __call__(self, tokens_BxT, segments_BxT=None, train: bool = False):
    """(MLM logits B x T x V, NSP logits B x 2)."""
    h_BxTxD, pooled_BxD = self.encoder(tokens_BxT, segments_BxT, train)
    z_BxTxD = self.mlm_ln(nn.gelu(self.mlm_dense(h_BxTxD)))          # LN(GELU(W h))
    mlm_BxTxV = self.encoder.logits(z_BxTxD) + self.mlm_bias[None, None]  # E_tok z + b
    return mlm_BxTxV, self.nsp(pooled_BxD)


class BertClassifier(BertSizes):
  """Encoder + a K-way softmax head on the pooled [CLS] (fine-tuning)."""
  num_classes: int = 2

  def setup(self):
    self.encoder = _encoder(self)
    self.drop = nn.Dropout(self.dropout)
    self.head = nn.Dense(self.num_classes)

  def __call__(self, tokens_BxT, train: bool = False):
    _, pooled_BxD = self.encoder(tokens_BxT, None, train)
    return self.head(self.drop(pooled_BxD, deterministic=not train))
