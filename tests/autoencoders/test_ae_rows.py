"""F8 rows beyond the core modules: pixel shuffle vs torch, the conv AE's decoders, ISTA/FISTA vs
sklearn's Lasso, the PSD objective, the AUROC vs sklearn, k-NN accuracy vs sklearn, the mixture
score vs jax.grad, the Gaussian norm shell at sqrt(d) and slerp."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from sklearn import linear_model, metrics, neighbors

from dljax.errors import ConfigError
from dljax.eval import ae_codes
from dljax.models import autoencoders as ae
from experiments.autoencoders import dae_score_field, latent_space


def n_params(model, x_shape):
  shapes = jax.eval_shape(model.init, jax.random.PRNGKey(0), jnp.zeros(x_shape))['params']
  return sum(int(np.prod(s.shape)) for s in jax.tree.leaves(shapes))


def test_pixel_shuffle_matches_torch():
  torch = pytest.importorskip('torch')
  x = np.random.default_rng(0).standard_normal((2, 3, 5, 12)).astype(np.float32)  # NHWC, C = 3 * 4
  want = torch.nn.functional.pixel_shuffle(torch.from_numpy(x.transpose(0, 3, 1, 2)), 2)
  got = ae.pixel_shuffle(jnp.asarray(x), 2)
  assert got.shape == (2, 6, 10, 3)
  np.testing.assert_allclose(np.asarray(got), want.numpy().transpose(0, 2, 3, 1), rtol=0, atol=0)


@pytest.mark.parametrize('upsample, extra', [
    ('transposed', 0), ('nearest', 0), ('bilinear', 0),
    # pixel shuffle: each level's conv outputs 4x the channels
    ('pixel_shuffle', 3 * (9 * 32 * 32 + 32) + 3 * (9 * 32 * 16 + 16))])
def test_conv_ae_shapes_and_parameter_counts(upsample, extra):
  model = ae.ConvAE(latent_dim=32, channels=(16, 32), upsample=upsample)
  x = jnp.zeros((2, 28, 28, 1))
  variables = jax.eval_shape(model.init, jax.random.PRNGKey(0), x)
  r, h, omega = jax.eval_shape(model.apply, variables, x)
  assert r.shape == x.shape and h.shape == (2, 32) and omega.shape == ()
  conv = lambda cin, cout: 9 * cin * cout + cout
  base = (conv(1, 16) + conv(16, 32) + (7 * 7 * 32 * 32 + 32) + (32 * 7 * 7 * 32 + 7 * 7 * 32)
          + conv(32, 32) + conv(32, 16) + conv(16, 1))
  assert n_params(model, x.shape) == base + extra


def test_conv_ae_bad_settings_are_config_errors():
  with pytest.raises(ConfigError, match='upsample'):
    ae.ConvAE(upsample='deconv')
  model = ae.ConvAE(channels=(8, 8, 8))
  with pytest.raises(ConfigError, match='divisible by 8'):
    model.init(jax.random.PRNGKey(0), jnp.zeros((1, 28, 28, 1)))


def test_ista_and_fista_match_sklearn_lasso():
  """min_h (1/2)||x - h D||^2 + lam ||h||_1 is sklearn's Lasso on X = D^T, y = x with
  alpha = lam / n_samples (Lasso minimises (1/(2 n)) ||y - X w||^2 + alpha ||w||_1)."""
  rng = np.random.default_rng(0)
  k, d, lam = 12, 20, 0.3
  dict_KxD = rng.standard_normal((k, d))
  h_true = np.where(rng.uniform(size=k) < 0.3, rng.standard_normal(k) * 2, 0.0)
  x_D = h_true @ dict_KxD + 0.05 * rng.standard_normal(d)
  lasso = linear_model.Lasso(alpha=lam / d, fit_intercept=False, tol=1e-12, max_iter=100_000)
  want = lasso.fit(dict_KxD.T, x_D).coef_
  with jax.enable_x64(True):
    for fista, steps in ((False, 5000), (True, 500)):
      got = ae.ista(jnp.asarray(x_D[None]), jnp.asarray(dict_KxD), lam, steps, fista=fista)[0]
      np.testing.assert_allclose(np.asarray(got), want, atol=1e-6)
    # FISTA reaches a lower objective than ISTA after the same few steps
    obj = lambda h: float(ae.sparse_code_objective(jnp.asarray(x_D[None]), h,
                                                   jnp.asarray(dict_KxD), lam)[0])
    assert obj(ae.ista(jnp.asarray(x_D[None]), jnp.asarray(dict_KxD), lam, 20, fista=True)) < obj(
        ae.ista(jnp.asarray(x_D[None]), jnp.asarray(dict_KxD), lam, 20, fista=False))


def test_psd_ista_with_the_prediction_term_is_pulled_to_f():
  """With gamma > 0 the code minimises the PSD objective: it lies between the Lasso code (gamma=0)
  and the encoder's prediction f(x), and its objective is no larger than at either end."""
  rng = np.random.default_rng(1)
  dict_KxD = jnp.asarray(rng.standard_normal((8, 10)))
  x = jnp.asarray(rng.standard_normal((3, 10)))
  f = jnp.asarray(rng.standard_normal((3, 8)))
  with jax.enable_x64(True):
    h0 = ae.ista(x, dict_KxD, 0.2, 2000, fista=True)
    h = ae.ista(x, dict_KxD, 0.2, 2000, fista=True, gamma=5.0, f_BxK=f)
    obj = lambda v: ae.sparse_code_objective(x, v, dict_KxD, 0.2, 5.0, f)
    assert bool(jnp.all(obj(h) <= obj(h0) + 1e-9)) and bool(jnp.all(obj(h) <= obj(f) + 1e-9))
    assert float(jnp.linalg.norm(h - f)) < float(jnp.linalg.norm(h0 - f))


