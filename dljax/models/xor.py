"""Seed 003's hand-built XOR network for (x1 > 0) xor (x2 > 0); weights are set, not learned."""
import flax.linen as nn
import jax.numpy as jnp


class HandsetXOR(nn.Module):
  """z1 = tanh(10 x1), z2 = tanh(10 x2)      push points towards the corners (+-1, +-1)
  z3 = tanh(z1 + z2 - 1)                     fires only for (+1, +1)
  z4 = tanh(-z1 - z2 - 1)                    fires only for (-1, -1)
  logit(class 1) = -(z3 + z4) - 0.96         XOR is true exactly when neither z3 nor z4 fires:
                                             z3 + z4 is -0.23 at (+1,+1) and (-1,-1), -1.52 at
                                             (+1,-1) and (-1,+1), and -0.96 on the axes x1=0 or x2=0.

  Returns two-class logits [0, logit]. It has no parameters: training leaves it as it is.
  """
  num_outputs: int = 2

  @nn.compact
  def __call__(self, x_Bx2, train: bool = False):
    del train
    z1, z2 = jnp.tanh(10 * x_Bx2[:, 0]), jnp.tanh(10 * x_Bx2[:, 1])
    z3 = jnp.tanh(z1 + z2 - 1)
    z4 = jnp.tanh(-z1 - z2 - 1)
    logit = -(z3 + z4) - (1 - jnp.tanh(2.0))  # the threshold -0.96 puts the boundary on the axes
    return jnp.stack([jnp.zeros_like(logit), 4 * logit], axis=-1)
