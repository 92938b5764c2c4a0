"""ConvNeXt (Liu et al. 2022, "A ConvNet for the 2020s") sized for 28x28, as ONE configurable network
whose switches walk the paper's ResNet -> ConvNeXt "modernisation ladder".

  ConvNeXt block:  y = x + drop_path( gamma * pw2( GELU( pw1( LN( dwconv7x7(x) ) ) ) ) )
      dwconv7x7  depthwise: each channel is mixed only spatially, never with the other channels
      pw1, pw2   1x1 convs C -> 4C -> C (the inverted bottleneck: the hidden width is 4x the input)
      LN         LayerNorm over the channels of each pixel (axis -1 of NHWC)
      gamma      layer scale: a learned per-channel factor initialised small (1e-6)
  stem:         patchify, a p x p conv of stride p (p = 2 here: 28 -> 14) + LN
  downsampling: separate layers between stages, LN + 2x2 conv of stride 2 (14 -> 7 -> 3)
  head:         global average pool -> LN -> dense

The defaults are ConvNeXt. The switches give the rungs of the ladder (configs/vision/fmnist_convnext.py
LADDER; the paper's Fig. 2): a ResNet bottleneck network
  stem:   conv3x3 -> norm -> act -> 2x2 max pool                      (ResNet's conv + pool, 28 -> 14)
  block:  act( x' + norm(conv1x1( act(norm(conv3x3_s( act(norm(conv1x1(x))) ))) )) )   C -> C/4 -> C
          x' = x, or norm(conv1x1_s(x)) where the stride or the width changes (projection)
is turned into ConvNeXt one design choice at a time: stage ratio (`depths`), patchify stem (`stem`),
depthwise conv (`depthwise`) + wider (`widths`), inverted bottleneck (`expansion` 1/4 -> 4), the
depthwise conv moved up + a 7x7 kernel (`dw_first`, `kernel`), GELU and one activation per block
(`act`, `fewer_acts`), LayerNorm and one norm per block (`norm`, `fewer_norms`), separate downsampling
layers with a norm wherever the resolution changes (`downsample`, `head_norm`), layer scale.

Reference sizes (`CONVNEXT_SIZES`, chosen with `model.size`, e.g. --config.model.size=T; the paper's
Sec. 2.6): patchify stem p = 4, stage depths (3, 3, 9, 3) for T and (3, 3, 27, 3) for S/B/L/XL,
widths C, 2C, 4C, 8C with C = 96 / 96 / 128 / 192 / 256. At the published input (224 x 224 x 3,
1000-class head) ConvNeXt-T has 28,589,128 parameters, S 50,223,688, B 88,591,464, L 197,767,336,
XL 350,196,968 (the paper's 29M (28.6M in its code), 50M, 89M, 198M, 350M): the module's defaults
are the paper's block one for one (dwconv 7x7 with bias, LN, 1x1 convs with bias, gamma; stem conv +
LN; LN + 2x2 conv downsampling; GAP, LN, linear head), so no correction is needed.

Conventions: LN has epsilon 1e-6 (ConvNeXt's own; PyTorch's nn.LayerNorm default is 1e-5). GELU is
flax's nn.gelu, the tanh approximation; ConvNeXt's PyTorch code uses nn.GELU(), the exact erf form
(up to 4.7e-4 apart). `norm='bn'` is resnet.batch_norm (momentum 0.9 = PyTorch's 0.1; biased
running variance, PyTorch's is unbiased).
"""
import flax.linen as nn
import jax
import jax.numpy as jnp

from dljax.errors import ConfigError
from dljax.models import layers
from dljax.models.resnet import batch_norm


def layer_norm(name=None):
  """LayerNorm over the channels of each pixel: on NHWC it normalises axis -1 only (eps 1e-6)."""
  return nn.LayerNorm(epsilon=1e-6, reduction_axes=-1, feature_axes=-1, name=name)


def norm_layer(kind: str, train: bool, name=None):
  return batch_norm(train, name=name) if kind == 'bn' else layer_norm(name=name)


