"""Mini-GoogLeNet (Szegedy et al. 2015) for 28x28: Inception modules and auxiliary classifiers.

Inception module of width w, four parallel branches concatenated on the channels (the ratios of
GoogLeNet's module 3a, 64 : 128 : 32 : 32 of 256, with 3x3 / 5x5 reductions 3/4 and 1/2 of the
branch widths):
  1x1                      -> w/4
  1x1 (3w/8) -> 3x3        -> w/2
  1x1 (w/16) -> 5x5        -> w/8     factorised=True: 1x1 -> 3x3 -> 3x3 (InceptionV3: two 3x3 see
                                      the same 5x5 window with 18 instead of 25 weights per in/out pair)
  3x3 max pool (stride 1)  -> 1x1    -> w/8
Every convolution is conv-BN-ReLU (BN-Inception / torchvision's GoogLeNet).

Network: stem conv3x3 - pool 2 (28 -> 14) - stage 1 - pool 2 (14 -> 7) - stage 2 ... - global average
pool - dropout - dense. Auxiliary heads (avg-pool to 2x2, 1x1 conv, FC-ReLU-dropout(0.7), FC) sit
after the modules numbered in `aux_after`; they run in training only, where their logits are sown
into 'intermediates'/'aux_logits' (the Classification task adds aux_weight * CE for each), and at
initialisation so that their parameters exist. In evaluation the model returns the main logits only.
"""
import flax.linen as nn
import jax.numpy as jnp

from dljax.models.layers import flatten, max_pool
from dljax.models.resnet import batch_norm


class ConvBN(nn.Module):
  """conv (no bias) - BN - ReLU."""
  features: int
  kernel: int = 1

  @nn.compact
  def __call__(self, x_BxHxWxC, train: bool = False):
    h = nn.Conv(self.features, (self.kernel, self.kernel), padding=self.kernel // 2,
                use_bias=False)(x_BxHxWxC)
    return nn.relu(batch_norm(train)(h))


class InceptionModule(nn.Module):
  """Parallel 1x1 / 1x1->3x3 / 1x1->5x5 (or 1x1->3x3->3x3) / maxpool->1x1, concatenated."""
  width: int
  factorised: bool = False

  @nn.compact
  def __call__(self, x_BxHxWxC, train: bool = False):
    w = self.width
    if w % 16:
      raise ValueError(f'Inception module width {w} must be a multiple of 16 (its branches are '
                       'w/4, w/2, w/8, w/8 with a w/16 reduction).')
    b1 = ConvBN(w // 4, 1, name='b1_1x1')(x_BxHxWxC, train)
    b3 = ConvBN(3 * w // 8, 1, name='b3_reduce')(x_BxHxWxC, train)
    b3 = ConvBN(w // 2, 3, name='b3_3x3')(b3, train)
    b5 = ConvBN(w // 16, 1, name='b5_reduce')(x_BxHxWxC, train)
    if self.factorised:
      b5 = ConvBN(w // 8, 3, name='b5_3x3a')(b5, train)
      b5 = ConvBN(w // 8, 3, name='b5_3x3b')(b5, train)
    else:
      b5 = ConvBN(w // 8, 5, name='b5_5x5')(b5, train)
    bp = nn.max_pool(x_BxHxWxC, (3, 3), strides=(1, 1), padding='SAME')
    bp = ConvBN(w // 8, 1, name='pool_proj')(bp, train)
    return jnp.concatenate([b1, b3, b5, bp], axis=-1)  # w/4 + w/2 + w/8 + w/8 = w channels


class AuxHead(nn.Module):
  """GoogLeNet's auxiliary classifier, scaled down: avg pool to 2x2, 1x1 conv, FC, dropout 0.7, FC."""
  features: int = 64
  dense: int = 256
  dropout: float = 0.7
  num_outputs: int = 10

  @nn.compact
  def __call__(self, x_BxHxWxC, train: bool = False):
    k = max(x_BxHxWxC.shape[1] // 2, 1)  # 14: 7x7 windows; 7: 3x3 windows, the last row dropped
    h = nn.avg_pool(x_BxHxWxC, (k, k), strides=(k, k))[:, :2, :2]
    h = ConvBN(self.features, 1)(h, train)
    h = nn.relu(nn.Dense(self.dense)(flatten(h)))
    h = nn.Dropout(self.dropout, deterministic=not train)(h)
    return nn.Dense(self.num_outputs)(h)


class Inception(nn.Module):
  """stages: ((module width, modules), ...), a 2x2 max pool before each stage."""
  stem: int = 64
  stages: tuple = ((128, 2), (256, 2))
  factorised: bool = False
  aux_after: tuple = (2, 3)  # 1-based module numbers, counted over all stages; () for none
  aux_features: int = 64
  aux_dense: int = 256
  dropout: float = 0.4
  num_outputs: int = 10

  @nn.compact
  def __call__(self, x_BxHxWxC, train: bool = False):
    h = ConvBN(self.stem, 3, name='stem')(x_BxHxWxC, train)
    n_modules = sum(n for _, n in self.stages)
    if any(not 1 <= a <= n_modules for a in self.aux_after):
      raise ValueError(f'model.aux_after={self.aux_after} must number modules 1..{n_modules}.')
    k = 0
    for i, (width, modules) in enumerate(self.stages):
      h = max_pool(h, 2)
      for j in range(modules):
        h = InceptionModule(width, self.factorised, name=f'inception{i + 1}_{j + 1}')(h, train)
        k += 1
        if k in self.aux_after and (train or self.is_initializing()):
          aux = AuxHead(self.aux_features, self.aux_dense, num_outputs=self.num_outputs,
                        name=f'aux{k}')(h, train)
          if train and not self.is_initializing():  # init must not return 'intermediates'
            self.sow('intermediates', 'aux_logits', aux)
    h = h.mean(axis=(1, 2))  # global average pool
    h = nn.Dropout(self.dropout, deterministic=not train)(h)
    return nn.Dense(self.num_outputs, name='head')(h)
