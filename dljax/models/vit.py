"""Vision Transformer (Dosovitskiy et al. 2021), pre-norm, sized for 28x28 Fashion-MNIST.

  z_0 = [x_class; x_p^1 E; ...; x_p^N E] + E_pos              patches of P x P pixels, N = HW / P^2
  z'_l = z_{l-1} + MHA(LN(z_{l-1}))                           l = 1..L
  z_l = z'_l + MLP(LN(z'_l))                                  MLP: Dense(4D) - GELU - Dense(D)
  y = head(LN(z_L^0))                                         the [class] token's final state

`PatchEmbed`, `position_embedding`, `EncoderBlock` and `Encoder` are the reusable pieces (MAE builds
its encoder and decoder from them).

Reference sizes (`VIT_SIZES`, chosen with `model.size`, e.g. --config.model.size=B/16; Dosovitskiy et
al. 2021 Table 1, and DeiT's Ti/S): width D, depth L, heads, MLP 4D, patch P. At the published input
(224 x 224 x 3, N = (224/P)^2 patches, 1000-class linear head) ViT-B/16 has 86,567,656 parameters
(the paper: 86M), L/16 304,326,632 (307M), H/14 632,045,800 (632M); the same counts as the reference
implementation (big_vision / timm). Where the module differs from the paper by default: its E_pos
covers the N patches only and the [class] token gets no position embedding; the size rows set
`cls_pos_embedding=True`, which adds the paper's position embedding of the [class] token (the
(N+1)-th row of E_pos, D parameters). The paper's pre-training head (one tanh hidden layer) is not
counted: the published counts and the fine-tuned models use a linear head (head_hidden=0).

GELU is flax's `nn.gelu`, whose default is the tanh approximation
0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))); PyTorch's `nn.GELU()` defaults to the exact
x Phi(x) (erf), up to 4.7e-4 away (torch's `approximate='tanh'` agrees to 5e-7).
LayerNorm is flax's `nn.LayerNorm`, epsilon 1e-6; PyTorch's `nn.LayerNorm` defaults to 1e-5, which
changes the output where a row's variance is near 1e-6 (a torch twin must pass eps=1e-6).
"""
import math
import flax.linen as nn
import jax.numpy as jnp
import numpy as np

from dljax.models.attention import MultiHeadAttention

POS_EMBEDDINGS = ('learned', 'sincos2d', 'none')
STEMS = ('linear', 'conv')

# the paper's sizes (Table 1; Ti and S from DeiT): published input 224 x 224 x 3, 1000 classes
_PAPER = dict(stem='linear', pos_embedding='learned', pool='cls', head_hidden=0,
              cls_pos_embedding=True)
VIT_SIZES = {
    'Ti/16': dict(patch=16, width=192, depth=12, num_heads=3, mlp_dim=768, **_PAPER),
    'S/16': dict(patch=16, width=384, depth=12, num_heads=6, mlp_dim=1536, **_PAPER),
    'B/16': dict(patch=16, width=768, depth=12, num_heads=12, mlp_dim=3072, **_PAPER),
    'B/32': dict(patch=32, width=768, depth=12, num_heads=12, mlp_dim=3072, **_PAPER),
    'L/16': dict(patch=16, width=1024, depth=24, num_heads=16, mlp_dim=4096, **_PAPER),
    'L/32': dict(patch=32, width=1024, depth=24, num_heads=16, mlp_dim=4096, **_PAPER),
    'H/14': dict(patch=14, width=1280, depth=32, num_heads=16, mlp_dim=5120, **_PAPER),
}


