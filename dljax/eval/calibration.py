"""Calibration of a softmax classifier (seed 002 §3.9): expected calibration error (Guo et al. 2017)
with equal-width and adaptive bins and bootstrap intervals, NLL, Brier score, temperature scaling
fitted on the validation split, and a reliability diagram.

With confidence c_i = max_y p(y | x_i), prediction argmax_y p(y | x_i) and M bins B_m:

  ECE = sum_m |B_m| / N * |acc(B_m) - conf(B_m)| = (1/N) sum_m |sum_{i in B_m} (correct_i - c_i)|
    equal-width bins  B_m = {i: (m - 1)/M < c_i <= m/M}
    adaptive bins     B_m = the m-th of M groups of equal size of the examples sorted by c_i
  nll   = -(1/N) sum_i log p(y_i | x_i)
  brier = (1/N) sum_i sum_k (p(k | x_i) - [y_i = k])^2
  temperature scaling: p_T(y | x) = softmax(f(x) / T), T = argmin_T nll_T on the validation split
    (one scalar, so the predictions argmax and the accuracy are unchanged)
  bootstrap: the 2.5 % / 97.5 % quantiles of the ECE over `bootstrap` resamples of the N examples

  config.evals.calibration = dict(type='calibration', bins=15, every='end')

Metrics: ece, ece_adaptive, ece_lo, ece_hi (bootstrap 95 %; with bootstrap > 0), nll, brier,
accuracy, confidence (mean c_i), and with temperature=True: temperature, ece_ts, nll_ts, brier_ts
(when the run's data has the fit split; every registered dataset has a validation split).
Parameters: bins (M, 15), split ('test'), fit_split ('validation'), temperature (True), bootstrap
(200), limit (0: all), seed, batch_size (0: data.eval_batch_size). plots() writes
plots/<name>_reliability.png. Needs a softmax classifier's `predict(state, x) -> logits`.
"""
import os

import jax
import jax.numpy as jnp
import numpy as np
from scipy import optimize

from dljax.errors import ConfigError
from dljax.eval import _shift

PARAMS = dict(bins=15, split='test', fit_split='validation', temperature=True, bootstrap=200,
              limit=0, seed=0, batch_size=0)
REQUIRES = ('predict',)


def check(task, cfg):
  _shift.check_softmax(task, 'calibration')
  if not isinstance(cfg.bins, int) or isinstance(cfg.bins, bool) or cfg.bins < 1:
    raise ConfigError(f'bins={cfg.bins!r} must be a positive integer (e.g. 15).')
  _shift.check_positive_int('bootstrap', cfg.bootstrap, zero_ok=True)
  _shift.check_positive_int('limit', cfg.limit, zero_ok=True)
  if not isinstance(cfg.batch_size, int) or cfg.batch_size < 0:
    raise ConfigError(f'batch_size={cfg.batch_size!r}; use 0 (data.eval_batch_size) or a positive '
                      'multiple of the device count.')


def bin_sums(logits_BxK, y_B, mask_B, bins: int) -> dict:
  """Per-bin sums of (correct_i - c_i) and counts, plus the NLL, correct and confidence sums."""
  logp_BxK = jax.nn.log_softmax(logits_BxK)
  conf_B = jnp.exp(logp_BxK.max(-1))
  correct_B = (logp_BxK.argmax(-1) == y_B).astype(jnp.float32)
  m = mask_B.astype(jnp.float32)
  bin_B = jnp.clip(jnp.ceil(conf_B * bins).astype(jnp.int32) - 1, 0, bins - 1)  # (m-1)/M < c <= m/M
  onehot_BxM = jax.nn.one_hot(bin_B, bins) * m[:, None]
  nll_B = -jnp.take_along_axis(logp_BxK, y_B[:, None].astype(jnp.int32), -1)[:, 0]
  return {'gap_M': onehot_BxM.T @ (correct_B - conf_B), 'count': m.sum(),
          'nll': jnp.sum(nll_B * m), 'correct': jnp.sum(correct_B * m), 'conf': jnp.sum(conf_B * m)}


# --- the metrics on the host, from probabilities p_NxK and labels y_N -------------------------------
def ece(p_NxK, y_N, bins: int = 15, adaptive: bool = False) -> float:
  """Expected calibration error with M equal-width (or adaptive, equal-count) confidence bins."""
  conf_N, correct_N = p_NxK.max(-1), (p_NxK.argmax(-1) == y_N).astype(np.float64)
  n = len(y_N)
  if adaptive:  # M groups of (almost) equal size of the examples sorted by confidence
    order = np.argsort(conf_N, kind='stable')
    bin_N = np.empty(n, np.int64)
    bin_N[order] = np.arange(n) * bins // max(n, 1)
  else:  # (m - 1)/M < c <= m/M
    bin_N = np.clip(np.ceil(conf_N * bins).astype(np.int64) - 1, 0, bins - 1)
  gap_M = np.bincount(bin_N, weights=correct_N - conf_N, minlength=bins)
  return float(np.abs(gap_M).sum() / n)


def nll(p_NxK, y_N) -> float:
  return float(-np.mean(np.log(np.maximum(p_NxK[np.arange(len(y_N)), y_N], 1e-12))))


def brier(p_NxK, y_N) -> float:
  onehot = np.eye(p_NxK.shape[-1])[y_N]
  return float(np.mean(((p_NxK - onehot) ** 2).sum(-1)))


