r"""Probabilistic regression heads: a heteroscedastic Gaussian head on a 1-D toy, and a mixture
density network against a unimodal (MSE) regressor on Bishop's inverse problem (Bishop 1994;
PRML §5.6).

  python -m experiments.study vae/mdn_bishop --workdir=runs/mdn_bishop [--preset=cpu] [--publish]

1. Heteroscedastic head (dljax.models.vae.GaussianHead). x ~ U(-3, 3), y = sin(x) + sigma(x) eps,
   sigma(x) = 0.05 + 0.1 |x|. The head predicts (mu(x), log sigma(x)) and minimises the Gaussian NLL;
   the MSE regressor is the same MLP with one output and a constant sigma (its training RMSE). Test
   NLL of both, and the learned sigma(x) against the true one.
2. Bishop's inverse problem. Forward: t ~ U(0, 1), x = t + 0.3 sin(2 pi t) + U(-0.1, 0.1). The
   inverse p(t | x) is multi-valued (up to three branches for x in ~(0.35, 0.65)). An MSE regressor
   predicts E[t|x], which falls BETWEEN the branches (a unimodal fit to clustered data); the MDN
   (M = 3 Gaussians) models the branches. Reported: test NLL (nats) of the MSE regressor (with its
   training RMSE as sigma), a single Gaussian head, the MDN, and the true conditional (computed by
   quadrature: p(t|x) = p(x|t) / int p(x|t') dt', the uniform noise of width 0.2); and the fraction
   of test x where the regressor's prediction has zero true density (between branches) against the
   MDN's most probable component mean.
All models: 1-32-32-out tanh MLPs, full-batch Adam (lr 1e-2 then cosine), in one jitted scan each;
fixed hyper-parameters (nothing is chosen, no validation needed). No runs. Plot mdn_bishop.png.
"""
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import optax

from dljax import optim
from dljax.models import vae
from dljax.models.mlp import MLP
from experiments.tools import study_utils

PRESETS = {'smoke': dict(n=200, steps=30, components=3), 'cpu': dict(n=2000, steps=4000, components=3)}
HIDDEN = (32, 32)


def hetero_data(n, seed):
  rng = np.random.default_rng(seed)
  x = rng.uniform(-3, 3, n)
  sig = 0.05 + 0.1 * np.abs(x)
  return x.astype(np.float32), (np.sin(x) + sig * rng.normal(size=n)).astype(np.float32), sig


def bishop_data(n, seed):
  """(x, t): t ~ U(0, 1), x = t + 0.3 sin(2 pi t) + U(-0.1, 0.1); the inverse maps x -> t."""
  rng = np.random.default_rng(seed)
  t = rng.uniform(0, 1, n)
  x = t + 0.3 * np.sin(2 * np.pi * t) + rng.uniform(-0.1, 0.1, n)
  return x.astype(np.float32), t.astype(np.float32)


def true_conditional(x_N, t_grid):
  """p(t | x) on t_grid (N x T), by p(x|t) = 5 * 1[|x - g(t)| < 0.1] and a uniform p(t)."""
  g = t_grid + 0.3 * np.sin(2 * np.pi * t_grid)
  like = (np.abs(x_N[:, None] - g[None]) < 0.1) * 5.0
  dt = t_grid[1] - t_grid[0]
  return like / np.maximum(like.sum(1, keepdims=True) * dt, 1e-300)


@functools.partial(jax.jit, static_argnums=(0, 3))
def fit(model, x_Nx1, y_N, steps, key):
  """Full-batch Adam on model's NLL (or MSE for the MLP): the fitted params."""
  params = model.init(key, x_Nx1)
  tx = optax.adam(optax.cosine_decay_schedule(1e-2, steps))

  def loss(p):
    out = model.apply(p, x_Nx1)
    if isinstance(model, vae.MDN):
      return jnp.mean(vae.mdn_nll(*out, y_N))
    if isinstance(model, vae.GaussianHead):
      return jnp.mean(vae.gaussian_nll(*out, y_N))
    return jnp.mean((out - y_N) ** 2)  # MLP with one output returns B
  return optim.minimize(loss, params, tx, steps)


def models(components):
  return {'mse': MLP(hidden=HIDDEN, num_outputs=1, act='tanh'),
          'gaussian_head': vae.GaussianHead(hidden=HIDDEN),
          'mdn': vae.MDN(components=components, hidden=HIDDEN)}


