"""Mean attention distance (Dosovitskiy et al. 2021, Fig. 7): how far, in pixels, each head looks.

  d_h = mean over images and query patches i of  sum_j A_h(i, j) ||c_i - c_j||

with c_i the centre of patch i in pixels and A_h the head's attention weights between patch tokens
(the [class] token's row and column are dropped and each row renormalised over the patches). Small
d_h = local heads (convolution-like), large d_h = global heads.
"""
import numpy as np


def patch_distances(grid_hw, patch: int):
  """N x N Euclidean distances between the patch centres, in pixels (row-major patch order)."""
  rows, cols = np.meshgrid(np.arange(grid_hw[0]), np.arange(grid_hw[1]), indexing='ij')
  centres_Nx2 = np.stack([rows.ravel(), cols.ravel()], axis=1) * patch
  return np.linalg.norm(centres_Nx2[:, None, :] - centres_Nx2[None, :, :], axis=-1)


def mean_attention_distance(weights_BxHxTxS, grid_hw, patch: int, cls_token: bool = True):
  """d_h for each head: H, from one layer's attention weights."""
  a = np.asarray(weights_BxHxTxS, dtype=np.float64)
  if cls_token:
    a = a[:, :, 1:, 1:]
    a = a / np.maximum(a.sum(-1, keepdims=True), 1e-12)  # renormalise over the patch keys
  dist_NxN = patch_distances(grid_hw, patch)
  if a.shape[-2:] != dist_NxN.shape:
    raise ValueError(f'attention weights over {a.shape[-2:]} tokens do not match the {grid_hw} '
                     f'patch grid{" plus the [class] token" if cls_token else ""}.')
  return (a * dist_NxN[None, None]).sum(-1).mean(axis=(0, 2))
