r"""Out-of-distribution detection with a classifier's scores (seed 002 §2.15, §3.11): in-distribution
test images (positives of "is in-distribution") against OOD sets, every score higher = more
in-distribution.

  msp          max_y softmax(f(x))_y                        (Hendrycks & Gimpel 2017)
  max_logit    max_y f_y(x)                                 (Hendrycks et al. 2022)
  energy       T log sum_y exp(f_y(x) / T), T = 1           (= -E(x); Liu et al. 2020)
  mahalanobis  -min_c (h - mu_c)^T Sigma^-1 (h - mu_c)      on the penultimate features h,
               class means mu_c and the shared covariance Sigma of the training features (Lee 2018)
  vim          max_logit minus alpha ||(I - P) h||: the residual of the centred feature outside the
               principal subspace P of the training features (dimension `vim_dim`), alpha matching
               the residual to the mean max-logit on training data (Wang et al. 2022, ViM)

Metrics per set and score (ID = positive class): auroc (the probability that a random ID image
scores above a random OOD one, ties 1/2), aupr (average precision with ID positive), fpr95 (the
fraction of OOD images accepted at the threshold that keeps 95 % of the ID ones). Plus the
imbalance lesson (E11): with 1 % OOD, the trivial detector that flags nothing is 99 % accurate
(trivial_accuracy) and catches 0 % of the OOD images; the msp detector's accuracy at its FPR95
threshold on that mix is msp_accuracy_1pct.

Sets (all raw inputs in [0, 1], the model's input shape; a set of another shape is refused):
  digits     scikit-learn's 8x8 digits upsampled to 28x28 (far OOD)
  heldout    the Fashion-MNIST test classes the run did not train on (near OOD; needs
             data.classes, e.g. (0..7), so that classes 8 and 9 are held out)
  noise      uniform noise images;  inverted  1 - x;  flipped  x upside down (vertical flip)
  pgd        PGD adversarial versions (eps 0.1, l_inf) of the ID images: MSP does not flag them

  config.evals.ood = dict(type='ood', sets=('digits', 'noise', 'inverted', 'flipped'),
                          scores=('msp', 'max_logit', 'energy', 'mahalanobis'))

Parameters: sets, scores, split ('test'), limit (ID and OOD images per set, 2000), fit_limit
(training images for Mahalanobis / ViM, 5000), vim_dim (0: half the feature dimension), seed,
eps (of pgd), batch_size. mahalanobis and vim need the task function `features`.
"""
import os

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np

from dljax import data as data_lib
from dljax.errors import ConfigError
from dljax.eval import _shift, attacks, classification_metrics

PARAMS = dict(sets=('digits', 'noise', 'inverted', 'flipped'),
              scores=('msp', 'max_logit', 'energy', 'mahalanobis'), split='test', limit=2000,
              fit_limit=5000, vim_dim=0, seed=0, eps=0.1, batch_size=0)
REQUIRES = ('predict',)
SETS = ('digits', 'heldout', 'noise', 'inverted', 'flipped', 'pgd')
SCORES = ('msp', 'max_logit', 'energy', 'mahalanobis', 'vim')
FEATURE_SCORES = ('mahalanobis', 'vim')


def check(task, cfg):
  _shift.check_softmax(task, 'ood')
  unknown = [s for s in cfg.sets if s not in SETS]
  if unknown:
    raise ConfigError(f'sets: {unknown[0]!r} is not an OOD set; use some of {SETS}.')
  unknown = [s for s in cfg.scores if s not in SCORES]
  if unknown:
    raise ConfigError(f'scores: {unknown[0]!r} is not an OOD score; use some of {SCORES}.')
  if 'heldout' in cfg.sets and not task.config.data.get('classes', None):
    raise ConfigError("set 'heldout' needs a run trained on a subset of the classes "
                      '(data.classes=(0, 1, ..., 7)); the held-out classes are the OOD set.')
  if any(s in FEATURE_SCORES for s in cfg.scores) and not callable(getattr(task, 'features',
                                                                           None)):
    raise ConfigError('mahalanobis / vim read penultimate features: the task has no features().')
  _shift.check_positive_int('limit', cfg.limit)
  _shift.check_positive_int('fit_limit', cfg.fit_limit)


# --- metrics ------------------------------------------------------------------------------------------
def _id_positive(s_in, s_out):
  return np.r_[np.ones(len(s_in), np.int64), np.zeros(len(s_out), np.int64)], np.r_[s_in, s_out]


def auroc(s_in, s_out) -> float:
  """P(s_in > s_out) + P(s_in = s_out) / 2 (the Mann-Whitney U statistic / (n_in n_out)), the area
  under the ROC curve with the ID images as positives (classification_metrics.roc_auc)."""
  return classification_metrics.roc_auc(*_id_positive(s_in, s_out))


