"""Promptable segmentation on generated shapes (seed 001 §1.17, c42): images of several shapes, some
nested two or three deep, each with one point or box prompt and every mask the prompt can mean.

  shapes_prompts  kind 'prompted': {'x': B x 32 x 32 x 1 float32 in [0, 1],
                  'points': B x 2 x 2 float32 (row, col) in pixel units, pixel (i, j) has centre
                  (i + 0.5, j + 0.5); 'labels': B x 2 int32, per prompt point 1 = foreground point,
                  2 / 3 = top-left / bottom-right box corner, 0 = padding (no point);
                  'y': B x 32 x 32 uint8, THE target mask; 'valid': B x 3 x 32 x 32 uint8, every
                  mask the prompt can mean (the first 'num_valid' are real, y is one of them);
                  'num_valid': B int32; 'ambiguous': B int32 = num_valid > 1}
The same images with their exact edge maps are data.name='shapes_edges'
(dljax.data.datasets.shapes_edges).

Each image: a background grey level, 0-2 free shapes (circles / squares / triangles as in
dljax.data.shapes) and, with probability 0.7, a nested group of 2 or 3 shapes, each strictly inside
its parent (the child's circumradius + offset <= 0.75 x the parent's inradius), drawn last so it is
never covered; grey levels differ by >= 0.25 from what lies under them, Gaussian noise std 0.08.
The objects are the free shapes' visible parts and every nested level WITH what it holds (the
outer object of a group is the whole group: SAM's whole / part / subpart).

Prompts: with probability 0.25 a box (the bounding box of one object: unambiguous, 1 valid mask);
otherwise a point in one region, drawn uniformly among the free shapes and the depth regions of the
group (ring 0, ring 1, core). A point at depth k of a group can mean any of the k + 1 levels that
contain it: the target y is one of them drawn uniformly, so the same prompt has different targets
across the data -- the ambiguity that SAM's 3 masks and min-over-masks loss answer.

Splits: example i of split s is drawn from default_rng([data_seed, s, i]) alone (deterministic per
seed and index, independent of the split sizes); train / validation / test = s 0 / 1 / 2 with
data.num_train / num_val / num_test examples (default 4,000 / 500 / 1,000), data.{split}_limit
keeps the first N.
"""
import functools

import numpy as np

from dljax.data import shapes, splits
from dljax.errors import DataError

NAMES = ('shapes_prompts',)
KIND = 'prompted'
SIZE = 32
MAX_VALID = 3
SIZES = {'train': 4000, 'validation': 500, 'test': 1000}
SIZE_KEYS = {'train': 'num_train', 'validation': 'num_val', 'test': 'num_test'}
SPLIT_IDS = {'train': 0, 'validation': 1, 'test': 2}
P_GROUP, P_BOX, NOISE, CONTRAST = 0.7, 0.25, 0.08, 0.25
# label of each prompt point
PAD, POINT, BOX_TL, BOX_BR = 0, 1, 2, 3
NUM_LABELS = 4

# inradius / circumradius of a shape of half-size r (dljax.data.shapes: circle r, square half side r,
# equilateral triangle with circumradius 1.4 r)
_INRADIUS = {1: 1.0, 2: 1.0, 3: 0.7}
_CIRCUMRADIUS = {1: 1.0, 2: np.sqrt(2.0), 3: 1.4}


def _level(rng, under: float) -> float:
  level = rng.uniform(0.0, 1.0)
  while abs(level - under) < CONTRAST:
    level = rng.uniform(0.0, 1.0)
  return level


def _draw(rng, size: int):
  """(image HxW float32, region ids HxW int32 (0 background, 1.. one per drawn shape), objects
  [(mask HxW bool, depth-region mask or None, ids of the levels containing it)], group levels)."""
  yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
  background = rng.uniform(0.0, 1.0)
  img = np.full((size, size), background, np.float32)
  region = np.zeros((size, size), np.int32)
  levels_under = np.full((size, size), background, np.float32)
  free = []
  for k in range(int(rng.integers(0, 3))):
    kind = int(rng.integers(1, 4))
    r = rng.uniform(0.12, 0.2) * size
    cy, cx = rng.uniform(r * 0.7, size - r * 0.7, 2)
    inside = shapes._shape_mask(kind, yy, xx, cy, cx, r, rng.uniform(0, 2 * np.pi))  # pylint: disable=protected-access
    level = _level(rng, float(np.median(levels_under[inside])) if inside.any() else background)
    img[inside], levels_under[inside], region[inside] = level, level, k + 1
    free.append(k + 1)
  group = []  # (id, shape mask) from the outermost level in
  if rng.uniform() < P_GROUP:
    depth = int(rng.integers(2, 4))
    kind = int(rng.integers(1, 4))
    r = rng.uniform(0.3, 0.4) * size
    cy, cx = rng.uniform(r * 1.1, size - r * 1.1, 2)
    under = background
    for d in range(depth):
      if d:  # a child strictly inside its parent: circumradius + offset <= 0.75 parent inradius
        room = 0.75 * _INRADIUS[kind] * r
        child = int(rng.integers(1, 4))
        r_child = rng.uniform(0.55, 0.75) * room / _CIRCUMRADIUS[child]
        reach = max(room - _CIRCUMRADIUS[child] * r_child, 0.0)
        rho, phi = reach * np.sqrt(rng.uniform()), rng.uniform(0, 2 * np.pi)
        cy, cx, kind, r = cy + rho * np.sin(phi), cx + rho * np.cos(phi), child, r_child
      inside = shapes._shape_mask(kind, yy, xx, cy, cx, r, rng.uniform(0, 2 * np.pi))  # pylint: disable=protected-access
      level = _level(rng, under)
      under = level
      gid = len(free) + d + 1
      img[inside], region[inside] = level, gid
      group.append(gid)
  img += rng.normal(0.0, NOISE, img.shape).astype(np.float32)
  return np.clip(img, 0.0, 1.0), region, free, group


