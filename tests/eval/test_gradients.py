"""dljax.eval.gradients: vanishing gradients, symmetry (never) broken, norms against jax.grad."""
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from dljax import optim
from dljax.eval import gradients
from dljax.models import mlp

jax.config.update('jax_numpy_rank_promotion', 'raise')

LOSS = optax.softmax_cross_entropy_with_integer_labels


def random_batch(n=64, dim=32, classes=10, seed=0):
  kx, ky = jax.random.split(jax.random.key(seed))
  return {'x': jax.random.uniform(kx, (n, dim)), 'y': jax.random.randint(ky, (n,), 0, classes)}


def init(model, batch, seed=0):
  return jax.jit(model.init)(jax.random.PRNGKey(seed), batch['x'][:2])['params']


def sgd_train(model, params, batch, steps, lr=0.1):
  tx = optim.sgd(lr)

  @jax.jit
  def step(params, opt_state):
    grads = jax.grad(lambda p: LOSS(model.apply({'params': p}, batch['x']), batch['y']).mean())(params)
    updates, opt_state = tx.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state

  opt_state = tx.init(params)
  for _ in range(steps):
    params, opt_state = step(params, opt_state)
  return params


def test_dense_kernels_in_depth_order_past_ten_layers():
  batch = random_batch(dim=5)
  model = mlp.MLP(hidden=(7,) * 11, num_outputs=3)
  shapes = [k.shape for _, k, _ in gradients.dense_kernels(init(model, batch))]
  assert shapes == [(5, 7)] + [(7, 7)] * 10 + [(7, 3)]  # Dense_10, Dense_11 after Dense_9


def test_sigmoid_too_small_vanishes_relu_he_does_not():
  batch = random_batch()
  deep = dict(hidden=(64,) * 10)
  model = mlp.MLP(**deep, act='sigmoid', init_scheme='too_small')
  vanishing = gradients.layer_grad_norms(model, init(model, batch), batch, LOSS)
  model = mlp.MLP(**deep, act='relu', init_scheme='he')
  healthy = gradients.layer_grad_norms(model, init(model, batch), batch, LOSS)
  assert len(vanishing) == len(healthy) == 11
  assert all(np.isfinite(vanishing)) and all(n > 0 for n in vanishing)  # small, not flushed to 0
  assert vanishing[0] / vanishing[-1] < 1e-3  # measured ~1e-26 (a factor ~500 per layer)
  assert vanishing == sorted(vanishing)  # shrinks layer after layer towards the input
  assert 1e-2 < healthy[0] / healthy[-1] < 1e2  # measured ~4


@pytest.mark.parametrize('act', ['tanh', 'relu'])
def test_constant_init_never_breaks_symmetry(act):
  batch = random_batch()
  model = mlp.MLP(hidden=(16, 16, 16), act=act, init_scheme='constant')
  params0 = init(model, batch)
  assert gradients.hidden_unit_spread(params0) == 0.0
  params = sgd_train(model, params0, batch, steps=50)
  moved = max(float(jnp.abs(k - k0).max()) for (_, k, _), (_, k0, _) in
              zip(gradients.dense_kernels(params)[:-1], gradients.dense_kernels(params0)[:-1]))
  assert moved > 1e-4  # the hidden weights did train ...
  assert gradients.hidden_unit_spread(params) < 1e-6  # ... but every unit stayed a copy
  assert gradients.unit_spreads(params, include_output=True)[-1] > 1e-4  # the classes do differ


def test_he_init_is_asymmetric_and_stays_so():
  batch = random_batch()
  he = mlp.MLP(hidden=(16, 16, 16), act='tanh', init_scheme='he')
  he_params = init(he, batch)
  assert gradients.hidden_unit_spread(he_params) > 0.1
  assert gradients.hidden_unit_spread(sgd_train(he, he_params, batch, steps=50)) > 0.1


def test_layer_grad_norms_match_manual_grad():
  batch = random_batch(n=16, dim=6, classes=3)
  model = mlp.MLP(hidden=(8,), num_outputs=3, act='tanh', init_scheme='he')
  params = init(model, batch, seed=3)
  w0, b0 = params['Dense_0']['kernel'], params['Dense_0']['bias']
  w1, b1 = params['Dense_1']['kernel'], params['Dense_1']['bias']

  def loss(w0, w1):
    hidden = jnp.tanh(batch['x'] @ w0 + b0[None, :])
    return LOSS(hidden @ w1 + b1[None, :], batch['y']).mean()

  g0, g1 = jax.jit(jax.grad(loss, argnums=(0, 1)))(w0, w1)
  expected = [float(jnp.sqrt(jnp.sum(g0**2))), float(jnp.sqrt(jnp.sum(g1**2)))]
  np.testing.assert_allclose(gradients.layer_grad_norms(model, params, batch, LOSS), expected,
                             rtol=1e-5)
  # the variables dict {'params': ...} is accepted too
  np.testing.assert_allclose(gradients.layer_grad_norms(model, {'params': params}, batch, LOSS),
                             expected, rtol=1e-5)
