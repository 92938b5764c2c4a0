"""Universal Transformer (Dehghani et al. 2019) with Adaptive Computation Time (Graves 2016).

One Transformer block (dljax.models.transformer.Block) is applied again and again: its weights are
tied over depth. Before step n every position gets its coordinate embedding added,
  h^n = Block(h^{n-1} + P^pos + P^time_n)     (P both sinusoidal: position t, depth step n)
so the parameter count does not depend on max_steps.

ACT decides per position how many steps to take (Graves 2016, eq. 3-14, with the block as the
state transition). After step n a halting unit reads the new state:
  h_t^n = sigmoid(w_h . s_t^n + b_h)                                                 halting probability
  N(t)  = min{n' : sum_{n <= n'} h_t^n >= 1 - eps}    (at most max_steps)          steps taken
  R(t)  = 1 - sum_{n < N(t)} h_t^n                                                   remainder
  p_t^n = h_t^n for n < N(t),  R(t) for n = N(t),  0 after                  halting weights, sum 1
  y_t   = sum_n p_t^n s_t^n                                                          the output state
  rho_t = N(t) + R(t)                                                                ponder cost
The ponder cost is sown into 'intermediates' as `ponder_cost` (B x T); the task adds tau times its
mean to the loss. Only R carries a gradient (N is piecewise constant), as in the paper. A halted
position's state is frozen, but the running positions still attend to it.

The block is transformer.Block: tanh-approximate GELU (PyTorch's nn.GELU() default is exact) and
LayerNorm epsilon 1e-6 (PyTorch: 1e-5).
"""
import flax.linen as nn
import jax.numpy as jnp

from dljax.models.transformer import Block, sinusoidal_positions


class UniversalTransformer(nn.Module):
  """Per-step bits in (x_BxTxD), per-position logits out; one tied Block, ACT over depth."""
  num_outputs: int
  d_model: int = 64
  num_heads: int = 4
  mlp_dim: int = 128
  max_steps: int = 8
  max_len: int = 512
  eps: float = 0.01
  act: bool = True       # False: always max_steps steps (the plain Universal Transformer)
  halt_bias: float = 1.0  # initial b_h: sigmoid(1) = 0.73, so every position starts at N = 2
  dropout: float = 0.0

  def setup(self):
    self.embed = nn.Dense(self.d_model, name='embed')
    self.block = Block(self.num_heads, self.mlp_dim, self.dropout, prenorm=True, name='block')
    self.halt = nn.Dense(1, bias_init=nn.initializers.constant(self.halt_bias), name='halt')
    self.norm = nn.LayerNorm(name='ln_out')
    self.head = nn.Dense(self.num_outputs, name='head')

  def __call__(self, x_BxTxD, train: bool = False):
    b, t, _ = x_BxTxD.shape
    if t > self.max_len:
      raise ValueError(f'sequence length {t} > model.max_len={self.max_len}; raise max_len.')
    pos_1xTxD = jnp.asarray(sinusoidal_positions(t, self.d_model))[None]
    time_NxD = jnp.asarray(sinusoidal_positions(self.max_steps, self.d_model))
    s_BxTxD = self.embed(x_BxTxD)
    cum_BxT = jnp.zeros((b, t))                      # sum of the halting weights so far
    n_BxT = jnp.zeros((b, t))                        # N(t): steps taken
    r_BxT = jnp.zeros((b, t))                        # R(t)
    y_BxTxD = jnp.zeros((b, t, self.d_model))
    for n in range(self.max_steps):                  # the same block every step (tied weights)
      running_BxT = cum_BxT < 1.0 - self.eps if self.act else jnp.ones((b, t), bool)
      new_BxTxD = self.block(s_BxTxD + pos_1xTxD + time_NxD[n][None, None], train=train)
      s_BxTxD = jnp.where(running_BxT[..., None], new_BxTxD, s_BxTxD)  # halted positions freeze
      if not self.act:
        continue
      h_BxT = nn.sigmoid(self.halt(s_BxTxD)[..., 0])  # h^n = sigmoid(w_h . s^n + b_h)
      halts_BxT = running_BxT & ((cum_BxT + h_BxT >= 1.0 - self.eps) | (n == self.max_steps - 1))
      p_BxT = jnp.where(halts_BxT, 1.0 - cum_BxT, jnp.where(running_BxT, h_BxT, 0.0))
      r_BxT = jnp.where(halts_BxT, 1.0 - cum_BxT, r_BxT)  # R = 1 - sum_{n < N} h^n
      n_BxT = n_BxT + running_BxT
      cum_BxT = cum_BxT + p_BxT
      y_BxTxD = y_BxTxD + p_BxT[..., None] * s_BxTxD   # y = sum_n p^n s^n
    if not self.act:
      y_BxTxD, n_BxT = s_BxTxD, jnp.full((b, t), float(self.max_steps))
    self.sow('intermediates', 'ponder_cost', n_BxT + r_BxT)   # rho = N + R
    self.sow('intermediates', 'steps', n_BxT)                # N
    self.sow('intermediates', 'halting_sum', cum_BxT)        # sum_n p^n (1 with ACT)
    return self.head(self.norm(y_BxTxD))
