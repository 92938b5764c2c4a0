r"""Classification metrics for imbalanced data: confusion matrix, precision / recall / F1 (per class,
macro, micro, weighted), the ROC curve and its area, average precision, and the two usual rules for
choosing a decision threshold on a validation split. Pure numpy; every function takes an optional
sample_weight_N (e.g. to re-weight a balanced test set to the deployment prior) and is
parity-tested against sklearn.metrics (tests/eval/test_classification_metrics.py).

Notation: y_N true labels in {0..K-1}, yhat_N predicted labels, s_N scores (higher = more
positive), w_N sample weights (default 1), [.] the indicator.

  confusion matrix     C[i, j] = sum_n w_n [y_n = i][yhat_n = j]   (rows true, columns predicted)
  per class k          TP_k = C[k, k],  FP_k = sum_i C[i, k] - TP_k,  FN_k = sum_j C[k, j] - TP_k
                       precision P_k = TP_k / (TP_k + FP_k)   recall R_k = TP_k / (TP_k + FN_k)
                       F1_k = 2 P_k R_k / (P_k + R_k) = 2 TP_k / (2 TP_k + FP_k + FN_k)
                       support_k = sum_j C[k, j]; a 0/0 ratio is `zero_division` (default 0)
  macro                the unweighted mean over classes of P_k, R_k, F1_k (every class counts alike)
  weighted             their mean weighted by support_k
  micro                P, R, F1 of the pooled counts sum_k TP_k, sum_k FP_k, sum_k FN_k (for
                       single-label data all three equal the accuracy)
  ROC                  at each threshold t (every distinct score, high to low): predict positive
                       iff s >= t;  TPR(t) = TP(t) / P,  FPR(t) = FP(t) / N; the curve starts at
                       (0, 0) with t = +inf
  ROC-AUC              the trapezoid area under (FPR, TPR) = P(s_pos > s_neg) + P(s_pos = s_neg) / 2
  one-vs-rest AUC      for K classes with probabilities p_NxK: AUC of class k vs the rest with
                       score p_k, averaged over k (macro; sklearn's multi_class='ovr')
  average precision    AP = sum_t (R_t - R_{t-1}) P_t over the thresholds (a step function, no
                       interpolation; sklearn's average_precision_score)
  threshold choice     max F1 over the thresholds, or Youden's J = max_t TPR(t) - FPR(t); choose
                       on a validation split, report on test

Bad input (shapes that differ, labels outside 0..K-1, non-binary labels where a binary problem is
expected, a single class where a curve needs both, non-finite scores or negative weights) raises one
ValueError naming the fix.

As an evaluator (a softmax classifier's predict):
  config.evals.cls = dict(type='classification_metrics', split='test', threshold='f1')
gives cls/macro_f1, cls/precision_k, cls/recall_k, cls/f1_k, cls/auc or cls/ovr_auc, and for two
classes cls/ap and the threshold chosen on threshold_split ('validation') with the test metrics at
it; plots() draws plots/confusion.png (plot=True) and, with save_predictions=True, keeps
predictions.npz (the probabilities of split and threshold_split).
"""
import numpy as np

AVERAGES = (None, 'macro', 'micro', 'weighted')


# --- input checks -----------------------------------------------------------------------------------
def _labels(y, name: str) -> np.ndarray:
  y = np.asarray(y)
  if y.ndim != 1:
    raise ValueError(f'{name} has shape {y.shape}; pass one integer label per example (shape [N]).')
  if y.size and not (np.issubdtype(y.dtype, np.integer) or np.issubdtype(y.dtype, np.bool_)
                     or np.all(np.equal(np.mod(y, 1), 0))):
    raise ValueError(f'{name} holds non-integer values; pass class indices 0..K-1 (argmax the '
                     'scores first).')
  return y.astype(np.int64)


