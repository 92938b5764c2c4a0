"""Shift evaluators' formulas: corruptions (deterministic, shape and range, bad input), calibration
(ECE of calibrated / overconfident predictors, adaptive bins, temperature), OOD metrics vs
scikit-learn, label-shift estimators on a synthetic problem."""
import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from dljax.data import corruptions
from dljax.errors import ConfigError
from dljax.eval import calibration, label_shift, ood


def _images(n=6, seed=0):
  rng = np.random.default_rng(seed)
  x = np.zeros((n, 28, 28, 1), np.float32)
  x[:, 6:22, 8:20] = rng.random((n, 16, 12, 1))  # an object on a black background
  return x


@pytest.mark.parametrize('name', corruptions.NAMES)
def test_shift_corruption_deterministic_shape_range(name):
  x = _images()
  for s in (1, 5):
    a, b = corruptions.corrupt(x, name, s, seed=3), corruptions.corrupt(x, name, s, seed=3)
    assert a.shape == x.shape and a.dtype == np.float32
    assert np.array_equal(a, b)
    assert a.min() >= 0.0 and a.max() <= 1.0
  assert not np.allclose(corruptions.corrupt(x, name, 5, 3), x)  # severity 5 changes the image


def test_shift_corruption_severity_grows_and_seed_matters():
  x = _images()
  d = [np.abs(corruptions.corrupt(x, 'impulse_noise', s, 0) - x).mean() for s in range(1, 6)]
  assert all(a < b for a, b in zip(d, d[1:]))
  assert not np.array_equal(corruptions.corrupt(x, 'shot_noise', 3, 0),
                            corruptions.corrupt(x, 'shot_noise', 3, 1))


@pytest.mark.parametrize('name,severity', [('snow', 3), ('fog', 0), ('fog', 6), ('fog', 2.5)])
def test_shift_corruption_bad_input(name, severity):
  with pytest.raises(ConfigError, match='unknown corruption|outside 1..5'):
    corruptions.corrupt(_images(), name, severity)


def test_shift_ece_calibrated_vs_overconfident():
  rng = np.random.default_rng(0)
  n, k = 20000, 10
  conf = rng.uniform(0.55, 1.0, n)  # > 1/2: the predicted class is the argmax
  y = rng.integers(0, k, n)
  correct = rng.random(n) < conf  # right with probability = the confidence: calibrated
  pred = np.where(correct, y, (y + 1) % k)
  p = np.full((n, k), 0.0)
  p[np.arange(n), pred] = conf
  p[np.arange(n), (pred + 2) % k] = 1 - conf  # the rest of the mass on another class
  assert calibration.ece(p, y) < 0.02
  assert calibration.ece(p, y, adaptive=True) < 0.02
  sharp = p ** 4 / (p ** 4).sum(-1, keepdims=True)  # same argmax, overconfident
  assert calibration.ece(sharp, y) > 0.1
  lo, hi = calibration.bootstrap_ece(p, y, 15, 50)
  assert lo <= calibration.ece(p, y) <= hi + 1e-9


def test_shift_ece_brier_by_hand_and_temperature():
  p = np.array([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7]])
  y = np.array([0, 1, 1])
  # bins of width 1/2: {0.9, 0.6, 0.7} all in (0.5, 1]: |1 + 0 + 1 - 2.2| / 3
  assert calibration.ece(p, y, bins=2) == pytest.approx(0.2 / 3)
  assert calibration.brier(p, y) == pytest.approx((0.02 + 0.72 + 0.18) / 3)
  logits = np.log(p)
  assert np.allclose(calibration.metrics(p, y)['nll'], calibration.nll(p, y))
  from dljax.eval import _shift
  assert np.allclose(_shift.softmax(logits / 1.0), p)  # T = 1 leaves the probabilities alone
  # overconfident logits on data with 70 % accuracy: the fitted temperature is > 1
  rng = np.random.default_rng(0)
  yb = rng.integers(0, 3, 3000)
  pred = np.where(rng.random(3000) < 0.7, yb, (yb + 1) % 3)
  z = 8.0 * np.eye(3)[pred]
  t = calibration.fit_temperature(z, yb)
  assert t > 2.0
  assert calibration.nll(_shift.softmax(z / t), yb) < calibration.nll(_shift.softmax(z), yb)


