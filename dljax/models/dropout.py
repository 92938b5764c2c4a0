"""Dropout (Srivastava et al. 2014) in its two forms, with p the probability of DROPPING a unit.

Each unit is kept with probability q = 1 - p in training: m ~ Bernoulli(q), elementwise.

  inverted (what flax / PyTorch do):  train  y = m * x / q        test  y = x
  classic  (the notes' form):         train  y = m * x            test  y = q * x

Both give the same expected activation, E_m[y_train] = y_test. The notes write "each node is present
with probability p" and scale by p at test: their p is the keep probability q. Written with p as
the drop rate (as here, in flax and in PyTorch), the classic test-time factor is 1 - p, not p.
"""
import flax.linen as nn
import jax
import jax.numpy as jnp

FORMS = ('inverted', 'classic')


class Dropout(nn.Module):
  """Drops each unit with probability `rate` in training; `form` says where the 1/q rescaling goes."""
  rate: float
  form: str = 'inverted'

  @nn.compact
  def __call__(self, x, train: bool = False):
    if self.form not in FORMS:
      raise ValueError(f'dropout form {self.form!r} is unknown; use one of {FORMS}.')
    if not 0.0 <= self.rate < 1.0:
      raise ValueError(f'dropout rate {self.rate} must be in [0, 1).')
    keep = 1.0 - self.rate  # q
    if self.rate == 0.0:
      return x
    if not train:
      return x if self.form == 'inverted' else keep * x  # classic: y = q x at test
    mask = jax.random.bernoulli(self.make_rng('dropout'), p=keep, shape=x.shape)  # m ~ Bernoulli(q)
    kept = x / keep if self.form == 'inverted' else x  # inverted: y = m x / q; classic: y = m x
    return jnp.where(mask, kept, jnp.zeros_like(x))
