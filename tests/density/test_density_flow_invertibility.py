"""Flows: exact invertibility, log|det| against jnp.linalg.slogdet of the Jacobian, squeeze, and the
clear error for image sizes a multi-scale flow cannot squeeze."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.errors import ConfigError
from dljax.models import flows


def _perturbed(model, x):
  p = model.init(jax.random.PRNGKey(1), x)['params']
  leaves, tree = jax.tree.flatten(p)
  keys = jax.random.split(jax.random.PRNGKey(2), len(leaves))
  return jax.tree.unflatten(tree, [a + 0.1 * jax.random.normal(k, a.shape) for a, k in zip(leaves, keys)])


def test_realnvp_inverse_and_logdet_match_slogdet():
  m = flows.RealNVP(input_shape=(4, 4, 1), scales=2, couplings=2, hidden=8, blocks=1)
  x = jax.random.uniform(jax.random.PRNGKey(0), (2, 4, 4, 1), minval=0.05, maxval=0.95)
  p = _perturbed(m, x)
  z, logdet = m.apply({'params': p}, x)
  assert z.shape == (2, 16)
  np.testing.assert_allclose(m.apply({'params': p}, z, method=m.inverse), x, atol=1e-5)
  jac = jax.jacfwd(lambda v: m.apply({'params': p}, v.reshape(1, 4, 4, 1))[0][0])(x[0].reshape(-1))
  np.testing.assert_allclose(jnp.linalg.slogdet(jac)[1], logdet[0], rtol=1e-4, atol=1e-3)


def test_flow2d_inverse_logdet_and_density_integrates_to_one():
  m = flows.Flow2D(couplings=4, hidden=16)
  x = jax.random.normal(jax.random.PRNGKey(0), (3, 2))
  p = _perturbed(m, x)
  z, logdet = m.apply({'params': p}, x)
  np.testing.assert_allclose(m.apply({'params': p}, z, method=m.inverse), x, atol=1e-5)
  for i in range(3):
    jac = jax.jacfwd(lambda v: m.apply({'params': p}, v[None])[0][0])(x[i])
    np.testing.assert_allclose(jnp.linalg.slogdet(jac)[1], logdet[i], rtol=1e-4, atol=1e-4)
  g = np.linspace(-8, 8, 401, dtype=np.float32)
  pts = np.stack(np.meshgrid(g, g), -1).reshape(-1, 2)
  mass = np.exp(np.asarray(flows.log_prob(m, p, pts))).sum() * (g[1] - g[0]) ** 2
  assert abs(mass - 1.0) < 0.02


def test_checkerboard_and_channel_masks_and_squeeze_round_trip():
  b = np.asarray(flows.mask_of('checkerboard', (4, 4, 1), 0))[..., 0]
  assert b.sum() == 8 and b[0, 0] == 0 and b[0, 1] == 1
  np.testing.assert_array_equal(flows.mask_of('channel', (2, 2, 4), 1), [0, 0, 1, 1])
  x = jnp.arange(2 * 4 * 6 * 3, dtype=jnp.float32).reshape(2, 4, 6, 3)
  s = flows.squeeze(x)
  assert s.shape == (2, 2, 3, 12)
  np.testing.assert_array_equal(flows.unsqueeze(s), x)
  np.testing.assert_array_equal(s[0, 0, 0, :3], x[0, 0, 0])  # the 2x2 block's first pixel


@pytest.mark.parametrize('shape,scales', [((28, 28, 1), 4), ((27, 28, 1), 2)])
def test_odd_sizes_a_squeeze_cannot_halve_are_refused(shape, scales):
  with pytest.raises(ConfigError, match='odd side a squeeze cannot halve'):
    flows.check_multiscale(shape, scales)
  m = flows.RealNVP(input_shape=shape, scales=scales, hidden=4, blocks=1)
  with pytest.raises(ConfigError, match='squeeze'):
    m.init(jax.random.PRNGKey(0), jnp.zeros((1,) + shape))