def test_shift_ood_metrics_match_sklearn():
  rng = np.random.default_rng(0)
  s_in = np.round(rng.normal(1.0, 1.0, 500), 1)  # rounded: ties
  s_out = np.round(rng.normal(0.0, 1.0, 300), 1)
  labels = np.r_[np.ones(500), np.zeros(300)]
  scores = np.r_[s_in, s_out]
  assert ood.auroc(s_in, s_out) == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)
  assert ood.aupr(s_in, s_out) == pytest.approx(average_precision_score(labels, scores), abs=1e-9)
  assert ood.fpr_at_tpr(s_in, s_in - 100) == 0.0 and ood.fpr_at_tpr(s_in, s_in + 100) == 1.0


def test_shift_trivial_detector_lesson_and_scores():
  lesson = ood.imbalance_lesson(np.ones(100), np.ones(100))  # scores that cannot separate
  assert lesson['trivial_accuracy'] == 0.99 and lesson['trivial_recall'] == 0.0
  z = np.array([[2.0, 0.0, -1.0]])
  s = ood.logit_scores(z)
  assert s['max_logit'][0] == 2.0
  assert s['energy'][0] == pytest.approx(np.log(np.exp(z).sum()))
  assert s['msp'][0] == pytest.approx(np.exp(2.0) / np.exp(z).sum())
  rng = np.random.default_rng(0)
  h = np.r_[rng.normal(0, 1, (200, 4)), rng.normal(5, 1, (200, 4))]
  y = np.r_[np.zeros(200, int), np.ones(200, int)]
  m = ood.Mahalanobis(h, y, 2)
  assert m(np.zeros((1, 4)))[0] > m(np.full((1, 4), 20.0))[0]


def _synthetic(n, prior, rng, k=3):
  """p(y|x) of a noisy classifier trained under uniform priors: 80 % correct."""
  y = rng.choice(k, n, p=prior)
  pred = np.where(rng.random(n) < 0.8, y, rng.integers(0, k, n))
  p = 0.15 * np.ones((n, k)) / k
  p[np.arange(n), pred] += 0.85
  return p / p.sum(-1, keepdims=True), y


def test_shift_bbse_and_em_recover_known_priors():
  rng = np.random.default_rng(0)
  p_val, y_val = _synthetic(20000, np.ones(3) / 3, rng)
  q = np.array([0.7, 0.2, 0.1])
  p_test, y_test = _synthetic(20000, q, rng)
  q_true = np.bincount(y_test, minlength=3) / len(y_test)
  assert np.abs(label_shift.bbse(p_val, y_val, p_test) - q_true).sum() < 0.03
  prior = np.bincount(y_val, minlength=3) / len(y_val)
  q_em = label_shift.em(p_test, prior)
  assert np.abs(q_em - q_true).sum() < np.abs(prior - q_true).sum()
  out = label_shift.simulate(p_val, y_val, p_test, y_test, alpha=0.5, trials=3, size=2000)
  assert out['prior_l1_bbse'] < out['prior_l1_source']
  assert out['accuracy_oracle'] >= out['accuracy_source'] - 0.01


def test_shift_mixup_cutmix():
  import jax
  import jax.numpy as jnp
  from dljax.data import augment
  x = jnp.asarray(_images(8))
  key = jax.random.PRNGKey(0)
  xm, perm, lam = augment.mix(key, x, 'mixup', 0.2)
  assert xm.shape == x.shape and 0 <= float(lam) <= 1
  assert np.allclose(xm, lam * x + (1 - lam) * x[perm], atol=1e-6)
  xc, perm, lam = augment.mix(key, x, 'cutmix', 1.0)
  assert xc.shape == x.shape and 0 <= float(lam) <= 1
  pasted = np.asarray(xc != x).any(-1).mean()  # share of pixels taken from x_pi (where they differ)
  assert pasted <= 1 - float(lam) + 1e-6
  with pytest.raises(ConfigError, match='kind'):
    augment.check_mix(dict(kind='augmix'))
  with pytest.raises(ConfigError, match='alpha'):
    augment.check_mix(dict(kind='mixup', alpha=0))
