r"""Naive pairing of noise with data collapses to the mean (F10 row 27; seed 004 E3, l.151-168).

  python -m experiments.study gan/naive_pairing --workdir=runs/gan_naive_pairing [--preset=cpu] [--publish]

The "naive approach" of the notes: sample a data point x and, independently, a model sample G(z),
and train on their distance, L(G) = E_{z, x} ||G(z) - x||^2. Since z and x are independent,
  E_x ||G(z) - x||^2 = ||G(z) - E x||^2 + tr Cov(x)
for every z, so the minimiser is G(z) = E x for all z: one image, the mean (the "blurry average
face"), whatever the capacity of G. Two runs, fixed parameters:
- ring: the 8-Gaussian ring (radius 2, std 0.2); G a 2-128-128-2 ReLU MLP, z ~ N(0, I_2).
- fmnist: Fashion-MNIST (a seeded 10,000-image slice of train); G a 32-256-256-784 ReLU MLP with a
  sigmoid output, z ~ N(0, I_32).
Adam (lr 1e-3), batch 128 fresh (z, x) pairs per step (independent draws). Reported on 1,000
samples: the spread of G(z) (mean per-coordinate std over z) against the data's, the distance of
the mean sample to the data mean, the mean distance of the samples to the data mean and to their
nearest data point, and the final loss against its floor tr Cov(x). Plot naive_pairing.png.
"""
import jax
import jax.numpy as jnp
import numpy as np

from dljax.models.mlp import MLP
from experiments.gan import _gandemo

PRESETS = {'smoke': dict(steps=20, fmnist_n=500), 'cpu': dict(steps=3000, fmnist_n=10_000)}
BATCH, SAMPLES = 128, 1000


def ring(n, seed):
  rng = np.random.default_rng(seed)
  a = 2 * np.pi * rng.integers(0, 8, n) / 8
  return (2.0 * np.stack([np.cos(a), np.sin(a)], 1) + 0.2 * rng.normal(size=(n, 2))).astype(np.float32)


def pairing_loss_decomposition(g_D, x_NxD):
  """(mean_x ||g - x||^2, ||g - mean x||^2 + tr Cov(x)) for one generated point g: equal."""
  x = np.asarray(x_NxD, np.float64)
  lhs = np.mean(np.sum((g_D - x) ** 2, 1))
  rhs = np.sum((g_D - x.mean(0)) ** 2) + np.trace(np.atleast_2d(np.cov(x.T, bias=True)))
  return float(lhs), float(rhs)


def train_naive(data_NxD, z_dim: int, hidden, steps: int, sigmoid: bool, seed: int = 0):
  """G trained on L = mean ||G(z) - x||^2 with z and x drawn independently every step."""
  d = data_NxD.shape[1]
  model = MLP(hidden=tuple(hidden), num_outputs=d, act='relu', init_scheme='he')
  key = jax.random.PRNGKey(seed)
  params = model.init(key, jnp.zeros((1, z_dim)))
  data = jnp.asarray(data_NxD)
  out = (lambda p, z: jax.nn.sigmoid(model.apply(p, z))) if sigmoid else model.apply

  def loss(p, k):
    kz, kx = jax.random.split(k)
    z = jax.random.normal(kz, (BATCH, z_dim))
    x = data[jax.random.randint(kx, (BATCH,), 0, data.shape[0])]  # an independent pairing
    return jnp.mean(jnp.sum((out(p, z) - x) ** 2, 1))
  params, losses = _gandemo.adam_fit(loss, params, steps, 1e-3, jax.random.fold_in(key, 1))
  z = jax.random.normal(jax.random.PRNGKey(seed + 99), (SAMPLES, z_dim))
  return np.asarray(out(params, z), np.float64), np.asarray(losses)


def collapse_stats(samples_NxD, data_NxD, losses) -> dict:
  data = np.asarray(data_NxD, np.float64)
  mean = data.mean(0)
  sq = (np.sum(samples_NxD ** 2, 1)[:, None] - 2 * samples_NxD @ data.T
        + np.sum(data ** 2, 1)[None])
  return {'sample_spread': float(samples_NxD.std(0).mean()),
          'data_spread': float(data.std(0).mean()),
          'mean_sample_to_data_mean': float(np.linalg.norm(samples_NxD.mean(0) - mean)),
          'samples_to_data_mean': float(np.linalg.norm(samples_NxD - mean, axis=1).mean()),
          'samples_to_nearest_data_point': float(np.sqrt(np.maximum(sq.min(1), 0)).mean()),
          'data_to_data_mean': float(np.linalg.norm(data - mean, axis=1).mean()),
          'final_loss_last100': float(np.mean(losses[-100:])),
          'loss_floor_trace_cov': float(np.trace(np.cov(data.T, bias=True)))}


def runs(preset: str, workdir: str):
  del workdir
  _gandemo.check(preset, PRESETS)
  return iter(())


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  del summaries
  cfg = _gandemo.check(preset, PRESETS)
  x_ring = ring(10_000, 0)
  s_ring, l_ring = train_naive(x_ring, 2, (128, 128), cfg['steps'], sigmoid=False)
  images, _ = _gandemo.fashion_mnist('train', cfg['fmnist_n'], seed=0)
  x_fm = images.reshape(len(images), -1)
  s_fm, l_fm = train_naive(x_fm, 32, (256, 256), cfg['steps'], sigmoid=True)
  table = {'ring': collapse_stats(s_ring, x_ring, l_ring),
           'fmnist': collapse_stats(s_fm, x_fm, l_fm)}
  plot(x_ring, s_ring, x_fm, s_fm, l_ring, l_fm, f'{out}/naive_pairing.png')
  return table


def plot(x_ring, s_ring, x_fm, s_fm, l_ring, l_fm, path: str) -> str:
  plt, write = _gandemo.pyplot()
  fig = plt.figure(figsize=(15, 4.5))
  ax = fig.add_subplot(1, 4, 1)
  ax.scatter(x_ring[:2000, 0], x_ring[:2000, 1], s=2, c='0.6', label='data')
  ax.scatter(s_ring[:, 0], s_ring[:, 1], s=6, c='C3', label='G(z), 1,000 z')
  ax.set(title='ring: samples collapse to the mean', aspect='equal')
  ax.legend(fontsize=7)
  ax = fig.add_subplot(1, 4, 2)
  ax.plot(l_ring / np.trace(np.cov(x_ring.T, bias=True)), label='ring')
  ax.plot(l_fm / np.trace(np.cov(x_fm.T, bias=True)), label='fmnist')
  ax.axhline(1.0, color='k', ls=':', lw=0.8)
  ax.set(title='loss / tr Cov(x) (floor 1)', xlabel='step', yscale='log')
  ax.legend(fontsize=7)
  for i, (img, title) in enumerate(((x_fm.mean(0), 'data mean image'),
                                    (s_fm[0], 'G(z_1)'))):
    ax = fig.add_subplot(2, 8, 5 + i)
    ax.imshow(img.reshape(28, 28), cmap='gray', vmin=0, vmax=1)
    ax.set_title(title, fontsize=8)
    ax.axis('off')
  for i, pos in enumerate((7, 8, 13, 14, 15, 16)):  # the grid cells right of the loss panel
    ax = fig.add_subplot(2, 8, pos)
    ax.imshow(s_fm[i + 1].reshape(28, 28), cmap='gray', vmin=0, vmax=1)
    ax.set_title(f'G(z_{i + 2})', fontsize=8)
    ax.axis('off')
  fig.tight_layout()
  return write(fig, path)
