"""The Transformer (Vaswani et al. 2017): a decoder-only language model (GPT) and an encoder-decoder.

  Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V                 dljax.models.attention
  PE(t, 2i) = sin(t / 10000^(2i/d)),  PE(t, 2i+1) = cos(t / 10000^(2i/d)),  i = 0 .. d/2-1
      (Vaswani's indexing; the notes index i = 1 .. d/2, which shifts every wavelength by one step)
  post-norm (the paper):    x = LN(x + Sublayer(x))
  pre-norm (GPT-2, default): x = x + Sublayer(LN(x)), and a final LN before the output layer

Decoding one token at a time uses a KV-cache: each self-attention layer keeps the keys and values
of the positions generated so far (B x max_len x H x D), so step t costs O(t) instead of
recomputing the whole prefix. `LM.decode_step` and `EncoderDecoder.decode_step` have the signature
that dljax.models.decoding expects once their parameters are bound (see `step_fn`).

Reference sizes, chosen with `model.size` (the rows set the architecture; the vocabulary and
context come from the data, and the published counts use the constants below):
  GPT3_SIZES (LM; Brown et al. 2020 Table 2.1, n_ctx 2048, BPE vocabulary 50257, d_ff = 4 d_model,
    tied input/output embedding, learned positions, pre-norm): small 125M ... 175B. Erratum (E7):
    the paper's table lists d_model = 5140 for 13B; 40 heads x d_head 128 = 5120, the value used.
    XL: the table lists 24 heads x d_head 128 with d_model 2048 (24 x 128 = 3072); the row keeps
    d_model 2048 and d_head 128, so 16 heads (the parameter count does not depend on the split).
    N = L (12 d^2 + 13 d) + (V + n_ctx) d + 2 d; GPT-3's alternating dense / locally banded sparse
    attention layers change no parameter.
  VASWANI_SIZES (EncoderDecoder; Vaswani et al. 2017 Table 3): base d 512, 8 heads x 64, 6 + 6
    layers, d_ff 2048, 65M; big d 1024, 16 heads, d_ff 4096, 213M; post-norm, sinusoidal positions
    and one embedding shared by source, target and the pre-softmax layer (`share_embeddings`) over
    the paper's shared WMT En-De vocabulary of ~37000 BPE tokens. dljax's FFN uses GELU where the
    paper uses ReLU (no parameter differs).

GELU is flax's `nn.gelu`, whose default is the tanh approximation
0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))); PyTorch's `nn.GELU()` defaults to the exact
x Phi(x) (erf), up to 4.7e-4 away (torch's `approximate='tanh'` agrees to 5e-7).
LayerNorm is flax's `nn.LayerNorm`, epsilon 1e-6; PyTorch's `nn.LayerNorm` defaults to 1e-5, which
changes the output where a row's variance is near 1e-6 (a torch twin must pass eps=1e-6).
"""
from typing import Optional

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from dljax.models.attention import MultiHeadAttention, causal_mask

POSITIONS = ('learned', 'sinusoidal', 'none')

# GPT-3 (Brown et al. 2020, Table 2.1): the published counts use n_ctx 2048 and vocabulary 50257
GPT3_CONTEXT, GPT3_VOCAB = 2048, 50257
_GPT3 = dict(mlp_ratio=4, positions='learned', prenorm=True)
GPT3_SIZES = {   # published n_params in the key's comment; d_head = d_model / num_heads
    'small': dict(d_model=768, num_heads=12, num_layers=12, **_GPT3),     # 125M, d_head 64
    'medium': dict(d_model=1024, num_heads=16, num_layers=24, **_GPT3),   # 350M, 64
    'large': dict(d_model=1536, num_heads=16, num_layers=24, **_GPT3),    # 760M, 96
    'xl': dict(d_model=2048, num_heads=16, num_layers=24, **_GPT3),       # 1.3B, 128 (table: 24 heads)
    '2.7B': dict(d_model=2560, num_heads=32, num_layers=32, **_GPT3),     # 2.7B, 80
    '6.7B': dict(d_model=4096, num_heads=32, num_layers=32, **_GPT3),     # 6.7B, 128
    '13B': dict(d_model=5120, num_heads=40, num_layers=40, **_GPT3),      # 13.0B, 128 (E7: not 5140)
    '175B': dict(d_model=12288, num_heads=96, num_layers=96, **_GPT3),    # 175.0B, 128
}
# Vaswani et al. (2017), Table 3: a shared source/target vocabulary of about 37000 BPE tokens
VASWANI_VOCAB = 37000
_VASWANI = dict(num_layers=6, mlp_ratio=4, positions='sinusoidal', prenorm=False,
                share_embeddings=True)
