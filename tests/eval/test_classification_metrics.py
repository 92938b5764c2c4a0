"""dljax.eval.classification_metrics against sklearn.metrics (with ties, weights, empty classes)."""
import numpy as np
import pytest
from sklearn import metrics

from dljax.eval import classification_metrics as cm


def _multiclass(seed=0, n=400, k=4):
  rng = np.random.default_rng(seed)
  y = rng.choice(k, n, p=[0.7, 0.15, 0.1, 0.05][:k] / np.sum([0.7, 0.15, 0.1, 0.05][:k]))
  yhat = np.where(rng.random(n) < 0.6, y, rng.integers(0, k, n))
  return y, yhat, rng.uniform(0.1, 3.0, n)


@pytest.mark.parametrize('weighted', [False, True])
def test_confusion_and_prf_match_sklearn(weighted):
  y, yhat, w = _multiclass()
  w = w if weighted else None
  np.testing.assert_allclose(cm.confusion_matrix(y, yhat, 4, w),
                             metrics.confusion_matrix(y, yhat, labels=range(4), sample_weight=w))
  for average in (None, 'macro', 'micro', 'weighted'):
    ours = cm.precision_recall_f1(y, yhat, 4, average, w)
    ref = metrics.precision_recall_fscore_support(y, yhat, labels=range(4), average=average,
                                                  sample_weight=w, zero_division=0)
    for a, b in zip(ours[:3], ref[:3]):
      np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    if average is None:
      np.testing.assert_allclose(ours[3], ref[3])
  # micro P = R = F1 = accuracy for single-label data
  assert cm.precision_recall_f1(y, yhat, average='micro')[2] == pytest.approx(np.mean(y == yhat))


def test_empty_class_gives_zero_division_value():
  y, yhat = np.array([0, 0, 1, 1]), np.array([0, 0, 0, 1])  # class 2 never appears
  p, r, f, s = cm.precision_recall_f1(y, yhat, num_classes=3)
  ref = metrics.precision_recall_fscore_support(y, yhat, labels=range(3), zero_division=0)
  for a, b in zip((p, r, f, s), ref):
    np.testing.assert_allclose(a, b)
  assert cm.report(y, yhat, 3)['macro_f1'] == pytest.approx(
      metrics.f1_score(y, yhat, labels=range(3), average='macro', zero_division=0))


@pytest.mark.parametrize('weighted', [False, True])
def test_roc_auc_ap_match_sklearn_with_ties(weighted):
  rng = np.random.default_rng(1)
  s = np.round(rng.standard_normal(600), 1)  # many ties
  y = (rng.random(600) < 1 / (1 + np.exp(-2 * s))).astype(int)
  w = rng.uniform(0.2, 2.0, 600) if weighted else None
  for drop in (False, True):
    fpr, tpr, thr = cm.roc_curve(y, s, w, drop_intermediate=drop)
    rf, rt, rth = metrics.roc_curve(y, s, sample_weight=w, drop_intermediate=drop)
    np.testing.assert_allclose(fpr, rf, atol=1e-12)
    np.testing.assert_allclose(tpr, rt, atol=1e-12)
    np.testing.assert_allclose(thr, rth)
  assert cm.roc_auc(y, s, w) == pytest.approx(metrics.roc_auc_score(y, s, sample_weight=w), abs=1e-12)
  assert cm.average_precision(y, s, w) == pytest.approx(
      metrics.average_precision_score(y, s, sample_weight=w), abs=1e-12)
  p, r, t = cm.precision_recall_curve(y, s, w)
  rp, rr, rt = metrics.precision_recall_curve(y, s, sample_weight=w)
  np.testing.assert_allclose(p, rp[:-1][::-1], atol=1e-12)  # sklearn: low to high, then (1, 0)
  np.testing.assert_allclose(r, rr[:-1][::-1], atol=1e-12)
  np.testing.assert_allclose(t, rt[::-1])


def test_ovr_auc_matches_sklearn():
  rng = np.random.default_rng(2)
  y = rng.choice(3, 500, p=[0.8, 0.1, 0.1])
  logits = rng.standard_normal((500, 3)) + 1.5 * np.eye(3)[y]
  p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
  assert cm.roc_auc_ovr(y, p) == pytest.approx(metrics.roc_auc_score(y, p, multi_class='ovr'),
                                               abs=1e-12)
  yb = (y > 0).astype(int)
  pb = np.stack([p[:, 0], 1 - p[:, 0]], 1)
  assert cm.roc_auc_ovr(yb, pb) == pytest.approx(metrics.roc_auc_score(yb, pb[:, 1]), abs=1e-12)


def test_threshold_rules_are_the_argmax_of_their_criterion():
  rng = np.random.default_rng(3)
  s = rng.standard_normal(300)
  y = (rng.random(300) < 1 / (1 + np.exp(-3 * s + 2))).astype(int)
  t, f1 = cm.best_f1_threshold(y, s)
  brute = max(metrics.f1_score(y, (s >= c).astype(int)) for c in np.unique(s))
  assert f1 == pytest.approx(brute, abs=1e-12)
  assert metrics.f1_score(y, (s >= t).astype(int)) == pytest.approx(f1, abs=1e-12)
  t, j = cm.youden_threshold(y, s)
  fpr, tpr, _ = metrics.roc_curve(y, s)
  assert j == pytest.approx(np.max(tpr - fpr), abs=1e-12)
  pred = s >= t
  assert pred[y == 1].mean() - pred[y == 0].mean() == pytest.approx(j, abs=1e-12)


@pytest.mark.parametrize('call, match', [
    (lambda: cm.confusion_matrix([0, 1], [0]), 'differ in length'),
    (lambda: cm.confusion_matrix([0, 3], [0, 1], num_classes=3), 'labels must lie'),
    (lambda: cm.precision_recall_f1([0, 1], [0, 1], average='binary'), 'average='),
    (lambda: cm.roc_auc([0, 2, 1], [0.1, 0.2, 0.3]), 'binary'),
    (lambda: cm.roc_auc([1, 1], [0.1, 0.2]), 'one positive and one negative'),
    (lambda: cm.roc_auc([0, 1], [0.1, np.nan]), 'finite'),
    (lambda: cm.confusion_matrix([0, 1], [0, 1], sample_weight=[1, -1]), '>= 0'),
    (lambda: cm.confusion_matrix([0.5, 1], [0, 1]), 'non-integer'),
])
def test_bad_input_is_one_value_error(call, match):
  with pytest.raises(ValueError, match=match):
    call()
