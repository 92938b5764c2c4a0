r"""Normalising flows: an invertible f maps data x to a latent z = f(x) with a simple density.

  change of variables  log p_X(x) = log p_Z(f(x)) + log |det df/dx|,   p_Z = N(0, I)
  a composition        f = f_K o ... o f_1:  log |det df/dx| = sum_k log |det df_k/dh_{k-1}|
  sampling             x = f^{-1}(z), z ~ N(0, I)

RealNVP (Dinh, Sohl-Dickstein & Bengio 2017) builds f from affine couplings, whose Jacobian is
triangular: with a binary mask b (1 = the half that is kept and conditions the other half),

  y = b * x + (1 - b) * (x * exp(s(b * x)) + t(b * x))          (forward, x -> y)
  x = b * y + (1 - b) * ((y - t(b * y)) * exp(-s(b * y)))       (inverse: b * y = b * x)
  log |det dy/dx| = sum_d (1 - b_d) s_d(b * x)                   (the diagonal of the triangle)

s and t are any networks (an MLP on vectors, a small conv net on images; their last layer starts at
zero so every coupling starts as the identity), s = scale * tanh(raw) keeps exp(s) bounded. Masks:
'vector' (alternating coordinates of a vector), 'checkerboard' (b_ij = (i + j + parity) mod 2 on
the pixel grid) and 'channel' (the first half of the channels). The multi-scale architecture
alternates 3 checkerboard couplings, a squeeze (H x W x C -> H/2 x W/2 x 4C: each 2 x 2 block of
pixels becomes 4 channels) and 3 channel couplings, then factors out half of the channels as latent
variables (they go straight to N(0, I)); the last scale has 4 checkerboard couplings. A squeeze
needs an even H and W at every scale: `check_multiscale` says which sizes work before building.

Images are modelled in logit space (RealNVP sec. 4.1): y in [0, 1) (dequantised pixels) ->
v = logit(alpha + (1 - 2 alpha) y), alpha = 0.05, log |dv/dy| = sum_d log((1 - 2 alpha) / (p (1 - p)))
with p = alpha + (1 - 2 alpha) y, so log p(y) = log p_Z(f(v)) + log|det df/dv| + log|dv/dy|.
Symbols: B batch, D = H W C dimensions, K couplings.
"""
import math
from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from dljax.errors import ConfigError

MASKS = ('vector', 'checkerboard', 'channel')


def log_standard_normal(z_BxD):
  """log N(z; 0, I) per example (z flattened)."""
  z = z_BxD.reshape(z_BxD.shape[0], -1)
  return jnp.sum(-0.5 * math.log(2 * math.pi) - 0.5 * z ** 2, axis=-1)


