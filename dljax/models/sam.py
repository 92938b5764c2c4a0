r"""A SAM-lite (Kirillov et al. 2023, "Segment Anything"; seed 001 §1.17, c42): image encoder, prompt
encoder and a two-way-attention mask decoder that returns M masks and their predicted IoUs.

  image encoder    e = Neck(ViT(x)): conv-stem patches (P = 4: a 32 x 32 image gives G x G = 8 x 8
                   tokens of width D) + fixed 2-D sin-cos positions, `encoder_depth` pre-norm
                   Transformer blocks (dljax.models.vit.EncoderBlock), then Dense + LayerNorm
  prompt encoder   a prompt point p (row, col) in pixels -> PE(p) + E[label]: PE(p) = [sin 2 pi u W,
                   cos 2 pi u W], u = 2 p / size - 1, W a fixed Gaussian 2 x D/2 matrix (random
                   Fourier features; SAM's PositionEmbeddingRandom), E a learned embedding of the
                   point's label (1 point, 2 / 3 box corners, 0 padding, whose PE is dropped); the
                   image tokens' dense positions are PE of the G x G token centres
  mask decoder     tokens t = [iou token; M mask tokens; prompt tokens], image tokens s = e:
                   `decoder_depth` two-way blocks, each
                     (1) t <- LN(t + SelfAttn(t + t_pe, t + t_pe, t))             tokens among themselves
                     (2) t <- LN(t + Attn(q = t + t_pe, k = s + s_pe, v = s))     token -> image
                     (3) t <- LN(t + MLP(t))
                     (4) s <- LN(s + Attn(q = s + s_pe, k = t + t_pe, v = t))     image -> token
                   (t_pe: the initial tokens, s_pe: the dense PE), a final token -> image attention,
                   then s is upscaled x4 (two stride-2 transposed convs: 8x8 -> 32x32, D/8 channels)
                   and mask m is  logits_m(i, j) = <MLP_m(t_mask_m), U(s)(i, j)>  (a hypernetwork
                   per mask token); the IoU head is MLP(t_iou) -> M predicted IoUs.
With hires_skip=True a 3x3 conv of the image (D/8 channels, full resolution) is added to U(s) before
the dot product (as SAM 2 feeds high-resolution encoder features into the upscaling); 32 x 32 shapes
are only 8 x 8 tokens, and the skip lets the masks follow their outlines.

M = num_masks: 3 (SAM's multimask output: whole / part / subpart of an ambiguous prompt, trained with
the min-over-masks loss, dljax.train.tasks.promptable) or 1 (the single-mask baseline).
Shapes: x B x H x W x 1, points B x P x 2, labels B x P -> (logits B x M x H x W, iou B x M).
"""
import flax.linen as nn
import jax.numpy as jnp
import numpy as np

from dljax.errors import ConfigError
from dljax.models import vit
from dljax.models.attention import dot_product_attention

NUM_LABELS = 4  # padding, point, box top-left, box bottom-right (dljax.data.datasets.shapes_prompts)