def _weights(sample_weight, n: int) -> np.ndarray:
  if sample_weight is None:
    return np.ones(n, np.float64)
  w = np.asarray(sample_weight, np.float64)
  if w.shape != (n,):
    raise ValueError(f'sample_weight has shape {w.shape}; pass one weight per example ({n},).')
  if not np.all(np.isfinite(w)) or np.any(w < 0):
    raise ValueError('sample_weight must be finite and >= 0.')
  return w


def _pair(y_true, y_pred, num_classes):
  y, yhat = _labels(y_true, 'y_true'), _labels(y_pred, 'y_pred')
  if y.shape != yhat.shape:
    raise ValueError(f'y_true {y.shape} and y_pred {yhat.shape} differ in length; pass one '
                     'prediction per example.')
  k = int(max(y.max(initial=-1), yhat.max(initial=-1)) + 1) if num_classes is None else num_classes
  lo = min(y.min(initial=0), yhat.min(initial=0))
  hi = max(y.max(initial=-1), yhat.max(initial=-1))
  if lo < 0 or hi >= k:
    raise ValueError(f'labels must lie in 0..{k - 1} (num_classes={k}); found {lo}..{hi}: pass '
                     'num_classes or remap the labels.')
  return y, yhat, k


def _binary(y_true, scores, sample_weight):
  y = _labels(y_true, 'y_true')
  s = np.asarray(scores, np.float64)
  if s.shape != y.shape:
    raise ValueError(f'scores {s.shape} and y_true {y.shape} differ; pass one score per example '
                     '(for K classes, one column of the probabilities).')
  if np.any((y != 0) & (y != 1)):
    raise ValueError(f'y_true must be binary (0 / 1); found {sorted(np.unique(y).tolist())[:5]}: '
                     'pass y == positive_class.')
  if not np.all(np.isfinite(s)):
    raise ValueError('scores must be finite (a NaN or inf score has no rank).')
  w = _weights(sample_weight, len(y))
  if not (np.sum(w * y) > 0 and np.sum(w * (1 - y)) > 0):
    raise ValueError('a ROC / precision-recall curve needs at least one positive and one negative '
                     'example (with weight > 0).')
  return y, s, w


# --- hard decisions ---------------------------------------------------------------------------------
def confusion_matrix(y_true, y_pred, num_classes=None, sample_weight=None) -> np.ndarray:
  """C_KxK[i, j] = sum_n w_n [y_n = i][yhat_n = j] (rows true, columns predicted; sklearn's
  layout). K = num_classes, or 1 + the largest label seen."""
  y, yhat, k = _pair(y_true, y_pred, num_classes)
  c_KxK = np.zeros((k, k), np.float64)
  np.add.at(c_KxK, (y, yhat), _weights(sample_weight, len(y)))
  return c_KxK if sample_weight is not None else c_KxK.astype(np.int64)


def _ratio(num, den, zero_division):
  num, den = np.asarray(num, np.float64), np.asarray(den, np.float64)
  return np.where(den > 0, num / np.where(den > 0, den, 1.0), zero_division)


def from_confusion(c_KxK, average=None, zero_division: float = 0.0):
  """(precision, recall, F1, support) of a confusion matrix (rows true, columns predicted):
  arrays of K values for average=None, else floats (support: None, as sklearn returns)."""
  if average not in AVERAGES:
    raise ValueError(f'average={average!r}; use one of {AVERAGES}.')
  c = np.asarray(c_KxK, np.float64)
  if c.ndim != 2 or c.shape[0] != c.shape[1]:
    raise ValueError(f'a confusion matrix is K x K; got shape {c.shape}.')
  tp_K = np.diag(c)
  fp_K, fn_K, support_K = c.sum(0) - tp_K, c.sum(1) - tp_K, c.sum(1)
  if average == 'micro':
    tp, fp, fn = tp_K.sum(), fp_K.sum(), fn_K.sum()
    p, r = _ratio(tp, tp + fp, zero_division), _ratio(tp, tp + fn, zero_division)
    return float(p), float(r), float(_ratio(2 * tp, 2 * tp + fp + fn, zero_division)), None
  p_K = _ratio(tp_K, tp_K + fp_K, zero_division)
  r_K = _ratio(tp_K, tp_K + fn_K, zero_division)
  f_K = _ratio(2 * tp_K, 2 * tp_K + fp_K + fn_K, zero_division)
  if average is None:
    return p_K, r_K, f_K, support_K
  if average == 'macro':
    return float(p_K.mean()), float(r_K.mean()), float(f_K.mean()), None
  share_K = support_K / support_K.sum() if support_K.sum() > 0 else np.zeros_like(support_K)
  return float(share_K @ p_K), float(share_K @ r_K), float(share_K @ f_K), None


