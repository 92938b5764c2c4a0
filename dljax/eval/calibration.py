"""Calibration of a softmax classifier: expected calibration error (Guo et al. 2017) and NLL.

With confidence c_i = max_y p(y | x_i), prediction argmax_y p(y | x_i) and M equal-width bins of
confidence B_m = ((m - 1)/M, m/M]:

  ECE = sum_m |B_m| / N * |acc(B_m) - conf(B_m)| = (1/N) sum_m |sum_{i in B_m} (correct_i - c_i)|
  nll = -(1/N) sum_i log p(y_i | x_i)

  config.evals.calibration = dict(type='calibration', bins=15, every='end')

Metrics: ece, nll, accuracy, confidence (mean c_i). Parameters: bins (M, 15), split ('test'),
batch_size (0: data.eval_batch_size). Needs a softmax classifier's `predict(state, x) -> logits`.
"""
import jax
import jax.numpy as jnp

from dljax.errors import ConfigError
from dljax.eval import common

PARAMS = dict(bins=15, split='test', batch_size=0)
REQUIRES = ('predict',)


def check(task, cfg):
  if getattr(task, 'loss_name', None) != 'softmax':
    raise ConfigError('calibration reads softmax probabilities: it needs a softmax classifier '
                      "(task=classification, loss='softmax'); remove the evaluator.")
  if not isinstance(cfg.bins, int) or isinstance(cfg.bins, bool) or cfg.bins < 1:
    raise ConfigError(f'bins={cfg.bins!r} must be a positive integer (e.g. 15).')
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


def evaluate(task, state, data, cfg):
  arrays = common.split(data, cfg.split, 'calibration')
  fn = common.cached(task, ('calibration', cfg.bins), lambda: jax.jit(
      lambda state, batch: bin_sums(task.predict(state, batch['x']), batch['y'], batch['mask'],
                                    cfg.bins)))
  total = common.sums(task, state, arrays, fn, cfg.batch_size)
  n = float(total['count'])
  return {'ece': float(abs(total['gap_M']).sum() / n), 'nll': float(total['nll'] / n),
          'accuracy': float(total['correct'] / n), 'confidence': float(total['conf'] / n)}
