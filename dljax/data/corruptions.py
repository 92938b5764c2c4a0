r"""Fashion-MNIST-C: the 15 corruptions of MNIST-C (Mu & Gilmer 2019, google-research/mnist-c) at
five severities, in numpy/scipy for 28x28 grey images in [0, 1].

  x_c = corrupt(x_NxHxWxC, name, severity, seed)     same shape, float32, values in [0, 1]

Every random draw comes from np.random.default_rng((seed, index of the corruption, severity)), so
a corrupted test set is a pure function of (images, name, severity, seed). MNIST-C defines one
strength per corruption; here each has five, severity 3 close to MNIST-C's, 1 milder, 5 stronger
(the parameter tables are in SEVERITIES, one entry per severity):

  shot_noise     Poisson photon noise, x' = Poisson(c x) / c
  impulse_noise  salt and pepper: a fraction p of the pixels set to 0 or 1
  glass_blur     Gaussian blur, then every pixel swapped with a random neighbour within d pixels
  motion_blur    average along a line of L pixels at a random angle (per image)
  shear          x' = x(A p) with A = [[1, s], [0, 1]], s = +-amount, about the centre
  scale          zoom out by a factor z < 1 about the centre (the object shrinks, zeros around)
  rotate         rotation by +-deg about the centre
  brightness     x + b, clipped
  translate      shift by t pixels in a random direction, zero fill
  stripe         a vertical band of w columns inverted, x' = 1 - x
  fog            x + a * (plasma fractal noise), rescaled to the image's max
  spatter        blurred random blobs thresholded into drops of ink added to the image
  dotted_line    n straight lines drawn as every other pixel set to 1
  zigzag         n zigzag polylines set to 1
  canny_edges    the Sobel edge map (gradient magnitude > threshold), blended with weight a
                 (a = 1 at severity 5 replaces the image by its edges, as MNIST-C does; skimage's
                 Canny is not available offline, so this is a Sobel edge detector)

Geometric corruptions resample with bilinear interpolation (scipy.ndimage, order 1) and zero fill.
"""
import numpy as np
from scipy import ndimage

from dljax.errors import ConfigError

SEVERITIES = {
    'shot_noise': (80, 40, 20, 10, 5),           # c: photons per unit intensity
    'impulse_noise': (0.02, 0.05, 0.09, 0.15, 0.25),  # p: fraction of pixels
    'glass_blur': ((0.4, 1), (0.6, 1), (0.7, 2), (0.9, 2), (1.1, 3)),  # (sigma, d)
    'motion_blur': (3, 5, 7, 9, 11),             # L: line length in pixels
    'shear': (0.15, 0.3, 0.45, 0.6, 0.75),       # |s|
    'scale': (0.9, 0.8, 0.7, 0.6, 0.5),          # z
    'rotate': (10, 20, 30, 45, 60),              # |deg|
    'brightness': (0.1, 0.2, 0.3, 0.45, 0.6),    # b
    'translate': (2, 3, 4, 5, 7),                # t
    'stripe': (2, 3, 4, 6, 8),                   # w
    'fog': (0.2, 0.35, 0.5, 0.7, 0.9),           # a
    'spatter': (0.7, 0.65, 0.6, 0.55, 0.5),      # threshold of the blob field (lower: more drops)
    'dotted_line': (1, 2, 3, 4, 5),              # n lines
    'zigzag': (1, 2, 3, 4, 5),                   # n polylines
    'canny_edges': (0.2, 0.4, 0.6, 0.8, 1.0),    # a
}
NAMES = tuple(SEVERITIES)


def check(names, severities, where='corruptions'):
  """ConfigError for an unknown corruption name or a severity outside 1..5."""
  names = [names] if isinstance(names, str) else list(names)
  unknown = [n for n in names if n not in SEVERITIES]
  if unknown:
    raise ConfigError(f'{where}: unknown corruption {unknown[0]!r}; use some of {list(NAMES)}.')
  for s in ([severities] if isinstance(severities, int) else list(severities)):
    if not isinstance(s, int) or isinstance(s, bool) or not 1 <= s <= 5:
      raise ConfigError(f'{where}: severity {s!r} is outside 1..5; use integers from 1 (mild) '
                        'to 5 (strong).')


