"""Swin Transformer (Liu et al. 2021) sized for 28x28: attention inside M x M windows, shifted windows.

  patch partition + linear embedding:  p x p patches -> C channels  (a stride-p conv, then LayerNorm)
  Swin block l (pre-norm):   z' = (S)W-MSA(LN(z)) + z ;   z = MLP(LN(z')) + z'
    W-MSA on even blocks (windows aligned at 0), SW-MSA on odd blocks (the map is cyclically shifted
    by floor(M/2) before partitioning and shifted back after, so windows straddle the old borders)
  attention in a window:     softmax(Q K^T / sqrt(d) + B + mask) V,   B = table[index(i, j)]
    B is the learned relative position bias: a ((2M-1)^2 x heads) table indexed by the relative
    coordinates (dy, dx) in [-(M-1), M-1]^2 of query i and key j; mask = -inf between tokens that the
    cyclic shift brought together from different regions of the image.
  patch merging between stages: 2x2 neighbours concatenated (4C) -> LayerNorm -> linear 4C -> 2C
  head: LayerNorm, global average pool, dense.

Cost: attention is computed over N / M^2 windows of M^2 tokens each, so O(N M^2 C) instead of ViT's
O(N^2 C): linear in the number of tokens N for a fixed window.

Reference sizes (`SWIN_SIZES`, chosen with `model.size`, e.g. --config.model.size=T; Liu et al. 2021
Sec. 3.3): patch 4, window 7, C = 96 / 96 / 128 / 192, depths (2, 2, 6, 2) for T and (2, 2, 18, 2)
for S, B, L, heads C/32 per stage (3, 6, 12, 24 for T). At the published input (224 x 224 x 3, maps
56 -> 28 -> 14 -> 7, 1000-class head) Swin-T has 28,288,354 parameters, S 49,606,258, B 87,768,224,
L 196,532,476 (the paper's 28M/29M, 50M, 88M, 197M); the module has the reference implementation's
parameters one for one (patch embedding + LN, separate q/k/v projections = its fused qkv, relative
position bias tables, bias-free patch-merging reduction, final LN, head). At 224 the last stage's
7 x 7 map is one window, so it is not shifted, as in the reference code.

GELU is flax's `nn.gelu`, whose default is the tanh approximation
0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))); PyTorch's `nn.GELU()` defaults to the exact
x Phi(x) (erf), up to 4.7e-4 away (torch's `approximate='tanh'` agrees to 5e-7).
LayerNorm is flax's `nn.LayerNorm`, epsilon 1e-6; PyTorch's `nn.LayerNorm` defaults to 1e-5, which
changes the output where a row's variance is near 1e-6 (a torch twin must pass eps=1e-6).
"""
import flax.linen as nn
import jax.numpy as jnp
import numpy as np

from dljax.errors import ConfigError
from dljax.models.attention import MultiHeadAttention

# the paper's sizes (Sec. 3.3), for 224 x 224 x 3 images and 1000 classes
SWIN_SIZES = {
    'T': dict(patch=4, window=7, embed_dim=96, depths=(2, 2, 6, 2), heads=(3, 6, 12, 24)),
    'S': dict(patch=4, window=7, embed_dim=96, depths=(2, 2, 18, 2), heads=(3, 6, 12, 24)),
    'B': dict(patch=4, window=7, embed_dim=128, depths=(2, 2, 18, 2), heads=(4, 8, 16, 32)),
    'L': dict(patch=4, window=7, embed_dim=192, depths=(2, 2, 18, 2), heads=(6, 12, 24, 48)),
}


