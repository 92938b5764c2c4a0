"""Mini-VGG (Simonyan & Zisserman 2015) for 28x28: stacks of 3x3 convolutions, then 2x2 pooling.

Each stage is n x (conv3x3 'SAME' - ReLU) at `channels`, then a 2x2 max pool (28 -> 14 -> 7 -> 3);
the head is FC - ReLU - dropout - FC - ReLU - dropout - FC as in VGG's classifier. Two 3x3 convs see
a 5x5 window with 2 * 9 C^2 weights instead of 25 C^2, and one more non-linearity.
"""
import flax.linen as nn

from dljax.models.layers import flatten, max_pool


class VGG(nn.Module):
  """`stages` is ((channels, convs), ...); `dense` the widths of the two hidden FC layers."""
  stages: tuple = ((64, 2), (128, 2), (256, 2))
  dense: tuple = (512, 512)
  dropout: float = 0.5
  num_outputs: int = 10

  @nn.compact
  def __call__(self, x_BxHxWxC, train: bool = False):
    h = x_BxHxWxC
    for channels, convs in self.stages:
      for _ in range(convs):
        h = nn.relu(nn.Conv(channels, (3, 3), padding='SAME')(h))
      h = max_pool(h, 2)
    h = flatten(h)
    for width in self.dense:
      h = nn.relu(nn.Dense(width)(h))
      h = nn.Dropout(self.dropout, deterministic=not train)(h)
    return nn.Dense(self.num_outputs)(h)
