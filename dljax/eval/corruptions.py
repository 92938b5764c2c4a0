r"""Corruption robustness (seed 002 c22; Hendrycks & Dietterich 2019): the error of a classifier on
Fashion-MNIST-C (dljax.data.corruptions: 15 MNIST-C corruptions x 5 severities, seeded), its mean,
the mean corruption error relative to a baseline model, and calibration under each severity.

  E_{c,s}    the error on corruption c at severity s;  E_clean on the clean images
  err_<c>    (1/5) sum_s E_{c,s};   mean_error = (1/15) sum_c err_<c>
  CE_c       = sum_s E_{c,s} / sum_s E^base_{c,s}                              mCE = mean_c CE_c
  rCE_c      = sum_s (E_{c,s} - E_clean) / sum_s (E^base_{c,s} - E^base_clean) relative_mce = mean_c
  err_s<k>, ece_s<k>, nll_s<k>   error and calibration averaged over the corruptions at severity k

  config.evals.corruptions = dict(type='corruptions', limit=1000, every='end')
  python -m experiments.evaluate --workdir=RUN --config.evals.corruptions.type=corruptions \
      [--config.evals.corruptions.baseline="'runs/baseline'"]

Parameters: corruptions (default all 15), severities (default (1, 2, 3, 4, 5)), split ('test'),
limit (the first N images, 1000), seed (the corruption draws), bins (ECE bins, 15), baseline (the
workdir of a finished run whose summary holds this evaluator's err_<c> under the same evaluator
name, or a dict {corruption: error, 'clean': error}; None: no mCE), batch_size.
plots() writes plots/<name>_gallery.png (one image under every corruption and severity) and
plots/<name>_errors.png (error per corruption and severity).
"""
import json
import os

import numpy as np

from dljax.data import corruptions as ops
from dljax.errors import ConfigError
from dljax.eval import _shift, calibration

PARAMS = dict(corruptions=None, severities=(1, 2, 3, 4, 5), split='test', limit=1000, seed=0,
              bins=15, baseline=None, baseline_name='corruptions', batch_size=0)
REQUIRES = ('predict',)


def names_of(cfg):
  return tuple(cfg.corruptions) if cfg.corruptions else ops.NAMES


def check(task, cfg):
  _shift.check_softmax(task, 'corruptions')
  ops.check(names_of(cfg), tuple(cfg.severities), 'corruptions')
  _shift.check_positive_int('limit', cfg.limit, zero_ok=True)
  if cfg.baseline is not None and not isinstance(cfg.baseline, (str, dict)) and not hasattr(
      cfg.baseline, 'keys'):
    raise ConfigError(f'baseline={cfg.baseline!r}: give the workdir of a finished run evaluated '
                      'with this evaluator, or a dict {corruption: error, "clean": error}.')


def baseline_errors(cfg) -> dict:
  """{corruption: mean error over the severities, 'clean': error} of the baseline model."""
  if cfg.baseline is None:
    return None
  if not isinstance(cfg.baseline, str):
    return dict(cfg.baseline)
  path = os.path.join(cfg.baseline, 'summary.json')
  if not os.path.exists(path):
    raise ConfigError(f'baseline={cfg.baseline!r} has no summary.json; train and evaluate the '
                      'baseline first.')
  with open(path) as f:
    ev = (json.load(f).get('evals') or {}).get(cfg.baseline_name) or {}
  out = {c: ev[f'err_{c}'] for c in ops.NAMES if f'err_{c}' in ev}
  if 'clean_error' in ev:
    out['clean'] = ev['clean_error']
  if not out:
    raise ConfigError(f'baseline {cfg.baseline!r} has no evaluator {cfg.baseline_name!r} with '
                      'err_<corruption> metrics; run it with --config.evals.corruptions.type='
                      'corruptions first.')
  return out


def ce(errors: dict, clean: float, base: dict) -> dict:
  """mCE and relative mCE of {c: mean error} against the baseline's (the means over the same
  severities, so the ratio of the sums over s is the ratio of the means)."""
  names = [c for c in errors if c in base]
  if not names:
    return {}
  out = {'mce': float(np.mean([errors[c] / max(base[c], 1e-12) for c in names]))}
  if 'clean' in base:
    out['relative_mce'] = float(np.mean([(errors[c] - clean) / max(base[c] - base['clean'], 1e-12)
                                         for c in names]))
  return out


def table(task, state, data, cfg):
  """(clean probabilities, labels, {(c, s): probabilities})."""
  arrays = _shift.arrays(data, cfg.split, cfg.limit, 'corruptions')
  size = _shift.batch_size(task, cfg)
  probs = {(c, s): _shift.softmax(_shift.logits(
      task, state, ops.corrupt(arrays['x'], c, s, cfg.seed), size))
           for c in names_of(cfg) for s in cfg.severities}
  return (_shift.softmax(_shift.logits(task, state, arrays['x'], size)),
          arrays['y'].astype(np.int64), probs)


def summarize(clean_p, y, probs, names, severities, bins=15, base=None) -> dict:
  err = lambda p: float(np.mean(p.argmax(-1) != y))
  out = {'clean_error': err(clean_p), 'clean_ece': calibration.ece(clean_p, y, bins)}
  errors = {c: float(np.mean([err(probs[(c, s)]) for s in severities])) for c in names}
  out.update({f'err_{c}': e for c, e in errors.items()})
  out['mean_error'] = float(np.mean(list(errors.values())))
  for s in severities:
    out[f'err_s{s}'] = float(np.mean([err(probs[(c, s)]) for c in names]))
    out[f'ece_s{s}'] = float(np.mean([calibration.ece(probs[(c, s)], y, bins) for c in names]))
    out[f'nll_s{s}'] = float(np.mean([calibration.nll(probs[(c, s)], y) for c in names]))
  if base:
    out.update(ce(errors, out['clean_error'], base))
  return out


def evaluate(task, state, data, cfg):
  base = baseline_errors(cfg)
  clean_p, y, probs = table(task, state, data, cfg)
  return summarize(clean_p, y, probs, names_of(cfg), cfg.severities, cfg.bins, base)


def gallery(x_HxWxC, path, seed=0, names=ops.NAMES, title='Fashion-MNIST-C'):
  """One image (clean in the first column) under every corruption (rows) and severity 1..5."""
  from dljax import viz  # pylint: disable=g-import-not-at-top
  fig, axes = viz.plt.subplots(len(names), 6, figsize=(6 * 1.1, len(names) * 1.1))
  for r, c in enumerate(names):
    row = [x_HxWxC] + [ops.corrupt(x_HxWxC[None], c, s, seed)[0] for s in range(1, 6)]
    for k, img in enumerate(row):
      ax = axes[r, k]
      ax.imshow(img[..., 0], cmap='gray', vmin=0, vmax=1)
      ax.set_xticks([])
      ax.set_yticks([])
      if r == 0:
        ax.set_title('clean' if k == 0 else f's={k}', fontsize=8)
    axes[r, 0].set_ylabel(c, fontsize=7, rotation=0, ha='right', va='center')
  fig.suptitle(title, fontsize=9)
  return viz._write(fig, path)  # pylint: disable=protected-access


def plots(task, state, data, cfg, workdir):
  arrays = _shift.arrays(data, cfg.split, 1, 'corruptions')
  gallery(arrays['x'][0], os.path.join(workdir, 'plots', 'corruptions_gallery.png'), cfg.seed,
          names_of(cfg))
