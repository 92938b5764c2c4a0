r"""The optimal discriminator is a density ratio: D*(x) = p_data(x) / (p_data(x) + p_g(x)) (F10 row
24; seed 000 M21, M26 and its concept 17; Goodfellow et al. 2014, Prop. 1).

  python -m experiments.study gan/density_ratio --workdir=runs/gan_density_ratio [--preset=cpu] [--publish]

p_data: the ring of 8 Gaussians (radius 2, std 0.2, equal weights); p_g: a generator half-way
through training, N(0, 1.5^2 I). Both densities are known, so the analytic D*(x), its logit
log p_data(x)/p_g(x) and V(G, D*) = E_data log D* + E_g log(1 - D*) = 2 JS(p_data, p_g) - log 4
are exact (JS by Monte Carlo on 200,000 samples with the true densities). A discriminator
D = sigmoid(f(x)), f a 2-64-64-1 tanh MLP, is trained by the GAN's BCE on a finite sample
(n_data = n_g = 4,000; full-batch Adam, lr 3e-3, fixed). Reported on fresh samples of the mixture
(p_data + p_g)/2: the mean |D - D*|, the correlation of the logits f(x) and log p_data/p_g where
both densities exceed 1e-3, V(D) vs V(D*), and the implied JS. The plot shows D*, the learned D
and their difference on [-3.5, 3.5]^2: the learned D is a smooth version of the ratio (seed 000
M26: "a learned distance with smooth ratio estimates"); it departs from D* where neither density has
samples (there D* is a ratio of two vanishing numbers). No runs; fixed parameters. Plot
density_ratio.png.
"""
import math

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from experiments.gan import _gandemo

PRESETS = {'smoke': dict(n=300, steps=40, mc=5000), 'cpu': dict(n=4000, steps=4000, mc=200_000)}
MODES, RADIUS, MODE_STD, G_STD = 8, 2.0, 0.2, 1.5


def ring_centers():
  a = 2 * np.pi * np.arange(MODES) / MODES
  return RADIUS * np.stack([np.cos(a), np.sin(a)], 1)


def log_p_data(x_Nx2):
  """log of 1/8 sum_k N(x; c_k, 0.2^2 I)."""
  c = jnp.asarray(ring_centers(), x_Nx2.dtype)
  sq = jnp.sum((x_Nx2[:, None] - c[None]) ** 2, -1)
  log_k = -sq / (2 * MODE_STD ** 2) - math.log(2 * math.pi * MODE_STD ** 2)
  return jax.nn.logsumexp(log_k, 1) - math.log(MODES)


def log_p_g(x_Nx2):
  return -jnp.sum(x_Nx2 ** 2, -1) / (2 * G_STD ** 2) - math.log(2 * math.pi * G_STD ** 2)


def optimal_d(x_Nx2):
  """D*(x) = p_data / (p_data + p_g) = sigmoid(log p_data - log p_g)."""
  return jax.nn.sigmoid(log_p_data(x_Nx2) - log_p_g(x_Nx2))


def sample_data(key, n):
  k1, k2 = jax.random.split(key)
  c = jnp.asarray(ring_centers(), jnp.float32)[jax.random.randint(k1, (n,), 0, MODES)]
  return c + MODE_STD * jax.random.normal(k2, (n, 2))


def sample_g(key, n):
  return G_STD * jax.random.normal(key, (n, 2))


def value(logit_fn, x_data, x_g):
  """V(D) = E_data log D(x) + E_g log(1 - D(x)), D = sigmoid(logit)."""
  return (jnp.mean(jax.nn.log_sigmoid(logit_fn(x_data))) +
          jnp.mean(jax.nn.log_sigmoid(-logit_fn(x_g))))


class Discriminator(nn.Module):
  @nn.compact
  def __call__(self, x_Nx2):
    h = jnp.tanh(nn.Dense(64)(x_Nx2))
    h = jnp.tanh(nn.Dense(64)(h))
    return nn.Dense(1)(h)[:, 0]


