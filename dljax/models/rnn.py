"""Recurrent and temporal-convolution sequence models (seed 002 §1-§2, seed 003 §1.5).

Cells map (carry, x_t) -> (carry, y_t), the signature `nn.scan` and flax's own cells use, so a cell
can be scanned over time (`Recurrent`), stacked, run both ways (`Bidirectional`), or stepped by hand.
Tensors are batch-major: x_BxTxD, h_BxTxH.

Conventions against the libraries (the parity tests in tests/models/test_rnn.py check each mapping):
  LSTM   one affine map W [x_t; h_{t-1}] + b, split four ways in the order (forget, input,
         candidate, output). torch.nn.LSTM stacks (input, forget, candidate, output) in two maps
         W_ih x + b_ih + W_hh h + b_hh; flax's LSTMCell has eight Dense layers ii, if, ig, io (no
         bias) and hi, hf, hg, ho. Same function, different bookkeeping.
  GRU    torch's / flax's / cuDNN's form, reset applied after the recurrent product:
         n = tanh(W_xn x + b_xn + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h.
         (Cho et al. 2014 apply r before it, tanh(W [x; r * h] + b); the notes give no equations.)
"""
import flax.linen as nn
import jax
import jax.numpy as jnp

from dljax.errors import ConfigError
from dljax.models.layers import activation


class UnsharedDeepNet(nn.Module):
  """The notes' strawman before the RNN (seed 002 §1.2): token l enters layer l, no weight sharing.

  a^(l+1) = sigma(W^(l+1) [a^(l); x[l]] + b^(l+1)), a^(0) = 0 (the notes' problem 4: the first
  layer has no previous activation), one (W, b) per position, so it only takes length-T sequences.
  """
  hidden: int = 32
  num_outputs: int = 10
  act: str = 'tanh'

  @nn.compact
  def __call__(self, x, train: bool = False):
    del train
    x_BxTxD = x[..., None] if x.ndim == 2 else x
    a_BxH = jnp.zeros((x_BxTxD.shape[0], self.hidden), x_BxTxD.dtype)
    for t in range(x_BxTxD.shape[1]):
      # a^(t+1) = sigma(W^(t+1) [a^(t); x[t]] + b^(t+1)): a separate layer per token
      a_BxH = activation(self.act)(
          nn.Dense(self.hidden, name=f'layer_{t}')(jnp.concatenate([a_BxH, x_BxTxD[:, t]], -1)))
    return nn.Dense(self.num_outputs, name='head')(a_BxH)


class RNNCell(nn.Module):
  """Seed 003's vanilla cell: i2h and i2o read concat(x_t, h_{t-1}).

  h_t = act(i2h([x_t; h_{t-1}])); y_t = i2o([x_t; h_{t-1}]) when num_outputs > 0, else y_t = h_t.
  The notes' code has no nonlinearity on i2h (a linear recurrence); act='identity' reproduces it,
  the default tanh is torch.nn.RNN's (and seed 002's sigma(W [a; x] + b)).
  """
  hidden: int
  act: str = 'tanh'
  num_outputs: int = 0

  @nn.compact
  def __call__(self, h_BxH, x_BxD):
    combined = jnp.concatenate([x_BxD, h_BxH], axis=-1)
    h_BxH = activation(self.act)(nn.Dense(self.hidden, name='i2h')(combined))  # h_t = act(W [x_t; h_t-1] + b)
    y = nn.Dense(self.num_outputs, name='i2o')(combined) if self.num_outputs else h_BxH
    return h_BxH, y

  @staticmethod
  def zero_carry(batch: int, hidden: int):
    return jnp.zeros((batch, hidden))


def forget_bias_init(hidden: int, forget_bias: float):
  """Initialiser of the LSTM's b: zeros, with forget_bias on the forget block b[:hidden]."""
  def init(key, shape, dtype=jnp.float32):
    del key
    return jnp.zeros(shape, dtype).at[:hidden].set(forget_bias)
  return init


def lstm_update(z_Bx4H, c_BxH):
  """The LSTM's gates from the pre-activation z = W [x_t; h_t-1] + b: (c_t, h_t)."""
  z_f, z_i, z_g, z_o = jnp.split(z_Bx4H, 4, axis=-1)
  f, i, o = nn.sigmoid(z_f), nn.sigmoid(z_i), nn.sigmoid(z_o)  # forget, input, output gates
  g = jnp.tanh(z_g)  # candidate ("what to remember", -1..1)
  c_BxH = f * c_BxH + i * g  # c_t = f * c_t-1 + i * g: the additive memory path
  h_BxH = o * jnp.tanh(c_BxH)  # h_t = o * tanh(c_t)
  return c_BxH, h_BxH


