r"""Backpropagation written out by hand for dljax.models.mlp.MLP (seed 003, l.360-388).

Forward pass, layer l = 1..L, in the notes' symbols (z_0 = x; the last layer has no activation):
  a_j = sum_i z_i w_ij + b_j          (a^l = z^{l-1} W^l + b^l)
  z_j = sigma(a_j)                    (z^l = sigma(a^l), l < L;  f(x) = a^L)

Backward pass: the chain rule over the graph of neurons,
  dE/dz_k = sum_{l receives from k} dE/dz_l * dz_l/dz_k,
evaluated from the output back, each intermediate result used once ("dynamic programming").
With delta_j = dE/da_j, the local derivatives are
  da_j/dw_ij = z_i,      da_j/db_j = 1,      da_j/dz_i = w_ij,      dz_j/da_j = sigma'(a_j),
so that
  dz_l/dz_k   = sigma'(a_l) * w_kl          (the notes write sigma'(sum_j w_j z_j) * z_k: wrong)
  dz_b/dw_ab  = sigma'(a_b) * z_a           (the notes write w_ab: wrong)
and layer by layer (B examples, E the mean loss over the batch):
  delta^L     = dE/df                                       (softmax CE: (softmax(f) - onehot(y)) / B;
                                                             squared error: 2 (f - y) / B)
  dE/dW^l     = (z^{l-1})^T delta^l,     dE/db^l = sum_batch delta^l
  delta^{l-1} = (delta^l (W^l)^T) * sigma'(a^{l-1}).
tests/models/test_backprop.py checks every gradient against jax.grad of the flax MLP.
"""
import jax
import jax.numpy as jnp

# sigma'(a) of each activation of dljax.models.layers.activation that the MLP uses
DERIVATIVES = {
    'identity': lambda a: jnp.ones_like(a),
    'relu': lambda a: (a > 0).astype(a.dtype),  # 0 at a = 0, as jax.grad of nn.relu
    'leaky_relu': lambda a: jnp.where(a >= 0, 1.0, 0.01).astype(a.dtype),  # jax: slope 1 at 0
    'sigmoid': lambda a: jax.nn.sigmoid(a) * (1 - jax.nn.sigmoid(a)),  # s(a) (1 - s(a))
    'tanh': lambda a: 1 - jnp.tanh(a) ** 2,
}
ACTIVATIONS = {
    'identity': lambda a: a, 'relu': jax.nn.relu, 'leaky_relu': lambda a: jax.nn.leaky_relu(a, 0.01),
    'sigmoid': jax.nn.sigmoid, 'tanh': jnp.tanh,
}


def dense_layers(params) -> list:
  """The MLP's Dense layers [(W^l_{n_{l-1} x n_l}, b^l_{n_l})] in depth order (Dense_0, Dense_1,
  ...), from its 'params' collection or its whole variables dict."""
  params = params.get('params', params)
  names = sorted(params, key=lambda n: int(n.rsplit('_', 1)[1]))
  return [(params[n]['kernel'], params[n]['bias']) for n in names]


def forward(layers, x_BxD, act: str):
  """f(x) and the cache [(z^{l-1}, a^l)] of every layer for the backward pass. f is B x n_L."""
  sigma = ACTIVATIONS[act]
  z_BxN, cache = x_BxD, []
  for l, (w_NxM, b_M) in enumerate(layers):
    a_BxM = z_BxN @ w_NxM + b_M[None, :]  # a_j = sum_i z_i w_ij + b_j
    cache.append((z_BxN, a_BxM))
    z_BxN = a_BxM if l == len(layers) - 1 else sigma(a_BxM)  # z_j = sigma(a_j); linear read-out
  return z_BxN, cache


def backward(layers, cache, delta_BxK, act: str) -> list:
  """[(dE/dW^l, dE/db^l)] from delta^L = dE/df (B x n_L) by the chain rule of the module docstring."""
  sigma_prime = DERIVATIVES[act]
  grads = []
  for l in range(len(layers) - 1, -1, -1):
    w_NxM, _ = layers[l]
    z_prev_BxN, _ = cache[l]
    grads.append((z_prev_BxN.T @ delta_BxK,  # dE/dw_ij = sum_batch z_i delta_j  (da_j/dw_ij = z_i)
                  delta_BxK.sum(0)))  # dE/db_j = sum_batch delta_j            (da_j/db_j = 1)
    if l > 0:
      _, a_prev_BxN = cache[l - 1]
      # delta_k = sigma'(a_k) sum_j w_kj delta_j  (dz_j/dz_k = sigma'(a_j) w_kj, one layer down)
      delta_BxK = (delta_BxK @ w_NxM.T) * sigma_prime(a_prev_BxN)
  return grads[::-1]


def output_delta(f_BxK, y_B, loss: str):
  """delta^L = dE/df of the mean loss E over the batch: 'softmax' cross-entropy with integer labels
  (softmax(f) - onehot(y)) / B, or 'mse' (f - y)^2 on one output, 2 (f - y) / B."""
  batch = f_BxK.shape[0]
  if loss == 'softmax':
    return (jax.nn.softmax(f_BxK) - jax.nn.one_hot(y_B, f_BxK.shape[1], dtype=f_BxK.dtype)) / batch
  if loss == 'mse':
    return 2 * (f_BxK - y_B[:, None]) / batch
  raise ValueError(f'loss {loss!r} is unknown; use softmax or mse.')


def loss_and_grads(params, x_BxD, y_B, act: str, loss: str = 'softmax'):
  """E (the mean loss) and dE/dparams in the flax layout of `params` ({'Dense_l': {'kernel',
  'bias'}}), computed by forward() and backward() without autodiff."""
  layers = dense_layers(params)
  f_BxK, cache = forward(layers, x_BxD, act)
  if loss == 'softmax':
    e = -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(f_BxK), y_B[:, None], 1))
  else:
    e = jnp.mean((f_BxK[:, 0] - y_B) ** 2)
  grads = backward(layers, cache, output_delta(f_BxK, y_B, loss), act)
  return e, {f'Dense_{l}': {'kernel': dw, 'bias': db} for l, (dw, db) in enumerate(grads)}
