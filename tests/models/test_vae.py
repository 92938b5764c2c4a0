"""dljax.models.vae: the closed-form KL (torch and Monte Carlo), log-density parity with
torch.distributions, the IWAE bound's ordering, the exact ELBO decomposition on a linear-Gaussian
model, EM against scikit-learn, golden parameter counts and the bad-input errors."""
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.errors import ConfigError
from dljax.models import vae

torch = pytest.importorskip('torch')
td = torch.distributions


def _t(a):
  return torch.tensor(np.asarray(a, np.float64))


def test_closed_form_kl_matches_torch_and_monte_carlo():
  rng = np.random.default_rng(0)
  mu, logvar = rng.normal(size=(4, 3)), rng.normal(scale=0.5, size=(4, 3))
  kl = np.asarray(vae.gaussian_kl(jnp.asarray(mu), jnp.asarray(logvar)))
  q = td.Normal(_t(mu), torch.exp(0.5 * _t(logvar)))
  ref = td.kl_divergence(q, td.Normal(torch.zeros(4, 3, dtype=torch.float64), 1.0)).sum(-1)
  np.testing.assert_allclose(kl, ref.numpy(), rtol=1e-5)
  # Monte Carlo: E_q[log q(z) - log p(z)] with z = mu + sigma eps (the reparameterisation)
  eps = jax.random.normal(jax.random.PRNGKey(0), (50_000, 4, 3))
  z = vae.reparameterize(jnp.asarray(mu)[None], jnp.asarray(logvar)[None], eps)
  log_q = jnp.sum(vae.log_normal(z, mu[None], 0.5 * logvar[None]), -1)
  mc = np.asarray(jnp.mean(log_q - vae.log_standard_normal(z), 0))
  np.testing.assert_allclose(mc, kl, atol=0.04)
  np.testing.assert_allclose(np.asarray(vae.gaussian_kl_per_dim(mu, logvar)).sum(-1), kl, rtol=1e-5)


@pytest.mark.parametrize('name', vae.LIKELIHOODS)
def test_log_likelihoods_match_torch_distributions(name):
  rng = np.random.default_rng(1)
  b, d = 3, 7
  x = rng.uniform(0.01, 0.99, size=(b, d)).astype(np.float32)
  if name == 'bernoulli':
    x = (x > 0.5).astype(np.float32)
  out = rng.normal(scale=2.0, size=(b, d, vae.N_PARAMS[name])).astype(np.float32)
  if name == 'cbernoulli':
    out[0, :3, 0] = [0.0, 0.01, -0.02]  # lambda at and near 1/2: the Taylor branch
  got = np.asarray(vae.log_likelihood(name, jnp.asarray(x), jnp.asarray(out), sigma=0.3))
  a = _t(out[..., 0])
  dist = {'bernoulli': lambda: td.Bernoulli(logits=a),
          'cbernoulli': lambda: td.ContinuousBernoulli(logits=a),
          'gaussian': lambda: td.Normal(a, torch.exp(_t(out[..., 1]))),
          'gaussian_fixed': lambda: td.Normal(a, 0.3),
          'laplace': lambda: td.Laplace(a, torch.exp(_t(out[..., 1])))}[name]()
  np.testing.assert_allclose(got, dist.log_prob(_t(x)).sum(-1).numpy(), rtol=2e-4, atol=2e-4)


def test_continuous_bernoulli_log_norm_is_smooth_and_finite_at_one_half():
  lam = jnp.linspace(0.3, 0.7, 4001)
  log_c = vae.continuous_bernoulli_log_norm(lam)
  grads = jax.vmap(jax.grad(vae.continuous_bernoulli_log_norm))(lam)
  assert np.all(np.isfinite(log_c)) and np.all(np.isfinite(grads))
  assert float(vae.continuous_bernoulli_log_norm(jnp.float32(0.5))) == pytest.approx(math.log(2), abs=1e-7)
  assert np.max(np.abs(np.diff(np.asarray(log_c)))) < 1e-3  # no jump at the branch switch


