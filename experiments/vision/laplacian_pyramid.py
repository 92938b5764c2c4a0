r"""Laplacian pyramid (Burt & Adelson 1983) of Fashion-MNIST images: the levels, the exact
reconstruction error, and the first-order histogram entropy H = -sum f log2 f (bits/pixel, values
quantised to steps of 1/255) of every level against the original image's. Trains nothing.

  python -m experiments.study vision/laplacian_pyramid --workdir=runs/laplacian_pyramid [--publish]

Two image sets: the first 1,000 28x28 test images (3 band-pass levels + the 4x4 residual) and the
same images upsampled 4x bilinearly to 112x112, a smoother "natural-ish" image (5 levels + the 4x4
residual; no natural-image sample set is installed). Entropies are pooled over the images. Plot
laplacian_pyramid.png. Expected (any preset, 2-core CPU, seconds): reconstruction error <= 2e-7;
finest level 3.47 vs 5.44 bits/pixel for the 112x112 image (lower, as Burt and Adelson report),
every level higher on the raw 28x28 images (6.23-7.53 vs 4.93).
"""
import os

import ml_collections
import numpy as np

from dljax import data, viz  # pylint: disable=unused-import  (viz first: selects matplotlib's Agg backend)
from dljax.models import pyramid, upsample
import matplotlib.pyplot as plt  # pylint: disable=g-bad-import-order,wrong-import-order

N_IMAGES = 1000
PRESETS = ('smoke', 'cpu', 'full')


def runs(preset: str, workdir: str):
  """No training: everything is computed in report()."""
  del workdir
  if preset not in PRESETS:
    raise ValueError(f'unknown preset {preset!r}; use one of {PRESETS} (this study trains nothing).')
  return []


def report(summaries: dict, out: str) -> dict:
  """{set: {'entropy': [...], 'max_error': ...}} and laplacian_pyramid.png in `out`."""
  del summaries
  return run(N_IMAGES, os.path.join(out, 'laplacian_pyramid.png'))


def image_sets(n: int) -> dict:
  """{name: (images B x H x W x 1 in [0, 1], pyramid levels)}."""
  x = data.load_split(ml_collections.ConfigDict(dict(name='fashion_mnist', test_limit=n)),
                      'test')['x']
  big = np.clip(np.asarray(upsample.bilinear(x, 4)), 0.0, 1.0)
  big = np.round(big * 255) / 255  # back on the 8-bit grid, like a stored image
  return {'Fashion-MNIST 28x28': (x, 3), 'upsampled 4x, 112x112': (big, 5)}


def run(n: int, plot: str) -> dict:
  """Returns {set: {'entropy': [H(original), H(L_0), ..., H(g_N)], 'max_error': float}}."""
  results, shown = {}, {}
  for name, (x, levels) in image_sets(n).items():
    pyr = pyramid.build(x, levels)
    error = float(np.abs(np.asarray(pyramid.reconstruct(pyr)) - x).max())
    entropy = [pyramid.histogram_entropy(x)] + [pyramid.histogram_entropy(p) for p in pyr]
    results[name] = {'entropy': entropy, 'max_error': error}
    shown[name] = [x[0]] + [np.asarray(p[0]) for p in pyr]
  cols = max(len(v) for v in shown.values())
  fig = plt.figure(figsize=(2.0 * cols, 2.2 * len(shown) + 3.2))
  grid = fig.add_gridspec(len(shown) + 1, cols, height_ratios=[1] * len(shown) + [1.6])
  for r, (name, images) in enumerate(shown.items()):
    labels = ['original'] + [f'L{l}' for l in range(len(images) - 2)] + ['residual g']
    for c, (img, label) in enumerate(zip(images, labels)):
      ax = fig.add_subplot(grid[r, c])
      signed = label.startswith('L')
      lim = np.abs(img).max() if signed else 1.0
      ax.imshow(img[..., 0], cmap='RdBu_r' if signed else 'gray', vmin=-lim if signed else 0,
                vmax=lim, interpolation='nearest')
      ax.set_title(f'{name}\n{label} {img.shape[0]}x{img.shape[1]}' if c == 0 else
                   f'{label} {img.shape[0]}x{img.shape[1]}', fontsize=7, loc='left')
      ax.axis('off')
  half = cols // len(results)
  for i, (name, res) in enumerate(results.items()):
    ax = fig.add_subplot(grid[-1, i * half:(i + 1) * half])
    labels = ['original'] + [f'L{l}' for l in range(len(res['entropy']) - 2)] + ['residual']
    bars = ax.bar(labels, res['entropy'], color=['tab:gray'] + ['tab:blue'] * (len(labels) - 1))
    ax.bar_label(bars, fmt='%.2f', fontsize=7)
    ax.set_ylabel('H = -sum f log2 f (bits/pixel)', fontsize=8)
    ax.set_title(f'{name}: entropy per level ({n} images); max |reconstruct(build(x)) - x| = '
                 f'{res["max_error"]:.1e}', fontsize=7)
    ax.tick_params(labelsize=7)
  fig.tight_layout()
  os.makedirs(os.path.dirname(os.path.abspath(plot)), exist_ok=True)
  fig.savefig(plot, dpi=110, bbox_inches='tight')
  plt.close(fig)
  return results