def precision_recall_f1(y_true, y_pred, num_classes=None, average=None, sample_weight=None,
                        zero_division: float = 0.0):
  """(precision, recall, F1, support) as sklearn's precision_recall_fscore_support(labels=range(K)):
  per class (average=None: arrays of K) or averaged ('macro', 'micro', 'weighted': floats)."""
  if average not in AVERAGES:
    raise ValueError(f'average={average!r}; use one of {AVERAGES}.')
  return from_confusion(confusion_matrix(y_true, y_pred, num_classes, sample_weight), average,
                        zero_division)


# --- scores: curves and areas -----------------------------------------------------------------------
def _counts(y, s, w):
  """Weighted TP and FP counts at each distinct score, thresholds high to low."""
  order = np.argsort(-s, kind='mergesort')
  s, y, w = s[order], y[order], w[order]
  last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]  # the last index of each distinct score
  tps = np.cumsum(w * y)[last]
  fps = np.cumsum(w * (1 - y))[last]
  return tps, fps, s[last]


def roc_curve(y_true, scores, sample_weight=None, drop_intermediate: bool = False):
  """(FPR, TPR, thresholds): predict positive iff score >= threshold; the first point is (0, 0) at
  threshold +inf. drop_intermediate drops the points on a straight segment (sklearn's default;
  the area is unchanged)."""
  y, s, w = _binary(y_true, scores, sample_weight)
  tps, fps, thresholds = _counts(y, s, w)
  if drop_intermediate and len(fps) > 2:
    keep = np.flatnonzero(np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True])
    tps, fps, thresholds = tps[keep], fps[keep], thresholds[keep]
  tps, fps = np.r_[0.0, tps], np.r_[0.0, fps]
  return fps / fps[-1], tps / tps[-1], np.r_[np.inf, thresholds]


def roc_auc(y_true, scores, sample_weight=None) -> float:
  """Area under the ROC curve (trapezoids) = P(s_pos > s_neg) + P(s_pos = s_neg) / 2."""
  fpr, tpr, _ = roc_curve(y_true, scores, sample_weight)
  return float(np.trapezoid(tpr, fpr))


def roc_auc_ovr(y_true, probs_NxK, sample_weight=None) -> float:
  """Macro one-vs-rest AUC of K >= 2 classes: mean_k AUC([y = k], p_k) (sklearn's
  roc_auc_score(multi_class='ovr', average='macro'); for K = 2, the AUC of class 1)."""
  p = np.asarray(probs_NxK, np.float64)
  y = _labels(y_true, 'y_true')
  if p.ndim != 2 or p.shape[0] != len(y) or p.shape[1] < 2:
    raise ValueError(f'probs has shape {p.shape}; pass N x K class scores for the {len(y)} labels.')
  if y.size and (y.min() < 0 or y.max() >= p.shape[1]):
    raise ValueError(f'labels must lie in 0..{p.shape[1] - 1} (one column of probs per class).')
  if p.shape[1] == 2:
    return roc_auc(y == 1, p[:, 1], sample_weight)
  return float(np.mean([roc_auc(y == k, p[:, k], sample_weight) for k in range(p.shape[1])]))


def precision_recall_curve(y_true, scores, sample_weight=None):
  """(precision, recall, thresholds) at every distinct score, thresholds high to low (precision of
  the predicted positives, recall of the positives)."""
  y, s, w = _binary(y_true, scores, sample_weight)
  tps, fps, thresholds = _counts(y, s, w)
  return _ratio(tps, tps + fps, 0.0), tps / tps[-1], thresholds