class LSTMCell(nn.Module):
  """LSTM with one affine map on [x_t; h_{t-1}] split into (forget, input, candidate, output).

  forget_bias initialises the forget block of b (1.0: remember by default, Jozefowicz et al. 2015;
  0.0 matches torch / flax initialisation of the bias). carry = (c, h), as flax's cells.
  """
  hidden: int
  forget_bias: float = 1.0

  @nn.compact
  def __call__(self, carry, x_BxD):
    c_BxH, h_BxH = carry
    affine = nn.Dense(4 * self.hidden, bias_init=forget_bias_init(self.hidden, self.forget_bias),
                      name='affine')
    z = affine(jnp.concatenate([x_BxD, h_BxH], axis=-1))  # W [x_t; h_t-1] + b, 4 parts of size H
    c_BxH, h_BxH = lstm_update(z, c_BxH)
    return (c_BxH, h_BxH), h_BxH

  @staticmethod
  def zero_carry(batch: int, hidden: int):
    return jnp.zeros((batch, hidden)), jnp.zeros((batch, hidden))


class _Affine(nn.Module):
  """The parameters of nn.Dense(features) on `fan_in` inputs, returned instead of applied."""
  features: int
  fan_in: int
  bias_init: object

  @nn.compact
  def __call__(self):
    kernel = self.param('kernel', nn.initializers.lecun_normal(), (self.fan_in, self.features))
    return kernel, self.param('bias', self.bias_init, (self.features,))


class HoistedLSTM(nn.Module):
  """`LSTMCell` scanned over time with the input half of its affine map taken out of the loop.

  W [x_t; h_t-1] + b = (x_t W_x + b) + h_t-1 W_h with W_x = W[:D], W_h = W[D:]: the first term does
  not depend on the recurrence, so it is one (B*T x D) @ (D x 4H) product for all t before the scan
  (what cuDNN's and torch's fused LSTMs do); only h_t-1 W_h stays inside. Same parameters as the
  scanned LSTMCell (`affine/kernel`, `affine/bias`), same function: tests/models/test_rnn.py checks
  values and gradients against it. carry = (c, h); returns (carry_T, h_BxTxH).
  """
  hidden: int
  forget_bias: float = 1.0
  reverse: bool = False
  unroll: int = 1

  @nn.compact
  def __call__(self, carry, x_BxTxD):
    d = x_BxTxD.shape[-1]
    kernel, bias = _Affine(4 * self.hidden, d + self.hidden,
                           forget_bias_init(self.hidden, self.forget_bias), name='affine')()
    zx_TxBx4H = jnp.einsum('btd,dk->tbk', x_BxTxD, kernel[:d]) + bias[None, None]  # all x_t W_x + b
    w_h = kernel[d:]

    def step(carry, zx_Bx4H):
      c_BxH, h_BxH = carry
      c_BxH, h_BxH = lstm_update(zx_Bx4H + h_BxH @ w_h, c_BxH)
      return (c_BxH, h_BxH), h_BxH

    carry, h_TxBxH = jax.lax.scan(step, carry, zx_TxBx4H, reverse=self.reverse,
                                  unroll=self.unroll)
    return carry, jnp.swapaxes(h_TxBxH, 0, 1)


class GRUCell(nn.Module):
  """GRU: reset and update gates from one affine map on [x_t; h_{t-1}], no separate memory cell.

  r, z = sigma(W_g [x_t; h_t-1] + b_g); n = tanh(W_xn x_t + b_xn + r * (W_hn h_t-1 + b_hn));
  h_t = (1 - z) * n + z * h_t-1  (torch's / flax's form: see the module docstring).
  """
  hidden: int

  @nn.compact
  def __call__(self, h_BxH, x_BxD):
    gates = nn.Dense(2 * self.hidden, name='gates')(jnp.concatenate([x_BxD, h_BxH], axis=-1))
    r, z = jnp.split(nn.sigmoid(gates), 2, axis=-1)  # reset gate, update gate
    n = jnp.tanh(nn.Dense(self.hidden, name='xn')(x_BxD)
                 + r * nn.Dense(self.hidden, name='hn')(h_BxH))  # candidate activation
    h_BxH = (1.0 - z) * n + z * h_BxH  # h_t = (1 - z) n + z h_t-1
    return h_BxH, h_BxH

  @staticmethod
  def zero_carry(batch: int, hidden: int):
    return jnp.zeros((batch, hidden))