def squeeze(x_BxHxWxC):
  """H x W x C -> H/2 x W/2 x 4C: each 2 x 2 block of pixels becomes 4 channels (volume kept)."""
  b, h, w, c = x_BxHxWxC.shape
  if h % 2 or w % 2:
    raise ConfigError(f'squeeze: a {h}x{w} image cannot be split into 2x2 blocks (H and W must be '
                      'even); use fewer flow.scales or pad the image to an even size.')
  x = x_BxHxWxC.reshape(b, h // 2, 2, w // 2, 2, c)
  return x.transpose(0, 1, 3, 2, 4, 5).reshape(b, h // 2, w // 2, 4 * c)


def unsqueeze(x_BxHxWxC):
  """The inverse of squeeze: H x W x 4C -> 2H x 2W x C."""
  b, h, w, c4 = x_BxHxWxC.shape
  x = x_BxHxWxC.reshape(b, h, w, 2, 2, c4 // 4)
  return x.transpose(0, 1, 3, 2, 4, 5).reshape(b, 2 * h, 2 * w, c4 // 4)


def mask_of(kind: str, shape: Sequence[int], parity: int):
  """The binary mask b (1 = kept, conditions the rest) of a coupling on inputs of `shape` (without
  the batch axis), as a float array broadcastable to it."""
  if kind == 'vector':
    return jnp.asarray((np.arange(shape[-1]) + parity) % 2, jnp.float32)
  if kind == 'checkerboard':
    h, w = shape[0], shape[1]
    return jnp.asarray((np.add.outer(np.arange(h), np.arange(w)) + parity) % 2,
                       jnp.float32)[:, :, None]
  if kind == 'channel':
    c = shape[-1]
    return jnp.asarray((np.arange(c) < c // 2) if parity == 0 else (np.arange(c) >= c // 2),
                       jnp.float32)
  raise ConfigError(f'coupling mask {kind!r} is unknown; use one of {MASKS}.')


def check_multiscale(input_shape: Sequence[int], scales: int):
  """ConfigError unless every one of the scales - 1 squeezes of an H x W x C image halves an even H
  and W and leaves channels to factor out (checked before any network is built)."""
  if len(input_shape) != 3:
    raise ConfigError(f'RealNVP needs H x W x C images; got input_shape={tuple(input_shape)}.')
  if scales < 1:
    raise ConfigError(f'flow scales={scales} must be >= 1.')
  h, w, _ = input_shape
  for s in range(scales - 1):
    if h % 2 or w % 2:
      raise ConfigError(f'RealNVP with scales={scales} squeezes {scales - 1} times, but the '
                        f'{h}x{w} image of scale {s} has an odd side a squeeze cannot halve '
                        f'(input {tuple(input_shape)}); use model.scales <= {s + 1} or pad the '
                        'images to a size divisible by 2^(scales - 1).')
    h, w = h // 2, w // 2


class CouplingNet(nn.Module):
  """s, t of a coupling from the kept half b * x: an MLP on vectors or a conv net on images; the
  last layer is zero-initialised (the coupling starts as the identity)."""
  out_dim: int
  hidden: int = 64
  blocks: int = 2

  @nn.compact
  def __call__(self, h):
    image = h.ndim == 4
    layer = ((lambda n, **kw: nn.Conv(n, (3, 3), padding=1, **kw)) if image else
             (lambda n, **kw: nn.Dense(n, **kw)))
    h = nn.relu(layer(self.hidden)(h))
    for _ in range(self.blocks):  # residual blocks
      h = h + layer(self.hidden)(nn.relu(layer(self.hidden)(h)))
      h = nn.relu(h)
    st = layer(2 * self.out_dim, kernel_init=nn.initializers.zeros)(h)
    s, t = jnp.split(st, 2, axis=-1)
    scale = self.param('scale', nn.initializers.ones, (self.out_dim,))
    return scale.reshape((1,) * (s.ndim - 1) + (-1,)) * jnp.tanh(s), t


class AffineCoupling(nn.Module):
  """One affine coupling (module docstring) with mask `mask` of parity `parity`."""
  mask: str = 'vector'
  parity: int = 0
  hidden: int = 64
  blocks: int = 2

  @nn.compact
  def __call__(self, x, reverse: bool = False):
    """(y, log|det dy/dx| per example) forward; (x, -log|det dy/dx|) with reverse=True."""
    b = mask_of(self.mask, x.shape[1:], self.parity)
    b = b.reshape((1,) * (x.ndim - b.ndim) + b.shape)  # broadcast over the batch explicitly
    s, t = CouplingNet(x.shape[-1], self.hidden, self.blocks)(x * b)  # b * x = b * y
    s, t = (1.0 - b) * s, (1.0 - b) * t
    logdet_B = jnp.sum(s.reshape(x.shape[0], -1), axis=-1)
    if not reverse:
      return b * x + (1.0 - b) * (x * jnp.exp(s) + t), logdet_B
    return b * x + (1.0 - b) * ((x - t) * jnp.exp(-s)), -logdet_B


class Flow2D(nn.Module):
  """A stack of `couplings` affine couplings with alternating vector masks on D-dimensional
  vectors (the 2-D density toys); base N(0, I)."""
  couplings: int = 8
  hidden: int = 64
  blocks: int = 1
  input_shape: Sequence[int] = (2,)

  def setup(self):
    self.layers = [AffineCoupling('vector', k % 2, self.hidden, self.blocks)
                   for k in range(self.couplings)]

  def __call__(self, x_BxD):
    """z = f(x) and log|det df/dx| per example."""
    h, logdet = x_BxD, jnp.zeros(x_BxD.shape[0])
    for layer in self.layers:
      h, ld = layer(h)
      logdet = logdet + ld
    return h, logdet

  def inverse(self, z_BxD):
    """x = f^{-1}(z)."""
    h = z_BxD
    for layer in reversed(self.layers):
      h, _ = layer(h, reverse=True)
    return h

  def data_dim(self):
    return int(np.prod(self.input_shape))


class RealNVP(nn.Module):
  """The multi-scale RealNVP of the module docstring on H x W x C images y in [0, 1).

  scales = 2 on 28 x 28 x 1: 3 checkerboard couplings at 28 x 28 x 1, squeeze to 14 x 14 x 4, 3 channel
  couplings, 14 x 14 x 2 factored out, 4 checkerboard couplings at 14 x 14 x 2. z is the
  concatenation of every factored-out block and the last scale's output, flattened (D values)."""
  input_shape: Sequence[int] = (28, 28, 1)
  scales: int = 2
  couplings: int = 3  # per stage (the last scale has couplings + 1 checkerboard couplings)
  hidden: int = 64
  blocks: int = 2
  alpha: float = 0.05  # the logit transform's margin

  def setup(self):
    check_multiscale(self.input_shape, self.scales)
    layers, plan = [], []
    c = self.input_shape[-1]
    for s in range(self.scales):
      last = s == self.scales - 1
      for k in range(self.couplings + int(last)):
        plan.append(('couple', len(layers)))
        layers.append(AffineCoupling('checkerboard', k % 2, self.hidden, self.blocks))
      if last:
        break
      plan.append(('squeeze', None))
      c *= 4
      for k in range(self.couplings):
        plan.append(('couple', len(layers)))
        layers.append(AffineCoupling('channel', k % 2, self.hidden, self.blocks))
      plan.append(('split', c // 2))  # keep c // 2 channels, factor out the rest
      c -= c // 2
    self.layers = layers
    self.plan = plan

  def data_dim(self):
    return int(np.prod(self.input_shape))

  def to_logit(self, y):
    """v = logit(alpha + (1 - 2 alpha) y) and log|dv/dy| per example."""
    p = self.alpha + (1.0 - 2.0 * self.alpha) * y
    v = jnp.log(p) - jnp.log1p(-p)
    ld = jnp.log(1.0 - 2.0 * self.alpha) - jnp.log(p) - jnp.log1p(-p)
    return v, jnp.sum(ld.reshape(y.shape[0], -1), axis=-1)

  def from_logit(self, v):
    return (jax.nn.sigmoid(v) - self.alpha) / (1.0 - 2.0 * self.alpha)

  def __call__(self, y_BxHxWxC):
    """z = f(v(y)) flattened (B x D) and log|det dz/dy| per example (the logit step included)."""
    h, logdet = self.to_logit(y_BxHxWxC)
    outs = []
    for op, arg in self.plan:
      if op == 'couple':
        h, ld = self.layers[arg](h)
        logdet = logdet + ld
      elif op == 'squeeze':
        h = squeeze(h)
      else:  # split: the channels from arg on go to the latent
        outs.append(h[..., arg:].reshape(h.shape[0], -1))
        h = h[..., :arg]
    outs.append(h.reshape(h.shape[0], -1))
    return jnp.concatenate(outs, axis=-1), logdet

  def shapes(self):
    """The shapes of the factored-out blocks, in the order of z, and the last scale's shape."""
    h, w, c = self.input_shape
    out = []
    for op, arg in self.plan:
      if op == 'squeeze':
        h, w, c = h // 2, w // 2, 4 * c
      elif op == 'split':
        out.append((h, w, c - arg))
        c = arg
    return out, (h, w, c)

  def inverse(self, z_BxD):
    """y = v^{-1}(f^{-1}(z)) in the image's shape."""
    b = z_BxD.shape[0]
    blocks, last = self.shapes()
    sizes = [int(np.prod(s)) for s in blocks]
    offsets = np.cumsum([0] + sizes)
    h = z_BxD[:, offsets[-1]:].reshape((b,) + last)
    pieces = [z_BxD[:, offsets[i]:offsets[i + 1]].reshape((b,) + blocks[i])
              for i in range(len(blocks))]
    for op, arg in reversed(self.plan):
      if op == 'couple':
        h, _ = self.layers[arg](h, reverse=True)
      elif op == 'squeeze':
        h = unsqueeze(h)
      else:
        h = jnp.concatenate([h, pieces.pop()], axis=-1)
    return self.from_logit(h)


def log_prob(model, params, x):
  """log p(x) per example by the change of variables: log N(f(x); 0, I) + log|det df/dx|."""
  z, logdet = model.apply({'params': params}, x)
  return log_standard_normal(z) + logdet


def sample(model, params, rng, n: int):
  """n samples x = f^{-1}(z), z ~ N(0, I)."""
  z = jax.random.normal(rng, (n, model.data_dim()))
  x = model.apply({'params': params}, z, method=model.inverse)
  return x.reshape((n,) + tuple(model.input_shape))
