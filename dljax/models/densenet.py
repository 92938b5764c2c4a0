"""DenseNet-BC (Huang et al. 2017) sized for 28x28: dense blocks joined by compressing transitions.

  dense layer:  x <- concat(x, conv3x3_k(relu(BN(conv1x1_4k(relu(BN(x)))))))   (+k channels)
  dense block:  L dense layers: c0 -> c0 + L k channels; every layer sees all earlier feature maps
  transition:   conv1x1(floor(compression * c))(relu(BN(x))), then 2x2 average pooling

The paper's text lists BN - conv1x1 - avgpool for the transition; its code (and torchvision) put a
ReLU after the BN, as here. Stem: conv3x3 with 2k channels (the paper's CIFAR DenseNet-BC).
Resolution 28 -> 14 -> 7 over three blocks (stem_pool=True: a 2x2 max pool after the stem first,
then 14 -> 7 -> 3); the end is BN-ReLU, global average pool, dense.
"""
import flax.linen as nn
import jax.numpy as jnp

from dljax.models.layers import max_pool
from dljax.models.lenet import avg_pool
from dljax.models.resnet import batch_norm


class DenseLayer(nn.Module):
  """Bottleneck layer BN-ReLU-conv1x1(4k)-BN-ReLU-conv3x3(k); returns the k new channels only."""
  growth: int
  bottleneck: int = 4

  @nn.compact
  def __call__(self, x_BxHxWxC, train: bool = False):
    h = nn.relu(batch_norm(train)(x_BxHxWxC))
    h = nn.Conv(self.bottleneck * self.growth, (1, 1), use_bias=False)(h)
    h = nn.relu(batch_norm(train)(h))
    return nn.Conv(self.growth, (3, 3), padding=1, use_bias=False)(h)


class DenseBlock(nn.Module):
  """`layers` DenseLayers, each one's output concatenated on the channels: c0 -> c0 + layers * k."""
  layers: int
  growth: int

  @nn.compact
  def __call__(self, x_BxHxWxC, train: bool = False):
    h = x_BxHxWxC
    for _ in range(self.layers):
      h = jnp.concatenate([h, DenseLayer(self.growth)(h, train)], axis=-1)
    return h


class Transition(nn.Module):
  """BN-ReLU-conv1x1 to `features` channels (the compression), then 2x2 average pooling."""
  features: int

  @nn.compact
  def __call__(self, x_BxHxWxC, train: bool = False):
    h = nn.relu(batch_norm(train)(x_BxHxWxC))
    return avg_pool(nn.Conv(self.features, (1, 1), use_bias=False)(h), 2)


class DenseNet(nn.Module):
  """blocks[i] dense layers of growth rate k in block i, a transition (compression) between blocks."""
  blocks: tuple = (6, 6, 6)
  growth: int = 12
  compression: float = 0.5
  stem_pool: bool = False  # 2x2 max pool after the stem (ImageNet DenseNet's has one): 14, 7, 3
  num_outputs: int = 10

  @nn.compact
  def __call__(self, x_BxHxWxC, train: bool = False):
    h = nn.Conv(2 * self.growth, (3, 3), padding=1, use_bias=False, name='stem_conv')(x_BxHxWxC)
    if self.stem_pool:  # 4x less work in the first block; DenseNet is memory-bound on a CPU
      h = max_pool(h, 2)
    for i, layers in enumerate(self.blocks):
      h = DenseBlock(layers, self.growth, name=f'block{i + 1}')(h, train)
      if i + 1 < len(self.blocks):
        h = Transition(int(self.compression * h.shape[-1]), name=f'transition{i + 1}')(h, train)
    h = nn.relu(batch_norm(train, name='final_bn')(h)).mean(axis=(1, 2))  # global average pool
    return nn.Dense(self.num_outputs, name='head')(h)
