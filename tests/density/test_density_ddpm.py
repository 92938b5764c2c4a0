"""DDPM: the forward marginals q(x_t|x_0) against sampling the chain, schedules, the beta error,
the parameterisations' algebra, and DDIM with eta = 1 against DDPM in distribution on a toy."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.errors import ConfigError
from dljax.models import diffusion as dm


def test_marginal_q_xt_given_x0_matches_running_the_chain():
  sch = dm.make_schedule(dm.betas_for('linear', 100, 1e-4, 0.05))
  x0 = jnp.full((20000, 1), 0.7)
  x, key = x0, jax.random.PRNGKey(0)
  for t in range(60):  # x_t = sqrt(1 - beta_t) x_{t-1} + sqrt(beta_t) eps
    key, k = jax.random.split(key)
    x = jnp.sqrt(1 - sch['betas'][t]) * x + jnp.sqrt(sch['betas'][t]) * jax.random.normal(k, x.shape)
  ab = float(sch['abar'][59])
  assert abs(float(x.mean()) - np.sqrt(ab) * 0.7) < 0.02
  assert abs(float(x.var()) - (1 - ab)) < 0.03
  direct = dm.q_sample(sch, x0, jnp.full((20000,), 59), jax.random.normal(key, x0.shape))
  assert abs(float(direct.mean()) - float(x.mean())) < 0.03


def test_schedules_and_bad_betas():
  lin = dm.betas_for('linear', 1000)
  assert lin[0] == pytest.approx(1e-4) and lin[-1] == pytest.approx(0.02)
  cos = dm.betas_for('cosine', 1000)
  assert np.all((cos > 0) & (cos < 1)) and np.cumprod(1 - cos)[-1] < 1e-4
  with pytest.raises(ConfigError, match=r'beta_t must lie in \(0, 1\)'):
    dm.betas_for('linear', 10, 1e-4, 1.5)
  with pytest.raises(ConfigError, match=r'beta_t must lie in \(0, 1\)'):
    dm.make_schedule([0.0, 0.1])
  with pytest.raises(ConfigError, match='unknown'):
    dm.betas_for('quadratic', 10)


def test_parameterisations_agree_on_the_truth():
  sch = dm.make_schedule(dm.betas_for('linear', 50, 1e-4, 0.2))
  k1, k2 = jax.random.split(jax.random.PRNGKey(0))
  x0 = jax.random.uniform(k1, (4, 3), minval=-1, maxval=1)
  eps = jax.random.normal(k2, x0.shape)
  t = jnp.array([1, 10, 25, 49])
  xt = dm.q_sample(sch, x0, t, eps)
  for param in dm.PARAMETERISATIONS:
    e, x, m = dm.predictions(param, sch, dm.target(param, sch, x0, xt, t, eps), xt, t)
    np.testing.assert_allclose(e, eps, atol=2e-3)
    np.testing.assert_allclose(x, x0, atol=2e-3)
    np.testing.assert_allclose(m, dm.q_posterior_mean(sch, x0, xt, t), atol=1e-4)
  # the true mean makes every KL term of the bound 0 when sigma_t^2 = beta~_t; here beta_t >= beta~_t
  kl = dm.vlb_term('eps', sch, eps, x0, xt, t)
  assert np.all(np.asarray(kl)[1:] >= 0)


def test_ddim_eta1_equals_ddpm_in_distribution_on_a_gaussian_toy():
  # x_0 ~ N(mu, s^2): the exact eps predictor E[eps | x_t] is known in closed form
  mu, s2 = 0.5, 0.04
  sch = dm.make_schedule(dm.betas_for('linear', 100, 1e-3, 0.1))

  def eps_star(xt, t_B):
    ab = sch['abar'][t_B][:, None]
    return jnp.sqrt(1 - ab) * (xt - jnp.sqrt(ab) * mu) / (ab * s2 + 1 - ab)
  shape = (20000, 1)
  ddpm = dm.ancestral_sample(eps_star, 'eps', sch, jax.random.PRNGKey(0), shape,
                             sigma='beta_tilde', clip=False)
  ddim = dm.ddim_sample(eps_star, 'eps', sch, jax.random.PRNGKey(1), shape, sample_steps=100,
                        eta=1.0, clip=False)
  det = dm.ddim_sample(eps_star, 'eps', sch, jax.random.PRNGKey(2), shape, sample_steps=20, eta=0.0,
                       clip=False)
  for x in (ddpm, ddim, det):  # near the data (T = 100 steps of a Gaussian reverse model: 10 % off)
    assert abs(float(x.mean()) - mu) < 0.015
    assert abs(float(x.std()) - np.sqrt(s2)) < 0.04
  # different seeds, the same distribution: means, std and quartiles agree to sampling error
  assert abs(float(ddpm.mean()) - float(ddim.mean())) < 0.006
  assert abs(float(ddpm.std()) - float(ddim.std())) < 0.005
  np.testing.assert_allclose(np.quantile(ddpm, [0.25, 0.5, 0.75]), np.quantile(ddim, [0.25, 0.5, 0.75]),
                             atol=0.008)
  assert dm.ddim_timesteps(1000, 50)[0] == 999 and dm.ddim_timesteps(1000, 50)[-1] == 0