CELLS = {'rnn': RNNCell, 'lstm': LSTMCell, 'gru': GRUCell}


def _cell_class(name: str):
  if name not in CELLS:
    raise ValueError(f'cell={name!r} is unknown; use one of {sorted(CELLS)}.')
  return CELLS[name]


class Recurrent(nn.Module):
  """A cell scanned over time: x_BxTxD -> (final carry, every output y_BxTxH).

  reverse=True runs from t = T down to 1; the outputs stay at their positions (y[:, t] read x[:, t:]).
  cell_kwargs: extra fields of the cell (act, forget_bias) as a tuple of (name, value) pairs.
  impl: 'fast' computes an LSTM's input projections for all t before the loop (`HoistedLSTM`, same
  parameters and function); 'cell' scans the cell as written, one affine map per step (the
  teaching form). Other cells are always scanned as written.
  """
  cell: str = 'gru'
  hidden: int = 32
  reverse: bool = False
  cell_kwargs: tuple = ()
  unroll: int = 1  # time steps per loop iteration of the compiled scan (speed only, same result)
  impl: str = 'fast'

  @nn.compact
  def __call__(self, x_BxTxD, carry=None):
    cls = _cell_class(self.cell)
    if self.impl not in ('fast', 'cell'):
      raise ConfigError(f"impl={self.impl!r} is unknown; use 'fast' or 'cell'.")
    if self.impl == 'fast' and self.cell == 'lstm':
      if carry is None:
        carry = cls.zero_carry(x_BxTxD.shape[0], self.hidden)
      return HoistedLSTM(self.hidden, reverse=self.reverse, unroll=self.unroll, name='cell',
                         **dict(self.cell_kwargs))(carry, x_BxTxD)
    scan = nn.scan(cls, variable_broadcast='params', split_rngs={'params': False},
                   in_axes=1, out_axes=1, reverse=self.reverse, unroll=self.unroll)
    if carry is None:
      carry = cls.zero_carry(x_BxTxD.shape[0], self.hidden)
    return scan(hidden=self.hidden, name='cell', **dict(self.cell_kwargs))(carry, x_BxTxD)


class Bidirectional(nn.Module):
  """Two recurrences, one forward and one reversed; outputs concatenated: y_BxTx2H = [y_fwd; y_bwd]."""
  cell: str = 'gru'
  hidden: int = 32
  cell_kwargs: tuple = ()
  unroll: int = 1
  impl: str = 'fast'

  @nn.compact
  def __call__(self, x_BxTxD):
    carry_f, y_f = Recurrent(self.cell, self.hidden, False, self.cell_kwargs, self.unroll,
                             self.impl, name='forward')(x_BxTxD)
    carry_b, y_b = Recurrent(self.cell, self.hidden, True, self.cell_kwargs, self.unroll,
                             self.impl, name='backward')(x_BxTxD)
    return (carry_f, carry_b), jnp.concatenate([y_f, y_b], axis=-1)


class StackedRNN(nn.Module):
  """`layers` recurrences, each reading the previous one's outputs (optionally bidirectional)."""
  cell: str = 'gru'
  hidden: int = 32
  layers: int = 1
  bidirectional: bool = False
  cell_kwargs: tuple = ()
  unroll: int = 1
  impl: str = 'fast'  # see Recurrent

  @nn.compact
  def __call__(self, x_BxTxD):
    y, carries = x_BxTxD, []
    for l in range(self.layers):
      if self.bidirectional:
        carry, y = Bidirectional(self.cell, self.hidden, self.cell_kwargs, self.unroll, self.impl,
                                 name=f'layer_{l}')(y)
      else:
        carry, y = Recurrent(self.cell, self.hidden, False, self.cell_kwargs, self.unroll,
                             self.impl, name=f'layer_{l}')(y)
      carries.append(carry)
    return tuple(carries), y


