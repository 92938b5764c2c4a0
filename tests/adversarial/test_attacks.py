"""Attacks (dljax.eval.attacks), IBP (dljax.eval.ibp) and the robustness card's checks, on tiny
hand-made models (no data, no training): FGSM against the analytic input gradient, the projection
of erratum E3, targeted attacks, CW-L2, the boundary attack's query count, IBP soundness, BPDA, the
logistic toy of seed 002 §8.2.2 (erratum E4) and one clear error for bad input."""
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest

from dljax.errors import ConfigError, DataError
from dljax.eval import adversarial, attacks, ibp, robustness

KEY = jax.random.key(0)
B, D, K = 16, 12, 5


def linear_model(seed=0):
  k1, k2 = jax.random.split(jax.random.key(seed))
  w = jax.random.normal(k1, (D, K))
  b = jax.random.normal(k2, (K,))
  return w, b, (lambda x: x @ w + b[None])


def mlp(seed=0, widths=(D, 16, 16, K)):
  keys = jax.random.split(jax.random.key(seed), len(widths))
  layers = [(jax.random.normal(k, (i, o)) / np.sqrt(i), 0.1 * jax.random.normal(k, (o,)))
            for k, i, o in zip(keys, widths[:-1], widths[1:])]

  def f(x):
    for w, b in layers[:-1]:
      x = jax.nn.relu(x @ w + b[None])
    return x @ layers[-1][0] + layers[-1][1][None]
  return layers, f


def data(seed=1):
  x = jax.random.uniform(jax.random.key(seed), (B, D))
  y = jax.random.randint(jax.random.key(seed + 1), (B,), 0, K)
  return x, y


def test_fgsm_is_the_sign_of_the_analytic_gradient():
  """d CE / d x = W (softmax(Wx + b) - e_y), in numpy: FGSM = clip(x + eps sign(that))."""
  w, b, f = linear_model()
  x, y = data()
  p = np.asarray(jax.nn.softmax(f(x)))
  grad = (p - np.eye(K)[np.asarray(y)]) @ np.asarray(w).T
  want = np.clip(np.asarray(x) + 0.1 * np.sign(grad), 0.0, 1.0)
  np.testing.assert_allclose(attacks.fgsm(f, x, y, 0.1), want, atol=1e-6)
  np.testing.assert_allclose(attacks.input_grad(f, x, y), grad, rtol=1e-4, atol=1e-6)


def test_pgd_one_step_without_random_start_is_fgsm():
  _, f = mlp()
  x, y = data()
  one = attacks.pgd(f, x, y, KEY, 0.1, 'linf', steps=1, step_size=0.1, random_start=False)
  np.testing.assert_allclose(one, attacks.fgsm(f, x, y, 0.1), atol=1e-6)


@pytest.mark.parametrize('norm', attacks.NORMS)
def test_pgd_stays_in_the_ball_and_the_pixel_range(norm):
  """Erratum E3: the TOTAL perturbation from x (random start included) is projected, so
  ||x_adv - x|| <= eps (the notes' version reaches 2 eps), and 0 <= x_adv <= 1."""
  _, f = mlp()
  x, y = data()
  eps = 0.05 if norm == 'linf' else 0.3
  x_adv = attacks.pgd(f, x, y, KEY, eps, norm, steps=10, step_size=eps, restarts=3)
  delta = np.asarray(x_adv - x)
  size = np.abs(delta).max(1) if norm == 'linf' else np.linalg.norm(delta, axis=1)
  assert np.all(size <= eps + 1e-5) and np.any(size > 0.9 * eps)
  assert float(x_adv.min()) >= 0.0 and float(x_adv.max()) <= 1.0
  ref = np.asarray(attacks.noise(KEY, x, eps, norm))
  assert np.all((np.abs(ref - x).max(1) if norm == 'linf' else np.linalg.norm(ref - x, axis=1))
                <= eps + 1e-5)


def test_project_l2_scales_onto_the_sphere():
  x = jnp.zeros((2, 3))
  v = jnp.array([[3.0, 4.0, 0.0], [0.1, 0.0, 0.0]])
  out = attacks.project(v, x, 1.0, 'l2', lo=-10, hi=10)
  np.testing.assert_allclose(out, [[0.6, 0.8, 0.0], [0.1, 0.0, 0.0]], atol=1e-6)