def fourier_matrix(dim: int, scale: float = 1.0, seed: int = 0) -> np.ndarray:
  """W, 2 x dim/2, entries N(0, scale^2) from a fixed seed (a constant of the model, not trained)."""
  return (scale * np.random.default_rng(seed).standard_normal((2, dim // 2))).astype(np.float32)


def fourier_pe(coords_Nx2, size: int, w_2xF):
  """PE(p) = [sin(2 pi u W), cos(2 pi u W)], u = 2 p / size - 1 in [-1, 1]: ... x 2F."""
  u = 2.0 * coords_Nx2 / size - 1.0
  angles = 2.0 * np.pi * (u @ w_2xF)
  return jnp.concatenate([jnp.sin(angles), jnp.cos(angles)], axis=-1)


def grid_centres(grid: int, size: int) -> np.ndarray:
  """(row, col) pixel coordinates of the centres of a grid x grid tiling of a size x size image."""
  c = (np.arange(grid) + 0.5) * size / grid
  rows, cols = np.meshgrid(c, c, indexing='ij')
  return np.stack([rows.ravel(), cols.ravel()], -1).astype(np.float32)


class Attention(nn.Module):
  """softmax((q W^Q)(k W^K)^T / sqrt(d)) (v W^V) W^O with separate q, k, v inputs (SAM's Attention:
  keys carry positions, values do not), heads of width inner / num_heads."""
  num_heads: int
  inner: int

  @nn.compact
  def __call__(self, q_BxTxD, k_BxSxD, v_BxSxD):
    d_out = q_BxTxD.shape[-1]
    proj = lambda name: nn.DenseGeneral((self.num_heads, self.inner // self.num_heads), name=name)  # pylint: disable=unnecessary-lambda-assignment
    out_BxTxHxE = dot_product_attention(proj('query')(q_BxTxD), proj('key')(k_BxSxD),
                                        proj('value')(v_BxSxD))
    return nn.DenseGeneral(d_out, axis=(-2, -1), name='out')(out_BxTxHxE)


class TwoWayBlock(nn.Module):
  """One two-way block (module docstring steps 1-4): the tokens read the image and the image reads
  the tokens; returns (tokens, image tokens), both updated."""
  num_heads: int
  mlp_dim: int
  downsample: int = 2  # cross-attention inner width D / downsample (SAM's attention_downsample_rate)

  @nn.compact
  def __call__(self, t_BxTxD, s_BxNxD, t_pe_BxTxD, s_pe_1xNxD):
    d = t_BxTxD.shape[-1]
    q = t_BxTxD + t_pe_BxTxD
    t_BxTxD = nn.LayerNorm(name='ln1')(t_BxTxD + Attention(self.num_heads, d, name='self_attn')(
        q, q, t_BxTxD))                                                       # (1) self-attention
    q, k = t_BxTxD + t_pe_BxTxD, s_BxNxD + s_pe_1xNxD
    t_BxTxD = nn.LayerNorm(name='ln2')(t_BxTxD + Attention(
        self.num_heads, d // self.downsample, name='token_to_image')(q, k, s_BxNxD))  # (2)
    h = nn.Dense(d, name='mlp_fc2')(nn.relu(nn.Dense(self.mlp_dim, name='mlp_fc1')(t_BxTxD)))
    t_BxTxD = nn.LayerNorm(name='ln3')(t_BxTxD + h)                           # (3) MLP on tokens
    q, k = t_BxTxD + t_pe_BxTxD, s_BxNxD + s_pe_1xNxD
    s_BxNxD = nn.LayerNorm(name='ln4')(s_BxNxD + Attention(
        self.num_heads, d // self.downsample, name='image_to_token')(k, q, t_BxTxD))  # (4)
    return t_BxTxD, s_BxNxD


class MLPHead(nn.Module):
  """Dense - ReLU - ... - Dense (SAM's hypernetwork and IoU-head MLPs)."""
  hidden: int
  out: int
  layers: int = 3

  @nn.compact
  def __call__(self, h):
    for i in range(self.layers - 1):
      h = nn.relu(nn.Dense(self.hidden, name=f'fc{i + 1}')(h))
    return nn.Dense(self.out, name=f'fc{self.layers}')(h)


class SAM(nn.Module):
  """Image encoder + prompt encoder + two-way mask decoder with M masks and an IoU head."""
  image_size: int = 32
  patch: int = 4
  dim: int = 64
  num_heads: int = 4
  mlp_dim: int = 128
  encoder_depth: int = 2
  decoder_depth: int = 2
  num_masks: int = 3
  hires_skip: bool = True

  def check(self):
    if self.num_masks < 1:
      raise ConfigError(f'model.num_masks={self.num_masks}: SAM needs >= 1 mask output (3: '
                        'multimask, 1: the single-mask baseline).')
    if self.image_size % self.patch or self.patch != 4:
      raise ConfigError(f'model.patch={self.patch}: the decoder upscales the token grid x4 with '
                        'two stride-2 transposed convs, so use patch=4 and an image size divisible '
                        'by 4.')
    if self.dim % 16 or self.dim % self.num_heads:
      raise ConfigError(f'model.dim={self.dim} must be divisible by 16 (D/8 upscaled channels, '
                        f'D/2 cross-attention width) and by model.num_heads={self.num_heads}.')

  def setup(self):
    self.check()
    g = self.image_size // self.patch
    self.grid = g
    self.w_fourier = fourier_matrix(self.dim)
    self.stem = vit.PatchEmbed(self.dim, self.patch, stem='conv')
    self.blocks = [vit.EncoderBlock(self.num_heads, self.mlp_dim, name=f'enc_block{i + 1}')
                   for i in range(self.encoder_depth)]
    self.neck = nn.Dense(self.dim)
    self.neck_ln = nn.LayerNorm()
    self.label_embed = nn.Embed(NUM_LABELS, self.dim)
    self.output_tokens = self.param('output_tokens', nn.initializers.normal(0.02),
                                    (1 + self.num_masks, self.dim))  # [iou; mask_1..M]
    self.two_way = [TwoWayBlock(self.num_heads, self.mlp_dim, name=f'two_way{i + 1}')
                    for i in range(self.decoder_depth)]
    self.final_attn = Attention(self.num_heads, self.dim // 2)
    self.final_ln = nn.LayerNorm()
    c = self.dim // 8
    self.up1 = nn.ConvTranspose(self.dim // 4, (2, 2), strides=(2, 2))
    self.up_ln = nn.LayerNorm()
    self.up2 = nn.ConvTranspose(c, (2, 2), strides=(2, 2))
    self.skip = nn.Conv(c, (3, 3), padding=1)
    self.hyper = [MLPHead(self.dim, c, name=f'hyper{m + 1}') for m in range(self.num_masks)]
    self.iou_head = MLPHead(self.dim, self.num_masks)

  def encode(self, x_BxHxWx1):
    """The image embedding e, B x N x D (N = G^2 tokens)."""
    z = self.stem(x_BxHxWx1) + jnp.asarray(vit.sincos_2d(self.grid, self.grid, self.dim))[None]
    for block in self.blocks:
      z = block(z)
    return self.neck_ln(self.neck(z))

  def embed_prompts(self, points_BxPx2, labels_BxP):
    """PE(p) + E[label] per prompt point, B x P x D (padding points keep only E[0])."""
    pe = fourier_pe(points_BxPx2, self.image_size, self.w_fourier)
    pe = jnp.where((labels_BxP > 0)[..., None], pe, 0.0)
    return pe + self.label_embed(labels_BxP)

  def decode(self, e_BxNxD, x_BxHxWx1, points_BxPx2, labels_BxP):
    """(mask logits B x M x H x W, predicted IoU B x M) of the prompts on embedded images."""
    b = e_BxNxD.shape[0]
    prompts = self.embed_prompts(points_BxPx2, labels_BxP)
    t = jnp.concatenate([jnp.broadcast_to(self.output_tokens[None], (b,) + self.output_tokens.shape),
                         prompts], axis=1)
    t_pe = t
    s_pe = fourier_pe(jnp.asarray(grid_centres(self.grid, self.image_size)), self.image_size,
                      self.w_fourier)[None]
    s = e_BxNxD
    for block in self.two_way:
      t, s = block(t, s, t_pe, s_pe)
    t = self.final_ln(t + self.final_attn(t + t_pe, s + s_pe, s))  # final token -> image attention
    s = s.reshape(b, self.grid, self.grid, self.dim)
    u = nn.gelu(self.up2(nn.gelu(self.up_ln(self.up1(s)))))       # U(s): B x H x W x D/8
    if self.hires_skip:
      u = u + self.skip(x_BxHxWx1)
    hyper_BxMxC = jnp.stack([self.hyper[m](t[:, 1 + m]) for m in range(self.num_masks)], axis=1)
    logits_BxMxHxW = jnp.einsum('bmc,bhwc->bmhw', hyper_BxMxC, u)
    return logits_BxMxHxW, self.iou_head(t[:, 0])

  def __call__(self, x_BxHxWx1, points_BxPx2, labels_BxP):
    return self.decode(self.encode(x_BxHxWx1), x_BxHxWx1, points_BxPx2, labels_BxP)
