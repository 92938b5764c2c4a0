"""Batched image augmentations in pure JAX, per-channel normalisation, and test-time views.

Every op is `op(rng, x_BxHxWxC, amount) -> x_BxHxWxC` on images in [0, 1]: it draws its own random
parameters per example from `rng`, so it runs inside the jitted train step and is deterministic
given the step's key fold_in(key, step). `build(spec)` composes the ops named in a config dict
(config.augment), in the fixed order geometric -> photometric -> noise:

  flip=True        horizontal flip with probability 1/2 (valid for clothes, not for digits)
  shift=s          translation by integers dy, dx ~ U{-s..s}, zero padding (the background)
  rotate=deg       rotation by an angle ~ U(-deg, deg) about the centre, bilinear resample
  scale=s          zoom about the centre by z, log z ~ U(-s, s) (same canvas; bilinear, zeros outside)
  brightness=d     x + b,                       b ~ U(-d, d)
  contrast=d       (x - mean(x)) c + mean(x),   c ~ U(1 - d, 1 + d)   (mean over the image)
  gamma=g          x ** gamma,                  log gamma ~ U(-g, g)
  noise=sigma      x + sigma eps,               eps ~ N(0, I)   (not clipped)

Photometric ops clip back to [0, 1]. Normalisation (x - mean_c) / std_c uses per-channel statistics
of the training split, computed once on the host (`channel_stats`).
"""
import jax
import jax.numpy as jnp
import numpy as np

from dljax.errors import ConfigError


def _per_example(v_B, x):
  return v_B.reshape((-1,) + (1,) * (x.ndim - 1))  # (B,) -> (B, 1, 1, 1), explicit broadcast


def flip(rng, x_BxHxWxC, p: float = 0.5):
  """Mirror each image left-right with probability p."""
  do_B = jax.random.bernoulli(rng, p, (x_BxHxWxC.shape[0],))
  return jnp.where(_per_example(do_B, x_BxHxWxC), x_BxHxWxC[:, :, ::-1, :], x_BxHxWxC)


def shift(rng, x_BxHxWxC, max_shift: int):
  """Translate each image by integers (dy, dx) ~ U{-s..s}^2, filling with zeros."""
  s = int(max_shift)
  b, h, w, _ = x_BxHxWxC.shape
  d_Bx2 = jax.random.randint(rng, (b, 2), -s, s + 1)
  padded = jnp.pad(x_BxHxWxC, ((0, 0), (s, s), (s, s), (0, 0)))
  # out[i, j] = x[i - dy, j - dx]: the window of the padded image starting at (s - dy, s - dx)
  crop = lambda img, d: jax.lax.dynamic_slice(img, (s - d[0], s - d[1], 0), (h, w, img.shape[-1]))
  return jax.vmap(crop)(padded, d_Bx2)


def rotate(rng, x_BxHxWxC, max_degrees: float):
  """Rotate each image about its centre by theta ~ U(-deg, deg): out(p) = x(R(-theta)(p - c) + c),
  bilinear interpolation, zeros outside."""
  b, h, w, _ = x_BxHxWxC.shape
  theta_B = jnp.deg2rad(jax.random.uniform(rng, (b,), minval=-max_degrees, maxval=max_degrees))
  cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
  ii, jj = jnp.meshgrid(jnp.arange(h, dtype=jnp.float32), jnp.arange(w, dtype=jnp.float32),
                        indexing='ij')

  def one(img_HxWxC, theta):
    cos, sin = jnp.cos(theta), jnp.sin(theta)
    src_i = cos * (ii - cy) - sin * (jj - cx) + cy  # the inverse rotation of the output grid
    src_j = sin * (ii - cy) + cos * (jj - cx) + cx
    sample = lambda ch: jax.scipy.ndimage.map_coordinates(ch, [src_i, src_j], order=1,
                                                          mode='constant', cval=0.0)
    return jax.vmap(sample, in_axes=-1, out_axes=-1)(img_HxWxC)

  return jax.vmap(one)(x_BxHxWxC, theta_B)


def brightness(rng, x_BxHxWxC, max_delta: float):
  """x + b, b ~ U(-d, d) per image, clipped to [0, 1]."""
  b_B = jax.random.uniform(rng, (x_BxHxWxC.shape[0],), minval=-max_delta, maxval=max_delta)
  return jnp.clip(x_BxHxWxC + _per_example(b_B, x_BxHxWxC), 0.0, 1.0)