def patchify(x_BxHxWxC, patch: int):
  """B x H x W x C -> B x N x (P*P*C): non-overlapping P x P patches in row-major order, flattened."""
  b, h, w, c = x_BxHxWxC.shape
  if h % patch or w % patch:
    raise ValueError(f'image size {h}x{w} is not divisible by the patch size {patch}; use a patch '
                     'size that divides it (4 or 7 for 28x28).')
  x = x_BxHxWxC.reshape(b, h // patch, patch, w // patch, patch, c)
  return x.transpose(0, 1, 3, 2, 4, 5).reshape(b, (h // patch) * (w // patch), patch * patch * c)


def unpatchify(p_BxNxPPC, grid_hw, patch: int, channels: int):
  """Inverse of `patchify`: B x N x (P*P*C) -> B x H x W x C."""
  b = p_BxNxPPC.shape[0]
  gh, gw = grid_hw
  x = p_BxNxPPC.reshape(b, gh, gw, patch, patch, channels).transpose(0, 1, 3, 2, 4, 5)
  return x.reshape(b, gh * patch, gw * patch, channels)


def sincos_2d(grid_h: int, grid_w: int, dim: int):
  """Fixed 2-D sine-cosine position embedding, N x dim (MAE's): half the channels encode the row,
  half the column, each as [sin(pos * w_k), cos(pos * w_k)] with w_k = 1 / 10000^(k / (dim/4))."""
  if dim % 4:
    raise ValueError(f'sincos2d position embedding needs a width divisible by 4; got {dim}.')
  omega = 1.0 / 10000 ** (np.arange(dim // 4, dtype=np.float64) / (dim // 4))
  rows, cols = np.meshgrid(np.arange(grid_h), np.arange(grid_w), indexing='ij')

  def encode(pos):
    angles = pos.reshape(-1)[:, None] * omega[None, :]
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1)

  return np.concatenate([encode(rows), encode(cols)], axis=1).astype(np.float32)


class PositionEmbedding(nn.Module):
  """E_pos for the N patch tokens (N x D): 'learned' (N(0, 0.02^2) init), 'sincos2d' (fixed) or
  'none' (zeros: the model sees a bag of patches)."""
  kind: str = 'learned'
  grid_hw: tuple = (7, 7)

  @nn.compact
  def __call__(self, dim: int):
    n = self.grid_hw[0] * self.grid_hw[1]
    if self.kind == 'learned':
      return self.param('pos_embedding', nn.initializers.normal(0.02), (n, dim))
    if self.kind == 'sincos2d':
      return jnp.asarray(sincos_2d(*self.grid_hw, dim))
    if self.kind == 'none':
      return jnp.zeros((n, dim))
    raise ValueError(f'model.pos_embedding={self.kind!r} is unknown; use one of {POS_EMBEDDINGS}.')


class PatchEmbed(nn.Module):
  """Image -> B x N x D patch tokens.

  'linear': x_p E, a Dense on each flattened P x P x C patch (the ViT paper).
  'conv':   a convolutional stem (Xiao et al. 2021): log2(P) conv3x3 stride-2 + ReLU layers
            (widths D/2^k, ..., D/2), then a 1x1 conv to D; needs P a power of two.
  """
  dim: int
  patch: int = 4
  stem: str = 'linear'

  @nn.compact
  def __call__(self, x_BxHxWxC):
    if self.stem == 'linear':
      return nn.Dense(self.dim, name='embed')(patchify(x_BxHxWxC, self.patch))
    if self.stem != 'conv':
      raise ValueError(f'model.stem={self.stem!r} is unknown; use one of {STEMS}.')
    n_down = int(round(math.log2(self.patch)))
    if 2 ** n_down != self.patch:
      raise ValueError(f"model.stem='conv' needs a power-of-two patch size; got {self.patch}.")
    h = x_BxHxWxC
    for k in range(n_down):
      width = max(self.dim // 2 ** (n_down - k), 8)
      h = nn.relu(nn.Conv(width, (3, 3), strides=2, padding=1, name=f'stem_conv{k + 1}')(h))
    h = nn.Conv(self.dim, (1, 1), name='embed')(h)
    b, gh, gw, d = h.shape
    return h.reshape(b, gh * gw, d)


class MlpBlock(nn.Module):
  """Dense(mlp_dim) - GELU - dropout - Dense(D) - dropout."""
  mlp_dim: int
  dropout: float = 0.0

  @nn.compact
  def __call__(self, x_BxNxD, train: bool = False):
    h = nn.gelu(nn.Dense(self.mlp_dim)(x_BxNxD))
    h = nn.Dropout(self.dropout, deterministic=not train)(h)
    h = nn.Dense(x_BxNxD.shape[-1])(h)
    return nn.Dropout(self.dropout, deterministic=not train)(h)


class EncoderBlock(nn.Module):
  """Pre-norm Transformer block: z' = z + MHA(LN(z)); z'' = z' + MLP(LN(z'))."""
  num_heads: int
  mlp_dim: int
  dropout: float = 0.0
  sow_weights: bool = False

  @nn.compact
  def __call__(self, z_BxNxD, train: bool = False, mask=None):
    d = z_BxNxD.shape[-1]
    h = MultiHeadAttention(self.num_heads, d_model=d, sow_weights=self.sow_weights,
                           name='attention')(nn.LayerNorm(name='ln1')(z_BxNxD), mask=mask)
    z_BxNxD = z_BxNxD + nn.Dropout(self.dropout, deterministic=not train)(h)  # z' = z + MHA(LN(z))
    return z_BxNxD + MlpBlock(self.mlp_dim, self.dropout, name='mlp')(  # z'' = z' + MLP(LN(z'))
        nn.LayerNorm(name='ln2')(z_BxNxD), train)


class Encoder(nn.Module):
  """`depth` EncoderBlocks, then the final LayerNorm."""
  depth: int
  num_heads: int
  mlp_dim: int
  dropout: float = 0.0
  sow_weights: bool = False

  @nn.compact
  def __call__(self, z_BxNxD, train: bool = False, mask=None):
    for i in range(self.depth):
      z_BxNxD = EncoderBlock(self.num_heads, self.mlp_dim, self.dropout, self.sow_weights,
                             name=f'block{i + 1}')(z_BxNxD, train, mask)
    return nn.LayerNorm(name='ln_final')(z_BxNxD)


class ViT(nn.Module):
  """Patch embedding, [class] token, position embedding, pre-norm encoder, head on the [class] token.

  pool='cls' classifies from the [class] token; pool='mean' drops it and averages the patch tokens.
  head_hidden > 0 puts one tanh hidden layer in the head (the paper's pre-training head); 0 is linear.
  cls_pos_embedding adds a learned position embedding to the [class] token too (the paper's E_pos
  has N + 1 rows); `model.size` (VIT_SIZES) sets it with the paper's widths.
  """
  SIZES = VIT_SIZES

  patch: int = 4
  width: int = 64
  depth: int = 4
  num_heads: int = 4
  mlp_dim: int = 128
  num_outputs: int = 10
  pos_embedding: str = 'learned'
  stem: str = 'linear'
  pool: str = 'cls'
  head_hidden: int = 0
  dropout: float = 0.0
  sow_weights: bool = False
  cls_pos_embedding: bool = False

  @nn.compact
  def __call__(self, x_BxHxWxC, train: bool = False):
    if self.pool not in ('cls', 'mean'):
      raise ValueError(f"model.pool={self.pool!r} is unknown; use 'cls' or 'mean'.")
    grid_hw = (x_BxHxWxC.shape[1] // self.patch, x_BxHxWxC.shape[2] // self.patch)
    z_BxNxD = PatchEmbed(self.width, self.patch, self.stem, name='patch_embed')(x_BxHxWxC)
    z_BxNxD = z_BxNxD + PositionEmbedding(self.pos_embedding, grid_hw, name='pos')(self.width)[None]
    if self.pool == 'cls':  # z_0 = [x_class; x_p E + E_pos] (the [class] token carries no E_pos)
      cls_1x1xD = self.param('cls_token', nn.initializers.zeros, (1, 1, self.width))
      if self.cls_pos_embedding:  # the paper's z_0 = [x_class; x_p E] + E_pos, E_pos: (N+1) x D
        cls_1x1xD = cls_1x1xD + self.param('cls_pos_embedding', nn.initializers.normal(0.02),
                                           (1, 1, self.width))
      z_BxNxD = prepend_cls(cls_1x1xD, z_BxNxD)
    z_BxNxD = Encoder(self.depth, self.num_heads, self.mlp_dim, self.dropout, self.sow_weights,
                      name='encoder')(z_BxNxD, train)
    h_BxD = z_BxNxD[:, 0] if self.pool == 'cls' else z_BxNxD.mean(axis=1)  # LN(z_L^0)
    h_BxD = nn.Dropout(self.dropout, deterministic=not train)(h_BxD)
    if self.head_hidden:
      h_BxD = jnp.tanh(nn.Dense(self.head_hidden, name='head_hidden')(h_BxD))
    return nn.Dense(self.num_outputs, kernel_init=nn.initializers.zeros, name='head')(h_BxD)


def prepend_cls(cls_1x1xD, z_BxNxD):
  """[x_class; z]: the learned [class] token in front of every sequence, B x (1 + N) x D."""
  cls_Bx1xD = jnp.broadcast_to(cls_1x1xD, (z_BxNxD.shape[0], 1, z_BxNxD.shape[-1]))
  return jnp.concatenate([cls_Bx1xD, z_BxNxD], axis=1)