def test_nll(name, model, params, x_tr, y_tr, x_te, y_te):
  """Mean test NLL in nats; the MSE regressor gets the Gaussian with its training RMSE."""
  if name == 'mse':
    rmse = float(jnp.sqrt(jnp.mean((model.apply(params, x_tr) - y_tr) ** 2)))
    mu = model.apply(params, x_te)
    return float(jnp.mean(vae.gaussian_nll(mu, jnp.full_like(mu, math.log(rmse)), y_te)))
  out = model.apply(params, x_te)
  nll = vae.mdn_nll(*out, y_te) if name == 'mdn' else vae.gaussian_nll(*out, y_te)
  return float(jnp.mean(nll))


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return iter(())


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  del summaries
  study_utils.check_preset(preset, tuple(PRESETS))
  cfg = PRESETS[preset]
  ms = models(cfg['components'])
  table, fitted = {'hetero': {}, 'bishop': {}}, {}
  # 1. heteroscedastic head
  x_tr, y_tr, _ = hetero_data(cfg['n'], 0)
  x_te, y_te, sig_te = hetero_data(cfg['n'], 1)
  xs = {k: jnp.asarray(v)[:, None] for k, v in (('tr', x_tr), ('te', x_te))}
  for name in ('mse', 'gaussian_head'):
    p = fit(ms[name], xs['tr'], jnp.asarray(y_tr), cfg['steps'], jax.random.PRNGKey(0))
    table['hetero'][f'{name}_test_nll'] = test_nll(name, ms[name], p, xs['tr'], y_tr, xs['te'], y_te)
    fitted[('hetero', name)] = p
  _, ls = ms['gaussian_head'].apply(fitted[('hetero', 'gaussian_head')], xs['te'])
  table['hetero']['sigma_mean_abs_error'] = float(np.mean(np.abs(np.exp(np.asarray(ls)) - sig_te)))
  table['hetero']['true_sigma_test_nll'] = float(np.mean(
      0.5 * np.log(2 * np.pi * sig_te ** 2) + 0.5 * ((y_te - np.sin(x_te)) / sig_te) ** 2))
  # 2. Bishop's inverse problem: input x, target t
  x_tr, t_tr = bishop_data(cfg['n'], 2)
  x_te, t_te = bishop_data(cfg['n'], 3)
  xs = {k: jnp.asarray(v)[:, None] for k, v in (('tr', x_tr), ('te', x_te))}
  for name in ('mse', 'gaussian_head', 'mdn'):
    p = fit(ms[name], xs['tr'], jnp.asarray(t_tr), cfg['steps'], jax.random.PRNGKey(1))
    table['bishop'][f'{name}_test_nll'] = test_nll(name, ms[name], p, xs['tr'], t_tr, xs['te'], t_te)
    fitted[('bishop', name)] = p
  t_grid = np.linspace(0, 1, 4001)
  dens = true_conditional(x_te, t_grid)
  idx = np.clip(np.round(t_te * 4000).astype(int), 0, 4000)
  table['bishop']['true_conditional_test_nll'] = float(np.mean(-np.log(np.maximum(dens[np.arange(len(t_te)), idx], 1e-12))))
  pred = np.asarray(ms['mse'].apply(fitted[('bishop', 'mse')], xs['te']))
  log_pi, mu, _ = ms['mdn'].apply(fitted[('bishop', 'mdn')], xs['te'])
  mode = np.asarray(mu)[np.arange(len(x_te)), np.asarray(log_pi).argmax(1)]

  def zero_density(t_hat):
    j = np.clip(np.round(t_hat * 4000).astype(int), 0, 4000)
    inside = (t_hat >= 0) & (t_hat <= 1)
    return float(np.mean(~inside | (dens[np.arange(len(t_hat)), j] == 0)))
  table['bishop']['mse_prediction_zero_density_fraction'] = zero_density(pred)
  table['bishop']['mdn_mode_zero_density_fraction'] = zero_density(mode)
  plot(ms, fitted, cfg, f'{out}/mdn_bishop.png')
  return table


def plot(ms, fitted, cfg, path):
  from dljax import viz  # pylint: disable=g-import-not-at-top
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, axes = plt.subplots(1, 3, figsize=(18, 4.5))
  x, y, _ = hetero_data(cfg['n'], 1)
  grid = jnp.linspace(-3, 3, 300)[:, None]
  mu, ls = ms['gaussian_head'].apply(fitted[('hetero', 'gaussian_head')], grid)
  axes[0].scatter(x, y, s=2, c='0.6')
  axes[0].plot(grid[:, 0], mu, 'C0-', label='Gaussian head mu(x)')
  axes[0].fill_between(grid[:, 0], mu - 2 * jnp.exp(ls), mu + 2 * jnp.exp(ls), color='C0', alpha=0.2,
                       label='+- 2 sigma(x) learned')
  s_true = 0.05 + 0.1 * np.abs(grid[:, 0])
  axes[0].plot(grid[:, 0], np.sin(grid[:, 0]) + 2 * s_true, 'k:', label='+- 2 sigma(x) true')
  axes[0].plot(grid[:, 0], np.sin(grid[:, 0]) - 2 * s_true, 'k:')
  axes[0].set_title('heteroscedastic Gaussian head')
  axes[0].legend(fontsize=7)
  x, t = bishop_data(cfg['n'], 3)
  grid = jnp.linspace(x.min(), x.max(), 300)[:, None]
  axes[1].scatter(x, t, s=2, c='0.6', label='data (inverse: t given x)')
  axes[1].plot(grid[:, 0], ms['mse'].apply(fitted[('bishop', 'mse')], grid), 'C3-', lw=2,
               label='MSE regressor E[t|x]')
  log_pi, mu, _ = ms['mdn'].apply(fitted[('bishop', 'mdn')], grid)
  for m in range(mu.shape[1]):
    axes[1].scatter(grid[:, 0], mu[:, m], s=3 + 20 * np.exp(np.asarray(log_pi[:, m])), label=f'MDN mu_{m} (size: pi)')
  axes[1].set_xlabel('x')
  axes[1].set_ylabel('t')
  axes[1].set_title('the unimodal fit averages the branches')
  axes[1].legend(fontsize=7)
  tg = jnp.linspace(-0.1, 1.1, 200)
  xx, tt = np.meshgrid(np.asarray(grid[:, 0]), np.asarray(tg))
  nll = vae.mdn_nll(*ms['mdn'].apply(fitted[('bishop', 'mdn')], jnp.asarray(xx.reshape(-1, 1))),
                    jnp.asarray(tt.reshape(-1)))
  axes[2].contourf(xx, tt, np.exp(-np.asarray(nll)).reshape(xx.shape), levels=30)
  axes[2].set_title('MDN conditional density p(t | x)')
  axes[2].set_xlabel('x')
  fig.tight_layout()
  return viz._write(fig, path)  # pylint: disable=protected-access