def aupr(s_in, s_out) -> float:
  """Average precision with the ID images as positives: sum_k (R_k - R_{k-1}) P_k over the
  thresholds at every distinct score (classification_metrics.average_precision, sklearn's
  average_precision_score)."""
  return classification_metrics.average_precision(*_id_positive(s_in, s_out))


def fpr_at_tpr(s_in, s_out, tpr=0.95) -> float:
  """The fraction of OOD scores >= the threshold that keeps `tpr` of the ID scores."""
  threshold = np.quantile(np.asarray(s_in, np.float64), 1.0 - tpr)
  return float(np.mean(np.asarray(s_out) >= threshold))


def imbalance_lesson(s_in, s_out, ood_fraction=0.01, tpr=0.95) -> dict:
  """Accuracy on a mix with `ood_fraction` OOD images: the flag-nothing detector vs a detector
  thresholded at `tpr` of the ID images (its recall of OOD = 1 - FPR)."""
  threshold = np.quantile(np.asarray(s_in, np.float64), 1.0 - tpr)
  tnr_in = np.mean(np.asarray(s_in) >= threshold)  # ID kept
  caught = np.mean(np.asarray(s_out) < threshold)  # OOD flagged
  return {'trivial_accuracy': 1.0 - ood_fraction, 'trivial_recall': 0.0,
          'detector_accuracy': float((1 - ood_fraction) * tnr_in + ood_fraction * caught),
          'detector_recall': float(caught)}


# --- scores ---------------------------------------------------------------------------------------
def logit_scores(logits_NxK) -> dict:
  z = np.asarray(logits_NxK, np.float64)
  m = z.max(-1)
  energy = m + np.log(np.exp(z - m[:, None]).sum(-1))  # logsumexp
  return {'msp': np.exp(m - energy), 'max_logit': m, 'energy': energy}


class Mahalanobis:
  """Class means and the shared (tied) covariance of training features; score = -min_c d_c^2."""

  def __init__(self, h_NxD, y_N, num_classes):
    h = np.asarray(h_NxD, np.float64)
    present = [c for c in range(num_classes) if np.any(y_N == c)]  # (a small fit set may miss one)
    mu = {c: h[y_N == c].mean(0) for c in present}
    self.mu_KxD = np.stack([mu[c] for c in present])
    centred = h - np.stack([mu[c] for c in y_N])
    cov = centred.T @ centred / len(h)
    self.precision = np.linalg.pinv(cov + 1e-6 * np.eye(len(cov)))

  def __call__(self, h_NxD):
    d_NxKxD = np.asarray(h_NxD, np.float64)[:, None, :] - self.mu_KxD[None]
    return -np.einsum('nkd,de,nke->nk', d_NxKxD, self.precision, d_NxKxD).min(-1)


