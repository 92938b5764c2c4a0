"""Autoencoders (dljax/models/autoencoders.py): golden parameter counts, linear AE = PCA (principal
angles and MSE), the overcomplete AE learns the identity, the sparse penalties against hand
computations (and the Laplace-prior MAP sign), the KL penalty lowers the mean activation, the
contractive closed form against jax.jacfwd, the denoising AE's field against the analytic score of
a noised 2-D Gaussian mixture, and the ConfigErrors."""
import math

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from scipy import linalg, stats

from dljax import models
from dljax.errors import ConfigError
from dljax.models import autoencoders as ae
from dljax.train import tasks
from tests.helpers import load_config


def n_params(model, x_shape):
  shapes = jax.eval_shape(model.init, jax.random.PRNGKey(0), jnp.zeros(x_shape))['params']
  return sum(int(np.prod(s.shape)) for s in jax.tree.leaves(shapes))


def dense(n_in, n_out):
  return n_in * n_out + n_out


def fit(model, x_NxD, steps, lr, seed=0, sample=None, noise=0.0):
  """Adam on mean (r - x)^2 + omega; full batch of x_NxD, or fresh batches from sample(key) (then
  x_NxD only initialises). noise > 0: x~ = x + noise eps in, x the target (denoising)."""
  params = model.init(jax.random.PRNGKey(seed), x_NxD)['params']
  tx = optax.adam(lr)

  def loss(p, x, key):
    x_in = x + noise * jax.random.normal(key, x.shape) if noise else x
    r, _, omega = model.apply({'params': p}, x_in)
    return jnp.mean((r - x) ** 2) + omega

  def step(carry, key):
    p, opt = carry
    k_data, k_noise = jax.random.split(key)
    x = sample(k_data) if sample is not None else x_NxD
    g = jax.grad(loss)(p, x, k_noise)
    updates, opt = tx.update(g, opt, p)
    return (optax.apply_updates(p, updates), opt), None

  keys = jax.random.split(jax.random.PRNGKey(seed + 1), steps)
  (params, _), _ = jax.jit(lambda c: jax.lax.scan(step, c, keys))((params, tx.init(params)))
  return params


def mse(model, params, x):
  r, _, _ = model.apply({'params': params}, x)
  return float(jnp.mean((r - x) ** 2))


# --- parameter counts --------------------------------------------------------------------------
def test_golden_parameter_counts():
  linear = models.build(load_config('configs/autoencoders/linear_ae_pca.py', 'cpu').model)
  assert n_params(linear, (1, 28, 28, 1)) == 50_992 == dense(784, 32) + dense(32, 784)
  deep = models.build(load_config('configs/autoencoders/deep_ae.py', 'cpu').model)
  widths = (784, 512, 256, 32, 256, 512, 784)
  assert n_params(deep, (1, 28, 28, 1)) == 1_083_696 == sum(
      dense(a, b) for a, b in zip(widths[:-1], widths[1:]))


def test_output_shapes():
  x = jnp.zeros((3, 6, 5, 1))
  for model in (ae.LinearAE(latent_dim=4), ae.MLPAE(latent_dim=4, hidden=(8,))):
    r, h, omega = model.apply(model.init(jax.random.PRNGKey(0), x), x)
    assert r.shape == x.shape and h.shape == (3, 4) and omega.shape == ()


# --- 1. undercomplete linear AE = PCA ----------------------------------------------------------
def test_linear_ae_spans_the_principal_subspace_and_matches_pca():
  """A linear AE (k = 3, D = 12) trained to convergence: its decoder rows span the top-3
  eigenvectors of the covariance (principal angles ~ 0) and its MSE equals PCA's."""
  rng = np.random.default_rng(0)
  d, k, n = 12, 3, 2000
  scales = np.array([3.0, 2.0, 1.5] + [0.3] * (d - k))  # a clear gap after the 3rd component
  basis, _ = np.linalg.qr(rng.standard_normal((d, d)))
  x = (rng.standard_normal((n, d)) * scales) @ basis.T + rng.standard_normal(d)  # non-zero mean
  x = jnp.asarray(x, jnp.float32)
  model = ae.LinearAE(latent_dim=k)
  params = fit(model, x, steps=3000, lr=1e-2)
  centred = np.asarray(x) - np.asarray(x).mean(0)
  _, s, vt = np.linalg.svd(centred, full_matrices=False)
  pca_mse = float(np.sum(s[k:] ** 2) / (n * d))  # (1/D) sum_{j > k} lambda_j
  w_d_KxD = np.asarray(params['decoder']['kernel'])
  angles = linalg.subspace_angles(w_d_KxD.T, vt[:k].T)
  assert np.max(angles) < 1e-2, angles
  assert mse(model, params, x) == pytest.approx(pca_mse, rel=0.01)


