r"""GAN networks (Goodfellow et al. 2014; DCGAN, Radford et al. 2016; SN-GAN, Miyato et al. 2018):
G maps noise z (and optionally a class y) to x, D scores x with a logit (or a critic value).

  Generator       arch='mlp': z -> [Dense, ReLU] x L -> Dense -> x (2-D points, or images through a
                  sigmoid into [0, 1]);  arch='conv' (DCGAN): z -> Dense(7 * 7 * C0) -> BN -> ReLU
                  -> [ConvTranspose 4x4 stride 2 -> BN -> ReLU] -> ConvTranspose 4x4 stride 2 -> sigmoid
                  (7 -> 14 -> 28). A class y enters as a learned embedding concatenated to z (cGAN).
  Discriminator   arch='mlp': x -> [Dense, LeakyReLU(0.2)] x L -> h -> Dense(1);  arch='conv': x ->
                  [Conv 4x4 stride 2 -> norm -> LeakyReLU(0.2)] -> flatten -> h -> Dense(1) (28 -> 14
                  -> 7). norm: 'none' (WGAN-GP critics: no batch coupling), 'batch' (DCGAN; never on
                  the first layer), 'layer', or 'spectral': every weight W is used as W / sigma_max(W)
                  (SN-GAN), sigma_max estimated by one power-iteration step per training step.
                  With num_classes, the projection discriminator (Miyato & Koyama 2018):
                  D(x, y) = psi(h) + embed(y) . h.
Spectral norm: u (the left singular vector estimate) and sigma live in the 'spectral' collection;
they are updated only when that collection is mutable (training), so evaluation reuses them.
A conv kernel kh x kw x Cin x Cout is normalised as the (kh kw Cin) x Cout matrix (as SN-GAN does).
"""
from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp


def l2_normalize(v, eps: float = 1e-12):
  return v / (jnp.linalg.norm(v) + eps)


def power_iteration(w_IxO, u_O, steps: int = 1):
  """(u, v, sigma): `steps` rounds v <- W u / |W u|, u <- W^T v / |W^T v|; sigma = v^T W u, the
  estimate of the largest singular value of W (I x O)."""
  v = None
  for _ in range(steps):
    v = l2_normalize(w_IxO @ u_O)
    u_O = l2_normalize(w_IxO.T @ v)
  return u_O, v, v @ w_IxO @ u_O


class SpectralKernel(nn.Module):
  """A kernel of the given shape, divided by its largest singular value (power iteration)."""
  shape: Sequence[int]
  power_steps: int = 1

  @nn.compact
  def __call__(self):
    kernel = self.param('kernel', nn.initializers.lecun_normal(), tuple(self.shape))
    w = kernel.reshape(-1, self.shape[-1])
    u = self.variable('spectral', 'u',
                      lambda: l2_normalize(jax.random.normal(self.make_rng('params'),
                                                             (self.shape[-1],))))
    sigma = self.variable('spectral', 'sigma', lambda: jnp.ones(()))
    u_new, v, s = power_iteration(w, jax.lax.stop_gradient(u.value), self.power_steps)
    u_new, v = jax.lax.stop_gradient(u_new), jax.lax.stop_gradient(v)
    s = v @ w @ u_new  # differentiable in W (SN-GAN's gradient through sigma)
    if self.is_mutable_collection('spectral') and not self.is_initializing():
      u.value, sigma.value = u_new, jax.lax.stop_gradient(s)
    return kernel / s


class SNDense(nn.Module):
  features: int
  power_steps: int = 1

  @nn.compact
  def __call__(self, x):
    w = SpectralKernel((x.shape[-1], self.features), self.power_steps)()
    return x @ w + self.param('bias', nn.initializers.zeros, (self.features,))[None]


class SNConv(nn.Module):
  features: int
  kernel: int = 4
  stride: int = 2
  power_steps: int = 1

  @nn.compact
  def __call__(self, x):
    w = SpectralKernel((self.kernel, self.kernel, x.shape[-1], self.features), self.power_steps)()
    y = jax.lax.conv_general_dilated(x, w, (self.stride, self.stride), 'SAME',
                                     dimension_numbers=('NHWC', 'HWIO', 'NHWC'))
    return y + self.param('bias', nn.initializers.zeros, (self.features,))[None, None, None]


def spectral_sigmas(variables) -> dict:
  """{layer path: sigma} of every spectrally normalised layer in a variables dict."""
  out = {}

  def walk(tree, path):
    for k, v in tree.items():
      if k == 'sigma':
        out[path] = v
      elif hasattr(v, 'items'):
        walk(v, f'{path}/{k}' if path else k)
  walk(variables.get('spectral', {}), '')
  return out


