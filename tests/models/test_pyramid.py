"""Laplacian pyramid: exact reconstruction for odd and even sizes, the level sizes, the blur and
expand invariants, and Burt's histogram entropy."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.models import pyramid, upsample


@pytest.mark.parametrize('h,w', [(28, 28), (31, 17)])  # even, odd
def test_reconstruction_is_exact(h, w):
  x = jax.random.uniform(jax.random.PRNGKey(0), (2, h, w, 3))
  levels = jax.jit(lambda x: pyramid.build(x, 3))(x)
  sizes = [(h, w)]
  for _ in range(3):
    sizes.append((-(-sizes[-1][0] // 2), -(-sizes[-1][1] // 2)))  # ceil(H / 2)
  assert [lv.shape[1:3] for lv in levels] == sizes
  np.testing.assert_allclose(jax.jit(pyramid.reconstruct)(levels), x, atol=1e-6)  # float precision


def test_blur_and_expand_keep_constants():
  c = jnp.full((1, 9, 8, 1), 0.7)
  np.testing.assert_allclose(pyramid.blur(c), c, rtol=1e-6)  # binomial taps sum to 1
  np.testing.assert_allclose(pyramid.expand(pyramid.reduce(c), (9, 8)), c, rtol=1e-6)  # the 4x
  # so a constant image has all-zero band-pass levels and its value in the residual
  levels = pyramid.build(c, 2)
  assert all(float(jnp.abs(lv).max()) < 1e-6 for lv in levels[:-1])
  np.testing.assert_allclose(levels[-1], 0.7, rtol=1e-6)


def test_histogram_entropy():
  assert pyramid.histogram_entropy(np.full(100, 0.3)) == 0.0
  assert pyramid.histogram_entropy(np.array([0.0, 1.0] * 50)) == pytest.approx(1.0)
  uniform = np.arange(256) / 255.0  # every 8-bit grey level once
  assert pyramid.histogram_entropy(uniform) == pytest.approx(8.0)


def test_band_pass_level_of_a_smooth_image_has_lower_entropy():
  """Burt's point: neighbouring pixels are correlated, so L_0 is peaked near 0."""
  coarse = jax.random.uniform(jax.random.PRNGKey(0), (4, 8, 8, 1))
  smooth = np.round(np.asarray(upsample.bilinear(coarse, 8)) * 255) / 255  # 64x64, 8-bit
  l0 = pyramid.build(jnp.asarray(smooth), 1)[0]
  assert pyramid.histogram_entropy(l0) < pyramid.histogram_entropy(smooth) - 2.0