def test_pgd_is_stronger_than_fgsm_and_ce_increases():
  _, f = mlp()
  x, y = data()
  ce = lambda u: float(attacks.loss_B(f(u), y).mean())
  x_f = attacks.fgsm(f, x, y, 0.1)
  x_p = attacks.pgd(f, x, y, KEY, 0.1, steps=20, restarts=2)
  assert ce(x) < ce(x_f) <= ce(x_p) + 1e-4
  for x_i in (attacks.ifgsm(f, x, y, 0.1, 10), attacks.mifgsm(f, x, y, 0.1, 10)):
    assert ce(x_i) > ce(x) and np.abs(np.asarray(x_i - x)).max() <= 0.1 + 1e-6


def test_targeted_attacks_raise_the_target_log_probability():
  _, f = mlp()
  x, y = data()
  t = (y + 1) % K
  pick = lambda u: np.asarray(jnp.take_along_axis(jax.nn.log_softmax(f(u)), t[:, None], 1)[:, 0])
  for x_adv in (attacks.fgsm(f, x, t, 0.1, targeted=True),
                attacks.pgd(f, x, t, KEY, 0.1, steps=10, targeted=True)):
    assert np.mean(pick(x_adv) > pick(x)) == 1.0
  hit = lambda u: np.mean(np.asarray(f(u).argmax(-1)) == np.asarray(t))
  assert hit(attacks.pgd(f, x, t, KEY, 0.5, steps=40, targeted=True)) > hit(x)


def test_attacks_are_batched_per_example():
  """The batched attack of B examples equals the attack of each example alone (vmap)."""
  _, f = mlp()
  x, y = data()
  batched = jax.jit(lambda x, y: attacks.pgd(f, x, y, KEY, 0.1, steps=5, random_start=False))(x, y)
  alone = jax.vmap(lambda x, y: attacks.pgd(f, x[None], y[None], KEY, 0.1, steps=5,
                                            random_start=False)[0])(x, y)
  np.testing.assert_allclose(batched, alone, atol=1e-5)


def test_cw_l2_finds_small_successful_perturbations():
  """A linear model: the minimal l_2 perturbation to the nearest boundary is known in closed form
  for 2 classes, |w.x + b| / ||w||; CW's is successful and at most ~that (plus the optimiser's
  slack)."""
  w = jnp.array([[1.0, -1.0], [-1.0, 1.0]])  # f1 - f0 = 2 (x1 - x0)
  f = lambda x: x @ w
  x = jnp.array([[0.7, 0.3], [0.2, 0.6]])
  y = jnp.argmax(f(x), -1)
  x_adv, d = attacks.cw_l2(f, x, y, steps=200, search_steps=6, lr=0.05)
  assert np.all(np.asarray(f(x_adv).argmax(-1)) != np.asarray(y))
  exact = np.abs(np.asarray(x[:, 0] - x[:, 1])) / np.sqrt(2)
  assert np.all(np.asarray(d) <= exact + 0.05) and np.all(np.asarray(d) >= exact - 1e-3)
  # the erratum: the margin is positive while the attack has NOT succeeded
  assert np.all(np.asarray(attacks.margin_B(f(x), y)) > 0)


def test_boundary_attack_counts_queries_and_shrinks_the_distance():
  _, _, f = linear_model()
  x, _ = data()
  y = jnp.argmax(f(x), -1)
  predict = lambda u: jnp.argmax(f(u), -1)
  x0, d0, q0 = attacks.boundary(predict, x, y, KEY, steps=0)
  x1, d1, q1 = attacks.boundary(predict, x, y, KEY, steps=200)
  found = np.isfinite(np.asarray(d0))
  assert found.mean() > 0.5
  assert np.all(np.asarray(predict(x1))[found] != np.asarray(y)[found])  # still adversarial
  assert np.all(np.asarray(d1)[found] <= np.asarray(d0)[found] + 1e-6)
  assert np.median(np.asarray(d1)[found]) < 0.7 * np.median(np.asarray(d0)[found])
  assert np.all(np.asarray(q1)[found] == np.asarray(q0)[found] + 200)


def test_ibp_bounds_contain_every_sampled_perturbation():
  layers, f = mlp(widths=(D, 32, 32, K))
  x, y = data()
  eps = 0.05
  lo, hi = ibp.bounds(layers, x - eps, x + eps)
  mlb = ibp.margin_lower_bounds(layers, x - eps, x + eps, y)
  for s in range(20):
    u = x + jax.random.uniform(jax.random.key(s), x.shape, minval=-eps, maxval=eps)
    out = f(u)
    assert np.all(np.asarray(out) >= np.asarray(lo) - 1e-5)
    assert np.all(np.asarray(out) <= np.asarray(hi) + 1e-5)
    true = jnp.take_along_axis(out, y[:, None], 1)
    margins = np.asarray(jnp.where(jax.nn.one_hot(y, K, dtype=bool), jnp.inf, true - out))
    assert np.all(margins >= np.asarray(mlb) - 1e-5)
  # PGD's best margin is above the certified lower bound too
  x_adv = attacks.pgd(f, x, y, KEY, eps, steps=20)
  assert np.all(np.asarray(attacks.margin_B(f(x_adv), y)) >= np.asarray(mlb.min(-1)) - 1e-5)