class SelfAttention(nn.Module):
  """SAGAN's self-attention (Zhang et al. 2019): o = x + gamma * softmax(f(x)^T g(x)) h(x), with 1x1
  projections f, g to C/8 channels, h to C, and gamma initialised at 0 (starts as the identity).
  The attention map (B x N x N, N = H W) is sown as 'intermediates/attention'."""
  reduction: int = 8

  @nn.compact
  def __call__(self, x_BxHxWxC):
    b, hh, ww, c = x_BxHxWxC.shape
    x = x_BxHxWxC.reshape(b, hh * ww, c)
    k = max(c // self.reduction, 1)
    f, g, h = nn.Dense(k)(x), nn.Dense(k)(x), nn.Dense(c)(x)
    attn_BxNxN = jax.nn.softmax(jnp.einsum('bnk,bmk->bnm', f, g), axis=-1)
    self.sow('intermediates', 'attention', attn_BxNxN)
    gamma = self.param('gamma', nn.initializers.zeros, ())
    return x_BxHxWxC + gamma * jnp.einsum('bnm,bmc->bnc', attn_BxNxN, h).reshape(b, hh, ww, c)


class Generator(nn.Module):
  """G(z[, y]): an MLP (arch='mlp') or a DCGAN deconvolution stack (arch='conv')."""
  hidden: Sequence[int] = (128, 128)
  out_dim: int = 2
  arch: str = 'mlp'
  out_shape: Sequence[int] = ()  # images: (28, 28, 1), outputs in [0, 1] through a sigmoid
  channels: Sequence[int] = (128, 64)  # conv: C0 at 7 x 7, then one ConvTranspose per entry after it
  num_classes: int = 0
  attention: bool = False  # SAGAN: self-attention after the first upsampling

  @nn.compact
  def __call__(self, z, y=None, train: bool = False):
    if self.num_classes:
      z = jnp.concatenate([z, nn.Embed(self.num_classes, z.shape[-1])(y)], -1)
    if self.arch == 'mlp':
      for width in self.hidden:
        z = nn.relu(nn.Dense(width)(z))
      if not self.out_shape:
        return nn.Dense(self.out_dim)(z)
      size = 1
      for s in self.out_shape:
        size *= s
      return jax.nn.sigmoid(nn.Dense(size)(z)).reshape((z.shape[0],) + tuple(self.out_shape))
    if self.arch != 'conv':
      raise ValueError(f"model.g_arch={self.arch!r} is unknown; use 'mlp' or 'conv'.")
    h, w, c = self.out_shape
    s = h // 2 ** len(self.channels)
    x = nn.Dense(s * s * self.channels[0])(z).reshape(z.shape[0], s, s, self.channels[0])
    x = nn.relu(nn.BatchNorm(use_running_average=not train)(x))
    for i, ch in enumerate(self.channels[1:]):
      x = nn.ConvTranspose(ch, (4, 4), strides=(2, 2), padding='SAME')(x)
      x = nn.relu(nn.BatchNorm(use_running_average=not train)(x))
      if self.attention and i == 0:
        x = SelfAttention()(x)
    x = nn.ConvTranspose(c, (4, 4), strides=(2, 2), padding='SAME')(x)
    return jax.nn.sigmoid(x)


class Discriminator(nn.Module):
  """D(x[, y]): the logit of 'x is real' (or a critic value); with features=True also h."""
  hidden: Sequence[int] = (128, 128)
  arch: str = 'mlp'
  channels: Sequence[int] = (64, 128)
  norm: str = 'none'  # 'none' | 'batch' | 'layer' | 'spectral'
  num_classes: int = 0  # > 0: projection discriminator
  attention: bool = False

  def _dense(self, n):
    return SNDense(n) if self.norm == 'spectral' else nn.Dense(n)

  def _norm(self, x, train):
    if self.norm == 'batch':
      return nn.BatchNorm(use_running_average=not train)(x)
    if self.norm == 'layer':
      return nn.LayerNorm()(x)
    return x

  @nn.compact
  def __call__(self, x, y=None, train: bool = False, features: bool = False):
    if self.norm not in ('none', 'batch', 'layer', 'spectral'):
      raise ValueError(f"model.d_norm={self.norm!r} is unknown; use 'none', 'batch', 'layer' or "
                       "'spectral'.")
    if self.arch == 'mlp':
      h = x.reshape(x.shape[0], -1)
      for i, width in enumerate(self.hidden):
        h = self._dense(width)(h)
        h = nn.leaky_relu(self._norm(h, train) if i else h, 0.2)
    elif self.arch == 'conv':
      h = x
      for i, ch in enumerate(self.channels):
        h = SNConv(ch) (h) if self.norm == 'spectral' else nn.Conv(ch, (4, 4), strides=(2, 2),
                                                                   padding='SAME')(h)
        h = nn.leaky_relu(self._norm(h, train) if i else h, 0.2)  # no norm on the first layer
        if self.attention and i == 0:
          h = SelfAttention()(h)
      h = h.reshape(h.shape[0], -1)
    else:
      raise ValueError(f"model.d_arch={self.arch!r} is unknown; use 'mlp' or 'conv'.")
    out = self._dense(1)(h)[:, 0]
    if self.num_classes:
      out = out + jnp.sum(nn.Embed(self.num_classes, h.shape[-1])(y) * h, -1)  # projection
    return (out, h) if features else out
