r"""Label shift (seed 002 §2.22, c24): p_test(y) != p_train(y) while p(x | y) is unchanged. Test sets are
resampled with known class priors q ~ Dirichlet(alpha 1); the priors are estimated from the
model's predictions on the unlabelled shifted set and compared with the known truth.

  BBSE (Lipton et al. 2018): C_ij = P_val(yhat = i, y = j) on the validation split,
    mu_i = P_test(yhat = i);  w = C^-1 mu (clipped at 0),  q_hat_j = w_j p_val(y = j), normalised
  EM (Saerens et al. 2002): repeat  p'(y | x) ∝ (q_y / p_y) p(y | x),  q_y = mean_x p'(y | x)
  re-weighting: predict argmax_y (q_hat_y / p_y) p(y | x)

Metrics (means over `trials` draws): prior_l1_<est> = sum_y |q_hat_y - q_y| for est in source
(the validation priors, no correction), bbse, em; accuracy_<est> with the re-weighted predictions
(source = the unadapted model), accuracy_oracle with the true q.

  config.evals.label_shift = dict(type='label_shift', alpha=1.0, trials=10)

Parameters: alpha (Dirichlet concentration; small = strong shift), trials, size (test images per
draw, 2000), fit_split ('validation'), split ('test'), em_iters (100), seed, batch_size.
"""
import numpy as np

from dljax.errors import ConfigError
from dljax.eval import _shift

PARAMS = dict(alpha=1.0, trials=10, size=2000, fit_split='validation', split='test', em_iters=100,
              seed=0, batch_size=0)
REQUIRES = ('predict',)


def check(task, cfg):
  _shift.check_softmax(task, 'label_shift')
  if not isinstance(cfg.alpha, (int, float)) or cfg.alpha <= 0:
    raise ConfigError(f'alpha={cfg.alpha!r} must be > 0 (the Dirichlet concentration).')
  _shift.check_positive_int('trials', cfg.trials)
  _shift.check_positive_int('size', cfg.size)


def bbse(p_val_NxK, y_val_N, p_test_MxK):
  """q_hat from the confusion matrix of hard predictions on validation (rows yhat, columns y)."""
  k = p_val_NxK.shape[-1]
  c = np.zeros((k, k))
  np.add.at(c, (p_val_NxK.argmax(-1), y_val_N), 1.0)
  c /= len(y_val_N)
  mu = np.bincount(p_test_MxK.argmax(-1), minlength=k) / len(p_test_MxK)
  w = np.clip(np.linalg.lstsq(c, mu, rcond=None)[0], 0.0, None)
  q = w * np.bincount(y_val_N, minlength=k) / len(y_val_N)
  return q / max(q.sum(), 1e-12)


def em(p_test_MxK, prior_source_K, iters=100):
  """Saerens et al.'s EM re-estimation of the test priors."""
  q = prior_source_K.copy()
  for _ in range(iters):
    post = p_test_MxK * (q / prior_source_K)
    post /= post.sum(-1, keepdims=True)
    q = post.mean(0)
  return q


def reweighted_accuracy(p_MxK, y_M, q_K, prior_K):
  return float(np.mean((p_MxK * (q_K / np.maximum(prior_K, 1e-12))).argmax(-1) == y_M))


def shifted_indices(y_N, q_K, size, rng):
  """`size` indices drawn with class proportions q (with replacement within each class)."""
  counts = rng.multinomial(size, q_K)
  idx = [rng.choice(np.nonzero(y_N == c)[0], n, replace=True) for c, n in enumerate(counts) if n]
  return np.concatenate(idx)


def simulate(p_val, y_val, p_test, y_test, alpha, trials, size, seed=0, em_iters=100) -> dict:
  k = p_val.shape[-1]
  prior = np.bincount(y_val, minlength=k) / len(y_val)
  rng = np.random.default_rng(seed)
  rows = []
  for _ in range(trials):
    q = rng.dirichlet(alpha * np.ones(k))
    idx = shifted_indices(y_test, q, size, rng)
    p, y = p_test[idx], y_test[idx]
    q_true = np.bincount(y, minlength=k) / len(y)  # the realised priors of the drawn set
    est = {'source': prior, 'bbse': bbse(p_val, y_val, p), 'em': em(p, prior, em_iters)}
    row = {f'prior_l1_{n}': float(np.abs(e - q_true).sum()) for n, e in est.items()}
    row.update({f'accuracy_{n}': reweighted_accuracy(p, y, e, prior) for n, e in est.items()})
    row['accuracy_oracle'] = reweighted_accuracy(p, y, q_true, prior)
    rows.append(row)
  return {key: float(np.mean([r[key] for r in rows])) for key in rows[0]}


def evaluate(task, state, data, cfg):
  size = _shift.batch_size(task, cfg)
  val = _shift.arrays(data, cfg.fit_split, 0, 'label_shift')
  test = _shift.arrays(data, cfg.split, 0, 'label_shift')
  p_val = _shift.softmax(_shift.logits(task, state, val['x'], size))
  p_test = _shift.softmax(_shift.logits(task, state, test['x'], size))
  return simulate(p_val, val['y'].astype(np.int64), p_test, test['y'].astype(np.int64),
                  cfg.alpha, cfg.trials, cfg.size, cfg.seed, cfg.em_iters)