def contrast(rng, x_BxHxWxC, max_delta: float):
  """(x - mean) c + mean, c ~ U(1 - d, 1 + d) per image, mean over the image, clipped to [0, 1]."""
  c_B = jax.random.uniform(rng, (x_BxHxWxC.shape[0],), minval=1.0 - max_delta,
                           maxval=1.0 + max_delta)
  mean = x_BxHxWxC.mean(axis=(1, 2, 3), keepdims=True)
  return jnp.clip((x_BxHxWxC - mean) * _per_example(c_B, x_BxHxWxC) + mean, 0.0, 1.0)


def gamma(rng, x_BxHxWxC, max_log_gamma: float):
  """x ** gamma, log gamma ~ U(-g, g) per image (gamma < 1 brightens the mid-tones)."""
  log_g_B = jax.random.uniform(rng, (x_BxHxWxC.shape[0],), minval=-max_log_gamma,
                               maxval=max_log_gamma)
  return jnp.clip(x_BxHxWxC, 0.0, 1.0) ** _per_example(jnp.exp(log_g_B), x_BxHxWxC)


def noise(rng, x_BxHxWxC, sigma: float):
  """x + sigma eps, eps ~ N(0, I) per pixel."""
  return x_BxHxWxC + sigma * jax.random.normal(rng, x_BxHxWxC.shape, x_BxHxWxC.dtype)


def scale(rng, x_BxHxWxC, max_log_zoom: float):
  """Zoom each image about its centre by z, log z ~ U(-s, s): out(p) = x((p - c) / z + c) on the
  same canvas (bilinear, zeros outside): objects of other sizes at the same resolution."""
  b, h, w, _ = x_BxHxWxC.shape
  zoom_B = jnp.exp(jax.random.uniform(rng, (b,), minval=-max_log_zoom, maxval=max_log_zoom))
  cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
  ii, jj = jnp.meshgrid(jnp.arange(h, dtype=jnp.float32), jnp.arange(w, dtype=jnp.float32),
                        indexing='ij')

  def one(img_HxWxC, z):
    src = [(ii - cy) / z + cy, (jj - cx) / z + cx]
    sample = lambda ch: jax.scipy.ndimage.map_coordinates(ch, src, order=1, mode='constant',
                                                          cval=0.0)
    return jax.vmap(sample, in_axes=-1, out_axes=-1)(img_HxWxC)

  return jax.vmap(one)(x_BxHxWxC, zoom_B)


# name -> op, in the order they are applied; the value in the spec is the op's amount
OPS = {'flip': flip, 'shift': shift, 'rotate': rotate, 'scale': scale, 'brightness': brightness,
       'contrast': contrast, 'gamma': gamma, 'noise': noise}
GEOMETRIC = ('flip', 'shift', 'rotate', 'scale')


def build(spec, where: str = 'augment'):
  """(rng, x_BxHxWxC) -> augmented x for the ops named in `spec` (a dict), or None if it is empty.

  flip=True/False; every other op takes its amount (0 = off). Unknown names or negative amounts
  raise ConfigError naming the key.
  """
  spec = dict(spec or {})
  unknown = sorted(set(spec) - set(OPS))
  if unknown:
    raise ConfigError(f'{where}.{unknown[0]} is not an augmentation; use some of {list(OPS)}.')
  ops = []
  for name, op in OPS.items():
    if name not in spec:
      continue
    amount = spec[name]
    if isinstance(amount, bool) != (name == 'flip') or amount < 0:
      kind = 'True or False' if name == 'flip' else 'a number >= 0'
      raise ConfigError(f'{where}.{name}={amount!r} must be {kind}.')
    if name == 'shift' and int(amount) != amount:
      raise ConfigError(f'{where}.shift={amount!r} must be a whole number of pixels.')
    if amount:
      ops.append((name, op, 0.5 if name == 'flip' else amount))
  if not ops:
    return None

  def augment(rng, x_BxHxWxC):
    if x_BxHxWxC.ndim != 4:
      raise ConfigError(f'{where} needs images (B, H, W, C); the inputs have shape '
                        f'{x_BxHxWxC.shape}: remove {where} for this dataset.')
    for i, (_, op, amount) in enumerate(ops):
      x_BxHxWxC = op(jax.random.fold_in(rng, i), x_BxHxWxC, amount)
    return x_BxHxWxC

  augment.names = tuple(name for name, _, _ in ops)
  return augment


