"""Masked autoencoder (He et al. 2022) on ViT pieces.

  keep a random 25 % of the N patches per image (a per-example random permutation from the rng)
  encoder:  z = Encoder([x_class; x_p E + E_pos]_visible)             visible patches only
  decoder:  u = [z W_dec ; mask tokens] unshuffled to the N positions, + E_pos^dec,
            p = DecoderBlocks(u) W_pred                               one P*P*C pixel vector per patch
  loss:     L = sum_{n masked} ||p_n - t_n||^2 / (P*P*C) / #masked      masked patches only
            t_n = x_n, or (x_n - mean(x_n)) / sqrt(var(x_n) + 1e-6) with norm_pix_loss

The encoder's parameters (patch_embed, pos, cls_token, encoder) carry the same names and shapes as
`vit.ViT`'s with the same patch/width/depth/heads/mlp_dim, so a ViT classifier can start from them.

The blocks are vit's: tanh-approximate GELU and LayerNorm epsilon 1e-6, not PyTorch's exact GELU
and eps 1e-5 (see vit.py).
"""
import flax.linen as nn
import jax
import jax.numpy as jnp

from dljax.models.vit import Encoder, PatchEmbed, PositionEmbedding, patchify, prepend_cls


def random_masking(rng, batch: int, n: int, keep: int):
  """Per-example random permutations: (ids_keep B x keep, ids_restore B x N, mask B x N).

  ids_shuffle = argsort(uniform noise) is a uniformly random permutation of the N patches; its first
  `keep` entries are kept. ids_restore = argsort(ids_shuffle) puts a shuffled sequence back in patch
  order. mask is 1 on the removed patches, 0 on the kept ones, in patch order.
  """
  noise_BxN = jax.random.uniform(rng, (batch, n))
  ids_shuffle_BxN = jnp.argsort(noise_BxN, axis=1)
  ids_restore_BxN = jnp.argsort(ids_shuffle_BxN, axis=1)
  mask_shuffled_BxN = (jnp.arange(n)[None, :] >= keep).astype(jnp.float32) * jnp.ones((batch, 1))
  mask_BxN = jnp.take_along_axis(mask_shuffled_BxN, ids_restore_BxN, axis=1)
  return ids_shuffle_BxN[:, :keep], ids_restore_BxN, mask_BxN


def patch_targets(x_BxHxWxC, patch: int, norm_pix_loss: bool):
  """t_n: the patch pixels, optionally normalised per patch (mean 0, variance 1)."""
  t_BxNxPPC = patchify(x_BxHxWxC, patch)
  if norm_pix_loss:
    mean = t_BxNxPPC.mean(axis=-1, keepdims=True)
    var = t_BxNxPPC.var(axis=-1, keepdims=True)
    t_BxNxPPC = (t_BxNxPPC - mean) / jnp.sqrt(var + 1e-6)
  return t_BxNxPPC


def masked_patch_loss(pred_BxNxPPC, target_BxNxPPC, mask_BxN):
  """Per-example mean squared error over the masked patches only: B."""
  per_patch_BxN = ((pred_BxNxPPC - target_BxNxPPC) ** 2).mean(axis=-1)
  return (per_patch_BxN * mask_BxN).sum(axis=1) / mask_BxN.sum(axis=1)


class MAE(nn.Module):
  """Masked autoencoder; __call__ returns (pred B x N x P*P*C, mask B x N).

  The masking randomness comes from the 'masking' rng stream (apply(..., rngs={'masking': key})).
  """
  patch: int = 4
  width: int = 64
  depth: int = 4
  num_heads: int = 4
  mlp_dim: int = 128
  mask_ratio: float = 0.75
  pos_embedding: str = 'sincos2d'
  decoder_width: int = 64
  decoder_depth: int = 2
  decoder_heads: int = 4
  decoder_mlp_dim: int = 128
  norm_pix_loss: bool = False

  @nn.compact
  def __call__(self, x_BxHxWxC, train: bool = False):
    if not 0.0 <= self.mask_ratio < 1.0:
      raise ValueError(f'model.mask_ratio={self.mask_ratio} must be in [0, 1).')
    b = x_BxHxWxC.shape[0]
    grid_hw = (x_BxHxWxC.shape[1] // self.patch, x_BxHxWxC.shape[2] // self.patch)
    # encoder on the visible patches: x_p E + E_pos, keep 25 %, prepend [class]
    z_BxNxD = PatchEmbed(self.width, self.patch, name='patch_embed')(x_BxHxWxC)
    z_BxNxD = z_BxNxD + PositionEmbedding(self.pos_embedding, grid_hw, name='pos')(self.width)[None]
    n = z_BxNxD.shape[1]
    keep = max(1, int(round(n * (1.0 - self.mask_ratio))))
    ids_keep_BxK, ids_restore_BxN, mask_BxN = random_masking(self.make_rng('masking'), b, n, keep)
    z_BxKxD = jnp.take_along_axis(z_BxNxD, ids_keep_BxK[:, :, None], axis=1)
    z_BxKxD = prepend_cls(self.param('cls_token', nn.initializers.zeros, (1, 1, self.width)), z_BxKxD)
    z_BxKxD = Encoder(self.depth, self.num_heads, self.mlp_dim, name='encoder')(z_BxKxD, train)

    # decoder on all N positions: embedded visible tokens + shared mask tokens, unshuffled
    u_BxKxE = nn.Dense(self.decoder_width, name='decoder_embed')(z_BxKxD)
    mask_token_1x1xE = self.param('mask_token', nn.initializers.normal(0.02), (1, 1, self.decoder_width))
    u_BxNxE = jnp.concatenate(
        [u_BxKxE[:, 1:], jnp.broadcast_to(mask_token_1x1xE, (b, n - keep, self.decoder_width))], axis=1)
    u_BxNxE = jnp.take_along_axis(u_BxNxE, ids_restore_BxN[:, :, None], axis=1)  # patch order
    u_BxNxE = u_BxNxE + PositionEmbedding('sincos2d', grid_hw, name='decoder_pos')(
        self.decoder_width)[None]
    u_BxNxE = jnp.concatenate([u_BxKxE[:, :1], u_BxNxE], axis=1)  # the [class] token first
    u_BxNxE = Encoder(self.decoder_depth, self.decoder_heads, self.decoder_mlp_dim,
                      name='decoder')(u_BxNxE, train)
    c = x_BxHxWxC.shape[-1]
    pred_BxNxPPC = nn.Dense(self.patch * self.patch * c, name='decoder_pred')(u_BxNxE[:, 1:])
    return pred_BxNxPPC, mask_BxN

  def loss(self, pred_BxNxPPC, mask_BxN, x_BxHxWxC):
    """Per-example loss on the masked patches, B."""
    target = patch_targets(x_BxHxWxC, self.patch, self.norm_pix_loss)
    return masked_patch_loss(pred_BxNxPPC, target, mask_BxN)
