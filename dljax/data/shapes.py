"""A generated segmentation dataset: circles, squares and triangles on noisy grey backgrounds.

Each image holds 1-3 shapes of random class, size, position and grey level (drawn in order, later
shapes cover earlier ones); the mask gives every pixel's class: 0 background, 1 circle, 2 square,
3 triangle. Shapes differ from the background by at least 0.25 in grey level, and Gaussian pixel
noise (std 0.08) is added, so the class must be read from the outline, not from the intensity.
"""
import numpy as np

CLASSES = ('background', 'circle', 'square', 'triangle')
SIZE = 32
TRAIN_SIZE = 4000
TEST_SIZE = 1000


def _shape_mask(kind: int, yy, xx, cy, cx, r, angle):
  if kind == 1:  # circle of radius r
    return (yy - cy) ** 2 + (xx - cx) ** 2 <= r ** 2
  if kind == 2:  # axis-aligned square of half side r
    return (np.abs(yy - cy) <= r) & (np.abs(xx - cx) <= r)
  # equilateral triangle with circumradius 1.4 r (area close to the others'), rotated by `angle`:
  # inside all three edge half-planes
  corners = [(cy + 1.4 * r * np.sin(angle + a), cx + 1.4 * r * np.cos(angle + a))
             for a in (0.0, 2 * np.pi / 3, 4 * np.pi / 3)]
  inside = np.ones_like(yy, dtype=bool)
  for (y0, x0), (y1, x1) in zip(corners, corners[1:] + corners[:1]):
    cross = (x1 - x0) * (yy - y0) - (y1 - y0) * (xx - x0)
    inside &= cross >= 0
  return inside


def make(n: int, seed: int, size: int = SIZE):
  """(images_Nxsizexsizex1 uint8, masks_Nxsizexsize uint8), reproducible from `seed`."""
  rng = np.random.default_rng(seed)
  yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
  images = np.empty((n, size, size, 1), np.uint8)
  masks = np.zeros((n, size, size), np.uint8)
  for i in range(n):
    background = rng.uniform(0.0, 1.0)
    img = np.full((size, size), background, np.float32)
    for _ in range(rng.integers(1, 4)):
      kind = int(rng.integers(1, 4))
      r = rng.uniform(0.12, 0.25) * size
      cy, cx = rng.uniform(r * 0.7, size - r * 0.7, 2)
      inside = _shape_mask(kind, yy, xx, cy, cx, r, rng.uniform(0, 2 * np.pi))
      level = rng.uniform(0.0, 1.0)
      while abs(level - background) < 0.25:
        level = rng.uniform(0.0, 1.0)
      img[inside] = level
      masks[i][inside] = kind
    img += rng.normal(0.0, 0.08, img.shape).astype(np.float32)
    images[i, :, :, 0] = np.round(np.clip(img, 0.0, 1.0) * 255).astype(np.uint8)
  return images, masks
