"""Upsampling layers ("inverse convolutions"): the parameter-free ones and the transposed convolution.

  nearest        each pixel becomes an s x s block of copies
  bed of nails   each pixel goes to the top-left corner of its s x s block, zeros elsewhere
  bilinear       linear interpolation in h and w, half-pixel centres (align_corners=False)
  max-unpool     bed of nails placed at the positions the encoder's max-pool took its maxima from
  transposed     the gradient of a strided convolution: zero insertion + padding + a convolution with
  convolution    the spatially flipped kernel (trainable, unlike the others)

Transposed-conv output size (PyTorch's; the notes' first formula has a spurious +1):
  out = (in - 1) s - 2p + d (k - 1) + output_padding + 1
"""
import flax.linen as nn
import jax
import jax.numpy as jnp
from jax import lax


def nearest(x_BxHxWxC, s: int = 2):
  """x_up[i, j] = x[i // s, j // s]."""
  return jnp.repeat(jnp.repeat(x_BxHxWxC, s, axis=1), s, axis=2)


def zero_insert(x_BxHxWxC, s: int):
  """s - 1 zeros between neighbouring pixels: H -> (H - 1) s + 1 (a 'fractionally strided' input)."""
  zero = jnp.zeros((), x_BxHxWxC.dtype)
  return lax.pad(x_BxHxWxC, zero, ((0, 0, 0), (0, 0, s - 1), (0, 0, s - 1), (0, 0, 0)))


def bed_of_nails(x_BxHxWxC, s: int = 2):
  """x_up[i s, j s] = x[i, j], 0 elsewhere: H -> H s."""
  zero = jnp.zeros((), x_BxHxWxC.dtype)
  return lax.pad(zero_insert(x_BxHxWxC, s), zero, ((0, 0, 0), (0, s - 1, 0), (0, s - 1, 0), (0, 0, 0)))


def _interp_axis(x, axis: int, out_size: int):
  """Linear interpolation along `axis` at the half-pixel centres of `out_size` output pixels."""
  n = x.shape[axis]
  pos = (jnp.arange(out_size) + 0.5) * (n / out_size) - 0.5  # output centre in input coordinates
  pos = jnp.clip(pos, 0.0, n - 1)  # the border pixels are repeated outwards
  lo = jnp.floor(pos).astype(jnp.int32)
  hi = jnp.minimum(lo + 1, n - 1)
  shape = [1] * x.ndim
  shape[axis] = out_size
  t = (pos - lo).astype(x.dtype).reshape(shape)
  return jnp.take(x, lo, axis=axis) * (1 - t) + jnp.take(x, hi, axis=axis) * t  # (1 - t) x_lo + t x_hi


def bilinear(x_BxHxWxC, s: int = 2):
  """Bilinear upsampling by s, written out: interpolate along H, then along W."""
  _, h, w, _ = x_BxHxWxC.shape
  return _interp_axis(_interp_axis(x_BxHxWxC, 1, h * s), 2, w * s)


def bilinear_resize(x_BxHxWxC, s: int = 2):
  """The same with jax.image.resize (the library version the explicit one is tested against)."""
  b, h, w, c = x_BxHxWxC.shape
  return jax.image.resize(x_BxHxWxC, (b, h * s, w * s, c), method='bilinear')


def _windows(x_BxHxWxC, k: int):
  """(B, H/k, W/k, k*k, C): the pixels of each non-overlapping k x k window (row-major within it)."""
  b, h, w, c = x_BxHxWxC.shape
  x = x_BxHxWxC[:, :h // k * k, :w // k * k].reshape(b, h // k, k, w // k, k, c)
  return x.transpose(0, 1, 3, 2, 4, 5).reshape(b, h // k, w // k, k * k, c)


def max_pool_with_argmax(x_BxHxWxC, k: int = 2):
  """k x k max pooling (stride k) that also returns where each maximum was: its index in the window."""
  win = _windows(x_BxHxWxC, k)
  return win.max(axis=3), win.argmax(axis=3)


def max_unpool(y_BxhxwxC, argmax_Bxhxwxc, k: int = 2):
  """Puts each pooled value back at its argmax position inside its k x k window, zeros elsewhere."""
  b, h, w, c = y_BxhxwxC.shape
  onehot = jax.nn.one_hot(argmax_Bxhxwxc, k * k, axis=3, dtype=y_BxhxwxC.dtype)  # (B, h, w, k*k, C)
  win = onehot * y_BxhxwxC[:, :, :, None, :]
  return win.reshape(b, h, w, k, k, c).transpose(0, 1, 3, 2, 4, 5).reshape(b, h * k, w * k, c)


def conv_transpose(x_BxHxWxI, kernel_KxKxIxO, stride: int = 1, padding: int = 0, dilation: int = 1,
                   output_padding: int = 0):
  """Transposed convolution from scratch: y[o s - p + i d] += x[o] w[i] (the gradient of a conv).

  1. zero insertion: s - 1 zeros between pixels, H -> (H - 1) s + 1
  2. pad d (k - 1) - p on each side, plus output_padding at the bottom/right (negative = crop)
  3. a stride-1 convolution (dilation d) with the spatially flipped kernel
  kernel[i, j, c_in, c_out] is PyTorch's ConvTranspose2d weight[c_in, c_out, i, j].
  """
  k = kernel_KxKxIxO.shape[0]
  if output_padding >= max(stride, dilation) or output_padding < 0:
    raise ValueError(f'output_padding={output_padding} must be in [0, max(stride, dilation)) = '
                     f'[0, {max(stride, dilation)}) as in PyTorch.')
  x = zero_insert(x_BxHxWxI, stride)
  edge = dilation * (k - 1) - padding
  zero = jnp.zeros((), x.dtype)
  x = lax.pad(x, zero, ((0, 0, 0), (edge, edge + output_padding, 0),
                        (edge, edge + output_padding, 0), (0, 0, 0)))
  flipped = kernel_KxKxIxO[::-1, ::-1]
  return lax.conv_general_dilated(x, flipped, (1, 1), 'VALID', rhs_dilation=(dilation, dilation),
                                  dimension_numbers=('NHWC', 'HWIO', 'NHWC'))


class ConvTranspose(nn.Module):
  """Trainable upsampling layer: `conv_transpose` with a (k, k, C_in, features) kernel and a bias."""
  features: int
  kernel_size: int = 2
  stride: int = 2
  padding: int = 0
  dilation: int = 1
  output_padding: int = 0

  @nn.compact
  def __call__(self, x_BxHxWxC):
    k = self.kernel_size
    kernel = self.param('kernel', nn.initializers.lecun_normal(), (k, k, x_BxHxWxC.shape[-1],
                                                                  self.features))
    bias = self.param('bias', nn.initializers.zeros, (self.features,))
    y = conv_transpose(x_BxHxWxC, kernel, self.stride, self.padding, self.dilation,
                       self.output_padding)
    return y + bias[None, None, None, :]

