"""U-Net: shapes, golden parameter counts with and without skips, the denoise and segment tasks,
and the generated shapes dataset."""
from flax import traverse_util
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax import models
from dljax.data import shapes
from dljax.errors import ConfigError
from dljax.models import unet
from dljax.train import tasks
from dljax.train.tasks import dense
from tests.helpers import load_config


def n_params(model, x_shape):
  variables = jax.eval_shape(model.init, jax.random.PRNGKey(0), jnp.zeros(x_shape))
  return sum(int(np.prod(p.shape)) for p in jax.tree.leaves(variables['params']))


def unet_params(widths, c_in, c_out, skips):
  """Counted by hand: ConvBlock(a -> b) = 9ab + 9b^2 conv weights + 2 x 2b BatchNorm scale/bias;
  ConvTranspose(a -> b, k=2) = 4ab + b; head = b c_out + c_out."""
  block = lambda a, b: 9 * a * b + 9 * b * b + 4 * b  # pylint: disable=unnecessary-lambda-assignment
  total, a = 0, c_in
  for w in widths[:-1]:
    total, a = total + block(a, w), w
  total += block(a, widths[-1])
  for lower, w in zip(widths[:0:-1], widths[-2::-1]):
    total += 4 * lower * w + w + block(2 * w if skips else w, w)
  return total + widths[0] * c_out + c_out


@pytest.mark.parametrize('path,hw,c_out,golden', [
    ('configs/vision/fmnist_unet.py', 28, 1, (117_073, 105_553)),
    ('configs/vision/shapes_unet.py', 32, 4, (117_124, 105_604)),
])
def test_golden_parameter_counts(path, hw, c_out, golden):
  for skips, count in zip((True, False), golden):
    config = load_config(path, 'cpu', **{'model.skips': skips})
    assert n_params(models.build(config.model), (1, hw, hw, 1)) == count
    assert unet_params(config.model.widths, 1, c_out, skips) == count
  # without skips only each decoder block's first conv shrinks: 9 w_l^2 weights per level
  widths = load_config(path, 'cpu').model.widths
  assert golden[0] - golden[1] == sum(9 * w * w for w in widths[:-1])


@pytest.mark.parametrize('skips', [True, False])
def test_output_shapes(skips):
  model = unet.UNet(widths=(4, 8, 16), out_channels=3, skips=skips)
  x = jax.ShapeDtypeStruct((2, 12, 20, 1), jnp.float32)
  variables = jax.eval_shape(model.init, jax.random.PRNGKey(1), x)
  assert jax.eval_shape(model.apply, variables, x).shape == (2, 12, 20, 3)


def test_no_skips_changes_only_the_decoder_input_widths():
  """skips=False keeps every layer and width; only each decoder block's first conv reads w_l instead
  of 2 w_l channels (the concatenated skip is gone)."""
  x = jax.ShapeDtypeStruct((1, 16, 16, 1), jnp.float32)
  shapes_of = lambda skips: jax.tree.map(lambda p: p.shape, jax.eval_shape(  # pylint: disable=unnecessary-lambda-assignment
      unet.UNet(widths=(4, 8, 16), skips=skips).init, jax.random.PRNGKey(1), x)['params'])
  with_skips, without = shapes_of(True), shapes_of(False)
  assert jax.tree.structure(with_skips) == jax.tree.structure(without)
  assert with_skips['dec0']['Conv_0']['kernel'] == (3, 3, 8, 4)
  assert without['dec0']['Conv_0']['kernel'] == (3, 3, 4, 4)
  assert with_skips['dec1']['Conv_0']['kernel'] == (3, 3, 16, 8)
  assert without['dec1']['Conv_0']['kernel'] == (3, 3, 8, 8)
  flat_a, flat_b = traverse_util.flatten_dict(with_skips), traverse_util.flatten_dict(without)
  assert sorted(k for k in flat_a if flat_a[k] != flat_b[k]) == [('dec0', 'Conv_0', 'kernel'),
                                                                 ('dec1', 'Conv_0', 'kernel')]


def test_bad_image_size_is_a_config_error():
  with pytest.raises(ConfigError, match='model.widths'):
    unet.UNet(widths=(4, 8, 16)).init(jax.random.PRNGKey(0), jnp.zeros((1, 30, 30, 1)))


def _task(path, **overrides):
  config = load_config(path, 'smoke', **overrides)
  return tasks.TASKS[config.task](config, total_steps=10)