def _centre_affine(img_HxW, matrix_2x2):
  """out(p) = img(M (p - c) + c): an affine resample about the image centre, zero fill."""
  c = (np.array(img_HxW.shape) - 1) / 2.0
  return ndimage.affine_transform(img_HxW, matrix_2x2, offset=c - matrix_2x2 @ c, order=1,
                                  mode='constant', cval=0.0)


def _per_image(fn, x_NxHxW, rng):
  return np.stack([fn(img, rng) for img in x_NxHxW])


def _line_pixels(p0, p1, h, w):
  """The integer pixels on the segment p0 -> p1 (dense sampling), inside the image."""
  n = int(np.ceil(np.abs(np.subtract(p1, p0)).max())) + 1
  t = np.linspace(0.0, 1.0, max(n, 2))
  pts = np.round(np.outer(1 - t, p0) + np.outer(t, p1)).astype(int)
  pts = np.unique(pts, axis=0)
  keep = (pts[:, 0] >= 0) & (pts[:, 0] < h) & (pts[:, 1] >= 0) & (pts[:, 1] < w)
  return pts[keep]


def shot_noise(x, rng, c):
  return rng.poisson(x * c) / c


def impulse_noise(x, rng, p):
  u = rng.random(x.shape)
  salt = rng.random(x.shape) < 0.5
  return np.where(u < p, salt.astype(x.dtype), x)


def glass_blur(x, rng, param):
  sigma, d = param
  y = ndimage.gaussian_filter(x, sigma=(0, sigma, sigma))
  n, h, w = y.shape
  ii, jj = np.meshgrid(np.arange(h), np.arange(w), indexing='ij')
  di = rng.integers(-d, d + 1, (n, h, w))
  dj = rng.integers(-d, d + 1, (n, h, w))
  src_i, src_j = np.clip(ii + di, 0, h - 1), np.clip(jj + dj, 0, w - 1)
  y = y[np.arange(n)[:, None, None], src_i, src_j]
  return ndimage.gaussian_filter(y, sigma=(0, sigma, sigma))


def motion_blur(x, rng, length):
  def one(img, rng):
    angle = rng.uniform(0, np.pi)
    k = np.zeros((length, length))
    c = (length - 1) / 2.0
    r = c * np.array([np.sin(angle), np.cos(angle)])
    for i, j in _line_pixels(c - r, c + r, length, length):
      k[i, j] = 1.0
    return ndimage.convolve(img, k / k.sum(), mode='constant', cval=0.0)
  return _per_image(one, x, rng)


def shear(x, rng, s):
  return _per_image(lambda img, rng: _centre_affine(
      img, np.array([[1.0, rng.choice([-1, 1]) * s], [0.0, 1.0]])), x, rng)


def scale(x, rng, z):
  del rng
  return np.stack([_centre_affine(img, np.eye(2) / z) for img in x])


def rotate(x, rng, deg):
  def one(img, rng):
    t = np.deg2rad(rng.choice([-1, 1]) * deg)
    return _centre_affine(img, np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]]))
  return _per_image(one, x, rng)


def brightness(x, rng, b):
  del rng
  return x + b


def translate(x, rng, t):
  def one(img, rng):
    angle = rng.uniform(0, 2 * np.pi)
    return ndimage.shift(img, (t * np.sin(angle), t * np.cos(angle)), order=1, mode='constant')
  return _per_image(one, x, rng)


def stripe(x, rng, w):
  n, _, width = x.shape
  start = rng.integers(0, width - w + 1, n)
  cols = np.arange(width)[None, :]
  band = (cols >= start[:, None]) & (cols < start[:, None] + w)  # N x W
  return np.where(band[:, None, :], 1.0 - x, x)