def average_precision(y_true, scores, sample_weight=None) -> float:
  """AP = sum_t (R_t - R_{t-1}) P_t (sklearn's average_precision_score; no interpolation)."""
  precision, recall, _ = precision_recall_curve(y_true, scores, sample_weight)
  return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


# --- choosing a threshold (on validation) -----------------------------------------------------------
def best_f1_threshold(y_true, scores, sample_weight=None):
  """(threshold, F1): the threshold t (a score value; predict positive iff s >= t) of maximal F1 of
  the positive class; ties go to the highest threshold."""
  precision, recall, thresholds = precision_recall_curve(y_true, scores, sample_weight)
  f1 = _ratio(2 * precision * recall, precision + recall, 0.0)
  i = int(np.argmax(f1))
  return float(thresholds[i]), float(f1[i])


def youden_threshold(y_true, scores, sample_weight=None):
  """(threshold, J): the threshold of maximal Youden's J = TPR - FPR (the ROC point farthest above
  the chance diagonal); ties go to the highest threshold."""
  fpr, tpr, thresholds = roc_curve(y_true, scores, sample_weight)
  j = tpr[1:] - fpr[1:]  # leave out the (0, 0) point at +inf
  i = int(np.argmax(j))
  return float(thresholds[1:][i]), float(j[i])


def report(y_true, y_pred, num_classes=None, sample_weight=None) -> dict:
  """One dict of the hard-decision metrics: accuracy, macro / micro / weighted F1, per-class
  precision / recall / F1 / support and the confusion matrix (lists, JSON-ready)."""
  c = confusion_matrix(y_true, y_pred, num_classes, sample_weight)
  p_K, r_K, f_K, support_K = from_confusion(c)
  return {
      'accuracy': float(np.trace(c) / max(c.sum(), 1e-300)),
      'macro_f1': float(f_K.mean()), 'micro_f1': from_confusion(c, 'micro')[2],
      'weighted_f1': from_confusion(c, 'weighted')[2],
      'precision': p_K.tolist(), 'recall': r_K.tolist(), 'f1': f_K.tolist(),
      'support': support_K.tolist(), 'confusion': c.tolist()}


# --- the evaluator: config.evals.<name> = dict(type='classification_metrics', ...) ----------------
PARAMS = dict(split='test', threshold_split='validation', threshold='f1', save_predictions=False,
              predict_on={}, plot=True, batch_size=0)
REQUIRES = ('predict',)
TEST_METRICS = True  # every choice (the binary threshold) is made on threshold_split
THRESHOLD_RULES = ('none', 'f1', 'youden')


def check(task, cfg):
  """ConfigError naming the fix for a task without softmax outputs or bad parameters."""
  from dljax.errors import ConfigError  # pylint: disable=g-import-not-at-top
  from dljax.eval import _shift  # pylint: disable=g-import-not-at-top
  _shift.check_softmax(task, 'classification_metrics')
  if cfg.threshold not in THRESHOLD_RULES:
    raise ConfigError(f'threshold={cfg.threshold!r}; use one of {THRESHOLD_RULES} (the rule that '
                      'chooses the binary decision threshold on threshold_split).')
  if cfg.split == cfg.threshold_split and cfg.threshold != 'none':
    raise ConfigError(f'threshold_split={cfg.threshold_split!r} is the reported split: choose the '
                      "threshold on another split (e.g. 'validation').")
  if not isinstance(cfg.batch_size, int) or cfg.batch_size < 0:
    raise ConfigError(f'batch_size={cfg.batch_size!r}; use 0 (data.eval_batch_size) or a positive '
                      'multiple of the device count.')
  if not hasattr(cfg.predict_on, 'keys'):
    raise ConfigError(f'predict_on={cfg.predict_on!r} must be a dict of data fields, e.g. '
                      "dict(view='triclass'), or {} for the run's own splits.")


