"""U-Net (Ronneberger et al. 2015): a conv encoder-decoder whose decoder concatenates the encoder's
feature map of the same resolution (the skip connection) before each of its conv blocks.

  encoder level l:  e_l = ConvBlock_l(x_l);  x_{l+1} = maxpool2(e_l)        (H -> H/2, width w_l)
  bottleneck:       b = ConvBlock(x_L)                                        (width w_L)
  decoder level l:  u_l = ConvTranspose(k=2, s=2)(d_{l+1})                    (H/2 -> H, width w_l)
                    d_l = ConvBlock_l(concat[u_l, e_l])   with skips          (input 2 w_l channels)
                    d_l = ConvBlock_l(u_l)                with skips=False    (input w_l channels)
  head:             y = conv1x1(d_0) -> out_channels (denoised pixels, or per-pixel class logits)

ConvBlock = 2 x (conv3x3 - BatchNorm - ReLU), padding 1 so that H and W are kept.
skips=False is the same network with the concatenations removed: every decoder width is unchanged,
so the only parameters that go are the skip half of each decoder block's first conv,
9 w_l^2 weights per decoder level (sum over l < L of 9 w_l^2 in all).
"""
import flax.linen as nn
import jax.numpy as jnp

from dljax.errors import ConfigError
from dljax.models import layers, upsample
from dljax.models.resnet import batch_norm


class ConvBlock(nn.Module):
  """2 x (conv3x3 - BN - ReLU)."""
  features: int

  @nn.compact
  def __call__(self, x_BxHxWxC, train: bool = False):
    h = x_BxHxWxC
    for _ in range(2):
      h = nn.Conv(self.features, (3, 3), padding=1, use_bias=False)(h)
      h = nn.relu(batch_norm(train)(h))
    return h


class UNet(nn.Module):
  """widths[l] channels at level l (resolution H / 2^l); the last width is the bottleneck's."""
  widths: tuple = (32, 64, 128)
  out_channels: int = 1
  skips: bool = True

  @nn.compact
  def __call__(self, x_BxHxWxC, train: bool = False):
    levels = len(self.widths) - 1
    _, h, w, _ = x_BxHxWxC.shape
    if levels < 1 or h % 2 ** levels or w % 2 ** levels:
      raise ConfigError(f'UNet: the image size {h}x{w} must be divisible by 2^{levels} (one halving per '
                       f'width but the last, widths={self.widths}); change model.widths.')
    encoded = []
    x = x_BxHxWxC
    for l, width in enumerate(self.widths[:-1]):
      e = ConvBlock(width, name=f'enc{l}')(x, train)  # e_l
      encoded.append(e)
      x = layers.max_pool(e, 2)  # x_{l+1}
    d = ConvBlock(self.widths[-1], name='bottleneck')(x, train)
    for l in reversed(range(levels)):
      u = upsample.ConvTranspose(self.widths[l], kernel_size=2, stride=2, name=f'up{l}')(d)  # u_l
      if self.skips:
        u = jnp.concatenate([u, encoded[l]], axis=-1)  # [u_l, e_l]: the skip connection
      d = ConvBlock(self.widths[l], name=f'dec{l}')(u, train)  # d_l
    return nn.Conv(self.out_channels, (1, 1), name='head')(d)
