r"""Exact mixture-of-Gaussians posterior and EM on 2-D data, against scikit-learn.

  python -m experiments.study vae/mog_em --workdir=runs/mog_em [--preset=cpu] [--publish]

Data: N points from a 3-component 2-D mixture with full covariances (seed 0), a held-out set of the
same size. The posterior over the component is exact, r_nm = pi_m N(x_n; mu_m, Sigma_m) / sum_k ...
(dljax.models.vae.mog_posterior), and EM alternates it with the closed-form M-step (em_step); the
log-likelihood never decreases. Reported: the train and held-out mean log-likelihood per point after
EM, scikit-learn's GaussianMixture from the same initial means (same objective: must agree), the true
parameters' log-likelihood, the largest |r - sklearn's predict_proba|, and the log-likelihood
trajectory. No training runs. Plot mog_em.png: data coloured by responsibilities with the fitted
2-sigma ellipses, and the log-likelihood per EM iteration.
"""
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from dljax.models import vae
from experiments.tools import study_utils

PRESETS = {'smoke': dict(n=300, iters=20), 'cpu': dict(n=3000, iters=200)}
TRUE = dict(pi=np.array([0.3, 0.5, 0.2]), mu=np.array([[-2.0, 0.0], [1.5, 1.0], [0.0, 3.0]]),
            cov=np.array([[[0.6, 0.3], [0.3, 0.4]], [[0.8, -0.4], [-0.4, 0.5]], [[0.3, 0.0], [0.0, 0.3]]]))


def sample(n, seed):
  rng = np.random.default_rng(seed)
  comp = rng.choice(3, size=n, p=TRUE['pi'])
  x = np.stack([rng.multivariate_normal(TRUE['mu'][c], TRUE['cov'][c]) for c in comp])
  return x.astype(np.float32), comp


def _match(ours_MxD, theirs_MxD):
  """The permutation of sklearn's components nearest to ours (component labels are arbitrary)."""
  return np.argmin(np.linalg.norm(ours_MxD[:, None] - theirs_MxD[None], axis=-1), axis=1)


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return iter(())


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  from sklearn.mixture import GaussianMixture  # pylint: disable=g-import-not-at-top
  del summaries
  study_utils.check_preset(preset, tuple(PRESETS))
  cfg = PRESETS[preset]
  x, comp = sample(cfg['n'], 0)
  x_test, _ = sample(cfg['n'], 1)
  init = x[np.random.default_rng(2).choice(len(x), 3, replace=False)]
  params = (jnp.log(jnp.ones(3) / 3), jnp.asarray(init), jnp.stack([jnp.eye(2)] * 3))
  step, lls = jax.jit(vae.em_step), []
  for _ in range(cfg['iters']):
    *params, ll = step(jnp.asarray(x), *params)
    lls.append(float(ll))
  r, ll_train = vae.mog_posterior(jnp.asarray(x), *params)
  _, ll_test = vae.mog_posterior(jnp.asarray(x_test), *params)
  with warnings.catch_warnings():  # tol=0 runs exactly `iters` iterations, as ours: no 'converged'
    warnings.simplefilter('ignore')
    gm = GaussianMixture(3, means_init=init, max_iter=cfg['iters'], tol=0.0, reg_covar=1e-6,
                         random_state=0).fit(x)
  truth = tuple(jnp.asarray(a, jnp.float32) for a in (np.log(TRUE['pi']), TRUE['mu'], TRUE['cov']))
  table = {'n': cfg['n'], 'iterations': cfg['iters'],
           'train_loglik': float(ll_train.mean()), 'test_loglik': float(ll_test.mean()),
           'sklearn_train_loglik': float(gm.score(x)), 'sklearn_test_loglik': float(gm.score(x_test)),
           'true_params_train_loglik': float(vae.mog_posterior(jnp.asarray(x), *truth)[1].mean()),
           'true_params_test_loglik': float(vae.mog_posterior(jnp.asarray(x_test), *truth)[1].mean()),
           'max_abs_responsibility_diff_vs_sklearn': float(np.max(np.abs(
               np.asarray(r) - gm.predict_proba(x)[:, _match(np.asarray(params[1]), gm.means_)]))),
           'monotone': bool(all(b >= a - 1e-4 for a, b in zip(lls, lls[1:]))),
           'loglik_first_last': (lls[0], lls[-1]),
           'fitted': {'pi': np.exp(np.asarray(params[0])).tolist(), 'mu': np.asarray(params[1]).tolist()}}
  plot(x, np.asarray(r), np.asarray(params[1]), np.asarray(params[2]), lls, f'{out}/mog_em.png')
  return table


def plot(x, r, mu, cov, lls, path):
  from dljax import viz  # pylint: disable=g-import-not-at-top
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, axes = plt.subplots(1, 2, figsize=(12, 5))
  axes[0].scatter(x[:, 0], x[:, 1], c=r, s=4)  # RGB = the three responsibilities
  t = np.linspace(0, 2 * np.pi, 100)
  for m, c in zip(mu, cov):
    vals, vecs = np.linalg.eigh(c)
    ell = (vecs * 2 * np.sqrt(vals)) @ np.stack([np.cos(t), np.sin(t)])
    axes[0].plot(m[0] + ell[0], m[1] + ell[1], 'k-')
  axes[0].set_title('exact posterior p(m|x) as colour, fitted 2-sigma ellipses')
  axes[1].plot(np.arange(1, len(lls) + 1), lls)
  axes[1].set_xscale('log')
  axes[1].set_xlabel('EM iteration')
  axes[1].set_ylabel('mean log-likelihood per point')
  axes[1].set_title('EM never decreases the likelihood')
  fig.tight_layout()
  return viz._write(fig, path)  # pylint: disable=protected-access