def probabilities(task, state, data, split: str, cfg, arrays=None):
  """(p_NxK softmax probabilities, y_N) of one split (or of `arrays`, {'x', 'y'})."""
  from dljax.eval import _shift, common  # pylint: disable=g-import-not-at-top
  if arrays is None:
    arrays = common.split(data, split, 'classification_metrics')
  logits = _shift.logits(task, state, np.asarray(arrays['x']), _shift.batch_size(task, cfg))
  return _shift.softmax(logits), np.asarray(arrays['y']).astype(np.int64)


def evaluate(task, state, data, cfg) -> dict:
  """On cfg.split, the argmax decisions: macro_f1, weighted_f1, accuracy, precision_k / recall_k /
  f1_k per class k, and the area: auc (K = 2: of class 1) or ovr_auc (K > 2, macro one-vs-rest).
  K = 2 also gives ap (class 1), and with threshold='f1' / 'youden' the threshold t of class 1's
  probability chosen on threshold_split and thr_macro_f1 / thr_precision_1 / thr_recall_1 at it."""
  p, y = probabilities(task, state, data, cfg.split, cfg)
  k = p.shape[1]
  r = report(y, p.argmax(1), k)
  out = {'macro_f1': r['macro_f1'], 'weighted_f1': r['weighted_f1'], 'accuracy': r['accuracy']}
  for c in range(k):
    out.update({f'precision_{c}': r['precision'][c], f'recall_{c}': r['recall'][c],
                f'f1_{c}': r['f1'][c]})
  if k == 2:
    out['auc'], out['ap'] = roc_auc(y, p[:, 1]), average_precision(y, p[:, 1])
    if cfg.threshold != 'none':
      p_val, y_val = probabilities(task, state, data, cfg.threshold_split, cfg)
      rule = best_f1_threshold if cfg.threshold == 'f1' else youden_threshold
      t = rule(y_val, p_val[:, 1])[0]
      pt, rt, ft, _ = precision_recall_f1(y, (p[:, 1] >= t).astype(np.int64), 2)
      out.update(threshold=t, thr_macro_f1=float(np.mean(ft)), thr_precision_1=float(pt[1]),
                 thr_recall_1=float(rt[1]))
  else:
    out['ovr_auc'] = roc_auc_ovr(y, p)
  return out


def plots(task, state, data, cfg, workdir: str):
  """plots/confusion.png of cfg.split (argmax decisions; with plot=True); with save_predictions, also
  predictions.npz in the workdir: {split}_p (N x K probabilities) and {split}_y for cfg.split and
  threshold_split (for studies that compare decision rules without reloading the run), on the run's
  own splits or, with predict_on = {data field: value} (e.g. dict(view='triclass')), on the splits
  of the run's data config with those fields changed (labels as that config gives them)."""
  import os  # pylint: disable=g-import-not-at-top
  from dljax import viz  # pylint: disable=g-import-not-at-top
  if cfg.plot:
    p, y = probabilities(task, state, data, cfg.split, cfg)
    names = [str(c) for c in range(p.shape[1])]
    viz.confusion_matrices({f'{cfg.split} (argmax)': confusion_matrix(y, p.argmax(1), p.shape[1])},
                           names, os.path.join(workdir, 'plots', 'confusion.png'))
  if not cfg.save_predictions:
    return
  other = None
  if cfg.predict_on:
    import ml_collections  # pylint: disable=g-import-not-at-top
    from dljax import data as data_lib  # pylint: disable=g-import-not-at-top
    other = ml_collections.ConfigDict(dict(task.config.data.to_dict(), **dict(cfg.predict_on)))
  out = {}
  for split in dict.fromkeys(s for s in (cfg.split, cfg.threshold_split) if s):
    arrays = None if other is None else data_lib.load(other, split)
    out[f'{split}_p'], out[f'{split}_y'] = probabilities(task, state, data, split, cfg, arrays)
  np.savez(os.path.join(workdir, 'predictions.npz'), **out)
