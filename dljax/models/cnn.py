"""Convolutional classifiers of the first lectures."""
import flax.linen as nn

from dljax.models.layers import flatten, max_pool


class CNN(nn.Module):
  """Fashion-MNIST's own benchmark convnet: conv5x5(32)-pool-conv5x5(64)-pool-FC(1024)-dropout-FC(10)."""
  features: tuple = (32, 64)
  kernel: int = 5
  dense: int = 1024
  dropout: float = 0.4
  num_outputs: int = 10
  pool: str = 'reshape'  # 'reshape': layers.max_pool; 'flax': nn.max_pool (select-and-scatter grad)

  @nn.compact
  def __call__(self, x_BxHxWxC, train: bool = False):
    if self.pool not in ('reshape', 'flax'):
      raise ValueError(f"model.pool={self.pool!r} is unknown; use 'reshape' or 'flax'.")
    h = x_BxHxWxC
    for f in self.features:
      h = nn.relu(nn.Conv(f, (self.kernel, self.kernel), padding='SAME')(h))
      h = max_pool(h, 2) if self.pool == 'reshape' else nn.max_pool(h, (2, 2), strides=(2, 2))
    h = nn.relu(nn.Dense(self.dense)(flatten(h)))
    h = nn.Dropout(self.dropout, deterministic=not train)(h)
    return nn.Dense(self.num_outputs)(h)


class CNN1D(nn.Module):
  """MNIST-1D's reference ConvBase: three stride-2 1-D convolutions of 25 channels, then a linear map.

  Lengths 40 -> 19 -> 10 -> 5 with (kernel, padding) = (5, 1), (3, 1), (3, 1); 5,210 parameters.
  """
  channels: int = 25
  num_outputs: int = 10

  @nn.compact
  def __call__(self, x_BxL, train: bool = False):
    del train
    h = x_BxL[..., None]  # one input channel
    for kernel in (5, 3, 3):
      h = nn.relu(nn.Conv(self.channels, (kernel,), strides=(2,), padding=[(1, 1)])(h))
    # flatten channel-major, as PyTorch's view(B, -1) on (B, C, L) does, so weights port 1:1
    return nn.Dense(self.num_outputs)(h.transpose(0, 2, 1).reshape(h.shape[0], -1))


class ConvBlock(nn.Module):
  """relu(conv3x3(x)): one module, so that its output A (after the ReLU) is what CAM reads."""
  features: int
  kernel: int = 3

  @nn.compact
  def __call__(self, x_BxHxWxC):
    return nn.relu(nn.Conv(self.features, (self.kernel, self.kernel), padding='SAME')(x_BxHxWxC))


class GapCNN(nn.Module):
  """A convnet with a global-average-pool + linear head (Zhou et al. 2016's CAM network):
  blocks relu(conv3x3) with a 2x2 max-pool after every block but the last, then
  S_c = sum_k w_kc mean_ij A_kij + b_c on the last block's maps A (B x H x W x K)."""
  features: tuple = (32, 64, 64)
  kernel: int = 3
  num_outputs: int = 10

  @nn.compact
  def __call__(self, x_BxHxWxC, train: bool = False):
    del train
    h = x_BxHxWxC
    for i, f in enumerate(self.features):
      h = ConvBlock(f, self.kernel)(h)
      if i < len(self.features) - 1:
        h = max_pool(h, 2)
    return nn.Dense(self.num_outputs)(h.mean((1, 2)))  # GAP, then the linear head
