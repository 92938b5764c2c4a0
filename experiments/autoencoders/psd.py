r"""Predictive sparse decomposition (Kavukcuoglu et al. 2008; Goodfellow et al. 14.8) on 14x14
Fashion-MNIST (2x2-average-pooled, D = 196): a dictionary D (K atoms, unit rows), sparse codes h
found by ISTA/FISTA, and a fast encoder f trained to predict them.

  python -m experiments.study autoencoders/psd --workdir=runs/psd [--preset=cpu] [--publish]

Training (no runs: report() does it with jax.lax.scan; seeded): for OUTER rounds,
  h  <- FISTA on (1/2)||x - h D||^2 + lam ||h||_1 + (gamma/2)||h - f(x)||^2 (warm start, INNER steps)
  D  <- gradient steps on (1/2)||x - h D||^2, rows renormalised to unit length
  f  <- Adam steps on (1/2)||h - f(x)||^2, f(x) = S_theta(W^T x + b) (autoencoders.ShrinkEncoder)
Measured on 1,000 test images against the converged codes h* (FISTA, 1,000 steps, gamma = 0):
  pred_rel_err      ||f(x) - h*||^2 / ||h*||^2
  mse_fista, mse_f  per-pixel reconstruction MSE of h* D and of f(x) D
  gap_f             (F(f(x)) - F(h*)) / F(h*), F the Lasso objective: the price of the one-pass encoder
  gap_ista_T, gap_fista_T   the same for T = 10 / 100 steps of ISTA and FISTA from 0
  active_fista, active_f    share of non-zero code entries
Plot psd.png: the objective gap of ISTA and FISTA against the number of steps, with f's gap as a
horizontal line, and the 64 first atoms.
"""
import jax
import jax.numpy as jnp
import numpy as np
import optax

from dljax.models import autoencoders as ae
from experiments.tools import study_utils

PRESETS = {'smoke': dict(n=256, k=32, outer=3, inner=20, lam=0.1, gamma=1.0, n_test=64),
           'cpu': dict(n=10000, k=128, outer=60, inner=50, lam=0.1, gamma=1.0, n_test=1000)}


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return []


def load_images(preset: str):
  import ml_collections  # pylint: disable=g-import-not-at-top
  from dljax import data as data_lib  # pylint: disable=g-import-not-at-top
  p = PRESETS[preset]
  cfg = ml_collections.ConfigDict(dict(name='fashion_mnist', source='local', train_limit=p['n'],
                                       validation_limit=0, test_limit=p['n_test']))
  pool = lambda x: x.reshape(len(x), 14, 2, 14, 2).mean((2, 4)).reshape(len(x), -1)
  return (pool(np.asarray(data_lib.load_split(cfg, 'train')['x'][:p['n']])),
          pool(np.asarray(data_lib.load_split(cfg, 'test')['x'][:p['n_test']])))


def train_psd(x_NxD, k: int, outer: int, inner: int, lam: float, gamma: float, seed: int = 0):
  """(dictionary K x D, encoder params) after `outer` PSD rounds on the whole x_NxD."""
  key = jax.random.PRNGKey(seed)
  x = jnp.asarray(x_NxD, jnp.float32)
  dict_KxD = x[jax.random.choice(key, len(x), (k,), replace=False)]
  dict_KxD = dict_KxD / jnp.linalg.norm(dict_KxD, axis=1, keepdims=True)
  enc = ae.ShrinkEncoder(latent_dim=k)
  params = enc.init(jax.random.fold_in(key, 1), x[:1])['params']
  tx = optax.adam(3e-3)
  opt = tx.init(params)

  @jax.jit
  def round_(dict_KxD, params, opt, h):
    f = enc.apply({'params': params}, x)
    h = ae.ista(x, dict_KxD, lam, inner, fista=True, h0_BxK=h, gamma=gamma, f_BxK=f)
    for _ in range(5):  # dictionary: gradient steps of (1/2N) ||x - h D||^2, step 1/L
      grad = h.T @ (h @ dict_KxD - x) / len(x)
      lip = jnp.linalg.norm(h, ord=2) ** 2 / len(x) + 1e-6
      dict_KxD = dict_KxD - grad / lip
      dict_KxD = dict_KxD / jnp.maximum(jnp.linalg.norm(dict_KxD, axis=1, keepdims=True), 1e-6)

    def step(carry, _):
      p, o = carry
      g = jax.grad(lambda q: 0.5 * jnp.mean(jnp.sum((enc.apply({'params': q}, x) - h) ** 2, -1)))(p)
      u, o = tx.update(g, o, p)
      return (optax.apply_updates(p, u), o), None
    (params, opt), _ = jax.lax.scan(step, (params, opt), None, length=20)
    return dict_KxD, params, opt, h

  h = jnp.zeros((len(x), k))
  for _ in range(outer):
    dict_KxD, params, opt, h = round_(dict_KxD, params, opt, h)
  return dict_KxD, enc, params


