"""Neural Turing Machine (Graves, Wayne & Danihelka 2014) and its LSTM baseline, for per-step tasks.

A controller (an LSTM) talks to a memory M_t (N rows of width M) through heads. Each head emits,
from the controller output h_t, the parameters of its addressing:

  content     w^c_t(i) = softmax_i(beta_t K(k_t, M_t(i))),  K(u, v) = u.v / (|u| |v|)    (eq. 5-6)
  interpolate w^g_t = g_t w^c_t + (1 - g_t) w_{t-1}                                      (eq. 7)
  shift       w~_t(i) = sum_j w^g_t(j) s_t(i - j)   (circular; s_t over offsets -1, 0, +1)  (eq. 8)
  sharpen     w_t(i) = w~_t(i)^gamma_t / sum_j w~_t(j)^gamma_t,  gamma_t >= 1            (eq. 9)

and reads r_t = sum_i w_t(i) M_t(i) (eq. 2) or writes by erase then add (eq. 3-4):
  M_t(i) = M_{t-1}(i) (1 - w_t(i) e_t) + w_t(i) a_t.

Choices the paper leaves open (taken from Collier & Beel 2018, "Implementing Neural Turing
Machines"): the memory starts as a small constant (1e-6), the head weightings start one-hot at row
0, the first read vector is zero. Within a step the write heads act first and the read heads then
read the updated memory, so an input can be read back in the step that stored it. The output is
y_t = W [h_t; r_t] + b (logits; the task applies the sigmoid).
"""
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from dljax.models.rnn import LSTMCell, StackedRNN

SHIFTS = (-1, 0, 1)  # the offsets the shift weighting s_t ranges over


def content_weights(memory_BxNxM, key_BxM, beta_B, eps=1e-8):
  """w^c(i) = softmax_i(beta K(k, M(i))), K the cosine similarity (eq. 5-6)."""
  dot_BxN = jnp.einsum('bnm,bm->bn', memory_BxNxM, key_BxM)
  # |u| as sqrt(|u|^2 + eps): finite gradients at u = 0 (a zero key is possible at t = 1)
  norms_BxN = (jnp.sqrt(jnp.sum(memory_BxNxM ** 2, -1) + eps)
               * jnp.sqrt(jnp.sum(key_BxM ** 2, -1, keepdims=True) + eps))
  cosine_BxN = dot_BxN / norms_BxN
  return jax.nn.softmax(beta_B[:, None] * cosine_BxN, axis=-1)


def interpolate(w_content_BxN, w_prev_BxN, g_B):
  """w^g = g w^c + (1 - g) w_{t-1} (eq. 7): g = 1 is pure content, g = 0 keeps the old focus."""
  return g_B[:, None] * w_content_BxN + (1.0 - g_B[:, None]) * w_prev_BxN


def shift(w_BxN, s_BxS):
  """w~(i) = sum_k s(k) w(i - k) over the offsets k in SHIFTS, indices mod N (eq. 8)."""
  return sum(s_BxS[:, j, None] * jnp.roll(w_BxN, k, axis=-1) for j, k in enumerate(SHIFTS))


def sharpen(w_BxN, gamma_B, eps=1e-12):
  """w(i) = w~(i)^gamma / sum_j w~(j)^gamma (eq. 9), computed in log space for large gamma."""
  return jax.nn.softmax(gamma_B[:, None] * jnp.log(w_BxN + eps), axis=-1)


def address(memory_BxNxM, w_prev_BxN, key_BxM, beta_B, g_B, s_BxS, gamma_B):
  """The whole addressing pipeline: content -> interpolation -> shift -> sharpening."""
  w = content_weights(memory_BxNxM, key_BxM, beta_B)
  w = interpolate(w, w_prev_BxN, g_B)
  return sharpen(shift(w, s_BxS), gamma_B)


def read(memory_BxNxM, w_BxN):
  """r = sum_i w(i) M(i) (eq. 2)."""
  return jnp.einsum('bn,bnm->bm', w_BxN, memory_BxNxM)


def write(memory_BxNxM, w_BxN, erase_BxM, add_BxM):
  """Erase then add (eq. 3-4): M <- M * (1 - w e^T) + w a^T."""
  memory_BxNxM = memory_BxNxM * (1.0 - w_BxN[:, :, None] * erase_BxM[:, None, :])
  return memory_BxNxM + w_BxN[:, :, None] * add_BxM[:, None, :]


class Head(nn.Module):
  """Maps the controller output to one head's addressing parameters (and, to write, e and a)."""
  mem_width: int
  writes: bool = False

  @nn.compact
  def __call__(self, h_BxH):
    m = self.mem_width
    sizes = {'key': m, 'beta': 1, 'g': 1, 's': len(SHIFTS), 'gamma': 1}
    if self.writes:
      sizes.update(erase=m, add=m)
    out = nn.Dense(sum(sizes.values()), name='params')(h_BxH)
    parts = dict(zip(sizes, jnp.split(out, np.cumsum(list(sizes.values()))[:-1], axis=-1)))
    p = {'key': jnp.tanh(parts['key']),                        # k_t
         'beta': nn.softplus(parts['beta'][:, 0]),             # key strength beta_t >= 0
         'g': nn.sigmoid(parts['g'][:, 0]),                    # interpolation gate g_t in (0, 1)
         's': nn.softmax(parts['s'], axis=-1),                 # shift weighting s_t
         'gamma': 1.0 + nn.softplus(parts['gamma'][:, 0])}     # sharpening gamma_t >= 1
    if self.writes:
      p['erase'] = nn.sigmoid(parts['erase'])                  # erase vector e_t in (0, 1)^M
      p['add'] = jnp.tanh(parts['add'])                        # add vector a_t
    return p


