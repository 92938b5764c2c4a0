r"""Test-time adaptation (seed 002 §7-8.1): the notes' f: X x P_x -> Y as an interface. An adapter
sees a batch of test inputs and returns predictions; it may carry its own adaptation state from
batch to batch (online, as TENT does), but never changes the stored model: it starts from the
run's state for every test set and its result is thrown away.

  adapter = make(task, method, cfg);  a = adapter.init(state)
  a, logits_BxK = adapter.step(a, x_BxHxWxC)        (repeated over the batches of one test set)

Methods:
  none  the unadapted model (BatchNorm with its running statistics)
  bn    BatchNorm adaptation (Schneider et al. 2020; TENT's "BN" baseline): normalise with the
        statistics mu_B, sigma_B^2 of the test batch instead of the training running averages
  tent  TENT (Wang et al. 2021): bn, plus one gradient step per batch on the entropy
          H(p) = -sum_y p(y | x) log p(y | x),  averaged over the batch,
        with respect to the BatchNorm affine parameters (gamma, beta) ONLY; Adam(lr), online over
        the batches of a test set (reset for the next set)

Metrics: <method>_error (mean over the chosen corruptions and severities of the error on
Fashion-MNIST-C), <method>_err_s<k> per severity, <method>_clean_error on the clean images.

  config.evals.adapt = dict(type='adapt', methods=('none', 'bn', 'tent'), severities=(5,))

Parameters: methods, corruptions (default all 15), severities ((5,)), split ('test'), limit
(1000), batch (test batch size seen by the adapter, 200), lr (TENT's Adam step, 1e-3), seed. bn and
tent need a model with BatchNorm (batch_stats): any other model is refused with one ConfigError.
The adapted model runs BatchNorm in training mode; a model that also has dropout would drop units
(the BatchNorm models here, resnet / densenet, have none).
"""
import flax
import jax
import jax.numpy as jnp
import numpy as np
import optax

from dljax.data import corruptions as ops
from dljax.errors import ConfigError
from dljax.eval import _shift

PARAMS = dict(methods=('none', 'bn', 'tent'), corruptions=None, severities=(5,), split='test',
              limit=1000, batch=200, lr=1e-3, seed=0)
REQUIRES = ('predict',)
METHODS = ('none', 'bn', 'tent')
NEEDS_BN = ('bn', 'tent')


def has_batchnorm(state) -> bool:
  return bool(jax.tree.leaves(state.nets['model'].model_state.get('batch_stats', {})))


def check(task, cfg):
  _shift.check_softmax(task, 'adapt')
  unknown = [m for m in cfg.methods if m not in METHODS]
  if unknown:
    raise ConfigError(f'methods: {unknown[0]!r} is not an adaptation method; use some of '
                      f'{METHODS}.')
  ops.check(tuple(cfg.corruptions or ops.NAMES), tuple(cfg.severities), 'adapt')
  _shift.check_positive_int('batch', cfg.batch)


def check_state(state, methods):
  """ConfigError (before anything is compiled) if a BatchNorm method meets a model without it."""
  if any(m in NEEDS_BN for m in methods) and not has_batchnorm(state):
    raise ConfigError(f'adaptation methods {[m for m in methods if m in NEEDS_BN]} re-estimate '
                      'BatchNorm statistics, but this model has no BatchNorm layer (no '
                      "batch_stats); use methods=('none',) or a model with BatchNorm (e.g. "
                      "model.name='resnet', configs/shift/fmnist_resnet_bn.py).")


def bn_mask(params, model_state):
  """A pytree of bools like params: True for the scale / bias of every BatchNorm layer (the
  modules that own batch_stats), False elsewhere."""
  bn_modules = {path[:-1] for path in flax.traverse_util.flatten_dict(
      dict(model_state.get('batch_stats', {})))}
  flat = flax.traverse_util.flatten_dict(dict(params))
  return flax.traverse_util.unflatten_dict(
      {path: path[:-1] in bn_modules and path[-1] in ('scale', 'bias') for path in flat})