class TCN(nn.Module):
  """Temporal convolutional network (seed 003 §1.5): causal dilated 1-D convolutions, dilation 2^l
  in layer l, each layer residual. Receptive field 1 + (kernel - 1)(2^layers - 1) positions."""
  channels: int = 32
  kernel: int = 3
  layers: int = 4
  act: str = 'relu'

  @nn.compact
  def __call__(self, x_BxTxD):
    h = x_BxTxD
    for l in range(self.layers):
      d = 2 ** l
      # causal: pad (kernel - 1) d on the left only, so y[t] reads x[t - (kernel-1) d .. t]
      y = nn.Conv(self.channels, (self.kernel,), kernel_dilation=(d,),
                  padding=[((self.kernel - 1) * d, 0)], name=f'conv_{l}')(h)
      skip = h if h.shape[-1] == self.channels else nn.Dense(self.channels, name=f'skip_{l}')(h)
      h = skip + activation(self.act)(y)  # residual: h_l+1 = h_l + act(conv_dilated(h_l))
    return h

  def receptive_field(self) -> int:
    return 1 + (self.kernel - 1) * (2 ** self.layers - 1)


class SequenceClassifier(nn.Module):
  """Reads a sequence (B x T, one value per step, or B x T x D) and outputs class logits.

  body: 'rnn' | 'lstm' | 'gru' (a StackedRNN of `hidden` units) or 'tcn' (a TCN of `hidden` channels).
  readout: 'last' (the state after the last step; for a bidirectional net [h_fwd(T); h_bwd(1)])
  or 'flatten' (every step's output, flattened, into the linear head: MNIST-1D's reference GRU).
  """
  body: str = 'gru'
  hidden: int = 32
  layers: int = 1
  bidirectional: bool = False
  readout: str = 'last'
  kernel: int = 3
  cell_kwargs: tuple = ()
  unroll: int = 1  # scan steps per loop iteration (4 is ~3x faster than 1 on a 2-core CPU)
  num_outputs: int = 10

  def __post_init__(self):
    # checked when the config is built, before anything is compiled
    if self.body not in (*CELLS, 'tcn'):
      raise ConfigError(f'model body={self.body!r} is unknown; use one of {[*CELLS, "tcn"]}.')
    if self.readout not in ('last', 'flatten'):
      raise ConfigError(f"model readout={self.readout!r} is unknown; use 'last' or 'flatten'.")
    super().__post_init__()

  @nn.compact
  def __call__(self, x, train: bool = False):
    del train
    x_BxTxD = x[..., None] if x.ndim == 2 else x
    if self.body == 'tcn':
      y_BxTxH = TCN(self.hidden, self.kernel, self.layers, name='tcn')(x_BxTxD)
      last = y_BxTxH[:, -1]
    else:
      _, y_BxTxH = StackedRNN(self.body, self.hidden, self.layers, self.bidirectional,
                              self.cell_kwargs, self.unroll, name='rnn')(x_BxTxD)
      if self.bidirectional:  # forward half at the last step, backward half at the first
        last = jnp.concatenate([y_BxTxH[:, -1, :self.hidden], y_BxTxH[:, 0, self.hidden:]], -1)
      else:
        last = y_BxTxH[:, -1]
    features = last if self.readout == 'last' else y_BxTxH.reshape(y_BxTxH.shape[0], -1)
    return nn.Dense(self.num_outputs, name='head')(features)


def unroll_loop(cell: nn.Module, params, carry, x_BxTxD):
  """The python-loop twin of `Recurrent`: steps `cell` (with its params) over time, one call per t."""
  ys = []
  for t in range(x_BxTxD.shape[1]):
    carry, y = cell.apply({'params': params}, carry, x_BxTxD[:, t])
    ys.append(y)
  return carry, jnp.stack(ys, axis=1)



class RecurrentLM(nn.Module):
  """Character-level recurrent language model (char-rnn): embed -> stacked RNN -> logits.

  p(x_t | x_<t) = softmax(W_o h_t), h_t = StackedRNN(E x_<=t). Same interface as
  dljax.models.transformer.LM's __call__ (tokens_BxT -> logits_BxTxV); samples are drawn by
  recomputing the window (the LM task does that for any model without a decode_step).
  """
  vocab_size: int
  embed: int = 64
  hidden: int = 256
  layers: int = 2
  cell: str = 'lstm'
  dropout: float = 0.0
  unroll: int = 1
  impl: str = 'fast'  # 'cell': the LSTM stepped as written (see Recurrent)

  @nn.compact
  def __call__(self, tokens_BxT, train: bool = False):
    x = nn.Embed(self.vocab_size, self.embed, name='embed')(tokens_BxT)
    _, h = StackedRNN(self.cell, self.hidden, self.layers, unroll=self.unroll, impl=self.impl,
                      name='rnn')(x)
    h = nn.Dropout(self.dropout, deterministic=not train)(h)
    return nn.Dense(self.vocab_size, name='out')(h)
