r"""Untrained generator networks already define complex distributions (F10 rows 25-26; seed 004
E1, E2, l.126-140).

  python -m experiments.study gan/untrained_generators --workdir=runs/gan_untrained [--preset=cpu] [--publish]

E1 (the seed's exact network): z in R^2 ~ N(0, I) -> 12 x [Dense(100) -> ReLU] -> Dense(2),
Glorot-uniform weights and zero biases, NOT trained; 100,000 samples scatter-plotted. Variants
(same init): depth 1 and 4 with ReLU, depth 12 with tanh. Quantified per network and init seed
(3 seeds): the samples are whitened (zero mean, identity covariance), binned on a 100 x 100
histogram over [-3, 3]^2, and we report the fraction of bins that hold any sample ("occupancy") and
the share of the samples in the fullest 5 % of bins ("concentration"), next to the same numbers for
as many N(0, I_2) samples (the blob; strands and sheets give lower occupancy, higher
concentration). Also the
output scale (std): Glorot's 2/(n_in + n_out) halves the ReLU activations' second moment per layer,
so 12 layers shrink it (He init, 2/n_in, would keep it).
E2: an untrained conv generator (no sizes in the seed; these are ours): z in R^64 ~ N(0, I) ->
Dense(7*7*128) -> reshape 7x7x128 -> [2x nearest upsample -> conv3x3(64) -> ReLU] -> [upsample ->
conv3x3(32) -> ReLU] -> conv3x3(1) (the 'upsample' generator), and the same with stride-2
transposed convs ('transposed'). Glorot init, not trained. Quantified on 1,000 samples: the lag-1
spatial autocorrelation of the pixels (i.i.d. noise: 0), the mean per-pixel std across samples over
the mean |pixel| (0 would be one image repeated), and the same for Fashion-MNIST for scale.
No training; no runs. Plots untrained_generators_mlp.png, untrained_generators_conv.png.
"""
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from experiments.gan import _gandemo

PRESETS = {'smoke': dict(samples=2000, images=64, seeds=1),
           'cpu': dict(samples=100_000, images=1000, seeds=3)}
MLPS = {'relu_depth12': dict(depth=12, act='relu'), 'relu_depth4': dict(depth=4, act='relu'),
        'relu_depth1': dict(depth=1, act='relu'), 'tanh_depth12': dict(depth=12, act='tanh')}
BINS = 100


def mlp_samples(depth: int, act: str, n: int, seed: int):
  """n samples of the untrained Glorot MLP generator with z ~ N(0, I_2)."""
  model = _gandemo.GlorotMLP(width=100, depth=depth, out=2, act=act)
  k_init, k_z = jax.random.split(jax.random.PRNGKey(seed))
  z = jax.random.normal(k_z, (n, 2))
  return np.asarray(jax.jit(model.apply)(model.init(k_init, z[:1]), z), np.float64)


def whiten(x_Nx2):
  """x mapped to zero mean and identity covariance: L^-1 (x - mean), Sigma = L L^T."""
  c = x_Nx2 - x_Nx2.mean(0)
  cov = np.cov(c.T)
  chol = np.linalg.cholesky(cov + 1e-9 * np.trace(cov) * np.eye(2))
  return np.linalg.solve(chol, c.T).T