def geometric(spec) -> dict:
  """The geometric part of an augmentation spec (the default test-time views)."""
  return {k: v for k, v in dict(spec or {}).items() if k in GEOMETRIC}


def channel_stats(x_NxHxWxC) -> dict:
  """Per-channel mean and std over the examples and pixels of a (training) split, on the host."""
  x = np.asarray(x_NxHxWxC, np.float64).reshape(-1, x_NxHxWxC.shape[-1])
  return {'mean': x.mean(0).astype(np.float32), 'std': np.maximum(x.std(0), 1e-6).astype(np.float32)}


def normalize(x_BxHxWxC, stats: dict):
  """(x - mean_c) / std_c with the training split's statistics."""
  shape = (1,) * (x_BxHxWxC.ndim - 1) + (-1,)
  return (x_BxHxWxC - stats['mean'].reshape(shape)) / stats['std'].reshape(shape)


def tta_views(augment, x_BxHxWxC, k: int, rng):
  """K views of a batch: view 0 is the image itself, views 1..K-1 are augment(fold_in(rng, v), x)."""
  views = [x_BxHxWxC]
  for v in range(1, k):
    views.append(augment(jax.random.fold_in(rng, v), x_BxHxWxC))
  return views


# --- label-mixing augmentations (config.mix): they change the targets too --------------------------
MIXES = ('mixup', 'cutmix')


def mix(rng, x_BxHxWxC, kind: str, alpha: float):
  """Mixup (Zhang et al. 2018) or CutMix (Yun et al. 2019) of a batch with a permutation pi of itself.

    lam ~ Beta(alpha, alpha) (one per batch)
    mixup   x~ = lam x + (1 - lam) x_pi
    cutmix  x~ = x with a box of area (1 - lam) H W pasted from x_pi; lam <- 1 - box area / (H W)
    loss    lam l(f(x~), y) + (1 - lam) l(f(x~), y_pi)

  Returns (x~, pi_B, lam)."""
  k_lam, k_perm, k_box = jax.random.split(rng, 3)
  lam = jax.random.beta(k_lam, alpha, alpha)
  b, h, w, _ = x_BxHxWxC.shape
  perm_B = jax.random.permutation(k_perm, b)
  other = x_BxHxWxC[perm_B]
  if kind == 'mixup':
    return lam * x_BxHxWxC + (1 - lam) * other, perm_B, lam
  cut = jnp.sqrt(1.0 - lam)  # the box's side ratio
  ch, cw = jnp.round(h * cut), jnp.round(w * cut)
  cy, cx = jax.random.uniform(k_box, (2,)) * jnp.array([h, w])
  y0, y1 = jnp.clip(cy - ch / 2, 0, h), jnp.clip(cy + ch / 2, 0, h)
  x0, x1 = jnp.clip(cx - cw / 2, 0, w), jnp.clip(cx + cw / 2, 0, w)
  ii, jj = jnp.arange(h)[:, None], jnp.arange(w)[None, :]
  box_HxW = (ii >= jnp.floor(y0)) & (ii < jnp.floor(y1)) & (jj >= jnp.floor(x0)) & (
      jj < jnp.floor(x1))
  lam = 1.0 - box_HxW.mean()  # the exact share of pixels from x
  return jnp.where(box_HxW[None, :, :, None], other, x_BxHxWxC), perm_B, lam


def check_mix(spec, where='mix'):
  """ConfigError for an unknown mixing kind or alpha <= 0; returns (kind, alpha) or None."""
  if not spec:
    return None
  spec = dict(spec)
  kind, alpha = spec.get('kind'), spec.get('alpha', 1.0)
  if kind not in MIXES:
    raise ConfigError(f'{where}.kind={kind!r}; use one of {MIXES}.')
  if not isinstance(alpha, (int, float)) or alpha <= 0:
    raise ConfigError(f'{where}.alpha={alpha!r} must be > 0 (lam ~ Beta(alpha, alpha)).')
  return kind, float(alpha)