def batch_stat_logits(task, state, params, x):
  """f(x) with BatchNorm normalising by the test batch's own statistics (train-mode BN)."""
  net = state.nets['model']
  variables = {**net.model_state, 'params': params}
  out, _ = task.model.apply(variables, task.inputs(state, x), train=True,
                            mutable=['batch_stats'], rngs={'dropout': jax.random.key(0)})
  return out


def entropy(logits_BxK):
  """Mean over the batch of H(p) = -sum_y p_y log p_y."""
  logp = jax.nn.log_softmax(logits_BxK)
  return -jnp.mean(jnp.sum(jnp.exp(logp) * logp, -1))


class Adapter:
  """init(state) -> adaptation state; step(a, x) -> (a, logits). Pure: the stored state is an
  input, never an output."""

  def __init__(self, task, method, cfg):
    self.task, self.method, self.cfg = task, method, cfg
    self._step = jax.jit(getattr(self, f'_{method}'))

  def init(self, state):
    a = {'state': state}
    if self.method == 'tent':
      params = state.nets['model'].params
      mask = bn_mask(params, state.nets['model'].model_state)
      self.mask = mask  # python bools: static under jit
      self.tx = optax.adam(self.cfg.lr)
      a.update(params=params, opt=self.tx.init(params))
    return a

  def step(self, a, x):
    return self._step(a, x)

  def _none(self, a, x):
    return a, self.task.predict(a['state'], x)

  def _bn(self, a, x):
    state = a['state']
    return a, batch_stat_logits(self.task, state, state.nets['model'].params, x)

  def _tent(self, a, x):
    state, params = a['state'], a['params']
    loss = lambda p: (lambda z: (entropy(z), z))(batch_stat_logits(self.task, state, p, x))
    (_, logits), grads = jax.value_and_grad(loss, has_aux=True)(params)
    grads = jax.tree.map(lambda g, m: g if m else jnp.zeros_like(g), grads, self.mask)
    updates, opt = self.tx.update(grads, a['opt'], params)
    updates = jax.tree.map(lambda u, m: u if m else jnp.zeros_like(u), updates, self.mask)
    return dict(a, params=optax.apply_updates(params, updates), opt=opt), logits


def run_set(adapter, state, x, y, batch):
  """The error of an adapter over one test set, batches in order (the last partial batch is
  dropped only if it is smaller than 2 images, which BatchNorm cannot normalise)."""
  a = adapter.init(state)
  wrong, count = 0, 0
  for i in range(0, len(x), batch):
    xb, yb = x[i:i + batch], y[i:i + batch]
    if len(xb) < 2:
      break
    a, logits = adapter.step(a, jnp.asarray(xb))
    wrong += int(np.sum(np.asarray(logits).argmax(-1) != yb))
    count += len(xb)
  return wrong / count


def evaluate(task, state, data, cfg):
  check_state(state, cfg.methods)
  arrays = _shift.arrays(data, cfg.split, cfg.limit, 'adapt')
  x, y = arrays['x'], arrays['y'].astype(np.int64)
  names = tuple(cfg.corruptions or ops.NAMES)
  sets = {(c, s): ops.corrupt(x, c, s, cfg.seed) for c in names for s in cfg.severities}
  out = {}
  for method in cfg.methods:
    adapter = Adapter(task, method, cfg)
    out[f'{method}_clean_error'] = run_set(adapter, state, x, y, cfg.batch)
    errors = {k: run_set(adapter, state, xc, y, cfg.batch) for k, xc in sets.items()}
    out[f'{method}_error'] = float(np.mean(list(errors.values())))
    for s in cfg.severities:
      out[f'{method}_err_s{s}'] = float(np.mean([errors[(c, s)] for c in names]))
  return out
