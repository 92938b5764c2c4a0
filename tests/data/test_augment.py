"""Augmentations: each op's invariants, determinism, per-example randomness, config checks,
per-channel normalisation, and TTA with one (identity) view equal to plain evaluation."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from ml_collections import ConfigDict

from dljax.data import augment
from dljax.errors import ConfigError
from dljax.train import config_check
from dljax.train.tasks.classification import Classification
from tests.helpers import assert_resume_is_bitwise_identical, load_config

KEY = jax.random.PRNGKey(0)


def _images(b=8, h=12, w=10, c=2, seed=0):
  return jnp.asarray(np.random.default_rng(seed).uniform(size=(b, h, w, c)).astype(np.float32))


def test_zero_amounts_are_identity():
  x = _images()
  np.testing.assert_array_equal(augment.shift(KEY, x, 0), x)
  np.testing.assert_array_equal(augment.rotate(KEY, x, 0.0), x)  # theta = 0: integer sample points
  np.testing.assert_array_equal(augment.noise(KEY, x, 0.0), x)
  np.testing.assert_array_equal(augment.brightness(KEY, x, 0.0), x)
  np.testing.assert_array_equal(augment.gamma(KEY, x, 0.0), x)
  np.testing.assert_allclose(augment.contrast(KEY, x, 0.0), x, atol=1e-6)


def test_flip_twice_is_identity_and_flips_about_half():
  x = _images(b=64)
  once = augment.flip(KEY, x)
  np.testing.assert_array_equal(augment.flip(KEY, once), x)  # the same key flips the same images
  flipped = np.all(np.asarray(once) == np.asarray(x[:, :, ::-1]), axis=(1, 2, 3))
  kept = np.all(np.asarray(once) == np.asarray(x), axis=(1, 2, 3))
  assert np.all(flipped | kept) and 16 < flipped.sum() < 48


def test_shift_moves_content_and_pads_with_zeros():
  x = jnp.zeros((32, 9, 9, 1)).at[:, 4, 4, 0].set(1.0)  # one bright pixel in the centre
  out = np.asarray(augment.shift(KEY, x, 2))
  assert np.all(out.sum(axis=(1, 2, 3)) == 1.0)  # the pixel moved, nothing else appeared
  pos = np.array([np.unravel_index(o[..., 0].argmax(), (9, 9)) for o in out])
  assert np.all(np.abs(pos - 4) <= 2) and len({tuple(p) for p in pos}) > 5  # differs per example
  edge = np.asarray(augment.shift(KEY, jnp.ones((8, 5, 5, 1)), 2))
  assert set(np.unique(edge)) <= {0.0, 1.0} and edge.min() == 0.0  # zeros come in from the border


def test_rotation_matches_scipy_and_keeps_mass():
  import scipy.ndimage as ndi  # pylint: disable=g-import-not-at-top
  x = np.random.default_rng(0).uniform(size=(3, 9, 9, 1)).astype(np.float32)
  theta = np.asarray(jax.random.uniform(KEY, (3,), minval=-40.0, maxval=40.0))  # as rotate draws
  out = np.asarray(augment.rotate(KEY, jnp.asarray(x), 40.0))
  for i in range(3):  # our angle turns the image clockwise on screen (rows point down): scipy's -theta
    ref = ndi.rotate(x[i, :, :, 0], -theta[i], reshape=False, order=1, mode='grid-constant')
    np.testing.assert_allclose(out[i, :, :, 0], ref, atol=1e-5)
  # a centred disc keeps its mass under rotation (no pixel leaves the image)
  yy, xx = np.mgrid[:15, :15]
  disc = jnp.asarray(((yy - 7) ** 2 + (xx - 7) ** 2 <= 9).astype(np.float32))[None, :, :, None]
  rotated = np.asarray(augment.rotate(KEY, disc, 30.0))
  assert abs(rotated.sum() - float(disc.sum())) < 0.05 * float(disc.sum())


def test_scale_matches_scipy_zoom_about_the_centre():
  import scipy.ndimage as ndi  # pylint: disable=g-import-not-at-top
  x = np.random.default_rng(1).uniform(size=(3, 11, 11, 1)).astype(np.float32)
  zoom = np.exp(np.asarray(jax.random.uniform(KEY, (3,), minval=-0.4, maxval=0.4)))  # as scale draws
  out = np.asarray(augment.scale(KEY, jnp.asarray(x), 0.4))
  c = 5.0
  for i in range(3):  # out(p) = x((p - c) / z + c): scipy's affine_transform with matrix 1/z
    ref = ndi.affine_transform(x[i, :, :, 0], np.eye(2) / zoom[i], offset=c - c / zoom[i], order=1,
                               mode='grid-constant')
    np.testing.assert_allclose(out[i, :, :, 0], ref, atol=1e-5)
  np.testing.assert_allclose(augment.scale(KEY, jnp.asarray(x), 0.0), x, atol=1e-6)


def test_brightness_contrast_gamma_ranges():
  x = _images(b=64)
  b = np.asarray(augment.brightness(KEY, x, 0.2))
  assert b.min() >= 0.0 and b.max() <= 1.0
  assert np.all(np.abs(b - np.asarray(x)) <= 0.2 + 1e-6)
  c = np.asarray(augment.contrast(KEY, x, 0.3))
  assert c.min() >= 0.0 and c.max() <= 1.0
  g = np.asarray(augment.gamma(KEY, x, 0.3))
  assert g.min() >= 0.0 and g.max() <= 1.0
  # gamma is monotone per image: the pixel order inside each image is kept
  order = lambda a: np.argsort(a.reshape(a.shape[0], -1), axis=1)
  np.testing.assert_array_equal(order(g), order(np.asarray(x)))


@pytest.mark.parametrize('name', list(augment.OPS))
def test_deterministic_given_rng_and_different_per_example(name):
  amount = True if name == 'flip' else {'shift': 2}.get(name, 0.3)
  fn = augment.build({name: amount})
  x = jnp.tile(_images(b=1), (32, 1, 1, 1))  # 32 copies of one image
  a, b = fn(KEY, x), fn(KEY, x)
  np.testing.assert_array_equal(a, b)
  per_example = {np.asarray(a[i]).tobytes() for i in range(32)}
  assert len(per_example) > 1  # each example draws its own parameters
  assert not np.array_equal(fn(jax.random.PRNGKey(1), x), a)


def test_build_checks_the_spec():
  assert augment.build({}) is None and augment.build(None) is None
  assert augment.build(dict(flip=True, noise=0.1)).names == ('flip', 'noise')
  with pytest.raises(ConfigError, match='augment.blur is not an augmentation'):
    augment.build(dict(blur=1.0))
  with pytest.raises(ConfigError, match='augment.flip=1 must be True or False'):
    augment.build(dict(flip=1))
  with pytest.raises(ConfigError, match='augment.noise=-0.1'):
    augment.build(dict(noise=-0.1))
  with pytest.raises(ConfigError, match='whole number'):
    augment.build(dict(shift=1.5))
  config = load_config('configs/vision/fmnist_augment.py', 'smoke')
  config.augment.blur = 1.0
  with pytest.raises(ConfigError, match='augment.blur'):  # refused before any data is read
    config_check.validate(config)


def test_channel_stats_normalize_to_zero_mean_unit_std():
  x = np.random.default_rng(0).normal([1.0, -2.0, 3.0], [0.5, 2.0, 1.0], (64, 5, 5, 3))
  stats = augment.channel_stats(x.astype(np.float32))
  z = np.asarray(augment.normalize(jnp.asarray(x, jnp.float32), stats))
  np.testing.assert_allclose(z.mean(axis=(0, 1, 2)), 0.0, atol=1e-5)
  np.testing.assert_allclose(z.std(axis=(0, 1, 2)), 1.0, atol=1e-4)


def test_normalisation_statistics_live_in_the_state():
  x = np.random.default_rng(1).uniform(size=(16, 28, 28, 1)).astype(np.float32)
  batch = {'x': x, 'y': np.arange(16) % 10, 'mask': np.ones(16, bool)}
  config = ConfigDict(dict(
      seed=0, data=dict(normalize=True), model=dict(name='cnn', features=(4,), dense=8, dropout=0.0),
      optim=dict(name='adam', lr=1e-3), augment=dict(shift=1, brightness=0.1)))
  task = Classification(config, total_steps=1)
  task.prepare({'x': x})
  state = task.init(KEY, batch)
  # the statistics live in the state (checkpointed with the run) and normalise train and eval input
  np.testing.assert_allclose(state.extra['norm']['mean'], x.mean(axis=(0, 1, 2)), rtol=1e-5)
  z = task.inputs(state, jnp.asarray(x))
  np.testing.assert_allclose(np.asarray(z).mean(), 0.0, atol=1e-4)


def test_augmented_normalised_run_resumes_bitwise(tmp_path):
  """The augmentation keys come from fold_in(key, step) and the statistics from the checkpoint, so
  a run that loses its last checkpoint and resumes logs exactly the same metrics."""
  def make():
    return load_config('configs/vision/fmnist_augment.py', 'smoke', **{
        'train.steps': 4, 'train.checkpoint_every': 2, 'train.eval_every': 2, 'train.log_every': 1,
        'train.async_checkpoints': False, 'data.test_limit': 200})
  assert_resume_is_bitwise_identical(make, str(tmp_path), last_step=4)
