r"""Accuracy under one adversarial attack (dljax.eval.attacks) at one budget, for any classifier with
`predict(state, x) -> logits` (MLP, CNN, ResNet, ViT, ...), on raw inputs in the dataset's declared
value range (the attack clips to it).

  config.evals.pgd = dict(type='adversarial', attack='pgd', eps=0.1, norm='linf', steps=20,
                          restarts=1, every='end')
  python -m experiments.evaluate --workdir=RUN --config.evals.pgd.type=adversarial \
      --config.evals.pgd.eps=0.1

Metrics: accuracy (on the adversarial inputs), clean_accuracy (the same examples), and for a
targeted attack target_rate (the fraction classified as the target). Parameters: attack (one of
attacks.ATTACKS), eps (>= 0), norm ('linf' / 'l2'), steps, restarts, step_size (0: the attack's
default), targeted with target ('next': (y + 1) mod K, 'least': the least likely class), loss
('ce' / 'margin'), split ('test'), limit (the first N examples, 0: all), batch_size, seed.
"""
import jax
import jax.numpy as jnp
import numpy as np

from dljax import data as data_lib
from dljax.errors import ConfigError, DataError
from dljax.eval import attacks, common

PARAMS = dict(attack='pgd', eps=0.1, norm='linf', steps=20, restarts=1, step_size=0.0,
              targeted=False, target='next', loss='ce', split='test', limit=1000, batch_size=0,
              seed=0)
REQUIRES = ('predict',)
TARGETS = ('next', 'least')


def value_range(task):
  """(lo, hi) of the task's inputs from the dataset's Info; ConfigError if unbounded."""
  rng = data_lib.info(task.config.data).value_range
  if rng is None:
    raise ConfigError(f'data {task.config.data.name!r} declares no value range (Info.value_range '
                      'is None), so an l_p attack has no valid pixel range to clip to; attack an '
                      'image dataset or declare its range in its Info.')
  return float(rng[0]), float(rng[1])


def check(task, cfg):
  if getattr(task, 'loss_name', 'softmax') != 'softmax':
    raise ConfigError('attacks read softmax logits: the task must be a softmax classifier '
                      "(loss='softmax'); remove the evaluator.")
  if cfg.attack not in attacks.ATTACKS:
    raise ConfigError(f'attack={cfg.attack!r} is unknown; use one of {attacks.ATTACKS}.')
  attacks.check(cfg.eps, cfg.norm, cfg.loss, cfg.steps)
  if cfg.target not in TARGETS:
    raise ConfigError(f'target={cfg.target!r}; use one of {TARGETS}.')
  if not isinstance(cfg.restarts, int) or cfg.restarts < 1:
    raise ConfigError(f'restarts={cfg.restarts!r} must be a positive integer.')
  value_range(task)


def check_inputs(x, lo, hi, where='the inputs'):
  """DataError if x leaves [lo, hi] (the attack would clip real data)."""
  x_min, x_max = float(np.min(x)), float(np.max(x))
  if x_min < lo - 1e-6 or x_max > hi + 1e-6:
    raise DataError(f'{where} lie in [{x_min:.3g}, {x_max:.3g}], outside the declared value range '
                    f'[{lo}, {hi}]; attack raw inputs as the dataset gives them (the task '
                    'normalises inside predict), or fix the dataset\'s Info.value_range.')


def arrays_of(data, split, limit, lo, hi):
  arrays = common.split(data, split, 'adversarial')
  if limit:
    arrays = {k: v[:limit] for k, v in arrays.items()}
  check_inputs(arrays['x'], lo, hi, f'the {split} inputs')
  return arrays


def target_of(logits_BxK, y_B, target):
  if target == 'next':
    return (y_B + 1) % logits_BxK.shape[-1]
  return jnp.argmin(logits_BxK, -1)


def sums_fn(task, attack, norm='linf', steps=20, restarts=1, step_size=0.0, targeted=False,
            target='next', loss='ce', seed=0, transform=None):
  """A jitted fn(state, batch, eps) -> sums of correct, clean-correct, target hits and count.
  `transform(x)` (optional) is applied in front of the model (e.g. a defence like quantisation)."""
  lo, hi = value_range(task)

  def fn(state, batch, eps):
    def logits_fn(x):
      return task.predict(state, transform(x) if transform else x)
    x, y, m = batch['x'], batch['y'].astype(jnp.int32), batch['mask'].astype(jnp.float32)
    clean = logits_fn(x)
    goal = target_of(clean, y, target) if targeted else y
    x_adv = attacks.run(attack, logits_fn, x, goal, jax.random.key(seed), eps, norm, steps,
                        restarts, targeted, loss, lo, hi, step_size or None)
    pred = jnp.argmax(logits_fn(jax.lax.stop_gradient(x_adv)), -1)
    return {'correct': jnp.sum((pred == y) * m), 'clean': jnp.sum((clean.argmax(-1) == y) * m),
            'target': jnp.sum((pred == goal) * m), 'count': jnp.sum(m)}
  return jax.jit(fn)


def measure(task, state, arrays, fn, eps, batch_size=0) -> dict:
  eps = jnp.float32(eps)
  total = common.sums(task, state, arrays, lambda s, b: fn(s, b, eps), batch_size)
  n = float(total['count'])
  return {'accuracy': float(total['correct']) / n, 'clean_accuracy': float(total['clean']) / n,
          'target_rate': float(total['target']) / n}


def evaluate(task, state, data, cfg):
  lo, hi = value_range(task)
  arrays = arrays_of(data, cfg.split, cfg.limit, lo, hi)
  key = ('adversarial', cfg.attack, cfg.norm, cfg.steps, cfg.restarts, cfg.step_size,
         cfg.targeted, cfg.target, cfg.loss, cfg.seed)
  fn = common.cached(task, key, lambda: sums_fn(task, cfg.attack, cfg.norm, cfg.steps,
                                                 cfg.restarts, cfg.step_size, cfg.targeted,
                                                 cfg.target, cfg.loss, cfg.seed))
  out = measure(task, state, arrays, fn, cfg.eps, cfg.batch_size)
  if not cfg.targeted:
    out.pop('target_rate')
  return out