def _objects(region, free, group):
  """[(object mask, point region, containing level masks from the outermost)] of one image."""
  out = []
  for fid in free:
    m = region == fid
    out.append((m, m, [m]))
  levels = [np.isin(region, group[d:]) for d in range(len(group))]  # level d holds all below it
  for d in range(len(group)):
    out.append((levels[d], region == group[d], levels[:d + 1]))
  return [o for o in out if o[1].sum() >= 4]


def _erode(m):
  """The pixels of m whose 4 neighbours are in m too (m itself if that leaves nothing)."""
  p = np.pad(m, 1)
  inner = m & p[:-2, 1:-1] & p[2:, 1:-1] & p[1:-1, :-2] & p[1:-1, 2:]
  return inner if inner.any() else m


def edges_of(region_HxW) -> np.ndarray:
  """Exact edge map: 1 where the right or the lower neighbour lies in another region."""
  e = np.zeros(region_HxW.shape, np.uint8)
  e[:, :-1] |= region_HxW[:, :-1] != region_HxW[:, 1:]
  e[:-1, :] |= region_HxW[:-1, :] != region_HxW[1:, :]
  return e


def make_example(seed: tuple, size: int = SIZE) -> dict:
  """One image with its prompt and valid masks, a function of `seed` (a tuple of ints) alone."""
  rng = np.random.default_rng(seed)
  while True:
    img, region, free, group = _draw(rng, size)
    objects = _objects(region, free, group)
    if objects:
      break
  points = np.zeros((2, 2), np.float32)
  labels = np.zeros((2,), np.int32)
  valid = np.zeros((MAX_VALID, size, size), np.uint8)
  obj_mask, point_region, levels = objects[int(rng.integers(len(objects)))]
  if rng.uniform() < P_BOX:
    rows, cols = np.nonzero(obj_mask)
    points[:] = [[rows.min(), cols.min()], [rows.max() + 1, cols.max() + 1]]
    labels[:] = [BOX_TL, BOX_BR]
    choices = [obj_mask]
  else:
    rows, cols = np.nonzero(_erode(point_region))
    k = int(rng.integers(len(rows)))
    points[0] = [rows[k] + 0.5, cols[k] + 0.5]
    labels[0] = POINT
    choices = levels
  for i, m in enumerate(choices):
    valid[i] = m
  target = valid[int(rng.integers(len(choices)))]
  return {'x': (img[..., None]).astype(np.float32), 'points': points, 'labels': labels,
          'y': target.copy(), 'valid': valid, 'num_valid': np.int32(len(choices)),
          'ambiguous': np.int32(len(choices) > 1), 'edges': edges_of(region)}


@functools.lru_cache(maxsize=8)
def _split_arrays(n: int, data_seed: int, split_id: int, size: int) -> dict:
  examples = [make_example((data_seed, split_id, i), size) for i in range(n)]
  out = {k: np.stack([e[k] for e in examples]) for k in examples[0]}
  for v in out.values():
    v.setflags(write=False)
  return out


def split_size(data_cfg, split: str) -> int:
  n = int(data_cfg.get(SIZE_KEYS[split], SIZES[split]))
  limit = int(data_cfg.get(f'{split}_limit', 0) or 0)
  if n < 1:
    raise DataError(f'data.{SIZE_KEYS[split]}={n}: a split needs at least one example.')
  return min(n, limit) if limit else n


def load(data_cfg, split):
  splits.check_split(data_cfg.name, split)
  return {k: v for k, v in load_with_edges(data_cfg, split).items() if k != 'edges'}


def load_with_edges(data_cfg, split) -> dict:
  """Every array of a split, the exact edge map 'edges' (B x H x W uint8) included."""
  splits.check_split(data_cfg.name, split)
  return _split_arrays(split_size(data_cfg, split), int(data_cfg.get('data_seed', 0)),
                       SPLIT_IDS[split], SIZE)


def info(data_cfg):
  del data_cfg
  return splits.Info('prompted', shape=(SIZE, SIZE, 1), value_range=(0.0, 1.0),
                     description='image + point/box prompt -> every valid mask')