def test_bce_on_grey_levels_is_not_normalised_but_the_continuous_bernoulli_is():
  """int_0^1 exp(x log l + (1-x) log(1-l)) dx != 1 in general; with log C(l) it is 1."""
  x = jnp.linspace(0.0, 1.0, 20001)[:, None]
  for logit in (-2.0, 0.7, 3.0):
    out = jnp.full((x.shape[0], 1, 1), logit)
    bce = jnp.exp(vae.log_likelihood('bernoulli', x, out))
    cb = jnp.exp(vae.log_likelihood('cbernoulli', x, out))
    assert abs(float(jnp.trapezoid(bce, x[:, 0])) - 1.0) > 0.05
    assert float(jnp.trapezoid(cb, x[:, 0])) == pytest.approx(1.0, abs=1e-3)


def test_iwae_bound_is_monotone_in_k_in_expectation_on_a_toy():
  """A 1-D model: p(z) = N(0, 1), p(x|z) = N(z, 1) (log p(x) = log N(x; 0, 2)) and a poor
  q(z|x) = N(0.2, 0.5^2): mean over draws of L_k increases with k towards log p(x)."""
  x = 1.5
  log_px = float(-0.5 * math.log(2 * math.pi * 2) - x ** 2 / 4)
  mq, lsq = 0.2, math.log(0.5)
  eps = jax.random.normal(jax.random.PRNGKey(0), (2000, 64))
  z = mq + math.exp(lsq) * eps
  log_w = (vae.log_normal(x, z, 0.0) + vae.log_normal(z, 0.0, 0.0) - vae.log_normal(z, mq, lsq))
  bounds = [float(jnp.mean(vae.iwae_bound(log_w[:, :k].T))) for k in (1, 4, 16, 64)]
  assert bounds == sorted(bounds) and bounds[-1] < log_px
  assert log_px - bounds[-1] < 0.2 * (log_px - bounds[0])
  # log-mean-exp is stable where exp underflows
  np.testing.assert_allclose(vae.log_mean_exp(jnp.array([[-1000.0], [-1001.0]])),
                             [-1000.0 + math.log((1 + math.exp(-1)) / 2)], rtol=1e-6)


def test_iwae_nll_chunks_agree_and_k_below_one_is_refused():
  model = vae.VAE(latent_dim=3, hidden=(8,), input_shape=(5,))
  x = (jax.random.uniform(jax.random.PRNGKey(0), (4, 5)) > 0.5).astype(jnp.float32)
  params = model.init(jax.random.PRNGKey(1), x, jnp.zeros((4, 3)))['params']
  rng = jax.random.PRNGKey(2)
  a = vae.iwae_nll(model, params, x, rng, k=7, chunk=7)
  lw = vae.log_weights(model, params, x, jax.random.normal(jax.random.fold_in(rng, 0), (7, 4, 3)))
  np.testing.assert_allclose(a, -vae.iwae_bound(lw), rtol=1e-6)
  many = [vae.iwae_nll(model, params, x, rng, k=k, chunk=4) for k in (1, 1000)]
  log_px = jnp.log(jnp.mean(jnp.exp(-vae.iwae_nll(model, params, x, rng, k=5000, chunk=500))))
  assert float(jnp.mean(many[0])) > float(jnp.mean(many[1])) >= -float(log_px) - 0.05
  with pytest.raises(ConfigError, match='k >= 1'):
    vae.iwae_nll(model, params, x, rng, k=0)