VASWANI_SIZES = {
    'base': dict(d_model=512, num_heads=8, **_VASWANI),     # 65M
    'big': dict(d_model=1024, num_heads=16, **_VASWANI),    # 213M
}


def sinusoidal_positions(length: int, dim: int) -> np.ndarray:
  """L x D table, PE[t, 2i] = sin(t / 10000^(2i/D)), PE[t, 2i+1] = cos(t / 10000^(2i/D))."""
  if dim % 2:
    raise ValueError(f'sinusoidal positions need an even width; got d_model={dim}.')
  t = np.arange(length, dtype=np.float64)[:, None]
  inv_wavelength = 1.0 / 10000 ** (np.arange(0, dim, 2, dtype=np.float64) / dim)  # 10000^(-2i/D)
  pe = np.zeros((length, dim))
  pe[:, 0::2] = np.sin(t * inv_wavelength)
  pe[:, 1::2] = np.cos(t * inv_wavelength)
  return pe.astype(np.float32)


class Embed(nn.Module):
  """Token embedding (scaled by sqrt(d) for sinusoidal positions, as in the paper) + positions."""
  vocab_size: int
  d_model: int
  max_len: int
  positions: str = 'learned'

  def setup(self):
    if self.positions not in POSITIONS:
      raise ValueError(f'model.positions={self.positions!r} is unknown; use one of {POSITIONS}.')
    self.tokens = nn.Embed(self.vocab_size, self.d_model,
                           embedding_init=nn.initializers.normal(0.02))
    if self.positions == 'learned':
      self.pos = self.param('pos_embedding', nn.initializers.normal(0.02),
                            (self.max_len, self.d_model))

  def __call__(self, tokens_BxT, offset=0):
    x = self.tokens(tokens_BxT)
    t = tokens_BxT.shape[1]
    if self.positions == 'none':
      return x
    if self.positions == 'learned':
      table = self.pos
    else:
      x = x * jnp.sqrt(self.d_model).astype(x.dtype)
      table = jnp.asarray(sinusoidal_positions(self.max_len, self.d_model))
    return x + jax.lax.dynamic_slice_in_dim(table, offset, t)[None]

  def logits(self, h_BxTxD):
    """Output layer tied to the token embedding: logits = h E^T."""
    return self.tokens.attend(h_BxTxD)


class FeedForward(nn.Module):
  """FFN(x) = W_2 GELU(W_1 x + b_1) + b_2, applied to every position."""
  mlp_dim: int
  dropout: float = 0.0

  @nn.compact
  def __call__(self, x_BxTxD, train: bool = False):
    h = nn.gelu(nn.Dense(self.mlp_dim, name='fc1')(x_BxTxD))
    h = nn.Dense(x_BxTxD.shape[-1], name='fc2')(h)
    return nn.Dropout(self.dropout, deterministic=not train)(h)


NORMS = ('layer', 'batch')


