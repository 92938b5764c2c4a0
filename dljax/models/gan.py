"""GAN networks for low-dimensional toys (Goodfellow et al. 2014): G maps noise z to x, D scores x."""
from typing import Sequence

import flax.linen as nn


class Generator(nn.Module):
  """G(z): an MLP from noise z ~ N(0, I) to a sample x."""
  hidden: Sequence[int] = (128, 128)
  out_dim: int = 2

  @nn.compact
  def __call__(self, z, train: bool = False):
    del train
    for width in self.hidden:
      z = nn.relu(nn.Dense(width)(z))
    return nn.Dense(self.out_dim)(z)


class Discriminator(nn.Module):
  """D(x): an MLP giving the logit of 'x is real'."""
  hidden: Sequence[int] = (128, 128)

  @nn.compact
  def __call__(self, x, train: bool = False):
    del train
    for width in self.hidden:
      x = nn.leaky_relu(nn.Dense(width)(x), 0.2)
    return nn.Dense(1)(x)[:, 0]
