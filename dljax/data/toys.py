"""Synthetic toy datasets of the first lectures. Each maker returns (x_NxD float32, y_N)."""
import numpy as np

TRAIN_SIZE = 2048
TEST_SIZE = 1024


def xor(n, seed):
  """XOR: x uniform in [-1,1]^2, label (x1 > 0) xor (x2 > 0)."""
  x = np.random.default_rng(seed).uniform(-1, 1, (n, 2)).astype(np.float32)
  return x, ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(np.int64)


def rings(n, seed, modes=8, radius=2.0, std=0.02):
  """Ring of Gaussians: `modes` isotropic Gaussians evenly spaced on a circle (GAN mode-collapse toy)."""
  rng = np.random.default_rng(seed)
  k = rng.integers(0, modes, n)
  angle = 2 * np.pi * k / modes
  centres = radius * np.stack([np.cos(angle), np.sin(angle)], -1)
  return (centres + std * rng.normal(size=(n, 2))).astype(np.float32), k.astype(np.int64)


def grid(n, seed, side=5, spacing=1.0, std=0.05):
  """Grid of Gaussians: side x side isotropic Gaussians on a square lattice centred at 0."""
  rng = np.random.default_rng(seed)
  k = rng.integers(0, side * side, n)
  centres = spacing * (np.stack([k // side, k % side], -1) - (side - 1) / 2)
  return (centres + std * rng.normal(size=(n, 2))).astype(np.float32), k.astype(np.int64)


def moons(n, seed, noise=0.1):
  """Two interleaving half circles (as sklearn.datasets.make_moons), label = which moon."""
  rng = np.random.default_rng(seed)
  y = rng.integers(0, 2, n)
  t = rng.uniform(0, np.pi, n)
  x = np.where(y[:, None] == 0,
               np.stack([np.cos(t), np.sin(t)], -1),
               np.stack([1 - np.cos(t), 0.5 - np.sin(t)], -1))
  return (x + noise * rng.normal(size=(n, 2))).astype(np.float32), y.astype(np.int64)


def separable(n, seed, margin=0.5):
  """Linearly separable 2-D blobs with a margin (logistic regression's ||w|| -> infinity demo)."""
  rng = np.random.default_rng(seed)
  y = rng.integers(0, 2, n)
  x = rng.normal(size=(n, 2))
  x[:, 0] = np.abs(x[:, 0]) + margin
  x[:, 0] *= np.where(y == 1, 1.0, -1.0)
  return x.astype(np.float32), y.astype(np.int64)


def regression1d(n, seed, noise=0.1):
  """1-D regression: y = sin(3x) + x/2 + noise, x uniform in [-2, 2]."""
  rng = np.random.default_rng(seed)
  x = rng.uniform(-2, 2, (n, 1))
  y = np.sin(3 * x[:, 0]) + 0.5 * x[:, 0] + noise * rng.normal(size=n)
  return x.astype(np.float32), y.astype(np.float32)


TOYS = {'xor': xor, 'rings': rings, 'grid': grid, 'moons': moons, 'separable': separable,
        'regression1d': regression1d}
X_DIM = {name: 1 if name == 'regression1d' else 2 for name in TOYS}
NUM_CLASSES = {'xor': 2, 'rings': 8, 'grid': 25, 'moons': 2, 'separable': 2}
REGRESSION = ('regression1d',)


def mode_centres(name):
  """The centres of the mixture components of `rings` / `grid` (their default arguments)."""
  if name == 'rings':
    angle = 2 * np.pi * np.arange(8) / 8
    return 2.0 * np.stack([np.cos(angle), np.sin(angle)], -1), 0.02
  if name == 'grid':
    k = np.arange(25)
    return 1.0 * (np.stack([k // 5, k % 5], -1) - 2.0), 0.05
  raise ValueError(f'{name!r} is not a mixture of Gaussians.')