def test_logistic_regression_toy_of_seed_002():
  """x, theta of §8.2.2; eps = 0.5 sign(theta): theta.x = -3 -> 2, f = 0.047 -> 0.881; the fifth
  adversarial input is 2.5 (printed 1.5, erratum E4). FGSM on the logistic model finds it."""
  x = jnp.array([[2., -1, 3, -2, 2, 2, 1, -4, 5, 1]])
  theta = jnp.array([-1., -1, 1, -1, 1, -1, 1, 1, -1, 1])
  f = lambda u: jnp.stack([jnp.zeros(u.shape[0]), u @ theta], -1)  # sigmoid(theta.x) = p(class 1)
  x_adv = attacks.fgsm(f, x, jnp.array([0]), 0.5, lo=-10, hi=10)  # push away from class 0
  np.testing.assert_allclose(x_adv[0], [1.5, -1.5, 3.5, -2.5, 2.5, 1.5, 1.5, -3.5, 4.5, 1.5])
  assert float(x_adv[0, 4]) == 2.5
  assert float((x @ theta)[0]) == -3.0 and float((x_adv @ theta)[0]) == 2.0
  np.testing.assert_allclose(jax.nn.sigmoid(x @ theta), 0.0474, atol=1e-4)
  np.testing.assert_allclose(jax.nn.sigmoid(x_adv @ theta), 0.8808, atol=1e-4)
  # the effect grows with dimension: theta.eps = eps ||theta||_1
  assert float(((x_adv - x) @ theta)[0]) == 0.5 * float(jnp.abs(theta).sum())


def test_quantisation_masks_the_gradient_and_bpda_breaks_it():
  _, f = mlp()
  x, y = data()
  masked = lambda u: f(attacks.quantize(u, 4))
  bpda = lambda u: f(attacks.quantize(u, 4, bpda=True))
  y = jnp.argmax(masked(x), -1)  # the defended model's own labels: clean accuracy 1
  assert float(jnp.abs(attacks.input_grad(masked, x, y)).max()) == 0.0
  np.testing.assert_allclose(attacks.fgsm(masked, x, y, 0.1), x)  # FGSM sees nothing
  x_adv = attacks.pgd(bpda, x, y, KEY, 0.3, steps=20)  # straight-through gradient
  acc = lambda u: float(jnp.mean(masked(u).argmax(-1) == y))
  assert acc(x_adv) < acc(x)


def card_cfg():
  return ml_collections.ConfigDict(robustness.PARAMS)


def test_card_checks_pass_for_a_sane_card_and_flag_gradient_masking():
  cfg = card_cfg()
  good = {'clean': 0.9}
  for r in ('noise', 'fgsm', 'pgd'):
    for i, e in enumerate(cfg.eps):
      good[robustness.key(r, e)] = {'noise': 0.9, 'fgsm': 0.9 - 0.1 * i, 'pgd': 0.9 - 0.15 * i}[r]
  good['pgd_strong_eps0.1'] = good[robustness.key('pgd', 0.1)]
  good[robustness.key('pgd_large', 1.0)] = 0.0
  ok = robustness.checks(good, cfg)
  assert ok['checks_failed'] == 0.0, ok
  # a masked model: FGSM / PGD do nothing, noise hurts more, a huge budget leaves 10 %
  masked = {k: (0.9 if k.startswith(('fgsm', 'pgd')) else v) for k, v in good.items()}
  masked.update({robustness.key('noise', e): 0.9 - 0.1 * i for i, e in enumerate(cfg.eps)})
  masked[robustness.key('pgd_large', 1.0)] = 0.1
  bad = robustness.checks(masked, cfg)
  assert bad['check_noise_weaker'] == 0.0 and bad['check_large_eps'] == 0.0
  assert bad['checks_failed'] >= 2
  assert 'FAILED' in robustness.card_text({**masked, **bad}, cfg)


def test_bad_input_is_one_clear_error():
  with pytest.raises(ConfigError, match='eps'):
    attacks.check(eps=-0.1)
  with pytest.raises(ConfigError, match='norm'):
    attacks.check(eps=0.1, norm='l1')
  with pytest.raises(ConfigError, match='attack'):
    attacks.run('deepfool', None, None, None, KEY, 0.1)
  with pytest.raises(DataError, match='value range'):
    adversarial.check_inputs(np.array([0.0, 255.0]), 0.0, 1.0)
