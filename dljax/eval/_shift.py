"""Helpers shared by the shift evaluators (calibration, corruptions, ood, adapt, label_shift): the
logits of a whole array of inputs on the host, and the checks they share. Not an evaluator."""
import jax
import jax.numpy as jnp
import numpy as np

from dljax.data import pipeline
from dljax.errors import ConfigError
from dljax.eval import common


def check_softmax(task, what: str):
  if getattr(task, 'loss_name', None) != 'softmax':
    raise ConfigError(f'{what} reads softmax probabilities: it needs a softmax classifier '
                      "(task=classification, loss='softmax'); remove the evaluator.")


def check_positive_int(name, value, zero_ok=False):
  lo = 0 if zero_ok else 1
  if not isinstance(value, int) or isinstance(value, bool) or value < lo:
    raise ConfigError(f'{name}={value!r} must be an integer >= {lo}.')


def batch_size(task, cfg) -> int:
  return cfg.get('batch_size', 0) or task.config.data.eval_batch_size


def arrays(data, split, limit, where):
  out = common.split(data, split, where)
  return {k: np.asarray(v[:limit] if limit else v) for k, v in out.items()}


def apply_batched(fn, x, size: int):
  """np.concatenate of fn(chunk) over fixed-size chunks of x (the last one padded, so fn compiles
  once); fn maps B x ... -> B x ... (a jitted function)."""
  out = []
  for batch in pipeline.eval_batches({'x': np.asarray(x)}, size):
    y = np.asarray(jax.device_get(fn(batch['x'])))
    out.append(y[batch['mask']])
  return np.concatenate(out)


def logits(task, state, x, size: int) -> np.ndarray:
  """N x K logits of predict(state, x) for raw inputs x (N x ...), on the host."""
  fn = common.cached(task, 'shift_predict', lambda: jax.jit(task.predict))
  return apply_batched(lambda x: fn(state, x), x, size)


def features(task, state, x, size: int) -> np.ndarray:
  fn = common.cached(task, 'shift_features', lambda: jax.jit(task.features))
  return apply_batched(lambda x: fn(state, x), x, size)


def softmax(logits_NxK):
  return np.asarray(jax.nn.softmax(jnp.asarray(logits_NxK, jnp.float32), -1), np.float64)


def log_softmax(logits_NxK):
  z = np.asarray(logits_NxK, np.float64)
  z = z - z.max(-1, keepdims=True)
  return z - np.log(np.exp(z).sum(-1, keepdims=True))


def check_shape(x, expected, what):
  """ConfigError if a set of inputs does not have the model's input shape."""
  if tuple(x.shape[1:]) != tuple(expected):
    raise ConfigError(f'{what} has inputs of shape {tuple(x.shape[1:])}, but the model takes '
                      f'{tuple(expected)}; resize it to the training inputs (e.g. digits with '
                      'data.upsample=28) or choose another set.')