def fit_temperature(logits_NxK, y_N) -> float:
  """T = argmin_T -(1/N) sum_i log softmax(f(x_i) / T)_{y_i} (a 1-D search over log T)."""
  def loss(log_t):
    logp = _shift.log_softmax(logits_NxK / np.exp(log_t))
    return -logp[np.arange(len(y_N)), y_N].mean()
  res = optimize.minimize_scalar(loss, bounds=(np.log(0.05), np.log(20.0)), method='bounded')
  return float(np.exp(res.x))


def bootstrap_ece(p_NxK, y_N, bins, resamples, seed=0, adaptive=False):
  """(2.5 %, 97.5 %) quantiles of the ECE over bootstrap resamples of the examples."""
  rng = np.random.default_rng(seed)
  n = len(y_N)
  values = [ece(p_NxK[idx], y_N[idx], bins, adaptive)
            for idx in (rng.integers(0, n, n) for _ in range(resamples))]
  return float(np.quantile(values, 0.025)), float(np.quantile(values, 0.975))


def reliability(p_NxK, y_N, bins: int = 15):
  """Per equal-width bin: (mean confidence, accuracy, count) -- the reliability diagram's bars."""
  conf_N, correct_N = p_NxK.max(-1), (p_NxK.argmax(-1) == y_N).astype(np.float64)
  bin_N = np.clip(np.ceil(conf_N * bins).astype(np.int64) - 1, 0, bins - 1)
  count = np.bincount(bin_N, minlength=bins).astype(np.float64)
  safe = np.maximum(count, 1)
  return (np.bincount(bin_N, conf_N, bins) / safe, np.bincount(bin_N, correct_N, bins) / safe,
          count)


def metrics(p_NxK, y_N, bins=15, bootstrap=0, seed=0) -> dict:
  out = {'ece': ece(p_NxK, y_N, bins), 'ece_adaptive': ece(p_NxK, y_N, bins, adaptive=True),
         'nll': nll(p_NxK, y_N), 'brier': brier(p_NxK, y_N),
         'accuracy': float(np.mean(p_NxK.argmax(-1) == y_N)),
         'confidence': float(np.mean(p_NxK.max(-1)))}
  if bootstrap:
    out['ece_lo'], out['ece_hi'] = bootstrap_ece(p_NxK, y_N, bins, bootstrap, seed)
  return out


def _logits(task, state, data, cfg, split):
  arrays = _shift.arrays(data, split, cfg.limit, 'calibration')
  return (_shift.logits(task, state, arrays['x'], _shift.batch_size(task, cfg)),
          arrays['y'].astype(np.int64))


def evaluate(task, state, data, cfg):
  logits_NxK, y_N = _logits(task, state, data, cfg, cfg.split)
  out = metrics(_shift.softmax(logits_NxK), y_N, cfg.bins, cfg.bootstrap, cfg.seed)
  if cfg.temperature and cfg.fit_split in data:
    t = fit_temperature(*_logits(task, state, data, cfg, cfg.fit_split))
    scaled = metrics(_shift.softmax(logits_NxK / t), y_N, cfg.bins)
    out.update(temperature=t, ece_ts=scaled['ece'], nll_ts=scaled['nll'],
               brier_ts=scaled['brier'])
  return out


def plots(task, state, data, cfg, workdir, name='calibration'):
  """plots/<name>_reliability.png: accuracy against confidence per bin, before (and after)
  temperature scaling, with the diagonal of perfect calibration."""
  logits_NxK, y_N = _logits(task, state, data, cfg, cfg.split)
  curves = {'model': _shift.softmax(logits_NxK)}
  if cfg.temperature and cfg.fit_split in data:
    t = fit_temperature(*_logits(task, state, data, cfg, cfg.fit_split))
    curves[f'temperature-scaled (T={t:.2f})'] = _shift.softmax(logits_NxK / t)
  diagram(curves, y_N, cfg.bins, os.path.join(workdir, 'plots', f'{name}_reliability.png'))


def diagram(curves: dict, y_N, bins, path, title='reliability diagram'):
  """One panel per {label: p_NxK}: accuracy per confidence bin as bars, the gap to the diagonal."""
  from dljax import viz  # pylint: disable=g-import-not-at-top
  fig, axes = viz.plt.subplots(1, len(curves), figsize=(3.6 * len(curves), 3.4), squeeze=False)
  for ax, (label, p) in zip(axes[0], curves.items()):
    conf, acc, count = reliability(p, y_N, bins)
    centres = (np.arange(bins) + 0.5) / bins
    ax.bar(centres, np.where(count > 0, acc, 0), width=1 / bins, edgecolor='k', label='accuracy')
    ax.bar(centres, np.where(count > 0, conf - acc, 0), bottom=np.where(count > 0, acc, 0),
           width=1 / bins, color='r', alpha=0.3, label='gap')
    ax.plot([0, 1], [0, 1], 'k--', lw=1)
    ax.set_title(f'{label}\nECE={ece(p, y_N, bins):.4f}', fontsize=8)
    ax.set_xlabel('confidence')
    ax.set_ylabel('accuracy')
    ax.legend(fontsize=7)
  fig.suptitle(title, fontsize=9)
  return viz._write(fig, path)  # pylint: disable=protected-access