class ViM:
  """Virtual-logit matching: residual norm outside the top-`dim` principal subspace of centred
  training features, scaled by alpha = mean max-logit / mean residual on the training data; the
  score is max-logit - alpha * residual (higher = more ID)."""

  def __init__(self, h_NxD, logits_NxK, dim=0):
    h = np.asarray(h_NxD, np.float64)
    self.origin = h.mean(0)
    _, _, vt = np.linalg.svd(h - self.origin, full_matrices=False)
    dim = dim or max(1, h.shape[1] // 2)
    self.null_DxR = vt[dim:].T
    self.alpha = np.asarray(logits_NxK).max(-1).mean() / max(self.residual(h).mean(), 1e-12)

  def residual(self, h_NxD):
    return np.linalg.norm((np.asarray(h_NxD, np.float64) - self.origin) @ self.null_DxR, axis=-1)

  def __call__(self, h_NxD, logits_NxK):
    return np.asarray(logits_NxK, np.float64).max(-1) - self.alpha * self.residual(h_NxD)


# --- OOD sets -----------------------------------------------------------------------------------------
def ood_set(name, task, state, id_arrays, cfg, rng):
  """The raw OOD images of set `name` (at most cfg.limit)."""
  x = id_arrays['x']
  if name == 'noise':
    return rng.random(x.shape).astype(np.float32)
  if name == 'inverted':
    return (1.0 - x).astype(np.float32)
  if name == 'flipped':
    return x[:, ::-1].astype(np.float32)
  if name == 'digits':
    size = x.shape[1]
    d = ml_collections.ConfigDict(dict(name='digits', upsample=size, train_limit=0,
                                       validation_limit=0, test_limit=0))
    xs = np.concatenate([data_lib.load(d, s)['x'] for s in ('train', 'validation', 'test')])
    return xs[:cfg.limit].astype(np.float32)
  if name == 'heldout':
    d = task.config.data
    kept = tuple(d.classes)
    full = ml_collections.ConfigDict(dict(d.to_dict(), classes=None, test_limit=0, train_limit=0,
                                          validation_limit=0))
    arrays = data_lib.load(full, cfg.split)
    out = np.asarray(arrays['x'])[~np.isin(arrays['y'], kept)]
    return out[:cfg.limit].astype(np.float32)
  if name == 'pgd':
    fn = jax.jit(lambda x, y: attacks.run('pgd', lambda u: task.predict(state, u), x, y,
                                          jax.random.key(cfg.seed), cfg.eps, steps=10))
    size = _shift.batch_size(task, cfg)
    out = [np.asarray(fn(jnp.asarray(x[i:i + size]), jnp.asarray(id_arrays['y'][i:i + size],
                                                                   jnp.int32)))
           for i in range(0, len(x), size)]
    return np.concatenate(out)
  raise ConfigError(f'unknown OOD set {name!r}; use one of {SETS}.')


def scores_of(task, state, x, cfg, fitted) -> dict:
  size = _shift.batch_size(task, cfg)
  z = _shift.logits(task, state, x, size)
  out = {k: v for k, v in logit_scores(z).items() if k in cfg.scores}
  if any(s in FEATURE_SCORES for s in cfg.scores):
    h = _shift.features(task, state, x, size)
    if 'mahalanobis' in cfg.scores:
      out['mahalanobis'] = fitted['mahalanobis'](h)
    if 'vim' in cfg.scores:
      out['vim'] = fitted['vim'](h, z)
  return out


def fit(task, state, data, cfg) -> dict:
  if not any(s in FEATURE_SCORES for s in cfg.scores):
    return {}
  train = _shift.arrays(data, 'train', cfg.fit_limit, 'ood')
  size = _shift.batch_size(task, cfg)
  h = _shift.features(task, state, train['x'], size)
  z = _shift.logits(task, state, train['x'], size)
  y = train['y'].astype(np.int64)
  return {'mahalanobis': Mahalanobis(h, y, z.shape[-1]), 'vim': ViM(h, z, cfg.vim_dim)}


def all_scores(task, state, data, cfg):
  """({score: ID scores}, {set: {score: OOD scores}})."""
  id_arrays = _shift.arrays(data, cfg.split, cfg.limit, 'ood')
  fitted = fit(task, state, data, cfg)
  rng = np.random.default_rng(cfg.seed)
  s_in = scores_of(task, state, id_arrays['x'], cfg, fitted)
  s_out = {}
  for name in cfg.sets:
    x = ood_set(name, task, state, id_arrays, cfg, rng)
    _shift.check_shape(x, id_arrays['x'].shape[1:], f'OOD set {name!r}')
    s_out[name] = scores_of(task, state, x, cfg, fitted)
  return s_in, s_out


def evaluate(task, state, data, cfg):
  s_in, s_out = all_scores(task, state, data, cfg)
  out = {}
  for name, by_score in s_out.items():
    for score, s in by_score.items():
      out[f'{name}_{score}_auroc'] = auroc(s_in[score], s)
      out[f'{name}_{score}_aupr'] = aupr(s_in[score], s)
      out[f'{name}_{score}_fpr95'] = fpr_at_tpr(s_in[score], s)
  first = cfg.sets[0]
  if 'msp' in s_in:
    lesson = imbalance_lesson(s_in['msp'], s_out[first]['msp'])
    out['trivial_accuracy'] = lesson['trivial_accuracy']
    out['msp_accuracy_1pct'] = lesson['detector_accuracy']
    out['msp_recall_1pct'] = lesson['detector_recall']
  return out


def plots(task, state, data, cfg, workdir):
  """plots/ood_histograms.png: the ID and OOD score histograms per set (msp and the first other)."""
  from dljax import viz  # pylint: disable=g-import-not-at-top
  s_in, s_out = all_scores(task, state, data, cfg)
  scores = list(s_in)
  fig, axes = viz.plt.subplots(len(s_out), len(scores), figsize=(3 * len(scores), 2.3 * len(s_out)),
                               squeeze=False)
  for r, (name, by_score) in enumerate(s_out.items()):
    for k, score in enumerate(scores):
      ax = axes[r, k]
      lo = min(s_in[score].min(), by_score[score].min())
      hi = max(s_in[score].max(), by_score[score].max())
      bins = np.linspace(lo, hi, 40)
      ax.hist(s_in[score], bins, alpha=0.5, density=True, label='ID')
      ax.hist(by_score[score], bins, alpha=0.5, density=True, label=name)
      ax.set_title(f'{score}: AUROC {auroc(s_in[score], by_score[score]):.3f}', fontsize=8)
      ax.legend(fontsize=6)
  viz._write(fig, os.path.join(workdir, 'plots', 'ood_histograms.png'))  # pylint: disable=protected-access
