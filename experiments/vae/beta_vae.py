r"""beta-VAE sweep, posterior collapse (active units, KL per dimension) with free bits as a fix, and
the likelihood ledger's importance-sampled NLL of the plain VAE.

  python -m experiments.study vae/beta_vae --workdir=runs/beta_vae [--preset=cpu] [--publish]

Runs (configs/vae/fmnist_vae.py, Z = 25, Bernoulli decoder on binarised Fashion-MNIST, the same
4,000 steps at the cpu preset): beta = 0.5, 1, 4 (the objective E_q log p(x|z) - beta KL), and
beta = 4 with free bits (lambda = 0.5 nat per dimension: sum_j max(lambda, mean_b KL_j)). Every run
is evaluated with the true ELBO (beta = 1) and IWAE bounds, so the columns are comparable.
Report: per run, -ELBO, its reconstruction and KL parts, -L_50, the active units
#{j : Cov_x(E_q[z_j]) > 0.01} and the KL of each latent dimension on the test set (sorted);
latent traversals (one test image's E_q[z], the dims with the largest KL varied over [-3, 3]);
and for the beta = 1 run the ledger estimate -L_k with k = 1, 5, 50 and K_LEDGER importance samples
on the first N_LEDGER test images (bits/dim = nats / (784 ln 2)).
Plots beta_vae_traversals.png, beta_vae_kl.png. Smoke: beta1 only.
"""
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from configs.vae import fmnist_vae
from dljax.models import vae as vae_lib
from experiments.tools import study_utils

PRESETS = {'smoke': dict(k_ledger=20, n_ledger=40, batch=20),
           'cpu': dict(k_ledger=1000, n_ledger=1000, batch=100)}
RUNS = {'beta0.5': dict(beta=0.5), 'beta1': dict(beta=1.0), 'beta4': dict(beta=4.0),
        'beta4_freebits': dict(beta=4.0, free_bits=0.5)}
SEEDS = 1


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  for name, overrides in RUNS.items():
    if preset == 'smoke' and name != 'beta1':
      continue  # the wiring check: one run and the ledger
    config = fmnist_vae.get_config(preset)
    config.name = f'beta_vae_{name}'
    config.vae.update(overrides)
    config.vae.iwae_ks = (1, 50) if preset == 'cpu' else (1, 5)
    yield name, config


@functools.partial(jax.jit, static_argnums=(0, 3, 4))
def _iwae(model, params, x, k, chunk):
  return vae_lib.iwae_nll(model, params, x, jax.random.PRNGKey(7), k, chunk)


def ledger(run, cfg) -> dict:
  """-L_k per image (mean over the first n_ledger test images) for k in 1, 5, 50, k_ledger."""
  task, params = run.task, run.state.nets['model'].params
  x_all = np.asarray(run.data['test']['x'][:cfg['n_ledger']])
  out = {}
  for k in sorted({1, 5, 50, cfg['k_ledger']}):
    vals = [np.asarray(_iwae(task.model, params, task.observe(jnp.asarray(x_all[i:i + cfg['batch']])),
                             k, min(k, 50)))
            for i in range(0, len(x_all), cfg['batch'])]
    v = np.concatenate(vals)
    out[str(k)] = {'nats': float(v.mean()), 'se': float(v.std(ddof=1) / math.sqrt(len(v))),
                   'bits_per_dim': float(v.mean() / (784 * math.log(2)))}
  out['n_images'] = len(x_all)
  return out


def kl_per_dim(run):
  task, params = run.task, run.state.nets['model'].params
  x = task.observe(jnp.asarray(run.data['test']['x']))
  mu, logvar = jax.jit(lambda p, v: task.model.apply({'params': p}, v, method=vae_lib.VAE.encode))(params, x)
  kl = np.asarray(vae_lib.gaussian_kl_per_dim(mu, logvar)).mean(0)
  var = np.asarray(mu).var(0)
  return kl, var, np.asarray(mu)


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  study_utils.check_preset(preset, tuple(PRESETS))
  cfg = PRESETS[preset]
  table, kls, traversals = {}, {}, {}
  for name, summary in summaries.items():
    run = loop.load_run(summary['workdir'])
    f = summary['final']
    kl, var, mu = kl_per_dim(run)
    order = np.argsort(-kl)
    row = {k: f.get(f'test/{k}') for k in ('nelbo', 'rec', 'kl', 'iwae50', 'active_units')}
    row['kl_per_dim_sorted'] = [float(v) for v in kl[order]]
    row['active_units_recomputed'] = int(np.sum(var > 0.01))
    table[name] = row
    kls[name] = kl[order]
    dims = order[:6]
    values = np.linspace(-3, 3, 9, dtype=np.float32)
    z = np.repeat(mu[:1], len(dims) * len(values), 0)
    for i, d in enumerate(dims):
      z[i * len(values):(i + 1) * len(values), d] = values
    traversals[name] = np.asarray(run.task.decode_mean(run.state, jnp.asarray(z)))[..., 0].reshape(
        len(dims), len(values), 28, 28)
    if name == 'beta1':
      table['ledger_beta1'] = ledger(run, cfg)
  plot(kls, traversals, out)
  return table


def plot(kls, traversals, out):
  from dljax import viz  # pylint: disable=g-import-not-at-top
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, ax = plt.subplots(figsize=(7, 4))
  for name, kl in kls.items():
    ax.plot(np.arange(1, len(kl) + 1), kl, 'o-', ms=3, label=name)
  ax.axhline(0.5, color='0.5', ls=':', label='free-bits floor 0.5')
  ax.set_yscale('log')
  ax.set_xlabel('latent dimension (sorted by KL)')
  ax.set_ylabel('test KL(q(z_j|x) || p(z_j)) [nats]')
  ax.set_title('KL per dimension: a larger beta switches dimensions off')
  ax.legend(fontsize=8)
  fig.tight_layout()
  viz._write(fig, f'{out}/beta_vae_kl.png')  # pylint: disable=protected-access
  fig, axes = plt.subplots(1, len(traversals), figsize=(4.5 * len(traversals), 3.6))
  for ax, (name, t) in zip(np.atleast_1d(axes), traversals.items()):
    n_dims, n_vals = t.shape[:2]
    ax.imshow(t.transpose(0, 2, 1, 3).reshape(n_dims * 28, n_vals * 28), cmap='gray', vmin=0, vmax=1)
    ax.set_title(f'{name}: z_j from -3 to 3 (rows: top-KL dims)', fontsize=9)
    ax.axis('off')
  fig.tight_layout()
  return viz._write(fig, f'{out}/beta_vae_traversals.png')  # pylint: disable=protected-access