# --- 3. overcomplete AE learns the identity ----------------------------------------------------
def test_overcomplete_ae_learns_the_identity_undercomplete_does_not():
  """Trained on 256 random points in R^8: the overcomplete AE (k = 16) reconstructs fresh random
  points (never seen) almost perfectly; the undercomplete one (k = 4) loses about (D - k)/D."""
  rng = np.random.default_rng(1)
  d = 8
  x_train = jnp.asarray(rng.standard_normal((256, d)), jnp.float32)
  x_new = jnp.asarray(rng.standard_normal((512, d)), jnp.float32)
  over = ae.LinearAE(latent_dim=16, overcomplete=True)
  under = ae.LinearAE(latent_dim=4)
  rel = {}
  for name, model in (('over', over), ('under', under)):
    params = fit(model, x_train, steps=2000, lr=1e-2)
    rel[name] = mse(model, params, x_new) / float(jnp.mean(x_new ** 2))
  assert rel['over'] < 1e-3, rel
  assert rel['under'] > 0.3, rel  # about 1 - 4/8


# --- 4. sparse penalties ----------------------------------------------------------------------
def test_l1_penalty_by_hand():
  h = jnp.array([[1.0, -2.0, 0.0], [0.5, 0.0, -0.5]])
  assert float(ae.l1_penalty(h)) == pytest.approx((3.0 + 1.0) / 2)
  # with the evaluation mask only the first row counts
  assert float(ae.l1_penalty(h, jnp.array([1.0, 0.0]))) == pytest.approx(3.0)


def test_l1_is_the_negative_log_laplace_prior_up_to_a_constant():
  """MAP: log p(theta|x) = log p(x|theta) + log p(theta) - log p(x) (the minus sign the notes
  drop); with p(h_i) = (lam/2) exp(-lam |h_i|), -log p(h) = lam sum_i |h_i| - k log(lam/2), so the
  penalty enters the loss with a PLUS sign and grows with |h|."""
  lam, h = 3.0, np.array([0.4, -1.2, 0.0, 2.0])
  neg_log_prior = -np.sum(stats.laplace.logpdf(h, scale=1.0 / lam))
  assert neg_log_prior == pytest.approx(lam * float(ae.l1_penalty(jnp.asarray(h)[None]))
                                        - len(h) * math.log(lam / 2))


def test_kl_sparsity_by_hand():
  h = jnp.array([[0.1, 0.5], [0.3, 0.5]])  # rho^ = (0.2, 0.5)
  rho = 0.1
  want = (0.1 * math.log(0.1 / 0.2) + 0.9 * math.log(0.9 / 0.8)
          + 0.1 * math.log(0.1 / 0.5) + 0.9 * math.log(0.9 / 0.5))
  assert float(ae.kl_sparsity(h, rho)) == pytest.approx(want, rel=1e-5)
  assert float(ae.kl_sparsity(jnp.full((4, 3), rho), rho)) == pytest.approx(0.0, abs=1e-6)
  # a padded row (mask 0) does not enter rho^
  padded = jnp.concatenate([h, jnp.full((1, 2), 0.9)])
  assert float(ae.kl_sparsity(padded, rho, jnp.array([1.0, 1.0, 0.0]))) == pytest.approx(want,
                                                                                       rel=1e-5)


def test_kl_penalty_pulls_the_mean_activation_towards_rho():
  rng = np.random.default_rng(2)
  x = jnp.asarray(rng.uniform(size=(512, 20)), jnp.float32)
  rho = 0.05
  mean_h = {}
  for weight in (0.0, 1.0):
    model = ae.MLPAE(latent_dim=16, hidden=(), code_act='sigmoid', penalty='kl', weight=weight,
                     rho=rho)
    params = fit(model, x, steps=1500, lr=1e-2)
    mean_h[weight] = float(jnp.mean(model.apply({'params': params}, x)[1]))
  assert abs(mean_h[1.0] - rho) < 0.02, mean_h
  assert abs(mean_h[0.0] - rho) > 5 * abs(mean_h[1.0] - rho), mean_h