class NTMCell(nn.Module):
  """One NTM step: carry = (controller (c, h), memory, read vectors, read / write weightings).

  (carry, x_BxD) -> (carry, (y_BxO, read weights BxRxN, write weights BxWxN)), so nn.scan can run it.
  """
  hidden: int
  mem_size: int
  mem_width: int
  num_outputs: int
  num_reads: int = 1
  num_writes: int = 1

  @nn.compact
  def __call__(self, carry, x_BxD):
    controller, memory, r_BxRxM, w_read_BxRxN, w_write_BxWxN = carry
    b = x_BxD.shape[0]
    # the controller sees the input and the previous step's reads
    controller, h_BxH = LSTMCell(self.hidden, name='controller')(
        controller, jnp.concatenate([x_BxD, r_BxRxM.reshape(b, -1)], axis=-1))
    new_write = []
    for i in range(self.num_writes):
      p = Head(self.mem_width, writes=True, name=f'write_{i}')(h_BxH)
      w = address(memory, w_write_BxWxN[:, i], p['key'], p['beta'], p['g'], p['s'], p['gamma'])
      memory = write(memory, w, p['erase'], p['add'])
      new_write.append(w)
    new_read, reads = [], []
    for i in range(self.num_reads):
      p = Head(self.mem_width, name=f'read_{i}')(h_BxH)
      w = address(memory, w_read_BxRxN[:, i], p['key'], p['beta'], p['g'], p['s'], p['gamma'])
      new_read.append(w)
      reads.append(read(memory, w))
    r_BxRxM, w_read_BxRxN = jnp.stack(reads, 1), jnp.stack(new_read, 1)
    w_write_BxWxN = jnp.stack(new_write, 1)
    y_BxO = nn.Dense(self.num_outputs, name='output')(
        jnp.concatenate([h_BxH, r_BxRxM.reshape(b, -1)], axis=-1))  # y_t = W [h_t; r_t] + b
    carry = (controller, memory, r_BxRxM, w_read_BxRxN, w_write_BxWxN)
    return carry, (y_BxO, w_read_BxRxN, w_write_BxWxN)

  def initial_carry(self, batch: int):
    """Memory 1e-6 everywhere, weightings one-hot at row 0, reads zero (module docstring)."""
    one_hot = jnp.zeros((batch, 1, self.mem_size)).at[:, :, 0].set(1.0)
    return (LSTMCell.zero_carry(batch, self.hidden),
            jnp.full((batch, self.mem_size, self.mem_width), 1e-6),
            jnp.zeros((batch, self.num_reads, self.mem_width)),
            jnp.tile(one_hot, (1, self.num_reads, 1)), jnp.tile(one_hot, (1, self.num_writes, 1)))


class NTM(nn.Module):
  """The NTM scanned over a sequence: x_BxTxD -> logits_BxTxO (one output per step).

  `weightings(x)` also returns the read and write weightings, B x T x heads x N, for plots.
  """
  num_outputs: int
  hidden: int = 100
  mem_size: int = 128
  mem_width: int = 20
  num_reads: int = 1
  num_writes: int = 1
  unroll: int = 1

  def setup(self):
    scan = nn.scan(NTMCell, variable_broadcast='params', split_rngs={'params': False},
                   in_axes=1, out_axes=1, unroll=self.unroll)
    self.cell = scan(self.hidden, self.mem_size, self.mem_width, self.num_outputs,
                     self.num_reads, self.num_writes)

  def weightings(self, x_BxTxD):
    """(logits_BxTxO, read weightings BxTxRxN, write weightings BxTxWxN)."""
    cell = NTMCell(self.hidden, self.mem_size, self.mem_width, self.num_outputs, self.num_reads,
                   self.num_writes, parent=None)
    _, outputs = self.cell(cell.initial_carry(x_BxTxD.shape[0]), x_BxTxD)
    return outputs

  def __call__(self, x_BxTxD, train: bool = False):
    del train
    return self.weightings(x_BxTxD)[0]


class RecurrentTagger(nn.Module):
  """The baseline of Graves et al.: a stacked recurrent net with an output layer on every step."""
  num_outputs: int
  cell: str = 'lstm'
  hidden: int = 256
  layers: int = 1
  unroll: int = 1

  @nn.compact
  def __call__(self, x_BxTxD, train: bool = False):
    del train
    _, h_BxTxH = StackedRNN(self.cell, self.hidden, self.layers, unroll=self.unroll,
                            name='rnn')(x_BxTxD)
    return nn.Dense(self.num_outputs, name='output')(h_BxTxH)
