"""ResNet (He et al. 2016) sized for 28x28: 3x3 stem, stages of BasicBlocks, global average pool.

  BasicBlock:  y = relu( BN(conv3x3(relu(BN(conv3x3_s(x))))) + shortcut(x) )
  shortcut(x) = x                       when the shape is unchanged (identity, no parameters)
              = BN(conv1x1_s(x))        when the stride or the width changes (projection)

Stage i (i > 1) halves the resolution in its first block: 28 -> 14 -> 7 for three stages. BatchNorm
follows every convolution (the convolutions have no bias: BN's beta replaces it).

`batch_norm` (also used by densenet, inception and unet) is flax's nn.BatchNorm with momentum 0.9
(= PyTorch's momentum=0.1) and eps 1e-5; its running variance averages the biased batch variance,
where PyTorch's running_var averages the unbiased one (m/(m-1) times larger).
"""
import flax.linen as nn


def batch_norm(train: bool, name=None):
  """BatchNorm with per-channel statistics: on NHWC it averages over N, H and W (axis=-1 is kept).

  In training it normalises with the batch's mean and (biased) variance and updates the running
  averages r <- 0.9 r + 0.1 batch_stat (PyTorch's momentum=0.1); in evaluation it uses the running
  averages. eps = 1e-5 as in PyTorch.
  Unlike PyTorch, the running variance averages the biased batch variance (flax's convention);
  torch's running_var uses the unbiased 1/(m-1) one, so running statistics copied across differ.
  """
  return nn.BatchNorm(use_running_average=not train, axis=-1, momentum=0.9, epsilon=1e-5, name=name)


def conv3x3(features, strides=1, name=None):
  # explicit symmetric padding 1 (PyTorch's): 'SAME' would pad (0, 1) for stride 2
  return nn.Conv(features, (3, 3), strides=strides, padding=1, use_bias=False, name=name)


class BasicBlock(nn.Module):
  """conv3x3-BN-ReLU-conv3x3-BN, plus the identity or a 1x1-conv+BN projection, then ReLU."""
  features: int
  strides: int = 1

  @nn.compact
  def __call__(self, x_BxHxWxC, train: bool = False):
    y = nn.relu(batch_norm(train)(conv3x3(self.features, self.strides)(x_BxHxWxC)))
    y = batch_norm(train)(conv3x3(self.features)(y))
    shortcut = x_BxHxWxC
    if self.strides != 1 or x_BxHxWxC.shape[-1] != self.features:  # the shape changes: project
      shortcut = nn.Conv(self.features, (1, 1), strides=self.strides, use_bias=False,
                         name='proj_conv')(x_BxHxWxC)
      shortcut = batch_norm(train, name='proj_bn')(shortcut)
    return nn.relu(y + shortcut)


class ResNet(nn.Module):
  """stem conv3x3(widths[0])-BN-ReLU; stage i: stage_sizes[i] BasicBlocks of widths[i]; GAP; dense."""
  stage_sizes: tuple = (2, 2, 2)
  widths: tuple = (32, 64, 128)
  num_outputs: int = 10

  @nn.compact
  def __call__(self, x_BxHxWxC, train: bool = False):
    if len(self.stage_sizes) != len(self.widths):
      raise ValueError(f'model.stage_sizes={self.stage_sizes} and model.widths={self.widths} '
                       'must have the same length (one width per stage).')
    h = nn.relu(batch_norm(train, name='stem_bn')(conv3x3(self.widths[0], name='stem_conv')(x_BxHxWxC)))
    for i, (blocks, width) in enumerate(zip(self.stage_sizes, self.widths)):
      for j in range(blocks):
        strides = 2 if i > 0 and j == 0 else 1
        h = BasicBlock(width, strides, name=f'stage{i + 1}_block{j + 1}')(h, train)
    h = h.mean(axis=(1, 2))  # global average pooling: B x C
    return nn.Dense(self.num_outputs, name='head')(h)
