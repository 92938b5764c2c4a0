"""Gradient-flow diagnostics: per-layer gradient norms and hidden-unit symmetry of MLPs, and the
gradient reaching each hidden state of a recurrent net.

The notes (backprop section, l.360-388 and section 2.4) ask that gradients flow "at approximately
the same speeds across the network": with saturating activations or badly scaled initial weights
the backpropagated error dE/da_l = sigma'(a_l) * (W_{l+1} dE/da_{l+1}) shrinks (or grows) by a
roughly constant factor per layer, so ||dL/dW_l|| = ||z_{l-1}^T dE/da_l|| is orders of magnitude
apart between the first and the last layers. And identical initial weights give identical updates:
every hidden unit of a layer stays a copy of the others (symmetry is never broken).
"""
import functools
import re

import jax
import jax.numpy as jnp
import numpy as np


def _natural_key(path: str):
  """'Dense_10' sorts after 'Dense_9' (digits compared as numbers)."""
  return [int(t) if t.isdigit() else t for t in re.split(r'(\d+)', path)]


def _unwrap(params):
  """Accepts either the 'params' collection or the whole variables dict {'params': ...}."""
  if hasattr(params, 'keys') and set(params.keys()) == {'params'}:
    return params['params']
  return params


def dense_kernels(params) -> list:
  """[(path, kernel, bias or None)] of every Dense layer (a dict with a 2-D 'kernel'), in depth
  order: flax names them Dense_0, Dense_1, ... in call order, sorted here numerically."""
  found = []

  def visit(node, path):
    if not hasattr(node, 'keys'):
      return
    kernel = node.get('kernel')
    if kernel is not None and getattr(kernel, 'ndim', 0) == 2:
      found.append(('/'.join(path), kernel, node.get('bias')))
    for key in node.keys():
      if key not in ('kernel', 'bias'):
        visit(node[key], path + (str(key),))

  visit(_unwrap(params), ())
  return sorted(found, key=lambda item: _natural_key(item[0]))


@functools.partial(jax.jit, static_argnums=(0, 3))
def _loss_and_grads(model, params, batch, loss_fn):
  def objective(p):
    out = model.apply({'params': p}, batch['x'], train=False)
    return jnp.mean(loss_fn(out, batch['y']))

  return jax.value_and_grad(objective)(params)


def layer_grads(model, params, batch, loss_fn):
  """(loss, [dL/dW_l]) for the Dense kernels in depth order; L = mean loss_fn(model(x), y).

  Compiled once per (model, loss_fn, shapes): model and loss_fn must be hashable (linen modules
  with tuple fields and plain functions are).
  """
  batch = {'x': batch['x'], 'y': batch['y']}
  loss, grads = _loss_and_grads(model, _unwrap(params), batch, loss_fn)
  return loss, [g for _, g, _ in dense_kernels(grads)]


def layer_grad_norms(model, params, batch, loss_fn) -> list:
  """[||dL/dW_l||_F for each Dense layer l, input side first], L = mean loss_fn(model(x), y).

  model: a linen module called as model.apply({'params': params}, x, train=False) (dropout off);
  params: its 'params' collection (or the variables dict holding it); batch: {'x', 'y'};
  loss_fn(outputs, y): per-example (or mean) loss, e.g. optax.softmax_cross_entropy_with_integer_labels.
  Only the kernels count (not the biases). The norms are taken in float64 on the host: in float32
  the squares of gradients below ~1e-19 underflow, and a small but nonzero gradient would read 0.
  """
  _, grads = layer_grads(model, params, batch, loss_fn)
  return [float(np.linalg.norm(np.asarray(g, np.float64))) for g in grads]


def unit_spreads(params, include_output: bool = False) -> list:
  """Per Dense layer: the largest std, across the layer's units, of one incoming weight (or bias).

  A unit's incoming weights are a column of the kernel (n_in, n_out) plus its bias; the std runs
  across the n_out columns, for every row, and the max over rows is kept. 0 means every unit of the
  layer is an exact copy of the others. The read-out layer is left out unless include_output: its
  units are the classes, which get different errors and so always differ.
  """
  layers = dense_kernels(params)
  if not include_output:
    layers = layers[:-1]
  spreads = []
  for _, kernel, bias in layers:
    incoming = np.asarray(kernel, np.float64)
    if bias is not None:
      incoming = np.concatenate([incoming, np.asarray(bias, np.float64)[None, :]], axis=0)
    spreads.append(float(incoming.std(axis=1).max()))
  return spreads


def hidden_unit_spread(params) -> float:
  """max over the hidden layers of `unit_spreads`: 0 iff in every hidden layer all units have
  identical incoming weights and bias (the symmetric network that constant init gives; SGD keeps it
  so, while dropout, whose masks differ per unit, would break it)."""
  spreads = unit_spreads(params)
  return max(spreads) if spreads else 0.0


def hidden_state_grad_norms(cell, params, carry, x_BxTxD, loss_fn):
  """||dL/dh_t|| for every t, L = loss_fn(h_T) after unrolling a recurrent `cell` (a linen module
  with the (carry, x_t) -> (carry, y_t) signature, e.g. dljax.models.rnn.GRUCell) over x_BxTxD.

  A zero perturbation e_t is added to the hidden state after step t (h_t + e_t, for LSTM the h of
  (c, h)); dL/de_t at e = 0 is dL/dh_t. Returns the per-example mean of the norms, shape (T,).
  """
  def total(eps_TxBxH):
    c = carry
    for t in range(x_BxTxD.shape[1]):
      c, _ = cell.apply({'params': params}, c, x_BxTxD[:, t])
      c = (c[0], c[1] + eps_TxBxH[t]) if isinstance(c, tuple) else c + eps_TxBxH[t]
    h_last = c[1] if isinstance(c, tuple) else c
    return loss_fn(h_last)

  b, t = x_BxTxD.shape[:2]
  h0 = carry[1] if isinstance(carry, tuple) else carry
  g_TxBxH = jax.grad(total)(jnp.zeros((t, b, h0.shape[-1])))
  return jnp.sqrt(jnp.sum(g_TxBxH ** 2, axis=-1)).mean(axis=1)


def layer_activation_stds(model, variables, x) -> list:
  """[std of a_l] for the output a_l = z_{l-1} W_l + b_l of every Dense layer, in depth order, on
  inputs x in evaluation mode: the forward-signal counterpart of layer_grad_norms (with He init
  and ReLU, Var(a_l) stays about Var(a_1) layer after layer; too small / large init shrinks /
  grows it by a constant factor per layer)."""
  _, state = model.apply(variables, x, train=False, capture_intermediates=True, mutable=True)
  outs = []

  def visit(node, path):
    for key in node.keys():
      if key == '__call__' and path and path[-1].startswith('Dense'):
        outs.append(('/'.join(path), node[key][0]))
      elif hasattr(node[key], 'keys'):
        visit(node[key], path + (str(key),))

  visit(state['intermediates'], ())
  return [float(jnp.std(a)) for _, a in sorted(outs, key=lambda item: _natural_key(item[0]))]