def measure(x_NxD, dict_KxD, enc, params, lam: float) -> dict:
  x = jnp.asarray(x_NxD, jnp.float32)
  obj = lambda h: ae.sparse_code_objective(x, h, dict_KxD, lam)
  h_star = ae.ista(x, dict_KxD, lam, 1000, fista=True)
  f = enc.apply({'params': params}, x)
  f_star = float(jnp.mean(obj(h_star)))
  gap = lambda h: float((jnp.mean(obj(h)) - f_star) / f_star)
  out = {'pred_rel_err': float(jnp.sum((f - h_star) ** 2) / jnp.sum(h_star ** 2)),
         'mse_fista': float(jnp.mean((h_star @ dict_KxD - x) ** 2)),
         'mse_f': float(jnp.mean((f @ dict_KxD - x) ** 2)),
         'gap_f': gap(f),
         'active_fista': float(jnp.mean(h_star != 0)), 'active_f': float(jnp.mean(f != 0))}
  curves = {}
  for fista in (False, True):
    name = 'fista' if fista else 'ista'
    steps = (1, 3, 10, 30, 100, 300)
    curves[name] = [gap(ae.ista(x, dict_KxD, lam, t, fista=fista)) for t in steps]
    out[f'gap_{name}_10'], out[f'gap_{name}_100'] = curves[name][2], curves[name][4]
  return out, curves, steps


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  del summaries
  from dljax import viz  # pylint: disable=g-import-not-at-top
  p = PRESETS[preset]
  x_tr, x_te = load_images(preset)
  dict_KxD, enc, params = train_psd(x_tr, p['k'], p['outer'], p['inner'], p['lam'], p['gamma'])
  table, curves, steps = measure(x_te, dict_KxD, enc, params, p['lam'])
  plt = viz.plt
  fig, axes = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={'width_ratios': [1.2, 1]})
  for name, gaps in curves.items():
    axes[0].loglog(steps, np.maximum(gaps, 1e-8), 'o-', label=name.upper())
  axes[0].axhline(max(table['gap_f'], 1e-8), color='k', ls='--', label='encoder f(x), one pass')
  axes[0].set_xlabel('steps from h = 0')
  axes[0].set_ylabel('relative objective gap to converged FISTA')
  axes[0].legend(fontsize=8)
  atoms = np.asarray(dict_KxD[:64]).reshape(-1, 14, 14)
  n = int(np.ceil(np.sqrt(len(atoms))))
  mosaic = np.zeros((n * 15, n * 15))
  for i, a in enumerate(atoms):
    r, c = divmod(i, n)
    mosaic[r * 15:r * 15 + 14, c * 15:c * 15 + 14] = (a - a.min()) / (np.ptp(a) + 1e-9)
  axes[1].imshow(mosaic, cmap='gray')
  axes[1].axis('off')
  axes[1].set_title('dictionary atoms (first 64)', fontsize=9)
  fig.tight_layout()
  viz._write(fig, f'{out}/psd.png')  # pylint: disable=protected-access
  return table