class Block(nn.Module):
  """Self-attention [, cross-attention], feed-forward: each a residual sublayer, pre- or post-norm.

  `cache` (incremental decoding) is {'k', 'v': B x max_len x H x D} and `index` the position of
  the first new token; with them the block returns (x, new_cache).

  Ablations (defaults: the standard block): `residual=False` drops the skip connections,
  x = Sublayer(N(x)) (pre-norm) or N(Sublayer(x)) (post-norm); `norm='batch'` replaces LayerNorm
  (per position, over the D features) by BatchNorm (per feature, over the B x T positions of the
  batch; running averages at eval), the notes' "add & norm" with BN (the erratum: LN is the
  standard); `scaling` is the attention logit factor (dljax.models.attention.SCALINGS).
  """
  num_heads: int
  mlp_dim: int
  dropout: float = 0.0
  prenorm: bool = True
  cross: bool = False
  sow_weights: bool = False
  residual: bool = True
  norm: str = 'layer'
  scaling: str = 'sqrt'

  @nn.compact
  def __call__(self, x_BxTxD, mask=None, enc_BxSxD=None, enc_mask=None, cache=None, index=None,
               train: bool = False):
    if self.norm not in NORMS:
      raise ValueError(f'Block norm={self.norm!r} is unknown; use one of {NORMS}.')
    if self.norm == 'batch' and cache is not None:
      raise ValueError("norm='batch' mixes positions through the batch statistics; incremental "
                       "decoding with a KV-cache needs norm='layer'.")
    d = x_BxTxD.shape[-1]
    drop = nn.Dropout(self.dropout, deterministic=not train)

    def normalize(x, name):
      if self.norm == 'layer':   # over the D features of each position
        return nn.LayerNorm(name=f'ln_{name}')(x)
      # over the B x T positions of each feature (batch statistics in training)
      return nn.BatchNorm(use_running_average=not train, momentum=0.9, name=f'bn_{name}')(x)

    def sublayer(x, name, fn):
      skip = x if self.residual else 0.0
      if self.prenorm:                       # x + Sublayer(LN(x))
        return skip + drop(fn(normalize(x, name)))
      return normalize(skip + drop(fn(x)), name)   # LN(x + Sublayer(x))

    self_attn = MultiHeadAttention(self.num_heads, d_model=d, sow_weights=self.sow_weights,
                                   scaling=self.scaling, name='self_attention')
    new_cache = None

    def attend_self(h):
      nonlocal new_cache
      if cache is None:
        return self_attn(h, mask=mask)
      out, new_cache = self_attn(h, cache=cache, cache_index=index)
      return out

    x_BxTxD = sublayer(x_BxTxD, 'self', attend_self)
    if self.cross:
      cross_attn = MultiHeadAttention(self.num_heads, d_model=d, sow_weights=self.sow_weights,
                                      scaling=self.scaling, name='cross_attention')
      x_BxTxD = sublayer(x_BxTxD, 'cross', lambda h: cross_attn(h, enc_BxSxD, mask=enc_mask))
    x_BxTxD = sublayer(x_BxTxD, 'ffn', lambda h: FeedForward(self.mlp_dim, self.dropout,
                                                             name='ffn')(h, train))
    return x_BxTxD if cache is None else (x_BxTxD, new_cache)


def init_cache(batch: int, max_len: int, num_layers: int, num_heads: int, head_dim: int,
               dtype=jnp.float32):
  """Empty KV-caches, one per self-attention layer."""
  zeros = jnp.zeros((batch, max_len, num_heads, head_dim), dtype)
  return [{'k': zeros, 'v': zeros} for _ in range(num_layers)]


