"""Recurrent encoder-decoder (Sutskever et al. 2014) with attention (Bahdanau et al. 2015; Luong et al. 2015).

  encoder:   h_s = LSTM(h_{s-1}, E x_s)   (or [h_fwd; h_bwd] with a bidirectional encoder)
  decoder:   d_t = LSTM(d_{t-1}, [E y_{t-1}; a~_{t-1}])       input feeding (Luong)
  scores:    e_ts = d_t . h_s                   'dot' (Luong)
                    d_t^T W h_s                 'general' (Luong)
                    v^T tanh(W_q d_t + W_k h_s) 'additive' (Bahdanau)
  alignment: alpha_ts = softmax_s(e_ts) over the real (non-PAD) source positions
  context:   c_t = sum_s alpha_ts h_s;   a~_t = tanh(W_c [c_t; d_t]);   p(y_t) = softmax(W_o a~_t)
Without attention (attention='none') the decoder sees the source only through its initial state,
the encoder's final state: the fixed-size bottleneck that attention removes.

PAD positions of the source never update the encoder state (the recurrence keeps its carry), so
the final state is the state after the last real token in both directions.
"""
import flax.linen as nn
import jax
import jax.numpy as jnp

from dljax.data import text as text_lib
from dljax.models.rnn import LSTMCell

ATTENTIONS = ('none', 'dot', 'general', 'additive')


class _MaskedLSTM(nn.Module):
  """One LSTM step that leaves the carry unchanged where m_t = 0 (padding)."""
  hidden: int

  @nn.compact
  def __call__(self, carry, xm):
    x_BxD, m_B = xm
    new, h_BxH = LSTMCell(self.hidden, name='cell')(carry, x_BxD)
    carry = jax.tree.map(lambda n, o: jnp.where(m_B[:, None], n, o), new, carry)
    return carry, h_BxH * m_B[:, None]


class Encoder(nn.Module):
  hidden: int
  bidirectional: bool = False

  @nn.compact
  def __call__(self, x_BxSxD, m_BxS):
    def run(reverse, name):
      scan = nn.scan(_MaskedLSTM, variable_broadcast='params', split_rngs={'params': False},
                     in_axes=1, out_axes=1, reverse=reverse)
      zero = LSTMCell.zero_carry(x_BxSxD.shape[0], self.hidden)
      return scan(self.hidden, name=name)(zero, (x_BxSxD, m_BxS))
    (c, h), states = run(False, 'forward')
    if not self.bidirectional:
      return states, (c, h)
    (cb, hb), states_b = run(True, 'backward')
    return jnp.concatenate([states, states_b], -1), (jnp.concatenate([c, cb], -1),
                                                     jnp.concatenate([h, hb], -1))


class Attention(nn.Module):
  """alpha_BxS = softmax over the source of score(d_t, h_s); returns (c_t, alpha)."""
  kind: str
  dim: int

  @nn.compact
  def __call__(self, d_BxH, keys_BxSxK, states_BxSxE, m_BxS):
    if self.kind == 'additive':   # v^T tanh(W_q d + W_k h); W_k h precomputed in `keys`
      e = nn.Dense(1, use_bias=False, name='v')(
          jnp.tanh(nn.Dense(self.dim, name='W_q')(d_BxH)[:, None] + keys_BxSxK))[..., 0]
    else:                         # dot: d . h;  general: d^T (W h)
      e = jnp.einsum('bh,bsh->bs', d_BxH, keys_BxSxK)
    e = jnp.where(m_BxS, e, jnp.finfo(e.dtype).min)
    alpha_BxS = jax.nn.softmax(e, axis=-1)
    return jnp.einsum('bs,bse->be', alpha_BxS, states_BxSxE), alpha_BxS


