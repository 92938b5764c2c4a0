r"""Inverse-transform sampling, the idea a generator network keeps (F10 row 28; seed 001 §1.6
L244-L253 and its concept 24): if U ~ U(0, 1) and F is a CDF, X = F^-1(U) has the CDF F, because
P(F^-1(U) <= x) = P(U <= F(x)) = F(x).

  python -m experiments.study gan/inverse_transform --workdir=runs/gan_inverse_transform [--preset=cpu] [--publish]

1. Closed-form inverses: exponential (F^-1(u) = -log(1 - u) / lambda, lambda = 1.5), Laplace
   (mu - b sign(u - 1/2) log(1 - 2|u - 1/2|), b = 1) and Cauchy (tan(pi (u - 1/2))); and the
   bimodal mixture 1/2 N(-2, 0.5^2) + 1/2 N(2, 0.5^2), whose F has no closed-form inverse, by
   bisection on F (60 halvings). 100,000 samples each; reported: the Kolmogorov-Smirnov distance to
   the target CDF and its p-value (scipy.stats.kstest), which should look like a draw from U(0, 1).
2. Learning the inverse: a generator g_theta: u -> x (1-64-64-1 tanh MLP) fed uniform noise, as
   Rocca/Goodfellow's generator, trained on samples of the mixture only (no F) by matching sorted
   batches (quantile matching): L = 1/B sum_i (g(u_(i)) - x_(i))^2 with u and x each sorted, the
   1-D optimal-transport (W2) loss whose minimiser is g = F^-1 (the monotone map). Adam lr 3e-3,
   batch 512, fixed. Reported: the KS distance of 100,000 generated samples to the mixture, and the
   mean |g(u) - F^-1(u)| on u in [0.01, 0.99]. Plot inverse_transform.png.
No runs.
"""
import math

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import scipy.stats

from experiments.gan import _gandemo

PRESETS = {'smoke': dict(n=2000, steps=30), 'cpu': dict(n=100_000, steps=4000)}
LAMBDA, MIX_MU, MIX_STD, BATCH = 1.5, 2.0, 0.5, 512


def exponential_inv(u):
  return -np.log1p(-u) / LAMBDA


def laplace_inv(u, mu=0.0, b=1.0):
  return mu - b * np.sign(u - 0.5) * np.log1p(-2 * np.abs(u - 0.5))


def cauchy_inv(u):
  return np.tan(np.pi * (u - 0.5))


def mixture_cdf(x):
  return 0.5 * (scipy.stats.norm.cdf(x, -MIX_MU, MIX_STD) + scipy.stats.norm.cdf(x, MIX_MU, MIX_STD))


def mixture_inv(u, iters: int = 60):
  """F^-1(u) by bisection on the monotone F over [-12, 12]."""
  lo, hi = np.full_like(u, -12.0, dtype=np.float64), np.full_like(u, 12.0, dtype=np.float64)
  for _ in range(iters):
    mid = 0.5 * (lo + hi)
    below = mixture_cdf(mid) < u
    lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
  return 0.5 * (lo + hi)


TARGETS = {
    'exponential': (exponential_inv, scipy.stats.expon(scale=1 / LAMBDA).cdf),
    'laplace': (laplace_inv, scipy.stats.laplace().cdf),
    'cauchy': (cauchy_inv, scipy.stats.cauchy().cdf),
    'mixture_bisection': (mixture_inv, mixture_cdf)}


def mixture_samples(rng, n):
  return (rng.choice([-MIX_MU, MIX_MU], n) + MIX_STD * rng.normal(size=n)).astype(np.float32)


class Generator(nn.Module):
  @nn.compact
  def __call__(self, u_B):
    h = jnp.tanh(nn.Dense(64)(u_B[:, None] * 2 - 1))
    h = jnp.tanh(nn.Dense(64)(h))
    return nn.Dense(1)(h)[:, 0]


