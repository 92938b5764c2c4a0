r"""Interval bound propagation (IBP; seed 000 M74): certified accuracy of a ReLU MLP in an l_inf ball.

The input box [x - eps, x + eps] (clipped to the pixel range, then normalised as the task does) is
propagated layer by layer in centre / radius form: for a Dense layer a = W z + b,
  c' = W c + b,   r' = |W| r                        (exact box of the affine image of a box)
and for the ReLU, [l, u] -> [relu(l), relu(u)] (monotone). At the logits the margin of the true
class y over each other class j is bounded below through the last layer's row differences,
  m_j >= (W_y - W_j) c + b_y - b_j - |W_y - W_j| r,
and the example is *certified* when every m_j > 0: no perturbation in the ball can change the
prediction. Certified accuracy is a lower bound of the true robust accuracy, and PGD accuracy an
upper bound, so certified <= PGD always (an incomplete verifier: a box that straddles the boundary
proves nothing).

  config.evals.ibp = dict(type='ibp', eps=0.1)

Metrics: certified_accuracy, clean_accuracy. Models: dljax.models.mlp.MLP with act='relu' and no
BatchNorm / LayerNorm (dropout is the identity at test time).
"""
import jax
import jax.numpy as jnp

from dljax.errors import ConfigError
from dljax.eval import adversarial, common

PARAMS = dict(eps=0.1, split='test', limit=1000, batch_size=0)
REQUIRES = ('predict',)


def check(task, cfg):
  model = task.config.model
  if model.get('name', '') != 'mlp' or model.get('act', 'relu') != 'relu' or model.get(
      'batch_norm', False) or model.get('layer_norm', False):
    raise ConfigError('ibp propagates boxes through Dense and ReLU layers only: it needs '
                      "model.name='mlp' with act='relu' and no batch_norm / layer_norm.")
  if not isinstance(cfg.eps, (int, float)) or cfg.eps < 0:
    raise ConfigError(f'eps={cfg.eps!r} must be a number >= 0.')
  adversarial.value_range(task)


def dense_layers(params) -> list:
  """[(W, b)] of the MLP's Dense_0, Dense_1, ... in order."""
  names = sorted((k for k in params if k.startswith('Dense_')), key=lambda k: int(k.split('_')[1]))
  return [(params[k]['kernel'], params[k]['bias']) for k in names]


def bounds(layers, lower, upper):
  """Boxes [l, u] of the logits of the ReLU MLP `layers` for inputs in [lower, upper] (B x D)."""
  c, r = (upper + lower) / 2.0, (upper - lower) / 2.0
  for i, (w, b) in enumerate(layers):
    c, r = c @ w + b[None], r @ jnp.abs(w)  # the affine image of the box
    if i < len(layers) - 1:
      l, u = jax.nn.relu(c - r), jax.nn.relu(c + r)  # ReLU is monotone
      c, r = (u + l) / 2.0, (u - l) / 2.0
  return c - r, c + r


def margin_lower_bounds(layers, lower, upper, y_B):
  """Lower bounds of f_y - f_j (B x K; +inf at j = y) through the last layer's row differences."""
  c, r = (upper + lower) / 2.0, (upper - lower) / 2.0
  for w, b in layers[:-1]:
    c, r = c @ w + b[None], r @ jnp.abs(w)
    l, u = jax.nn.relu(c - r), jax.nn.relu(c + r)
    c, r = (u + l) / 2.0, (u - l) / 2.0
  w, b = layers[-1]  # w: H x K
  w_y = w.T[y_B]  # B x H
  dw_BxKxH = w_y[:, None, :] - w.T[None]
  db_BxK = b[y_B][:, None] - b[None]
  lb = jnp.einsum('bkh,bh->bk', dw_BxKxH, c) + db_BxK - jnp.einsum('bkh,bh->bk',
                                                                     jnp.abs(dw_BxKxH), r)
  return jnp.where(jax.nn.one_hot(y_B, w.shape[1], dtype=bool), jnp.inf, lb)


def input_box(task, state, x, eps, lo, hi):
  """The normalised network-input box of the l_inf ball around raw x, clipped to [lo, hi]."""
  lower, upper = jnp.clip(x - eps, lo, hi), jnp.clip(x + eps, lo, hi)
  lower, upper = task.inputs(state, lower), task.inputs(state, upper)  # affine, std > 0: monotone
  flat = lambda v: v.reshape(v.shape[0], -1)
  return flat(lower), flat(upper)


def certified_B(task, state, x, y_B, eps, lo, hi):
  layers = dense_layers(state.nets['model'].params)
  lower, upper = input_box(task, state, x, eps, lo, hi)
  return jnp.all(margin_lower_bounds(layers, lower, upper, y_B) > 0, -1)


def evaluate(task, state, data, cfg):
  lo, hi = adversarial.value_range(task)
  arrays = adversarial.arrays_of(data, cfg.split, cfg.limit, lo, hi)

  def fn(state, batch, eps):
    y, m = batch['y'].astype(jnp.int32), batch['mask'].astype(jnp.float32)
    cert = certified_B(task, state, batch['x'], y, eps, lo, hi)
    clean = task.predict(state, batch['x']).argmax(-1) == y
    return {'certified': jnp.sum(cert * clean * m), 'clean': jnp.sum(clean * m),
            'count': jnp.sum(m)}
  jitted = common.cached(task, ('ibp',), lambda: jax.jit(fn))
  eps = jnp.float32(cfg.eps)
  total = common.sums(task, state, arrays, lambda s, b: jitted(s, b, eps), cfg.batch_size)
  n = float(total['count'])
  return {'certified_accuracy': float(total['certified']) / n,
          'clean_accuracy': float(total['clean']) / n}