class DepthwiseConv(nn.Module):
  """k x k depthwise conv, padding k // 2: out[..., c] = sum_ij x_pad[., y*s + i, x*s + j, c] w[i, j, c].

  Parameters as nn.Conv(C, (k, k), feature_group_count=C): kernel k x k x 1 x C, bias C.
  impl='xla' is that grouped convolution (XLA's feature_group_count); impl='shift' computes the same
  sum explicitly as k^2 shifted slices times a per-channel weight. On the 2-core CPU the grouped conv
  was the faster of the two (train step of the cpu-preset ConvNeXt, 7x7: 3.2 s vs 5.5 s, and 9.4 s
  for the slices stacked into one einsum; a heavily loaded machine, so only the ratios count), so
  'xla' is the default; 'shift' stays as the readable reference the tests compare against.
  Why the shifted sums lose although they are the faster op alone (14x14x32, batch 128, forward:
  ~35 vs ~170 ms): XLA's CPU fusion copies the k^2-slice sum into each of its consumers (LayerNorm
  forward and backward, a transpose), so a train step computes it several times (27 fusions repeat
  the 49 slices in the compiled step). A hand-written backward (flipped-kernel shifted sum for the
  input gradient) and optimization barriers did not stop the copying: full forward + backward of
  the cpu-preset network stayed at ~535 ms vs ~525 ms for 'xla' (measured 2026-11-25).
  """
  kernel: int = 7
  strides: int = 1
  use_bias: bool = True
  impl: str = 'xla'

  @nn.compact
  def __call__(self, x_BxHxWxC):
    k, s, c = self.kernel, self.strides, x_BxHxWxC.shape[-1]
    w_KxKx1xC = self.param('kernel', nn.initializers.lecun_normal(), (k, k, 1, c))
    p = k // 2
    if self.impl == 'xla':
      y = jax.lax.conv_general_dilated(x_BxHxWxC, w_KxKx1xC, (s, s), ((p, p), (p, p)),
                                       dimension_numbers=('NHWC', 'HWIO', 'NHWC'),
                                       feature_group_count=c)
    else:
      _, h, w, _ = x_BxHxWxC.shape
      h_out, w_out = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
      x_pad = jnp.pad(x_BxHxWxC, ((0, 0), (p, p), (p, p), (0, 0)))
      y = 0.0
      for i in range(k):
        for j in range(k):
          window = x_pad[:, i:i + (h_out - 1) * s + 1:s, j:j + (w_out - 1) * s + 1:s, :]
          y = y + window * w_KxKx1xC[i, j, 0].reshape(1, 1, 1, c)
    if self.use_bias:
      y = y + self.param('bias', nn.initializers.zeros, (c,)).reshape(1, 1, 1, c)
    return y


def drop_path(module: nn.Module, x_BxHxWxC, rate: float, train: bool):
  """Stochastic depth: drops the whole residual branch of an example with probability `rate` in
  training and scales the kept ones by 1 / (1 - rate) (identity in evaluation)."""
  if not train or rate == 0.0:
    return x_BxHxWxC
  keep = jax.random.bernoulli(module.make_rng('dropout'), 1.0 - rate, (x_BxHxWxC.shape[0], 1, 1, 1))
  return x_BxHxWxC * keep / (1.0 - rate)


