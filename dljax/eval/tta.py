"""Test-time augmentation: accuracy of the softmax averaged over the image and K - 1 augmented views.

  p(y | x) = (1/K) sum_v softmax(f(view_v(x)))_y,   view_0 = x,  view_v = augment(fold_in(key, v), x)

The views are fixed (key = PRNGKey(seed), seed = the config's seed unless set), the same at every
evaluation. Metric: accuracy = fraction of examples with argmax_y p(y | x) = label.

  config.evals.tta = dict(type='tta', views=6, augment=dict(flip=True, shift=2), every='end')

Parameters: views (K >= 1), augment (dljax.data.augment ops; default: the geometric ops of
config.augment), split ('test'), seed (None: config.seed), batch_size (0: data.eval_batch_size).
Needs a softmax classifier's `predict(state, x) -> logits`.
"""
import jax
import jax.numpy as jnp

from dljax.data import augment as augment_lib
from dljax.errors import ConfigError
from dljax.eval import common

PARAMS = dict(views=2, augment=None, split='test', seed=None, batch_size=0)
REQUIRES = ('predict',)


def _views(task, cfg):
  spec = cfg.augment if cfg.augment is not None else augment_lib.geometric(
      task.config.get('augment', None))
  return augment_lib.build(spec, where='augment')


def check(task, cfg):
  if getattr(task, 'loss_name', None) != 'softmax':
    raise ConfigError('test-time augmentation averages softmax probabilities: it needs a softmax '
                      "classifier (task=classification, loss='softmax'); remove the evaluator.")
  if not isinstance(cfg.views, int) or isinstance(cfg.views, bool) or cfg.views < 1:
    raise ConfigError(f'views={cfg.views!r} must be a positive integer (the image + views - 1 '
                      'augmented views); set e.g. views=6.')
  if not isinstance(cfg.batch_size, int) or cfg.batch_size < 0:
    raise ConfigError(f'batch_size={cfg.batch_size!r}; use 0 (data.eval_batch_size) or a positive '
                      'multiple of the device count.')
  if cfg.views > 1 and _views(task, cfg) is None:
    raise ConfigError(f'views={cfg.views} needs augmented views: set augment=dict(shift=2, ...) or '
                      'geometric ops (flip, shift, rotate) in config.augment.')


def probs(task, state, x, cfg):
  """p(y | x): B x K softmax probabilities averaged over the views."""
  seed = task.config.seed if cfg.seed is None else cfg.seed
  views = augment_lib.tta_views(_views(task, cfg), x, cfg.views, jax.random.PRNGKey(seed))
  return sum(jax.nn.softmax(task.predict(state, v)) for v in views) / len(views)


def evaluate(task, state, data, cfg):
  arrays = common.split(data, cfg.split, 'tta')

  def correct(state, batch):
    hit = (probs(task, state, batch['x'], cfg).argmax(-1) == batch['y']).astype(jnp.float32)
    return {'correct': jnp.sum(hit * batch['mask']), 'count': jnp.sum(batch['mask'])}

  fn = common.cached(task, ('tta', cfg.to_json()), lambda: jax.jit(correct))
  total = common.sums(task, state, arrays, fn, cfg.batch_size)
  return {'accuracy': float(total['correct'] / total['count'])}
