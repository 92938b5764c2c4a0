"""LeNet-5 (LeCun et al. 1998), the first CNN of the ladder, sized for 28x28 inputs.

  conv5x5(6, pad 2) -> pool 2 -> conv5x5(16) -> pool 2 -> FC 120 -> FC 84 -> FC 10
  28x28x1 -> 28x28x6 -> 14x14x6 -> 10x10x16 -> 5x5x16 = 400 -> 120 -> 84 -> 10    (61,706 params)

The default is the modern variant (ReLU, max pooling). act='tanh', pool='avg' gives the original's
squashing units and average "sub-sampling"; not reproduced: its scaled tanh 1.7159 tanh(2a/3),
the trainable coefficient of each sub-sampling map, the partial C3 connection table and the RBF
output layer.
"""
import flax.linen as nn

from dljax.models.layers import activation, flatten, max_pool


def avg_pool(x_BxHxWxC, window: int = 2):
  """Non-overlapping average pooling as reshape + mean (VALID: trailing rows/columns dropped)."""
  b, h, w, c = x_BxHxWxC.shape
  k = window
  x = x_BxHxWxC[:, :h // k * k, :w // k * k]
  return x.reshape(b, h // k, k, w // k, k, c).mean(axis=(2, 4))


POOLS = {'max': max_pool, 'avg': avg_pool}


class LeNet5(nn.Module):
  """LeNet-5: two conv(5x5)-activation-pool stages, then FC 120 - FC 84 - FC num_outputs."""
  features: tuple = (6, 16)
  dense: tuple = (120, 84)
  act: str = 'relu'  # 'tanh' as in the original
  pool: str = 'max'  # 'avg' as in the original (sub-sampling)
  num_outputs: int = 10

  @nn.compact
  def __call__(self, x_BxHxWxC, train: bool = False):
    del train
    if self.pool not in POOLS:
      raise ValueError(f'model.pool={self.pool!r} is unknown; use one of {sorted(POOLS)}.')
    sigma, pool = activation(self.act), POOLS[self.pool]
    # C1: pad 2 turns 28x28 into the 32x32 of the original, so C3 sees 14x14 -> 10x10 as there
    h = pool(sigma(nn.Conv(self.features[0], (5, 5), padding=2)(x_BxHxWxC)))  # B x 14 x 14 x 6
    h = pool(sigma(nn.Conv(self.features[1], (5, 5), padding='VALID')(h)))  # B x 5 x 5 x 16
    h = flatten(h)
    for width in self.dense:
      h = sigma(nn.Dense(width)(h))
    return nn.Dense(self.num_outputs)(h)