def _plasma(rng, n, size):
  """Fractal noise: a sum of upsampled random grids with amplitude halving per octave, in [0, 1]."""
  out = np.zeros((n, size, size))
  amp, total = 1.0, 0.0
  for cells in (2, 4, 8, 16):
    grid = rng.random((n, cells + 1, cells + 1))
    out += amp * ndimage.zoom(grid, (1, size / (cells + 1), size / (cells + 1)), order=1)[
        :, :size, :size]
    total += amp
    amp /= 2
  out /= total
  return (out - out.min(axis=(1, 2), keepdims=True)) / np.maximum(
      np.ptp(out, axis=(1, 2), keepdims=True), 1e-6)


def fog(x, rng, a):
  n, h, _ = x.shape
  y = x + a * _plasma(rng, n, h)
  return y * x.max(axis=(1, 2), keepdims=True).clip(1e-6) / y.max(axis=(1, 2), keepdims=True)


def spatter(x, rng, threshold):
  field = ndimage.gaussian_filter(rng.random(x.shape), sigma=(0, 1.5, 1.5))
  field = (field - field.mean()) / field.std() * 0.1 + 0.5  # standardised blob field around 0.5
  drops = np.clip((field - threshold) * 10.0, 0.0, 1.0)
  return np.maximum(x, drops)


def dotted_line(x, rng, lines):
  y = x.copy()
  n, h, w = x.shape
  for k in range(n):
    for _ in range(lines):
      p0, p1 = rng.uniform(0, [h, w]), rng.uniform(0, [h, w])
      pts = _line_pixels(p0, p1, h, w)[::2]
      y[k, pts[:, 0], pts[:, 1]] = 1.0
  return y


def zigzag(x, rng, lines):
  y = x.copy()
  n, h, w = x.shape
  for k in range(n):
    for _ in range(lines):
      p = rng.uniform(0, [h, w])
      direction = rng.uniform(0, 2 * np.pi)
      for seg in range(4):  # four legs alternating +-45 degrees around the direction
        a = direction + (np.pi / 4 if seg % 2 == 0 else -np.pi / 4)
        q = p + 5.0 * np.array([np.sin(a), np.cos(a)])
        pts = _line_pixels(p, q, h, w)
        y[k, pts[:, 0], pts[:, 1]] = 1.0
        p = q
  return y


def canny_edges(x, rng, a):
  del rng
  gy, gx = ndimage.sobel(x, axis=1), ndimage.sobel(x, axis=2)
  mag = np.hypot(gx, gy)
  edges = (mag > 0.25 * mag.max(axis=(1, 2), keepdims=True).clip(1e-6)).astype(x.dtype)
  return (1 - a) * x + a * edges


OPS = {'shot_noise': shot_noise, 'impulse_noise': impulse_noise, 'glass_blur': glass_blur,
       'motion_blur': motion_blur, 'shear': shear, 'scale': scale, 'rotate': rotate,
       'brightness': brightness, 'translate': translate, 'stripe': stripe, 'fog': fog,
       'spatter': spatter, 'dotted_line': dotted_line, 'zigzag': zigzag,
       'canny_edges': canny_edges}
assert tuple(OPS) == NAMES


def corrupt(x_NxHxWxC, name: str, severity: int, seed: int = 0) -> np.ndarray:
  """The images under corruption `name` at `severity` (1..5): same shape, float32 in [0, 1].
  Each channel is corrupted the same way (the draws are per image)."""
  check([name], [severity])
  x = np.asarray(x_NxHxWxC, np.float64)
  if x.ndim != 4:
    raise ConfigError(f'corruptions need images N x H x W x C; got shape {x.shape}.')
  rng = np.random.default_rng((int(seed), NAMES.index(name), int(severity)))
  param = SEVERITIES[name][severity - 1]
  channels = []
  for ch in range(x.shape[-1]):
    channels.append(OPS[name](x[..., ch], np.random.default_rng(rng.integers(2 ** 32)), param))
  return np.clip(np.stack(channels, -1), 0.0, 1.0).astype(np.float32)