# --- 5. contractive penalty ----------------------------------------------------------------------
def test_contractive_closed_form_matches_jacfwd():
  """||J_f(x)||_F^2 = sum_i (h_i (1 - h_i))^2 sum_j W_ji^2, i over the hidden units."""
  with jax.enable_x64(True):
    model = ae.MLPAE(latent_dim=6, hidden=(), code_act='sigmoid', penalty='contractive', weight=1.0)
    x = jax.random.uniform(jax.random.PRNGKey(0), (5, 9), jnp.float64)
    params = model.init(jax.random.PRNGKey(1), x)['params']
    _, _, omega = model.apply({'params': params}, x)

    def encode(x_D):
      return model.apply({'params': params}, x_D[None])[1][0]
    jac_BxKxD = jax.vmap(jax.jacfwd(encode))(x)
    want = jnp.mean(jnp.sum(jac_BxKxD ** 2, axis=(1, 2)))
    assert omega.dtype == jnp.float64
    np.testing.assert_allclose(float(omega), float(want), rtol=1e-6)


# --- 6. denoising AE vs the score of the noised mixture ----------------------------------------
def mixture_score(x_Bx2, means_Mx2, var):
  """grad_x log p(x) of the equal-weight mixture of N(mu_m, var I): sum_m w_m(x) (mu_m - x) / var."""
  d2_BxM = jnp.sum((x_Bx2[:, None, :] - means_Mx2[None, :, :]) ** 2, axis=-1)
  w_BxM = jax.nn.softmax(-d2_BxM / (2 * var), axis=-1)
  return (w_BxM @ means_Mx2 - x_Bx2) / var


def test_denoising_field_points_along_the_score():
  """Data: 4 Gaussians (std s = 0.1) on a circle of radius 1.5. A DAE trained with noise sigma
  learns r(x) - x ~ sigma^2 grad log p_sigma(x) (p_sigma: each component's variance s^2 + sigma^2);
  on noisy points near the data the two fields are aligned (cosine > 0.9)."""
  s, sigma = 0.1, 0.2
  angles = jnp.arange(4) * (jnp.pi / 2)
  means = 1.5 * jnp.stack([jnp.cos(angles), jnp.sin(angles)], axis=-1)

  def sample(key, n=512):
    k_m, k_e = jax.random.split(key)
    return means[jax.random.randint(k_m, (n,), 0, 4)] + s * jax.random.normal(k_e, (n, 2))

  model = ae.MLPAE(latent_dim=16, hidden=(64, 64), act='tanh', overcomplete=True)
  params = fit(model, sample(jax.random.PRNGKey(0)), steps=2000, lr=3e-3, sample=sample,
               noise=sigma)
  key = jax.random.PRNGKey(7)
  x = sample(key, 1000) + sigma * jax.random.normal(jax.random.fold_in(key, 1), (1000, 2))
  field = model.apply({'params': params}, x)[0] - x
  score = sigma ** 2 * mixture_score(x, means, s ** 2 + sigma ** 2)
  cos = jnp.sum(field * score, -1) / (jnp.linalg.norm(field, axis=-1)
                                      * jnp.linalg.norm(score, axis=-1) + 1e-12)
  assert float(jnp.mean(cos)) > 0.9, float(jnp.mean(cos))


# --- ConfigErrors ----------------------------------------------------------------------------
def test_latent_not_smaller_than_input_is_refused_before_compiling():
  config = load_config('configs/autoencoders/linear_ae_pca.py', 'smoke', **{'model.latent_dim': 784})
  with pytest.raises(ConfigError, match='overcomplete=True'):
    tasks.TASKS[config.task].load_data(config)
  with pytest.raises(ConfigError, match='latent_dim=10 >= the input size D=4'):
    ae.LinearAE(latent_dim=10).init(jax.random.PRNGKey(0), jnp.zeros((1, 4)))
  ae.LinearAE(latent_dim=10, overcomplete=True).init(jax.random.PRNGKey(0), jnp.zeros((1, 4)))


@pytest.mark.parametrize('fields, match', [
    (dict(penalty='l2'), "penalty='l2' is unknown"),
    (dict(penalty='l1', weight=-0.1), 'weight=-0.1 < 0'),
    (dict(penalty='kl', code_act='identity'), "code_act='sigmoid'"),
    (dict(penalty='contractive', code_act='sigmoid', hidden=(8,)), 'hidden=()'),
])
def test_bad_penalty_settings_are_config_errors(fields, match):
  config = load_config('configs/autoencoders/deep_ae.py', 'smoke')
  for key, value in fields.items():
    config.model[key] = value
  with pytest.raises(ConfigError, match=match):
    models.build(config.model)