def train_d(n, steps, seed=0):
  key = jax.random.PRNGKey(seed)
  k_init, k_data, k_g = jax.random.split(key, 3)
  x_data, x_g = sample_data(k_data, n), sample_g(k_g, n)
  model = Discriminator()
  params = model.init(k_init, x_data[:2])
  loss = lambda p, _: -value(lambda x: model.apply(p, x), x_data, x_g)  # the BCE of D
  params, losses = _gandemo.adam_fit(loss, params, steps, 3e-3)
  return lambda x: model.apply(params, x), np.asarray(losses)


def runs(preset: str, workdir: str):
  del workdir
  _gandemo.check(preset, PRESETS)
  return iter(())


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  del summaries
  cfg = _gandemo.check(preset, PRESETS)
  logit, losses = train_d(cfg['n'], cfg['steps'])
  k1, k2 = jax.random.split(jax.random.PRNGKey(123))
  x_data, x_g = sample_data(k1, cfg['mc'] // 2), sample_g(k2, cfg['mc'] // 2)
  x_mix = jnp.concatenate([x_data, x_g])
  d_hat, d_star = jax.nn.sigmoid(logit(x_mix)), optimal_d(x_mix)
  lp, lg = log_p_data(x_mix), log_p_g(x_mix)
  both = (lp > math.log(1e-3)) & (lg > math.log(1e-3))
  r = np.corrcoef(np.asarray(logit(x_mix))[np.asarray(both)], np.asarray(lp - lg)[np.asarray(both)])
  v_star = float(value(lambda x: log_p_data(x) - log_p_g(x), x_data, x_g))
  v_hat = float(value(logit, x_data, x_g))
  table = {
      'mean_abs_d_minus_dstar': float(jnp.mean(jnp.abs(d_hat - d_star))),
      'logit_correlation_where_both_dense': float(r[0, 1]),
      'fraction_of_mixture_where_both_dense': float(jnp.mean(both)),
      'v_optimal': v_star, 'v_learned': v_hat, 'v_learned_train_sample': float(-losses[-1]),
      'js_exact_mc': (v_star + math.log(4)) / 2, 'js_from_learned_d': (v_hat + math.log(4)) / 2,
      'log2': math.log(2)}
  plot(logit, f'{out}/density_ratio.png', cfg)
  return table


def plot(logit, path: str, cfg: dict) -> str:
  plt, write = _gandemo.pyplot()
  g = np.linspace(-3.5, 3.5, 141)
  xx, yy = np.meshgrid(g, g)
  grid = jnp.asarray(np.stack([xx.ravel(), yy.ravel()], 1), jnp.float32)
  d_star = np.asarray(optimal_d(grid)).reshape(xx.shape)
  d_hat = np.asarray(jax.nn.sigmoid(logit(grid))).reshape(xx.shape)
  pts = np.asarray(sample_data(jax.random.PRNGKey(5), min(cfg['n'], 600)))
  fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
  for ax, img, title, cmap, lim in (
      (axes[0], d_star, 'analytic D*(x) = p_data / (p_data + p_g)', 'RdBu_r', (0, 1)),
      (axes[1], d_hat, 'learned D(x) (BCE on samples)', 'RdBu_r', (0, 1)),
      (axes[2], d_hat - d_star, 'D - D*', 'PuOr', (-1, 1))):
    im = ax.imshow(img, origin='lower', extent=(g[0], g[-1], g[0], g[-1]), cmap=cmap, vmin=lim[0],
                   vmax=lim[1])
    ax.scatter(pts[:, 0], pts[:, 1], s=1, c='k', alpha=0.3)
    ax.add_patch(plt.Circle((0, 0), 2 * G_STD, fill=False, ls='--', color='g'))
    ax.set_title(title, fontsize=9)
    fig.colorbar(im, ax=ax, fraction=0.046)
  fig.suptitle('data: ring of 8 Gaussians (dots); generator: N(0, 1.5^2 I) (green: its 2-sigma '
               'circle)', fontsize=9)
  fig.tight_layout()
  return write(fig, path)