def test_auroc_matches_sklearn_with_ties():
  rng = np.random.default_rng(2)
  scores = np.round(rng.standard_normal(500), 1)  # many ties
  labels = rng.uniform(size=500) < scores.clip(-2, 2) / 4 + 0.5
  assert ae_codes.auroc(scores, labels) == pytest.approx(metrics.roc_auc_score(labels, scores),
                                                         abs=1e-12)
  with pytest.raises(ValueError):
    ae_codes.auroc([0.1, 0.2], [True, True])


def test_knn_accuracy_matches_sklearn():
  rng = np.random.default_rng(3)
  mem, y_mem = rng.standard_normal((300, 2)), rng.integers(0, 3, 300)
  q, y_q = rng.standard_normal((100, 2)), rng.integers(0, 3, 100)
  clf = neighbors.KNeighborsClassifier(n_neighbors=5).fit(mem, y_mem)
  want = float(np.mean(clf.predict(q) == y_q))
  assert ae_codes.knn_accuracy(mem, y_mem, q, y_q, 5, chunk=37) == pytest.approx(want, abs=0.011)


def test_mixture_score_is_the_gradient_of_the_log_density():
  means = dae_score_field.means_Mx2()
  x = jax.random.normal(jax.random.PRNGKey(0), (16, 2)) * 1.5
  with jax.enable_x64(False):
    want = jax.vmap(jax.grad(lambda v: dae_score_field.mixture_log_density(v, means, 0.05)))(x)
    got = dae_score_field.mixture_score(x, means, 0.05)
  np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-4, atol=1e-4)
  # and the density integrates to 1 on a grid (a normalised mixture)
  g = jnp.linspace(-3, 3, 121)
  xx, yy = jnp.meshgrid(g, g)
  grid = jnp.stack([xx.ravel(), yy.ravel()], -1)
  p = jnp.exp(jax.vmap(lambda v: dae_score_field.mixture_log_density(v, means, 0.05))(grid))
  assert float(p.sum() * (g[1] - g[0]) ** 2) == pytest.approx(1.0, abs=1e-2)


def test_gaussian_samples_live_on_the_shell_at_sqrt_d_and_slerp_stays_there():
  """||z|| of z ~ N(0, I_d) concentrates at sqrt(d) (mean sqrt(d - 1/2) to first order, std
  ~1/sqrt(2)), not at radius 1; linear interpolation's midpoint falls inside (norm ~ sqrt(d/2)),
  slerp's stays on the shell."""
  rng = np.random.default_rng(4)
  for d in (16, 256, 4096):
    z = rng.standard_normal((4000, d))
    norms = np.linalg.norm(z, axis=1)
    assert np.mean(norms) / np.sqrt(d) == pytest.approx(1.0, abs=0.04)
    assert np.std(norms) == pytest.approx(1 / np.sqrt(2), rel=0.1)
  d = 512
  a, b = rng.standard_normal(d), rng.standard_normal(d)
  mid_lerp = latent_space.lerp(a, b, 0.5)
  mid_slerp = latent_space.slerp(a, b, 0.5)
  assert np.linalg.norm(mid_lerp) / np.sqrt(d) == pytest.approx(1 / np.sqrt(2), abs=0.08)
  assert np.linalg.norm(mid_slerp) / np.sqrt(d) == pytest.approx(1.0, abs=0.08)
  np.testing.assert_allclose(latent_space.slerp(a, b, 0.0), a, atol=1e-9)
  np.testing.assert_allclose(latent_space.slerp(a, b, 1.0), b, atol=1e-9)
