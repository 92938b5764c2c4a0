"""Glyphs: a procedural Omniglot stand-in, thousands of random stroke characters (data.name='glyphs').

A character (class) is 1-4 strokes, each a quadratic Bezier curve through three control points drawn
uniformly in [0.15, 0.85]^2 (one key per class: `default_rng([GLYPH_SEED, class])`). An example of a
class is that character "drawn by hand": every control point moved by N(0, 0.03^2), the whole
glyph rotated by U(-10, 10) degrees, scaled by U(0.9, 1.1) and shifted by U(-0.05, 0.05), with a pen
width U(0.02, 0.03) (one key per example). It is rendered on a 28 x 28 grid in [0, 1]: a pixel's
ink is clip(1 - (d - w) / h, 0, 1) for d its distance to the nearest stroke segment, w the pen width
and h the pixel size (anti-aliased lines). Everything is a pure function of (class, example), so
the dataset is generated offline (on this machine, no download) and identical on every machine.

Splits are disjoint sets of *classes* (meta-learning needs new classes at test time, as Omniglot's
background / evaluation alphabets): of data.glyph_classes (default 2,000) classes, the first 70 %
are train, the next 10 % validation, the last 20 % test; each class has data.glyph_examples
(default 20, Omniglot's 20 drawers) examples. Labels are the global class ids.
"""
import functools

import jax
import jax.numpy as jnp
import numpy as np

from dljax.data import splits
from dljax.errors import ConfigError

NAMES = ('glyphs',)
KIND = 'supervised'
SIZE = 28
GLYPH_SEED = 1729
FRACTIONS = {'train': (0.0, 0.7), 'validation': (0.7, 0.8), 'test': (0.8, 1.0)}
_SEGMENTS = 8  # line segments per stroke


def _strokes(cls: int):
  """S x 3 x 2 control points of class `cls` (1 <= S <= 4)."""
  rng = np.random.default_rng([GLYPH_SEED, cls])
  n = int(rng.integers(1, 5))
  return rng.uniform(0.15, 0.85, size=(n, 3, 2))


def _polyline(ctrl_Sx3x2):
  """S x (SEG+1) x 2 points along each quadratic Bezier B(t) = (1-t)^2 P0 + 2t(1-t) P1 + t^2 P2."""
  t = np.linspace(0.0, 1.0, _SEGMENTS + 1)[None, :, None]
  p0, p1, p2 = (ctrl_Sx3x2[:, i, None, :] for i in range(3))
  return (1 - t) ** 2 * p0 + 2 * t * (1 - t) * p1 + t ** 2 * p2


def render(cls: int, examples) -> np.ndarray:
  """E x 28 x 28 uint8 images of class `cls`, one per example id in `examples` (each a pure
  function of (cls, example))."""
  return np.asarray(_ink(*_pen(cls, examples)))


def _pen(cls: int, examples):
  """(E x 4 x (SEG+1) x 2 stroke points, E pen widths) of class `cls`'s examples."""
  base = _strokes(cls)
  pts, widths = [], []
  for example in examples:
    rng = np.random.default_rng([GLYPH_SEED, cls, int(example) + 1])
    ctrl = base + rng.normal(0.0, 0.03, size=base.shape)
    angle = np.deg2rad(rng.uniform(-10, 10))
    scale = rng.uniform(0.9, 1.1)
    shift = rng.uniform(-0.05, 0.05, size=2)
    rot = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    pts.append((_polyline(ctrl) - 0.5) @ rot.T + 0.5 + shift)
    widths.append(rng.uniform(0.02, 0.03))
  pts_ExSxPx2 = np.stack([np.concatenate([p, np.repeat(p[:1], 4 - len(p), 0)]) for p in pts])
  return pts_ExSxPx2.astype(np.float32), np.asarray(widths, np.float32)


@jax.jit
def _ink(pts_ExSxPx2, width_E):
  """uint8 ink of the strokes (S padded to 4 by repeating the first: the minimum is unchanged)."""
  e = pts_ExSxPx2.shape[0]
  a = pts_ExSxPx2[:, :, :-1].reshape(e, -1, 2)    # segment starts, E x G x 2
  ab = pts_ExSxPx2[:, :, 1:].reshape(e, -1, 2) - a
  grid = (jnp.arange(SIZE) + 0.5) / SIZE
  pix_Px2 = jnp.stack(jnp.meshgrid(grid, grid, indexing='ij'), -1).reshape(-1, 2)  # (row, col)
  rel_ExPxGx2 = pix_Px2[None, :, None] - a[:, None]
  t = jnp.clip((rel_ExPxGx2 * ab[:, None]).sum(-1)
               / jnp.maximum((ab ** 2).sum(-1), 1e-12)[:, None], 0.0, 1.0)
  d_ExP = jnp.sqrt(((rel_ExPxGx2 - t[..., None] * ab[:, None]) ** 2).sum(-1)).min(-1)
  ink = jnp.clip(1.0 - (d_ExP - width_E[:, None]) * SIZE, 0.0, 1.0)
  return jnp.round(ink * 255).astype(jnp.uint8).reshape(e, SIZE, SIZE)


def _counts(data_cfg):
  classes = int(data_cfg.get('glyph_classes', 2000))
  examples = int(data_cfg.get('glyph_examples', 20))
  if classes < 10 or examples < 2:
    raise ConfigError(f'data.glyph_classes={classes} / data.glyph_examples={examples}: use at '
                      'least 10 classes (split 70/10/20) and 2 examples per class, e.g. 2000 / 20.')
  return classes, examples


def split_classes(num_classes: int, split: str) -> np.ndarray:
  lo, hi = FRACTIONS[split]
  return np.arange(int(round(lo * num_classes)), int(round(hi * num_classes)))


@functools.lru_cache(maxsize=8)
def _images(num_classes: int, examples: int, split: str):
  cls = split_classes(num_classes, split)
  pens = [_pen(int(c), range(examples)) for c in cls]
  pts, widths = np.concatenate([p for p, _ in pens]), np.concatenate([w for _, w in pens])
  chunk = min(4000, len(pts))  # one compiled shape: the last chunk is padded
  x = np.concatenate([np.asarray(_ink(*(np.resize(a[i:i + chunk], (chunk,) + a.shape[1:])
                                        for a in (pts, widths))))[:len(pts) - i]
                      for i in range(0, len(pts), chunk)])
  return x[..., None], np.repeat(cls, examples).astype(np.int32)


def load(data_cfg, split):
  splits.check_split(data_cfg.name, split)
  x, y = _images(*_counts(data_cfg), split)
  limit = data_cfg.get(f'{split}_limit', 0)
  x, y = (x[:limit], y[:limit]) if limit else (x, y)
  return {'x': x.astype(np.float32) / 255.0, 'y': y}


def info(data_cfg):
  return splits.Info('supervised', shape=(SIZE, SIZE, 1), value_range=(0.0, 1.0),
                     num_classes=_counts(data_cfg)[0])
