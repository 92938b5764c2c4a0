"""GAN family units: the objectives against their closed forms at the optimal discriminator, the
gradient penalty and MMD against their definitions, spectral normalisation against an SVD, and the
sample-quality metrics (FD, KID, PRDC, IS) against closed forms and scipy."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg
import scipy.stats

from dljax.eval import sample_quality as sq
from dljax.models import gan as gan_models
from dljax.train.tasks import gan

N = 400_000
RNG = np.random.default_rng(0)
X_P = RNG.normal(0.0, 1.0, N)  # P = N(0, 1)
X_Q = RNG.normal(1.0, 1.0, N)  # Q = N(1, 1)


def log_ratio(x):
  """log p(x) / q(x) for P = N(0, 1), Q = N(1, 1)."""
  return 0.5 - x


def js_pq():
  """JS(P, Q) by quadrature."""
  x = np.linspace(-10, 11, 200_001)
  p, q = scipy.stats.norm.pdf(x, 0, 1), scipy.stats.norm.pdf(x, 1, 1)
  m = (p + q) / 2
  integrand = 0.5 * p * np.log(p / m) + 0.5 * q * np.log(q / m)
  return float(np.trapezoid(integrand, x))


def test_ns_discriminator_loss_at_the_optimum_is_log4_minus_twice_js():
  """Goodfellow et al. 2014: with D* = p / (p + q) (logit log p/q), the D loss is log 4 - 2 JS."""
  loss = gan.d_loss_fn('ns', jnp.asarray(log_ratio(X_P)), jnp.asarray(log_ratio(X_Q)))
  np.testing.assert_allclose(float(loss), np.log(4) - 2 * js_pq(), atol=5e-3)


def test_f_gan_kl_bound_is_tight_at_the_optimal_critic():
  """Nowozin et al. 2016: sup_T E_P T - E_Q f*(T) = KL(P || Q) = mu^2 / 2 = 0.5, at T = 1 + log p/q."""
  bound = -gan.d_loss_fn('f_kl', jnp.asarray(1.0 + log_ratio(X_P)),
                         jnp.asarray(1.0 + log_ratio(X_Q)))
  np.testing.assert_allclose(float(bound), 0.5, atol=1e-2)
  # any other critic gives a smaller bound
  worse = -gan.d_loss_fn('f_kl', jnp.asarray(0.8 * (1.0 + log_ratio(X_P))),
                         jnp.asarray(0.8 * (1.0 + log_ratio(X_Q))))
  assert float(worse) < float(bound)


def test_generator_losses_follow_their_formulas():
  d_fake = jnp.array([-2.0, 0.0, 3.0])
  sig = jax.nn.sigmoid(d_fake)
  np.testing.assert_allclose(gan.g_loss_fn('ns', d_fake), -jnp.mean(jnp.log(sig)), rtol=1e-6)
  np.testing.assert_allclose(gan.g_loss_fn('minimax', d_fake), jnp.mean(jnp.log(1 - sig)),
                             rtol=1e-5)
  np.testing.assert_allclose(gan.g_loss_fn('wgan', d_fake), -jnp.mean(d_fake))
  np.testing.assert_allclose(gan.d_loss_fn('hinge', jnp.array([0.5]), jnp.array([-0.5])), 1.0)


def test_gradient_penalty_is_zero_for_a_unit_lipschitz_linear_critic():
  x_real = jax.random.normal(jax.random.key(0), (16, 5))
  x_fake = jax.random.normal(jax.random.key(1), (16, 5))
  eps = jax.random.uniform(jax.random.key(2), (16,))
  w = jnp.ones(5) / jnp.sqrt(5.0)
  assert float(gan.gradient_penalty(lambda x: x @ w, x_real, x_fake, eps)) < 1e-10
  np.testing.assert_allclose(gan.gradient_penalty(lambda x: x @ (3 * w), x_real, x_fake, eps),
                             4.0, rtol=1e-5)  # (|grad| - 1)^2 = (3 - 1)^2


def test_mmd2_is_the_unbiased_estimator():
  a = np.asarray(jax.random.normal(jax.random.key(0), (7, 3)), np.float64)
  b = np.asarray(jax.random.normal(jax.random.key(1), (5, 3)) + 0.5, np.float64)
  sigmas = (1.0, 2.0)

  def k(x, y):
    return sum(np.exp(-np.sum((x - y) ** 2) / (2 * s ** 2)) for s in sigmas)
  kaa = np.mean([k(a[i], a[j]) for i in range(7) for j in range(7) if i != j])
  kbb = np.mean([k(b[i], b[j]) for i in range(5) for j in range(5) if i != j])
  kab = np.mean([k(x, y) for x in a for y in b])
  np.testing.assert_allclose(gan.mmd2(jnp.asarray(a), jnp.asarray(b), sigmas),
                             kaa + kbb - 2 * kab, rtol=1e-4)


def test_power_iteration_finds_the_largest_singular_value():
  w = np.asarray(jax.random.normal(jax.random.key(0), (12, 7)))
  u0 = gan_models.l2_normalize(jax.random.normal(jax.random.key(1), (7,)))
  _, _, sigma = gan_models.power_iteration(jnp.asarray(w), u0, steps=100)
  np.testing.assert_allclose(float(sigma), np.linalg.svd(w, compute_uv=False)[0], rtol=1e-4)


def test_spectral_dense_has_unit_spectral_norm_after_power_steps():
  layer = gan_models.SNDense(6)
  x = jnp.ones((2, 9))
  variables = layer.init(jax.random.key(0), x)
  for _ in range(30):  # one power-iteration step per training call, as in SN-GAN
    _, updates = layer.apply(variables, x, mutable=['spectral'])
    variables = {**variables, **updates}
  kernel = variables['params']['SpectralKernel_0']['kernel']
  sigma = variables['spectral']['SpectralKernel_0']['sigma']
  np.testing.assert_allclose(float(sigma), np.linalg.svd(np.asarray(kernel), compute_uv=False)[0],
                             rtol=1e-3)
  assert set(gan_models.spectral_sigmas(variables)) == {'SpectralKernel_0'}


def test_self_attention_starts_as_the_identity():
  x = jax.random.normal(jax.random.key(0), (2, 4, 4, 16))
  layer = gan_models.SelfAttention()
  variables = layer.init(jax.random.key(1), x)
  np.testing.assert_allclose(layer.apply(variables, x), x)


@pytest.mark.parametrize('arch', ['mlp', 'conv'])
def test_image_generator_and_discriminator_shapes(arch):
  g = gan_models.Generator(arch=arch, out_shape=(28, 28, 1), channels=(16, 8), hidden=(32,))
  d = gan_models.Discriminator(arch=arch, channels=(8, 16), hidden=(32,), norm='spectral',
                               num_classes=10)
  z = jnp.zeros((3, 8))
  gv = g.init(jax.random.key(0), z)
  x = g.apply(gv, z)
  assert x.shape == (3, 28, 28, 1) and float(x.min()) >= 0 and float(x.max()) <= 1
  y = jnp.array([0, 1, 2])
  dv = d.init(jax.random.key(1), x, y)
  logit, h = d.apply(dv, x, y, features=True)
  assert logit.shape == (3,) and h.ndim == 2


# --- sample-quality metrics -------------------------------------------------------------------------
def test_frechet_distance_matches_the_scipy_sqrtm_formula():
  rng = np.random.default_rng(0)
  a, b = rng.normal(size=(6, 6)), rng.normal(size=(6, 6))
  s1, s2 = a @ a.T + 0.1 * np.eye(6), b @ b.T + 0.1 * np.eye(6)
  mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
  ref = (np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2)
         - 2 * np.trace(scipy.linalg.sqrtm(s1 @ s2).real))
  np.testing.assert_allclose(sq.frechet_from_stats(mu1, s1, mu2, s2), ref, rtol=1e-6)
  # diagonal closed form: |mu1 - mu2|^2 + sum (sqrt(a_i) - sqrt(b_i))^2
  d1, d2 = np.array([1.0, 4.0]), np.array([9.0, 1.0])
  np.testing.assert_allclose(sq.frechet_from_stats(np.zeros(2), np.diag(d1), np.ones(2), np.diag(d2)),
                             2 + np.sum((np.sqrt(d1) - np.sqrt(d2)) ** 2), rtol=1e-9)


def test_kid_is_near_zero_for_one_distribution_and_positive_for_two():
  rng = np.random.default_rng(1)
  f1, f2, f3 = rng.normal(size=(600, 8)), rng.normal(size=(600, 8)), rng.normal(size=(600, 8)) + 1
  same, _ = sq.kid(f1, f2, subsets=10, subset_size=300)
  diff, _ = sq.kid(f1, f3, subsets=10, subset_size=300)
  assert abs(same) < 0.02 < diff


def test_prdc_of_identical_and_disjoint_sets():
  rng = np.random.default_rng(2)
  f = rng.normal(size=(200, 4))
  same = sq.prdc(f, f.copy())
  assert same['precision'] == same['recall'] == same['coverage'] == 1.0
  assert same['density'] >= 1.0
  far = sq.prdc(f, f + 100.0)
  assert far == {'precision': 0.0, 'recall': 0.0, 'density': 0.0, 'coverage': 0.0}


def test_inception_score_bounds():
  k = 10
  np.testing.assert_allclose(sq.inception_score(np.full((50, k), 1 / k)), 1.0, rtol=1e-9)
  np.testing.assert_allclose(sq.inception_score(np.tile(np.eye(k), (5, 1))), k, rtol=1e-6)
  np.testing.assert_allclose(sq.inception_score(np.tile(np.eye(k)[:1], (50, 1))), 1.0, rtol=1e-6)