def test_denoise_step_noise_comes_from_the_step_key_and_batch_stats_are_threaded():
  task = _task('configs/vision/fmnist_unet.py')
  batch = {'x': jax.random.uniform(jax.random.PRNGKey(0), (4, 8, 8, 1)), 'y': jnp.zeros(4, jnp.int32)}
  state = jax.jit(lambda k: task.init(k, batch))(jax.random.PRNGKey(0))
  step = jax.jit(task.train_step)
  new_state, a = step(state, batch, jax.random.PRNGKey(1))
  b = step(state, batch, jax.random.PRNGKey(1))[1]
  c = step(state, batch, jax.random.PRNGKey(2))[1]
  assert a['train/loss'] == b['train/loss'] and a['train/loss'] != c['train/loss']
  old, new = (s.nets['model'].model_state['batch_stats'] for s in (state, new_state))
  changed = jax.tree.map(lambda u, v: bool(jnp.any(u != v)), old, new)
  assert all(jax.tree.leaves(changed))  # every BatchNorm's running averages were updated
  noise = task.add_noise(jax.random.PRNGKey(3), jnp.zeros((64, 28, 28, 1)))
  assert abs(float(noise.std()) - 0.3) < 0.01 and abs(float(noise.mean())) < 0.01  # sigma 0.3


def test_psnr_per_image():
  clean = jnp.full((2, 4, 4, 1), 0.5)
  pred = clean + jnp.array([0.1, 0.01])[:, None, None, None]
  np.testing.assert_allclose(dense.psnr(pred, clean), [20.0, 40.0], rtol=1e-5)  # 10 log10(1/MSE)
  np.testing.assert_allclose(dense.psnr(clean + 2.0, clean), [6.0206] * 2, rtol=1e-4)  # clipped to 1


def test_denoise_eval_uses_one_fixed_noise_draw():
  task = _task('configs/vision/fmnist_unet.py')
  x = np.random.default_rng(0).uniform(size=(6, 28, 28, 1)).astype(np.float32)
  np.testing.assert_array_equal(task.noisy_test(x), task.noisy_test(x))
  assert 0.25 < float(np.std(task.noisy_test(x) - x)) < 0.35


class _FixedLogits(dense.Segment):
  """A segmenter whose prediction is given, to check the metric arithmetic."""

  def __init__(self, config, logits):
    super().__init__(config, total_steps=1)
    self.logits = logits

  def forward(self, net, x, train=False, rng=None):
    return self.logits, {}


def test_segment_iou_and_pixel_accuracy():
  config = load_config('configs/vision/shapes_unet.py', 'smoke')
  rng = np.random.default_rng(0)
  y = rng.integers(0, 4, (3, 5, 5)).astype(np.int32)
  pred = np.where(rng.uniform(size=y.shape) < 0.7, y, rng.integers(0, 4, y.shape))
  pred[2] = 3  # the third image is padding: it must not count
  task = _FixedLogits(config, jax.nn.one_hot(pred, 4))
  state = type('S', (), {'nets': {'model': None}})()
  sums = jax.device_get(task.eval_step(state, {'x': np.zeros((3, 5, 5, 1)), 'y': y,
                                               'mask': np.array([True, True, False])}))
  metrics = task.summarize(sums)
  p, t = pred[:2].ravel(), y[:2].ravel()
  iou = [np.sum((p == c) & (t == c)) / np.sum((p == c) | (t == c)) for c in range(4)]
  np.testing.assert_allclose(metrics['test/iou'], np.mean(iou), rtol=1e-6)
  np.testing.assert_allclose(metrics['test/pixel_accuracy'], np.mean(p == t), rtol=1e-6)
  np.testing.assert_allclose(metrics['test/iou_triangle'], iou[3], rtol=1e-6)


def test_shapes_dataset_is_seeded_and_labelled():
  x1, m1 = shapes.make(40, seed=3)
  x2, m2 = shapes.make(40, seed=3)
  np.testing.assert_array_equal(x1, x2)
  np.testing.assert_array_equal(m1, m2)
  assert x1.shape == (40, 32, 32, 1) and x1.dtype == np.uint8 and m1.shape == (40, 32, 32)
  assert set(np.unique(m1)) == {0, 1, 2, 3}
  assert all((m > 0).any() for m in m1)  # every image has a shape
  # shapes stand out from the background by >= 0.25 in grey level (minus the pixel noise)
  img, mask = x1[..., 0] / 255.0, m1
  for i in range(5):
    gap = abs(np.median(img[i][mask[i] > 0]) - np.median(img[i][mask[i] == 0]))
    assert gap > 0.1
  assert not np.array_equal(shapes.make(5, seed=4)[0], x1[:5])