class DecoderStep(nn.Module):
  """One decoder step: (carry, y_{t-1}) -> (carry, logits_t, alpha_t); carry = (c, h, a~)."""
  tgt_vocab: int
  hidden: int
  attention: str = 'additive'

  @nn.compact
  def __call__(self, carry, emb_BxD, keys_BxSxK, states_BxSxE, m_BxS):
    c, h, feed = carry
    x = jnp.concatenate([emb_BxD, feed], -1) if self.attention != 'none' else emb_BxD
    (c, h), d_BxH = LSTMCell(self.hidden, name='lstm')((c, h), x)
    if self.attention == 'none':
      out, alpha = d_BxH, jnp.zeros(m_BxS.shape)
    else:
      ctx, alpha = Attention(self.attention, self.hidden, name='attention')(
          d_BxH, keys_BxSxK, states_BxSxE, m_BxS)
      out = jnp.tanh(nn.Dense(self.hidden, name='W_c')(jnp.concatenate([ctx, d_BxH], -1)))
    logits = nn.Dense(self.tgt_vocab, name='W_o')(out)
    return (c, h, out if self.attention != 'none' else feed), (logits, alpha)


class Seq2SeqLSTM(nn.Module):
  src_vocab: int
  tgt_vocab: int
  embed: int = 64
  hidden: int = 128
  attention: str = 'additive'
  bidirectional: bool = True
  max_len: int = 32
  dropout: float = 0.0
  pad_id: int = text_lib.PAD
  sow_weights: bool = False

  def setup(self):
    if self.attention not in ATTENTIONS:
      raise ValueError(f'model.attention={self.attention!r} is unknown; use one of {ATTENTIONS}.')
    self.src_embed = nn.Embed(self.src_vocab, self.embed)
    self.tgt_embed = nn.Embed(self.tgt_vocab, self.embed)
    if self.bidirectional and self.hidden % 2:
      raise ValueError(f'a bidirectional encoder needs an even model.hidden; got {self.hidden}.')
    # h_s has the decoder's width: H, or H/2 per direction when bidirectional
    self.encoder = Encoder(self.hidden // 2 if self.bidirectional else self.hidden,
                           self.bidirectional)
    # keys: h_s ('dot'), W h_s ('general') or the W_k h_s term of 'additive'
    self.key_proj = nn.Dense(self.hidden, use_bias=False)
    self.bridge_c, self.bridge_h = nn.Dense(self.hidden), nn.Dense(self.hidden)
    self.step = DecoderStep(self.tgt_vocab, self.hidden, self.attention)
    self.drop = nn.Dropout(self.dropout)

  def encode(self, src_BxS, train: bool = False):
    m = src_BxS != self.pad_id
    states, (c, h) = self.encoder(self.drop(self.src_embed(src_BxS), deterministic=not train), m)
    # decoder's initial state from the encoder's final state: d_0 = tanh(W [h_fwd_T; h_bwd_1])
    carry = (jnp.tanh(self.bridge_c(c)), jnp.tanh(self.bridge_h(h)),
             jnp.zeros((src_BxS.shape[0], self.hidden)))
    keys = states if self.attention in ('dot', 'none') else self.key_proj(states)
    return {'states': states, 'keys': keys, 'mask': m, 'carry': carry}

  def __call__(self, src_BxS, tgt_in_BxT, train: bool = False):
    """Teacher forcing: logits for every target position, B x T x V."""
    enc = self.encode(src_BxS, train)
    emb = self.drop(self.tgt_embed(tgt_in_BxT), deterministic=not train)
    scan = nn.scan(lambda mod, carry, e, k, s, m: mod(carry, e, k, s, m),
                   variable_broadcast='params', split_rngs={'params': False},
                   in_axes=(1, nn.broadcast, nn.broadcast, nn.broadcast), out_axes=1)
    _, (logits, alpha) = scan(self.step, enc['carry'], emb, enc['keys'], enc['states'], enc['mask'])
    if self.sow_weights:
      self.sow('intermediates', 'alignment', alpha)        # B x T x S
    return logits

  def decode_step(self, cache, token_B, t):
    del t
    carry, (logits, _) = self.step(cache['carry'], self.tgt_embed(token_B), cache['keys'], cache['states'],
                                   cache['mask'])
    return jax.nn.log_softmax(logits), dict(cache, carry=carry)

  def empty_cache(self, enc, src_BxS):
    del src_BxS
    return enc

  @staticmethod
  def cross_attention_maps(intermediates):
    return intermediates['alignment'][0]
