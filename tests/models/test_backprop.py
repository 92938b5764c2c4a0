"""dljax/models/backprop.py: the hand-written chain rule equals jax.grad of the flax MLP, and the
notes' local derivatives (the erratum) do not."""
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from dljax.models import backprop
from dljax.models.mlp import MLP


def _setup(act, num_outputs, seed=0, batch=7, dim=5):
  model = MLP(hidden=(6, 4, 3), num_outputs=num_outputs, act=act)
  kx, ky, kp = jax.random.split(jax.random.key(seed), 3)
  x_BxD = jax.random.normal(kx, (batch, dim), jnp.float64)
  params = model.init(kp, x_BxD)['params']
  params = jax.tree.map(lambda p: p + 0.1 * jax.random.normal(ky, p.shape, p.dtype), params)  # b != 0
  return model, params, x_BxD


@pytest.mark.parametrize('act', sorted(backprop.DERIVATIVES))
def test_softmax_gradients_match_jax_grad(act):
  with jax.enable_x64(True):
    model, params, x_BxD = _setup(act, num_outputs=4)
    y_B = jnp.array([0, 1, 2, 3, 0, 1, 2])

    def loss(p):
      return optax.softmax_cross_entropy_with_integer_labels(model.apply({'params': p}, x_BxD),
                                                              y_B).mean()
    e, grads = backprop.loss_and_grads(params, x_BxD, y_B, act, 'softmax')
    e_ref, grads_ref = jax.value_and_grad(loss)(params)
    assert grads['Dense_0']['kernel'].dtype == jnp.float64
    np.testing.assert_allclose(e, e_ref, rtol=1e-12)
    assert jax.tree.structure(grads) == jax.tree.structure(grads_ref)
    for g, g_ref in zip(jax.tree.leaves(grads), jax.tree.leaves(grads_ref)):
      np.testing.assert_allclose(g, g_ref, atol=1e-6, rtol=1e-6)
      assert np.abs(g_ref).max() > 0 or act == 'relu'  # a real gradient, not zeros on both sides


@pytest.mark.parametrize('act', ['tanh', 'sigmoid'])
def test_mse_gradients_match_jax_grad(act):
  with jax.enable_x64(True):
    model, params, x_BxD = _setup(act, num_outputs=1, seed=1)
    y_B = jnp.sin(x_BxD[:, 0])

    def loss(p):
      return jnp.mean((model.apply({'params': p}, x_BxD) - y_B) ** 2)  # MLP squeezes one output
    e, grads = backprop.loss_and_grads(params, x_BxD, y_B, act, 'mse')
    np.testing.assert_allclose(e, loss(params), rtol=1e-12)
    for g, g_ref in zip(jax.tree.leaves(grads), jax.tree.leaves(jax.grad(loss)(params))):
      np.testing.assert_allclose(g, g_ref, atol=1e-6, rtol=1e-6)


def test_forward_is_the_flax_mlp():
  with jax.enable_x64(True):
    model, params, x_BxD = _setup('tanh', num_outputs=3)
    f_BxK, cache = backprop.forward(backprop.dense_layers(params), x_BxD, 'tanh')
    np.testing.assert_allclose(f_BxK, model.apply({'params': params}, x_BxD), rtol=1e-12)
    assert len(cache) == 4 and cache[0][0] is x_BxD


def test_local_derivatives_and_the_notes_erratum():
  """One neuron b fed by a: z_b = sigma(z_a w_ab + b_b). dz_b/dw_ab = sigma'(a_b) z_a and
  dz_b/dz_a = sigma'(a_b) w_ab (jax.grad); the notes' w_ab and sigma'(a_b) z_a are each wrong."""
  with jax.enable_x64(True):
    z_a, w_ab, b_b = 0.7, -1.3, 0.2
    a_b = z_a * w_ab + b_b
    sigma_prime = backprop.DERIVATIVES['tanh'](jnp.float64(a_b))

    def z_b(z, w):
      return jnp.tanh(z * w + b_b)
    dz_dz, dz_dw = jax.grad(z_b, argnums=(0, 1))(z_a, w_ab)
    np.testing.assert_allclose(dz_dw, sigma_prime * z_a, rtol=1e-12)   # corrected form
    np.testing.assert_allclose(dz_dz, sigma_prime * w_ab, rtol=1e-12)  # corrected form
    assert abs(dz_dw - w_ab) > 0.5  # the notes' dz_b/dw_ab = w_ab
    assert abs(dz_dz - sigma_prime * z_a) > 0.5  # the notes' dz_l/dz_k = sigma'(.) z_k


def test_unknown_loss_is_refused():
  with pytest.raises(ValueError, match='softmax or mse'):
    backprop.output_delta(jnp.zeros((2, 3)), jnp.zeros(2, jnp.int32), 'hinge')