def test_elbo_decomposition_is_exact_on_a_linear_gaussian_model():
  """log p(x) - ELBO(q) = KL(q || p(z|x)) for any Gaussian q, and = 0 at q = the true posterior
  when it is diagonal; the ELBO by Monte Carlo with the VAE's functions agrees."""
  rng = np.random.default_rng(3)
  d, z, sigma = 6, 2, 0.5
  w, b, x = rng.normal(size=(d, z)), rng.normal(size=d), rng.normal(size=d)
  log_px, m_post, s_post = vae.linear_gaussian_exact(w, b, sigma, x)
  for m_q, s_q in ((np.zeros(z), np.ones(z)), (m_post, np.sqrt(np.diag(s_post))),
                   (rng.normal(size=z), np.array([0.3, 1.7]))):
    elbo, rec, kl = vae.linear_gaussian_elbo(w, b, sigma, x, m_q, s_q)
    gap = vae.gaussian_kl_full(m_q, s_q, m_post, s_post)
    assert log_px - elbo == pytest.approx(gap, abs=1e-10)
    assert elbo == pytest.approx(rec - kl, abs=1e-12) and gap >= 0
  # Monte Carlo ELBO of the last q with the reparameterisation and log_normal
  eps = jax.random.normal(jax.random.PRNGKey(0), (100_000, z), jnp.float32)
  zs = vae.reparameterize(jnp.asarray(m_q)[None], jnp.asarray(2 * np.log(s_q))[None], eps)
  log_lik = jnp.sum(vae.log_normal(jnp.asarray(x)[None], zs @ jnp.asarray(w).T + b[None], math.log(sigma)), -1)
  mc = float(jnp.mean(log_lik)) - float(vae.gaussian_kl(m_q[None], 2 * np.log(s_q)[None])[0])
  assert mc == pytest.approx(elbo, rel=5e-3)
  # a diagonal posterior (orthogonal columns of W) is reached exactly: the gap closes
  q_, _ = np.linalg.qr(rng.normal(size=(d, z)))
  w2 = q_ * np.array([1.5, 0.7])
  log_px2, m2, s2 = vae.linear_gaussian_exact(w2, b, sigma, x)
  assert log_px2 == pytest.approx(vae.linear_gaussian_elbo(w2, b, sigma, x, m2, np.sqrt(np.diag(s2)))[0],
                                  abs=1e-10)


def test_vae_shapes_and_golden_parameter_count():
  model = vae.VAE(latent_dim=25, hidden=(512, 256))
  x = jnp.zeros((2, 28, 28, 1))
  params = jax.eval_shape(lambda: model.init(jax.random.PRNGKey(0), x, jnp.zeros((2, 25))))['params']
  n = sum(int(np.prod(p.shape)) for p in jax.tree.leaves(params))
  assert n == 1_086_530
  model = vae.VAE(latent_dim=2, hidden=(16,), likelihood='gaussian')
  variables = model.init(jax.random.PRNGKey(0), x, jnp.zeros((2, 2)))
  mu, logvar, z, out = model.apply(variables, x, jnp.ones((2, 2)))
  assert mu.shape == logvar.shape == z.shape == (2, 2) and out.shape == (2, 784, 2)
  np.testing.assert_allclose(z, mu + jnp.exp(0.5 * logvar), rtol=1e-6)


def test_bad_vae_fields_are_one_clear_error():
  with pytest.raises(ConfigError, match='likelihood'):
    vae.VAE(likelihood='poisson')
  with pytest.raises(ConfigError, match='latent_dim'):
    vae.VAE(latent_dim=0)
  with pytest.raises(ConfigError, match='sigma'):
    vae.VAE(sigma=0.0)


def test_mdn_and_gaussian_head_losses():
  y = jnp.array([0.3, -1.0])
  mu, ls = jnp.array([0.0, 0.5]), jnp.array([0.1, -0.3])
  np.testing.assert_allclose(vae.gaussian_nll(mu, ls, y),
                             -td.Normal(_t(mu), torch.exp(_t(ls))).log_prob(_t(y)).numpy(), rtol=1e-5)
  log_pi = jax.nn.log_softmax(jnp.array([[0.2, -1.0, 0.5], [1.0, 0.0, 0.0]]))
  mus, lss = jnp.array([[0.0, 1.0, -1.0], [0.3, 0.2, 0.1]]), jnp.array([[0.0, -0.5, 0.3]] * 2)
  mix = td.MixtureSameFamily(td.Categorical(logits=_t(log_pi)), td.Normal(_t(mus), torch.exp(_t(lss))))
  np.testing.assert_allclose(vae.mdn_nll(log_pi, mus, lss, y), -mix.log_prob(_t(y)).numpy(), rtol=1e-5)
  model = vae.MDN(components=3, hidden=(8,))
  p = model.init(jax.random.PRNGKey(0), jnp.zeros((4, 1)))
  lp, m, s = model.apply(p, jnp.ones((4, 1)))
  assert lp.shape == m.shape == s.shape == (4, 3)
  np.testing.assert_allclose(jnp.exp(lp).sum(-1), 1.0, rtol=1e-5)