class LM(nn.Module):
  """Decoder-only Transformer language model (GPT): p(x_t | x_<t) with a causal mask.
  `model.size` picks a row of GPT3_SIZES."""
  SIZES = GPT3_SIZES

  vocab_size: int
  d_model: int = 128
  num_heads: int = 4
  num_layers: int = 4
  mlp_ratio: int = 4
  max_len: int = 256
  positions: str = 'learned'
  dropout: float = 0.0
  prenorm: bool = True
  sow_weights: bool = False

  def setup(self):
    if self.d_model % self.num_heads:
      raise ValueError(f'd_model={self.d_model} must be divisible by num_heads={self.num_heads} '
                       '(d_model = h * d_head).')
    self.embed = Embed(self.vocab_size, self.d_model, self.max_len, self.positions)
    self.drop = nn.Dropout(self.dropout)
    self.blocks = [Block(self.num_heads, self.mlp_ratio * self.d_model, self.dropout, self.prenorm,
                         sow_weights=self.sow_weights, name=f'block{i + 1}')
                   for i in range(self.num_layers)]
    self.ln_final = nn.LayerNorm() if self.prenorm else None

  def _out(self, h):
    return self.embed.logits(self.ln_final(h) if self.prenorm else h)

  def __call__(self, tokens_BxT, train: bool = False):
    """Logits B x T x V for every position (teacher forcing: all positions in parallel)."""
    t = tokens_BxT.shape[1]
    if t > self.max_len:
      raise ValueError(f'sequence length {t} > model.max_len={self.max_len}; raise max_len or '
                       'shorten data.block_size.')
    h = self.drop(self.embed(tokens_BxT), deterministic=not train)
    mask = causal_mask(t)
    for block in self.blocks:
      h = block(h, mask=mask, train=train)
    return self._out(h)

  def decode_step(self, caches, token_B, t):
    """One token per sequence at position t, with KV-caches: (log p(. | x_<=t), caches)."""
    h = self.embed(token_B[:, None], offset=t)
    new = []
    for block, cache in zip(self.blocks, caches):
      h, cache = block(h, cache=cache, index=t)
      new.append(cache)
    return jax.nn.log_softmax(self._out(h)[:, 0]), new

  def empty_cache(self, batch: int):
    return init_cache(batch, self.max_len, self.num_layers, self.num_heads,
                      self.d_model // self.num_heads)


class EncoderDecoder(nn.Module):
  """The original Transformer: encoder self-attention, decoder causal self- and cross-attention.

  share_embeddings: one token embedding for source, target and the output layer (the paper's, over
  a shared vocabulary: src_vocab must equal tgt_vocab). `model.size` picks a row of VASWANI_SIZES.
  """
  SIZES = VASWANI_SIZES

  src_vocab: int
  tgt_vocab: int
  d_model: int = 128
  num_heads: int = 4
  num_layers: int = 3
  mlp_ratio: int = 4
  max_len: int = 64
  positions: str = 'sinusoidal'
  dropout: float = 0.0
  prenorm: bool = True
  pad_id: int = 0
  sow_weights: bool = False
  share_embeddings: bool = False

  def setup(self):
    if self.d_model % self.num_heads:
      raise ValueError(f'd_model={self.d_model} must be divisible by num_heads={self.num_heads}.')
    if self.share_embeddings and self.src_vocab != self.tgt_vocab:
      raise ValueError(f'model.share_embeddings needs one vocabulary; got src_vocab={self.src_vocab}'
                       f' and tgt_vocab={self.tgt_vocab}: set them equal or share_embeddings=False.')
    if self.share_embeddings:  # one table E: source embedding, target embedding, logits = h E^T
      self.tgt_embed = Embed(self.tgt_vocab, self.d_model, self.max_len, self.positions)
      self.src_embed = self.tgt_embed
    else:
      self.src_embed = Embed(self.src_vocab, self.d_model, self.max_len, self.positions)
      self.tgt_embed = Embed(self.tgt_vocab, self.d_model, self.max_len, self.positions)
    self.drop = nn.Dropout(self.dropout)
    mlp = self.mlp_ratio * self.d_model
    self.encoder = [Block(self.num_heads, mlp, self.dropout, self.prenorm,
                          sow_weights=self.sow_weights, name=f'enc{i + 1}')
                    for i in range(self.num_layers)]
    self.decoder = [Block(self.num_heads, mlp, self.dropout, self.prenorm, cross=True,
                          sow_weights=self.sow_weights, name=f'dec{i + 1}')
                    for i in range(self.num_layers)]
    if self.prenorm:
      self.enc_ln, self.dec_ln = nn.LayerNorm(), nn.LayerNorm()

  def src_mask(self, src_BxS):
    """Keys that are padding are never attended: B x 1 x 1 x S."""
    return (src_BxS != self.pad_id)[:, None, None, :]

  def encode(self, src_BxS, train: bool = False):
    h = self.drop(self.src_embed(src_BxS), deterministic=not train)
    mask = self.src_mask(src_BxS)
    for block in self.encoder:
      h = block(h, mask=mask, train=train)
    return self.enc_ln(h) if self.prenorm else h

  def decode(self, enc_BxSxD, src_BxS, tgt_in_BxT, train: bool = False):
    h = self.drop(self.tgt_embed(tgt_in_BxT), deterministic=not train)
    mask, enc_mask = causal_mask(tgt_in_BxT.shape[1]), self.src_mask(src_BxS)
    for block in self.decoder:
      h = block(h, mask=mask, enc_BxSxD=enc_BxSxD, enc_mask=enc_mask, train=train)
    return self.tgt_embed.logits(self.dec_ln(h) if self.prenorm else h)

  def __call__(self, src_BxS, tgt_in_BxT, train: bool = False):
    """Teacher forcing: logits for every target position given the shifted-right target."""
    return self.decode(self.encode(src_BxS, train), src_BxS, tgt_in_BxT, train)

  def decode_step(self, cache, token_B, t):
    """cache = {'enc': B x S x D, 'src': B x S, 'layers': [KV-cache per decoder layer]}."""
    h = self.tgt_embed(token_B[:, None], offset=t)
    enc_mask = self.src_mask(cache['src'])
    new = []
    for block, layer_cache in zip(self.decoder, cache['layers']):
      h, layer_cache = block(h, enc_BxSxD=cache['enc'], enc_mask=enc_mask, cache=layer_cache,
                              index=t)
      new.append(layer_cache)
    logits = self.tgt_embed.logits(self.dec_ln(h) if self.prenorm else h)
    return jax.nn.log_softmax(logits[:, 0]), dict(cache, layers=new)

  def cross_attention_maps(self, intermediates):
    """B x T x S: the last decoder layer's cross-attention weights (sown), mean over heads."""
    return intermediates[f'dec{self.num_layers}']['cross_attention']['attention_weights'][0].mean(1)

  def empty_cache(self, enc_BxSxD, src_BxS):
    layers = init_cache(src_BxS.shape[0], self.max_len, self.num_layers, self.num_heads,
                        self.d_model // self.num_heads, enc_BxSxD.dtype)
    return {'enc': enc_BxSxD, 'src': src_BxS, 'layers': layers}


def step_fn(model: nn.Module, variables):
  """Binds a model's decode_step to its variables: the step_fn of dljax.models.decoding."""
  def fn(cache, token_N, t):
    return model.apply(variables, cache, token_N, t, method=type(model).decode_step)
  return fn


SEQUENCE_POSITIONS = ('learned', 'sinusoidal', 'none', 'index', 'scaled_index', 'concat')


class SequenceTransformer(nn.Module):
  """Transformer encoder classifier for a sequence of values (MNIST-1D read as 40 steps).

  x_t -> h_t = W_e x_t + p_t (a learned position per token), `num_layers` Blocks without a mask,
  the final norm (pre-norm only), the mean over positions, a linear head. With `patch` = P > 1 a
  token is P consecutive steps (B x T x C -> B x T/P x PC, ViT's patches in 1-D): T/P tokens make
  the attention and every dense layer P times cheaper. The Block ablations
  (`residual`, `norm`, `scaling`, `prenorm`) are fields, so a config varies them by override.

  `positions` (p_t for token t = 1..T; seed 001 §1.9 and seed 002 §1.9 name the alternatives):
    learned       a free D-vector per position (the default)
    sinusoidal    Vaswani's PE[t, 2i] = sin(t / 10000^(2i/D)), PE[t, 2i+1] = cos(...)
    none          no positions: with the mean over tokens, the model is permutation invariant
    index         the notes' naive form: add t to every coordinate
    scaled_index  the notes' 10-word variant: add (t - 1) / 10 to every coordinate
    concat        the raw step t concatenated to W_e x_t (W_e maps to D - 1 features)
  """
  d_model: int = 64
  num_heads: int = 2
  num_layers: int = 2
  mlp_ratio: int = 2
  max_len: int = 64
  dropout: float = 0.0
  prenorm: bool = True
  residual: bool = True
  norm: str = 'layer'
  scaling: str = 'sqrt'
  patch: int = 1
  num_outputs: int = 10
  positions: str = 'learned'

  def _embed(self, x_BxTxC, t: int):
    """W_e x_t combined with the position t (see `positions`)."""
    if self.positions not in SEQUENCE_POSITIONS:
      raise ValueError(f'model.positions={self.positions!r} is unknown; use one of '
                       f'{SEQUENCE_POSITIONS}.')
    if self.positions == 'concat':
      step_BxTx1 = jnp.broadcast_to(jnp.arange(1, t + 1, dtype=x_BxTxC.dtype)[None, :, None],
                                    (x_BxTxC.shape[0], t, 1))
      return jnp.concatenate([nn.Dense(self.d_model - 1, name='embed')(x_BxTxC), step_BxTx1], -1)
    h_BxTxD = nn.Dense(self.d_model, name='embed')(x_BxTxC)
    if self.positions == 'learned':
      pos_LxD = self.param('pos_embedding', nn.initializers.normal(0.02),
                           (self.max_len, self.d_model))
      return h_BxTxD + pos_LxD[None, :t]
    if self.positions == 'sinusoidal':
      return h_BxTxD + jnp.asarray(sinusoidal_positions(t, self.d_model))[None]
    index_T = jnp.arange(1, t + 1, dtype=h_BxTxD.dtype)
    if self.positions == 'index':
      return h_BxTxD + index_T[None, :, None]
    if self.positions == 'scaled_index':
      return h_BxTxD + ((index_T - 1) / 10)[None, :, None]
    return h_BxTxD  # none

  @nn.compact
  def __call__(self, x, train: bool = False):
    if self.d_model % self.num_heads:
      raise ValueError(f'd_model={self.d_model} must be divisible by num_heads={self.num_heads}.')
    x_BxTxC = x[..., None] if x.ndim == 2 else x
    b, t, c = x_BxTxC.shape
    if t % self.patch:
      raise ValueError(f'sequence length {t} is not a multiple of model.patch={self.patch}.')
    x_BxTxC = x_BxTxC.reshape(b, t // self.patch, self.patch * c)  # tokens of `patch` steps
    t = t // self.patch
    if t > self.max_len:
      raise ValueError(f'sequence length {t} > model.max_len={self.max_len}; raise max_len.')
    h_BxTxD = self._embed(x_BxTxC, t)
    for i in range(self.num_layers):
      h_BxTxD = Block(self.num_heads, self.mlp_ratio * self.d_model, self.dropout, self.prenorm,
                      residual=self.residual, norm=self.norm, scaling=self.scaling,
                      name=f'block{i + 1}')(h_BxTxD, train=train)
    if self.prenorm:   # the final norm of a pre-norm stack
      if self.norm == 'layer':
        h_BxTxD = nn.LayerNorm(name='ln_final')(h_BxTxD)
      else:
        h_BxTxD = nn.BatchNorm(use_running_average=not train, momentum=0.9,
                               name='bn_final')(h_BxTxD)
    return nn.Dense(self.num_outputs, name='head')(h_BxTxD.mean(axis=1))