def window_partition(x_BxHxWxC, window: int):
  """(B, H, W, C) -> (B * nW, M*M, C): non-overlapping M x M windows, row-major over the map."""
  b, h, w, c = x_BxHxWxC.shape
  m = window
  x = x_BxHxWxC.reshape(b, h // m, m, w // m, m, c).transpose(0, 1, 3, 2, 4, 5)
  return x.reshape(b * (h // m) * (w // m), m * m, c)


def window_reverse(windows_BnWxMMxC, window: int, height: int, width: int):
  """Inverse of window_partition: (B * nW, M*M, C) -> (B, H, W, C)."""
  m = window
  c = windows_BnWxMMxC.shape[-1]
  b = windows_BnWxMMxC.shape[0] // ((height // m) * (width // m))
  x = windows_BnWxMMxC.reshape(b, height // m, width // m, m, m, c).transpose(0, 1, 3, 2, 4, 5)
  return x.reshape(b, height, width, c)


def relative_position_index(window: int) -> np.ndarray:
  """(M*M, M*M) integers in [0, (2M-1)^2): the row of the bias table for query i and key j.

  With (y, x) the coordinates of a token in its window, (dy, dx) = (y_i - y_j, x_i - x_j) lies in
  [-(M-1), M-1]^2; shifted by M-1 to be non-negative it is read as the index dy' (2M-1) + dx'.
  """
  m = window
  coords_2xMM = np.stack(np.meshgrid(np.arange(m), np.arange(m), indexing='ij')).reshape(2, -1)
  rel_2xMMxMM = coords_2xMM[:, :, None] - coords_2xMM[:, None, :] + (m - 1)
  return rel_2xMMxMM[0] * (2 * m - 1) + rel_2xMMxMM[1]


def shifted_window_mask(height: int, width: int, window: int, shift: int) -> np.ndarray:
  """(nW, M*M, M*M) booleans, True where query i may attend to key j inside the same window.

  After the cyclic shift by `shift`, the windows at the bottom/right border hold tokens from up to
  3 x 3 regions of the original image that were not neighbours there; each token is labelled with
  its region (slices [0, H-M), [H-M, H-s), [H-s, H) per axis) and only equal labels may attend.
  With shift 0 every label is the same and the mask allows everything.
  """
  regions_HxW = np.zeros((height, width), np.int32)
  if shift > 0:
    label = 0
    for ys in (slice(0, -window), slice(-window, -shift), slice(-shift, None)):
      for xs in (slice(0, -window), slice(-window, -shift), slice(-shift, None)):
        regions_HxW[ys, xs] = label
        label += 1
  labels_nWxMM = np.asarray(window_partition(regions_HxW[None, :, :, None], window))[..., 0]
  return labels_nWxMM[:, :, None] == labels_nWxMM[:, None, :]


class WindowAttention(nn.Module):
  """Multi-head self-attention within each M x M window, with the learned relative position bias
  and the shifted-window mask (attention.MultiHeadAttention does the softmax(QK^T/sqrt(d) + B)V)."""
  heads: int
  window: int

  @nn.compact
  def __call__(self, x_BnWxNxC, allowed_nWxNxN):
    bnw, n, c = x_BnWxNxC.shape
    nw = allowed_nWxNxN.shape[0]
    table = self.param('relative_bias_table', nn.initializers.truncated_normal(0.02),
                       ((2 * self.window - 1) ** 2, self.heads))
    # B_ij = table[index(i, j)] per head: 1 x heads x N x N
    bias_1xHxNxN = table[relative_position_index(self.window)].transpose(2, 0, 1)[None]
    # window w of every image gets mask w: (B * nW) x 1 x N x N
    mask = jnp.broadcast_to(allowed_nWxNxN[None], (bnw // nw, nw, n, n)).reshape(bnw, 1, n, n)
    return MultiHeadAttention(self.heads, d_model=c, name='mha')(x_BnWxNxC, mask=mask,
                                                                 bias=bias_1xHxNxN)


class SwinBlock(nn.Module):
  """z' = (S)W-MSA(LN(z)) + z;  z = MLP(LN(z')) + z'.  shift = 0 gives W-MSA, M//2 gives SW-MSA."""
  heads: int
  window: int
  shift: int = 0
  mlp_ratio: int = 4

  @nn.compact
  def __call__(self, x_BxHxWxC):
    _, height, width, c = x_BxHxWxC.shape
    m, s = self.window, self.shift
    y = nn.LayerNorm(name='norm1')(x_BxHxWxC)
    y = jnp.roll(y, (-s, -s), axis=(1, 2))  # cyclic shift up-left by s (a no-op when s = 0)
    allowed = shifted_window_mask(height, width, m, s)
    y = WindowAttention(self.heads, m, name='attn')(window_partition(y, m), allowed)
    y = jnp.roll(window_reverse(y, m, height, width), (s, s), axis=(1, 2))  # reverse shift
    x = x_BxHxWxC + y
    y = nn.Dense(self.mlp_ratio * c, name='mlp_in')(nn.LayerNorm(name='norm2')(x))
    return x + nn.Dense(c, name='mlp_out')(nn.gelu(y))


class PatchMerging(nn.Module):
  """(B, H, W, C) -> (B, H/2, W/2, 2C): concatenate each 2x2 neighbourhood, LayerNorm, linear 4C->2C."""

  @nn.compact
  def __call__(self, x_BxHxWxC):
    c = x_BxHxWxC.shape[-1]
    x = jnp.concatenate([x_BxHxWxC[:, 0::2, 0::2], x_BxHxWxC[:, 1::2, 0::2],
                         x_BxHxWxC[:, 0::2, 1::2], x_BxHxWxC[:, 1::2, 1::2]], axis=-1)
    return nn.Dense(2 * c, use_bias=False, name='reduction')(nn.LayerNorm(name='norm')(x))


class Swin(nn.Module):
  """Patch embedding, stages of Swin blocks (W-MSA / SW-MSA alternating) with patch merging between
  them, LayerNorm, global average pool, dense. Width doubles at each merge: embed_dim * 2^i.

  A stage whose map is not larger than the window uses one window of the whole map and no shift
  (as the reference implementation does): shifting a single window would only add the mask.
  `model.size` picks a row of SWIN_SIZES (the paper's T/S/B/L).
  """
  SIZES = SWIN_SIZES

  patch: int = 2
  embed_dim: int = 48
  depths: tuple = (2, 2)
  heads: tuple = (3, 6)
  window: int = 7
  mlp_ratio: int = 4
  num_outputs: int = 10
  stem: str = 'linear'   # 'linear': the paper's p x p patch embedding; 'conv': a small conv stem

  def __post_init__(self):
    super().__post_init__()
    if self.stem not in ('linear', 'conv'):
      raise ConfigError(f"model.stem={self.stem!r} is unknown; use 'linear' or 'conv'.")
    if len(self.depths) != len(self.heads):
      raise ConfigError(f'model.depths={self.depths} and model.heads={self.heads} must have the same '
                        'length (one head count per stage).')
    for i, heads in enumerate(self.heads):
      if (self.embed_dim * 2 ** i) % heads:
        raise ConfigError(f'stage {i + 1} has width model.embed_dim * 2^{i} = {self.embed_dim * 2 ** i},'
                          f' not divisible by model.heads[{i}]={heads}; change embed_dim or heads.')

  @nn.compact
  def __call__(self, x_BxHxWxC, train: bool = False):
    del train  # no dropout or BatchNorm
    _, height, width, _ = x_BxHxWxC.shape
    grid = (height // self.patch, width // self.patch)
    for i in range(len(self.depths)):
      g = (grid[0] // 2 ** i, grid[1] // 2 ** i)
      if height % self.patch or width % self.patch or g[0] % min(self.window, g[0]) or \
         g[1] % min(self.window, g[1]) or (i < len(self.depths) - 1 and (g[0] % 2 or g[1] % 2)):
        raise ValueError(f'image {height}x{width} with model.patch={self.patch} gives a {g[0]}x{g[1]} '
                         f'map at stage {i + 1}, which model.window={self.window} does not tile (or '
                         'an odd map before a merge); choose patch/window/depths that divide it.')
    if self.stem == 'linear':
      # patch partition + linear embedding: a p x p stride-p convolution is a linear map of each patch
      x = nn.Conv(self.embed_dim, (self.patch, self.patch), strides=self.patch, padding='VALID',
                  name='patch_embed')(x_BxHxWxC)
    else:
      # convolutional stem (Xiao et al. 2021, as fmnist_vit's): conv3x3 + ReLU at full resolution,
      # then a p x p stride-p conv to embed_dim; the same token grid as the linear embedding
      h = nn.relu(nn.Conv(self.embed_dim // 2, (3, 3), padding=1, name='stem_conv')(x_BxHxWxC))
      x = nn.Conv(self.embed_dim, (self.patch, self.patch), strides=self.patch, padding='VALID',
                  name='patch_embed')(h)
    x = nn.LayerNorm(name='embed_norm')(x)
    for i, (depth, heads) in enumerate(zip(self.depths, self.heads)):
      if i > 0:
        x = PatchMerging(name=f'merge{i}')(x)
      window = min(self.window, x.shape[1], x.shape[2])
      for j in range(depth):
        shift = window // 2 if j % 2 == 1 and window < min(x.shape[1], x.shape[2]) else 0
        x = SwinBlock(heads, window, shift, self.mlp_ratio,
                      name=f'stage{i + 1}_block{j + 1}')(x)
    x = nn.LayerNorm(name='norm')(x).mean(axis=(1, 2))  # global average pool: B x C
    return nn.Dense(self.num_outputs, name='head')(x)