def test_em_matches_sklearn_gaussian_mixture():
  from sklearn.mixture import GaussianMixture  # pylint: disable=g-import-not-at-top
  rng = np.random.default_rng(0)
  x = np.concatenate([rng.normal([-2, 0], 0.5, (200, 2)), rng.normal([2, 1], [0.8, 0.3], (300, 2)),
                      rng.normal([0, 3], 0.4, (100, 2))])
  init = x[[0, 250, 550]]
  log_pi, mu, cov = jnp.log(jnp.ones(3) / 3), jnp.asarray(init), jnp.stack([jnp.eye(2)] * 3)
  x64 = jnp.asarray(x, jnp.float32)
  lls, step = [], jax.jit(vae.em_step)
  for _ in range(150):
    log_pi, mu, cov, ll = step(x64, log_pi, mu, cov)
    lls.append(float(ll))
  assert all(b >= a - 1e-4 for a, b in zip(lls, lls[1:]))  # EM never decreases the likelihood
  gm = GaussianMixture(3, means_init=init, tol=1e-10, max_iter=1000, reg_covar=1e-6,
                       random_state=0).fit(x)
  ours = float(vae.mog_posterior(x64, log_pi, mu, cov)[1].mean())
  assert ours == pytest.approx(gm.score(x), abs=1e-3)
  r, _ = vae.mog_posterior(x64, log_pi, mu, cov)
  perm = np.argmin(np.linalg.norm(np.asarray(mu)[:, None] - gm.means_[None], axis=-1), axis=1)
  np.testing.assert_allclose(r, gm.predict_proba(x)[:, perm], atol=1e-3)


def test_vq_straight_through_gradient_and_losses():
  """Forward: z_q is the nearest code; backward: dL/dz_e = dL/dz_q (straight through); the
  codebook loss moves only the codes, the commitment loss only the encoder output."""
  z_e = jnp.array([[0.1, 0.9], [2.1, -1.0], [0.0, 0.0]])
  codebook = jnp.array([[0.0, 1.0], [2.0, -1.0], [5.0, 5.0]])
  z_q, idx, _, _ = vae.quantize(z_e, codebook)
  np.testing.assert_array_equal(idx, [0, 1, 0])
  np.testing.assert_allclose(z_q, codebook[np.array([0, 1, 0])], atol=1e-6)
  target = jnp.array([[1.0, 2.0], [0.0, 0.0], [3.0, -1.0]])
  f = lambda z: jnp.sum((z - target) ** 2)
  g_st = jax.grad(lambda z: f(vae.quantize(z, codebook)[0]))(z_e)
  np.testing.assert_allclose(g_st, jax.grad(f)(z_q), atol=1e-6)
  g_code = jax.grad(lambda c: vae.quantize(z_e, c)[2])(codebook)
  assert float(jnp.abs(g_code[2]).sum()) == 0.0 and float(jnp.abs(g_code[:2]).sum()) > 0
  assert float(jnp.abs(jax.grad(lambda c: vae.quantize(z_e, c)[3])(codebook)).sum()) == 0.0
  assert float(jnp.abs(jax.grad(lambda z: vae.quantize(z, codebook)[2])(z_e)).sum()) == 0.0
  model = vae.VQVAE(codes=64, code_dim=16, channels=32)
  params = jax.eval_shape(lambda: model.init(jax.random.PRNGKey(0), jnp.zeros((1, 28, 28, 1))))['params']
  assert sum(int(np.prod(p.shape)) for p in jax.tree.leaves(params)) == 84_977  # 544 + 32,832 + 1,040 + 1,024 (codebook) + 16,448 + 32,800 + 289
  with pytest.raises(ConfigError, match='codes'):
    vae.VQVAE(codes=1)