class Block(nn.Module):
  """One residual block: three convs (spatial k x k and two 1x1) with norms and activations placed
  by the switches; ConvNeXt's block with the defaults, ResNet's bottleneck at the ladder's rung 0."""
  features: int  # C: the width of the residual stream leaving the block
  hidden: int  # the width between the two 1x1 convs: C/4 (bottleneck) or 4C (inverted)
  strides: int = 1  # 2 in the first block of a stage when the block downsamples
  kernel: int = 7
  depthwise: bool = True
  dw_first: bool = True
  act: str = 'gelu'
  norm: str = 'ln'
  fewer_acts: bool = True
  fewer_norms: bool = True
  layer_scale: float = 1e-6
  drop_path: float = 0.0
  dw_impl: str = 'xla'

  def spatial(self, x, features, use_bias, name):
    if self.depthwise:  # mixes space only: one k x k filter per channel (feature_group_count = C)
      return DepthwiseConv(self.kernel, self.strides, use_bias, impl=self.dw_impl, name=name)(x)
    return nn.Conv(features, (self.kernel, self.kernel), strides=self.strides,
                   padding=self.kernel // 2, use_bias=use_bias, name=name)(x)

  @nn.compact
  def __call__(self, x_BxHxWxC, train: bool = False):
    act = layers.activation(self.act)
    c_in = x_BxHxWxC.shape[-1]
    # (kind, output width) of the three convs, in order
    if self.dw_first:  # ConvNeXt: dwconv kxk (C_in) -> pw C_in -> hidden -> pw hidden -> C
      convs = (('spatial', c_in), ('pw', self.hidden), ('pw', self.features))
    else:  # ResNet/ResNeXt: pw C_in -> hidden -> conv kxk (hidden) -> pw hidden -> C
      convs = (('pw', self.hidden), ('spatial', self.hidden), ('pw', self.features))
    h = x_BxHxWxC
    for i, (kind, width) in enumerate(convs):
      normed = i == 0 if self.fewer_norms else True  # ConvNeXt: one norm, after the first conv
      activated = i == 1 if self.fewer_acts else i < 2  # ConvNeXt: one act, between the 1x1 convs
      use_bias = not (normed and self.norm == 'bn')  # BN's beta replaces the bias
      if kind == 'spatial':
        h = self.spatial(h, width, use_bias, name=f'conv{i + 1}')
      else:
        h = nn.Conv(width, (1, 1), use_bias=use_bias, name=f'conv{i + 1}')(h)
      if normed:
        h = norm_layer(self.norm, train, name=f'norm{i + 1}')(h)
      if activated:
        h = act(h)
    if self.layer_scale > 0:  # gamma * branch, gamma a learned per-channel scale initialised small
      gamma_C = self.param('gamma', nn.initializers.constant(self.layer_scale), (self.features,))
      h = h * gamma_C.reshape(1, 1, 1, -1)
    shortcut = x_BxHxWxC
    if self.strides != 1 or c_in != self.features:  # the shape changes: 1x1-conv + norm projection
      shortcut = nn.Conv(self.features, (1, 1), strides=self.strides, use_bias=self.norm != 'bn',
                         name='proj_conv')(x_BxHxWxC)
      shortcut = norm_layer(self.norm, train, name='proj_norm')(shortcut)
    y = shortcut + drop_path(self, h, self.drop_path, train)
    return y if self.fewer_acts else act(y)  # ResNet activates after the addition


STEMS = ('patchify', 'conv_pool')
DOWNSAMPLES = ('separate', 'in_block')

# the paper's sizes (Sec. 2.6), for 224 x 224 x 3 images and 1000 classes
_STAGES_S = (3, 3, 27, 3)
CONVNEXT_SIZES = {
    'T': dict(patch=4, depths=(3, 3, 9, 3), widths=(96, 192, 384, 768)),
    'S': dict(patch=4, depths=_STAGES_S, widths=(96, 192, 384, 768)),
    'B': dict(patch=4, depths=_STAGES_S, widths=(128, 256, 512, 1024)),
    'L': dict(patch=4, depths=_STAGES_S, widths=(192, 384, 768, 1536)),
    'XL': dict(patch=4, depths=_STAGES_S, widths=(256, 512, 1024, 2048)),
}


class ConvNeXt(nn.Module):
  """stem -> stage i: [downsample] + depths[i] Blocks of width widths[i] -> GAP -> [LN] -> dense.

  expansion: hidden width / block width (4 = inverted bottleneck, 0.25 = ResNet bottleneck).
  drop_path: the stochastic-depth rate of the last block; it grows linearly from 0 over the blocks.
  `model.size` picks a row of CONVNEXT_SIZES (the paper's T/S/B/L/XL).
  """
  SIZES = CONVNEXT_SIZES

  depths: tuple = (1, 3, 1)
  widths: tuple = (32, 64, 128)
  stem: str = 'patchify'
  patch: int = 2
  expansion: float = 4.0
  kernel: int = 7
  depthwise: bool = True
  dw_first: bool = True
  act: str = 'gelu'
  norm: str = 'ln'
  fewer_acts: bool = True
  fewer_norms: bool = True
  downsample: str = 'separate'
  head_norm: bool = True
  layer_scale: float = 1e-6
  drop_path: float = 0.0
  dw_impl: str = 'xla'
  num_outputs: int = 10

  def __post_init__(self):
    checks = [
        (len(self.depths) == len(self.widths), f'model.depths={tuple(self.depths)} and '
         f'model.widths={tuple(self.widths)} must have the same length (one width per stage)'),
        (self.stem in STEMS, f'model.stem={self.stem!r} is unknown; use one of {STEMS}'),
        (self.downsample in DOWNSAMPLES,
         f'model.downsample={self.downsample!r} is unknown; use one of {DOWNSAMPLES}'),
        (self.norm in ('bn', 'ln'), f"model.norm={self.norm!r} is unknown; use 'bn' or 'ln'"),
        (self.dw_impl in ('xla', 'shift'), f"model.dw_impl={self.dw_impl!r}; use 'xla' or 'shift'"),
        (self.kernel % 2 == 1, f'model.kernel={self.kernel} must be odd (padding k // 2 keeps the size)'),
        (0.0 <= self.drop_path < 1.0, f'model.drop_path={self.drop_path} must be in [0, 1)'),
        (all(int(w * self.expansion) >= 1 for w in self.widths),
         f'model.expansion={self.expansion} leaves a hidden width < 1 for widths {self.widths}'),
    ]
    for ok, message in checks:
      if not ok:
        raise ConfigError(message + '.')
    try:
      layers.activation(self.act)
    except ValueError as e:
      raise ConfigError(f'model.act: {e}') from None
    super().__post_init__()

  @nn.compact
  def __call__(self, x_BxHxWxC, train: bool = False):
    act = layers.activation(self.act)
    w0 = self.widths[0]
    if self.stem == 'patchify':  # non-overlapping p x p patches, embedded by one conv of stride p
      h = nn.Conv(w0, (self.patch, self.patch), strides=self.patch, padding='VALID',
                  name='stem_conv')(x_BxHxWxC)
      h = norm_layer(self.norm, train, name='stem_norm')(h)
    else:  # ResNet's stem: conv -> norm -> act -> max pool (28 -> 14)
      h = nn.Conv(w0, (3, 3), padding=1, use_bias=self.norm != 'bn', name='stem_conv')(x_BxHxWxC)
      h = layers.max_pool(act(norm_layer(self.norm, train, name='stem_norm')(h)), 2)
    n_blocks, k = sum(self.depths), 0
    for i, (depth, width) in enumerate(zip(self.depths, self.widths)):
      if i > 0 and self.downsample == 'separate':  # norm + 2x2 conv of stride 2 between stages
        h = norm_layer(self.norm, train, name=f'down{i + 1}_norm')(h)
        h = nn.Conv(width, (2, 2), strides=2, padding='VALID', name=f'down{i + 1}_conv')(h)
      for j in range(depth):
        strides = 2 if i > 0 and j == 0 and self.downsample == 'in_block' else 1
        rate = self.drop_path * k / max(n_blocks - 1, 1)
        h = Block(width, max(int(width * self.expansion), 1), strides, self.kernel, self.depthwise,
                  self.dw_first, self.act, self.norm, self.fewer_acts, self.fewer_norms,
                  self.layer_scale, rate, self.dw_impl, name=f'stage{i + 1}_block{j + 1}')(h, train)
        k += 1
    h = h.mean(axis=(1, 2))  # global average pooling: B x C
    if self.head_norm:
      h = layer_norm(name='head_norm')(h)  # over the C features of each example
    return nn.Dense(self.num_outputs, name='head')(h)