def learn_inverse(steps: int, seed: int = 0):
  """g trained by sorted-batch matching on mixture samples; returns g as a numpy function."""
  model = Generator()
  key = jax.random.PRNGKey(seed)
  params = model.init(key, jnp.zeros((1,)))
  pool = jnp.asarray(mixture_samples(np.random.default_rng(seed), 200_000))

  def loss(p, k):
    ku, kx = jax.random.split(k)
    u = jnp.sort(jax.random.uniform(ku, (BATCH,)))
    x = jnp.sort(pool[jax.random.randint(kx, (BATCH,), 0, pool.shape[0])])
    return jnp.mean((model.apply(p, u) - x) ** 2)  # the 1-D W2^2 between the two batches
  params, _ = _gandemo.adam_fit(loss, params, steps, 3e-3, jax.random.fold_in(key, 1))
  return lambda u: np.asarray(jax.jit(model.apply)(params, jnp.asarray(u, jnp.float32)), np.float64)


def runs(preset: str, workdir: str):
  del workdir
  _gandemo.check(preset, PRESETS)
  return iter(())


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  del summaries
  cfg = _gandemo.check(preset, PRESETS)
  rng = np.random.default_rng(0)
  table, shown = {}, {}
  for name, (inv, cdf) in TARGETS.items():
    x = inv(rng.uniform(size=cfg['n']))
    ks = scipy.stats.kstest(x, cdf)
    table[name] = {'ks_distance': float(ks.statistic), 'ks_p_value': float(ks.pvalue)}
    shown[name] = x
  g = learn_inverse(cfg['steps'])
  x_g = g(rng.uniform(size=cfg['n']))
  ks = scipy.stats.kstest(x_g, mixture_cdf)
  u = np.linspace(0.01, 0.99, 981)
  table['learned_generator'] = {
      'ks_distance': float(ks.statistic), 'ks_p_value': float(ks.pvalue),
      'mean_abs_g_minus_inverse_cdf': float(np.mean(np.abs(g(u) - mixture_inv(u)))),
      'share_of_samples_in_the_gap_abs_x_lt_0.5': float(np.mean(np.abs(x_g) < 0.5)),
      'true_share_in_the_gap': float(mixture_cdf(0.5) - mixture_cdf(-0.5))}
  plot(shown, g, x_g, f'{out}/inverse_transform.png')
  return table


def plot(shown: dict, g, x_g, path: str) -> str:
  plt, write = _gandemo.pyplot()
  fig, axes = plt.subplots(1, 5, figsize=(20, 3.6))
  ranges = {'exponential': (0, 5), 'laplace': (-6, 6), 'cauchy': (-10, 10),
            'mixture_bisection': (-4, 4)}
  pdfs = {'exponential': scipy.stats.expon(scale=1 / LAMBDA).pdf, 'laplace': scipy.stats.laplace().pdf,
          'cauchy': scipy.stats.cauchy().pdf,
          'mixture_bisection': lambda x: 0.5 * (scipy.stats.norm.pdf(x, -MIX_MU, MIX_STD) +
                                                scipy.stats.norm.pdf(x, MIX_MU, MIX_STD))}
  for ax, (name, x) in zip(axes, shown.items()):
    lo, hi = ranges[name]
    t = np.linspace(lo, hi, 400)
    ax.hist(x[(x > lo) & (x < hi)], bins=80, range=(lo, hi), density=True, color='0.7',
            weights=np.full(np.sum((x > lo) & (x < hi)), np.mean((x > lo) & (x < hi))))
    ax.plot(t, pdfs[name](t), 'C3')
    ax.set_title(f'F^-1(U): {name}', fontsize=9)
  u = np.linspace(0.005, 0.995, 400)
  axes[4].plot(u, mixture_inv(u), 'C3', label='F^-1(u) (bisection)')
  axes[4].plot(u, g(u), 'C0--', label='learned g(u)')
  axes[4].hist(x_g, bins=80, range=(-4, 4), density=True, orientation='horizontal', color='0.8',
               alpha=0.7, label='g(U) histogram (x-scale: density)')
  axes[4].set(title='a generator learns F^-1 from samples', xlabel='u', ylabel='x', ylim=(-4, 4))
  axes[4].legend(fontsize=7)
  fig.tight_layout()
  return write(fig, path)
