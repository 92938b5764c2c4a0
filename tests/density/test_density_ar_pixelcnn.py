"""PixelCNN masks: causality and the blind spot (with gradients), the discretised logistic mixture
normalises over 256 bins, bits/dim, bad mask types refused before anything is compiled."""
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.errors import ConfigError
from dljax.models import pixelcnn as P


def _dependencies(model, hw=8):
  """dep[i, j]: d(output at pixel i) / d(input pixel j) != 0, raster order."""
  k = jnp.asarray(np.random.default_rng(0).integers(0, 256, (1, hw, hw)), jnp.float32)
  v = model.init(jax.random.PRNGKey(0), k)
  jac = jax.jacrev(lambda kk: model.apply(v, kk)[0].sum(-1).reshape(-1))(k)
  return np.abs(np.asarray(jac).reshape(hw * hw, hw * hw)) > 0


@pytest.mark.parametrize('gated', [False, True])
def test_no_output_depends_on_the_same_or_a_later_pixel(gated):
  dep = _dependencies(P.PixelCNN(channels=8, num_layers=6, gated=gated, image_shape=(8, 8)))
  assert not np.triu(dep).any()  # j >= i never reaches output i
  assert dep[10, :10].any()


def test_gated_stacks_remove_the_blind_spot():
  lower = np.tril(np.ones((64, 64), bool), -1)
  plain = _dependencies(P.PixelCNN(channels=8, num_layers=6, image_shape=(8, 8)))
  gated = _dependencies(P.PixelCNN(channels=8, num_layers=6, gated=True, image_shape=(8, 8)))
  assert (gated == lower).all()  # every earlier pixel is seen
  assert (~plain & lower).sum() > 0  # the plain stack misses pixels up-right of i


def test_transformer_is_causal():
  t = P.PixelTransformer(d_model=16, num_heads=2, num_layers=2, image_shape=(4, 4))
  k = jnp.asarray(np.random.default_rng(1).integers(0, 256, (1, 4, 4)))
  v = t.init(jax.random.PRNGKey(0), k)
  base = np.asarray(t.apply(v, k)).reshape(16, -1)
  for i in range(16):
    k2 = k.reshape(-1).at[i].set((k.reshape(-1)[i] + 100) % 256).reshape(1, 4, 4)
    out = np.asarray(t.apply(v, k2)).reshape(16, -1)
    np.testing.assert_array_equal(out[:i + 1], base[:i + 1])


def test_logistic_mixture_normalises_over_256_bins():
  params = jnp.asarray(np.random.default_rng(2).normal(size=(50, 15)) * 2.0, jnp.float32)
  p = np.exp(np.asarray(P.bin_log_probs('logistic_mixture', params), np.float64)).sum(-1)
  np.testing.assert_allclose(p, 1.0, atol=1e-5)


def test_bits_per_dim():
  assert P.bits_per_dim(784 * math.log(256.0), 784) == pytest.approx(8.0)
  assert P.uniform_bits_per_dim() == 8.0
  np.testing.assert_array_equal(P.discretize(jnp.asarray([0.0, 1 / 255, 1.0])), [0, 1, 255])


@pytest.mark.parametrize('types, match', [('ABAB', 'only to the\n?.*first layer|belongs only'),
                                          ('BBBB', 'first layer must be'), ('AB', 'one of A/B')])
def test_bad_mask_types_refused_before_compiling(types, match):
  with pytest.raises(ConfigError, match=match):
    P.PixelCNN(num_layers=4, mask_types=types)
