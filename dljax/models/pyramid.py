"""The Laplacian pyramid (Burt & Adelson 1983): a classical image transform, not a network.

  REDUCE   g_{l+1} = downsample2(w * g_l)               w = [1, 4, 6, 4, 1] / 16 in h and in w
  EXPAND   E(g)    = 4 (w * zero_insert2(g))            back to the size of the finer level
  levels   L_l     = g_l - E(g_{l+1})   (l < N),   L_N = g_N     (a band-pass image per scale)
  inverse  g_l     = L_l + E(g_{l+1})   from the top: exact, whatever w is, for odd and even sizes

Neighbouring pixels are correlated, so the L_l are mostly near 0: their grey-level histograms are
peaked and their first-order entropy H = -sum_i f_i log2 f_i is lower than the image's (Burt's
point; the notes' "close to maximum entropy" is the opposite claim, settled by the study).
Images are B x H x W x C arrays; borders are mirrored (reflect, without repeating the edge).
"""
import jax.numpy as jnp
import numpy as np

BINOMIAL5 = (1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16)


def _blur_axis(x, axis: int, taps=BINOMIAL5):
  """sum_i w_i x[n + i - 2] along `axis`, mirrored at the borders."""
  r = len(taps) // 2
  pad = [(0, 0)] * x.ndim
  pad[axis] = (r, r)
  xp = jnp.pad(x, pad, mode='reflect')
  n = x.shape[axis]
  return sum(t * jnp.take(xp, jnp.arange(i, i + n), axis=axis) for i, t in enumerate(taps))


def blur(x_BxHxWxC):
  """The separable 5x5 binomial blur w (x) w."""
  return _blur_axis(_blur_axis(x_BxHxWxC, 1), 2)


def reduce(g_BxHxWxC):
  """g_{l+1} = (w * g_l)[::2, ::2]: H -> ceil(H / 2)."""
  return blur(g_BxHxWxC)[:, ::2, ::2]


def expand(g_BxhxwxC, shape):
  """E(g) at the finer level's size `shape` = (H, W): zero insertion, then 4 (w * .) (the factor 4
  restores the mean, since 3 of every 4 pixels of the zero-inserted image are 0)."""
  b, h, w, c = g_BxhxwxC.shape
  up = jnp.zeros((b, shape[0], shape[1], c), g_BxhxwxC.dtype).at[:, ::2, ::2].set(g_BxhxwxC)
  return 4.0 * blur(up)


def build(x_BxHxWxC, levels: int):
  """[L_0, ..., L_{levels-1}, g_levels]: levels band-pass images, then the coarse residual."""
  pyramid, g = [], x_BxHxWxC
  for _ in range(levels):
    g_next = reduce(g)
    pyramid.append(g - expand(g_next, g.shape[1:3]))  # L_l = g_l - E(g_{l+1})
    g = g_next
  return pyramid + [g]


def reconstruct(pyramid):
  """g_0 from its pyramid: g_l = L_l + E(g_{l+1}), from the coarsest level down."""
  g = pyramid[-1]
  for lap in reversed(pyramid[:-1]):
    g = lap + expand(g, lap.shape[1:3])
  return g


def histogram_entropy(x, step: float = 1 / 255) -> float:
  """Burt's first-order entropy H = -sum_i f_i log2 f_i (bits per pixel) of the values of x quantised
  to multiples of `step` (1/255: the 8-bit grey levels of [0, 1] images; band-pass levels are signed)."""
  q = np.round(np.asarray(x, np.float64) / step).astype(np.int64).ravel()
  f = np.bincount(q - q.min()) / q.size
  f = f[f > 0]
  return float(-(f * np.log2(f)).sum())