def histogram_stats(x_Nx2, bins: int = BINS, box: float = 3.0) -> dict:
  """Of the whitened samples on a bins x bins histogram over [-box, box]^2: the occupancy (fraction
  of non-empty bins) and the concentration (share of the samples inside the box that fall in the
  fullest 5 % of bins). Whitening makes them blind to scale, shift and correlation: what is left
  is the shape (a blob, strands, sheets)."""
  w = whiten(np.asarray(x_Nx2, np.float64))
  h, _, _ = np.histogram2d(w[:, 0], w[:, 1], bins=bins, range=[[-box, box], [-box, box]])
  counts = np.sort(h.ravel())[::-1]
  return {'occupancy': float(np.mean(h > 0)),
          'concentration_top5pct': float(counts[:max(1, len(counts) // 20)].sum() / counts.sum())}


def gaussian_reference(n: int, seed: int = 0) -> dict:
  """histogram_stats of n samples of N(0, I_2): the blob's values."""
  return histogram_stats(np.random.default_rng(seed).normal(size=(n, 2)))


class ConvGenerator(nn.Module):
  """z -> Dense(7*7*128) -> 7x7x128 -> two x2 stages (128 -> 64 -> 32 channels) -> 28x28x1."""
  mode: str = 'upsample'  # or 'transposed'

  @nn.compact
  def __call__(self, z_BxD):
    glorot = nn.initializers.glorot_uniform()
    h = nn.Dense(7 * 7 * 128, kernel_init=glorot)(z_BxD).reshape(-1, 7, 7, 128)
    for ch in (64, 32):
      if self.mode == 'upsample':
        b, hh, ww, c = h.shape
        h = jax.image.resize(h, (b, 2 * hh, 2 * ww, c), 'nearest')
        h = nn.Conv(ch, (3, 3), kernel_init=glorot)(h)
      else:
        h = nn.ConvTranspose(ch, (4, 4), strides=(2, 2), kernel_init=glorot)(h)
      h = nn.relu(h)
    return nn.Conv(1, (3, 3), kernel_init=glorot)(h)


def conv_samples(mode: str, n: int, seed: int):
  model = ConvGenerator(mode=mode)
  k_init, k_z = jax.random.split(jax.random.PRNGKey(seed))
  z = jax.random.normal(k_z, (n, 64))
  return np.asarray(jax.jit(model.apply)(model.init(k_init, z[:1]), z), np.float64)


def image_stats(x_NxHxWx1) -> dict:
  """Lag-1 spatial autocorrelation of the centred pixels (mean of the horizontal and vertical
  ones) and the diversity ratio mean_pixels std_samples / mean |x|."""
  x = x_NxHxWx1[..., 0] - x_NxHxWx1[..., 0].mean((1, 2), keepdims=True)
  var = np.mean(x ** 2)
  ac = 0.5 * (np.mean(x[:, 1:] * x[:, :-1]) + np.mean(x[:, :, 1:] * x[:, :, :-1])) / var
  return {'lag1_autocorrelation': float(ac),
          'diversity': float(x_NxHxWx1.std(0).mean() / np.abs(x_NxHxWx1).mean())}


def runs(preset: str, workdir: str):
  del workdir
  _gandemo.check(preset, PRESETS)
  return iter(())


def _mean_std(rows: list) -> dict:
  return {k: {'mean': float(np.mean([r[k] for r in rows])), 'std': float(np.std([r[k] for r in rows]))}
          for k in rows[0]}


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  del summaries
  cfg = _gandemo.check(preset, PRESETS)
  table, shown = {'mlp': {}, 'conv': {}}, {}
  for name, kw in MLPS.items():
    rows = []
    for seed in range(cfg['seeds']):
      x = mlp_samples(n=cfg['samples'], seed=seed, **kw)
      g = gaussian_reference(len(x), seed)
      rows.append(dict(**histogram_stats(x), gaussian_occupancy=g['occupancy'],
                       gaussian_concentration_top5pct=g['concentration_top5pct'],
                       output_std=float(x.std(0).mean())))
      if seed == 0:
        shown[name] = x
    table['mlp'][name] = _mean_std(rows)
  images = {}
  for mode in ('upsample', 'transposed'):
    rows = []
    for seed in range(cfg['seeds']):
      x = conv_samples(mode, cfg['images'], seed)
      rows.append(image_stats(x))
      if seed == 0:
        images[mode] = x
    table['conv'][mode] = _mean_std(rows)
  real, _ = _gandemo.fashion_mnist('test', cfg['images'])
  table['conv']['fashion_mnist_for_scale'] = image_stats(real.astype(np.float64))
  rng = np.random.default_rng(0)
  table['conv']['iid_noise_for_scale'] = image_stats(rng.normal(size=(cfg['images'], 28, 28, 1)))
  plot_mlp(shown, f'{out}/untrained_generators_mlp.png')
  plot_conv(images, real, f'{out}/untrained_generators_conv.png')
  return table


def plot_mlp(shown: dict, path: str) -> str:
  plt, write = _gandemo.pyplot()
  fig, axes = plt.subplots(1, len(shown), figsize=(4.5 * len(shown), 4.4))
  for ax, (name, x) in zip(axes, shown.items()):
    lo, hi = np.percentile(x, 0.5, 0), np.percentile(x, 99.5, 0)
    ax.scatter(x[:, 0], x[:, 1], s=0.2, alpha=0.15, c='k', lw=0)
    ax.set(xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]), title=f'{name}: {len(x):,} samples')
    ax.tick_params(labelsize=6)
  fig.suptitle('untrained MLP generators, z ~ N(0, I_2), Glorot init (seed 004 E1: 12 x 100 ReLU)',
               fontsize=9)
  fig.tight_layout()
  return write(fig, path)


def plot_conv(images: dict, real, path: str) -> str:
  plt, write = _gandemo.pyplot()
  n = 10
  rows = {**{f'untrained conv generator ({m})': v[:2 * n] for m, v in images.items()},
          'Fashion-MNIST (for scale)': real[:n]}
  fig, axes = plt.subplots(5, n, figsize=(1.2 * n, 6.6))
  r = 0
  for label, x in rows.items():
    for j in range(0, len(x), n):
      for i in range(n):
        ax = axes[r, i]
        ax.axis('off')
        img = x[j + i, ..., 0]
        ax.imshow(img, cmap='gray', vmin=np.percentile(x, 1), vmax=np.percentile(x, 99))
      axes[r, 0].set_title(label if j == 0 else '', fontsize=8, loc='left')
      r += 1
  fig.tight_layout()
  return write(fig, path)
