"""SAM-lite units: mask IoU (not the notes' box IoU), the min-over-masks loss's gradient, the IoU
head's constant targets, the model's shapes and prompt handling, and the generated data's promises
(deterministic per index, the target one of the valid masks, nested readings for ambiguous points)."""
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest

from dljax.data.datasets import shapes_prompts as sp
from dljax.errors import ConfigError
from dljax.models import sam as sam_lib
from dljax.train.tasks import promptable


def _square(lo, hi, size=8):
  m = np.zeros((size, size), np.uint8)
  m[lo:hi, lo:hi] = 1
  return m


def test_mask_iou_and_box_iou_differ_on_a_ring():
  ring = _square(0, 8) - _square(2, 6)  # a square outline: its box is the whole image
  full = _square(0, 8)
  a, b = jnp.asarray(ring[None]), jnp.asarray(full[None])
  np.testing.assert_allclose(promptable.mask_iou(a, b), [ring.sum() / 64])  # 48 / 64
  np.testing.assert_allclose(promptable.box_iou(a, b), [1.0])  # the erratum: boxes hide the hole
  empty = jnp.zeros((1, 8, 8), jnp.uint8)
  np.testing.assert_allclose(promptable.mask_iou(empty, empty), [1.0])
  np.testing.assert_allclose(promptable.mask_iou(b, empty), [0.0])


def test_min_over_masks_sends_the_gradient_to_the_best_mask_only():
  y = jnp.asarray(_square(2, 6)[None])
  logits = jnp.stack([jnp.where(y[0] > 0, 5.0, -5.0), jnp.zeros((8, 8)), -jnp.ones((8, 8))])[None]

  def loss(l):
    return jnp.mean(promptable.min_over_masks(promptable.mask_losses(l, y))[0])
  g = jax.grad(loss)(logits)
  _, best = promptable.min_over_masks(promptable.mask_losses(logits, y))
  assert int(best[0]) == 0
  assert float(jnp.abs(g[0, 0]).sum()) > 0
  assert float(jnp.abs(g[0, 1:]).sum()) == 0.0


def test_iou_targets_are_constants():
  y = jnp.asarray(_square(2, 6)[None])
  logits = jax.random.normal(jax.random.key(0), (1, 3, 8, 8))
  g = jax.grad(lambda l: jnp.sum(promptable.iou_targets(l, y)))(logits)
  assert float(jnp.abs(g).sum()) == 0.0


def _model(num_masks=3):
  return sam_lib.SAM(image_size=16, patch=4, dim=32, num_heads=4, mlp_dim=64, encoder_depth=1,
                     decoder_depth=1, num_masks=num_masks)


@pytest.mark.parametrize('num_masks', [1, 3])
def test_sam_shapes(num_masks):
  model = _model(num_masks)
  x = jnp.zeros((2, 16, 16, 1))
  points = jnp.array([[[3.5, 4.5], [0.0, 0.0]], [[1.0, 1.0], [9.0, 12.0]]])
  labels = jnp.array([[sp.POINT, sp.PAD], [sp.BOX_TL, sp.BOX_BR]])
  variables = model.init(jax.random.key(0), x, points, labels)
  logits, iou = model.apply(variables, x, points, labels)
  assert logits.shape == (2, num_masks, 16, 16) and iou.shape == (2, num_masks)


def test_padding_points_do_not_depend_on_their_coordinates():
  model = _model()
  x = jax.random.uniform(jax.random.key(1), (1, 16, 16, 1))
  labels = jnp.array([[sp.POINT, sp.PAD]])
  variables = model.init(jax.random.key(0), x, jnp.zeros((1, 2, 2)), labels)
  a = model.apply(variables, x, jnp.array([[[3.5, 4.5], [0.0, 0.0]]]), labels)[0]
  b = model.apply(variables, x, jnp.array([[[3.5, 4.5], [11.0, 2.0]]]), labels)[0]
  np.testing.assert_allclose(a, b, atol=1e-6)


def test_bad_model_sizes_are_refused():
  with pytest.raises(ConfigError, match='patch=4'):
    sam_lib.SAM(patch=8).check()
  with pytest.raises(ConfigError, match='num_masks'):
    sam_lib.SAM(num_masks=0).check()


def test_prompted_data_is_deterministic_and_the_target_is_a_valid_mask():
  cfg = ml_collections.ConfigDict(dict(name='shapes_prompts', data_seed=3, num_test=40))
  a, b = sp.load(cfg, 'test'), sp.load(cfg, 'test')
  for k in a:
    np.testing.assert_array_equal(a[k], b[k])
  assert a['x'].shape == (40, 32, 32, 1)
  for i in range(40):
    n = int(a['num_valid'][i])
    assert any(np.array_equal(a['y'][i], a['valid'][i, j]) for j in range(n))
    assert bool(a['ambiguous'][i]) == (n > 1)
    if n > 1:  # nested readings: each valid mask contains the next
      for j in range(n - 1):
        big, small = a['valid'][i, j].astype(bool), a['valid'][i, j + 1].astype(bool)
        assert (small & ~big).sum() == 0 or (big & ~small).sum() == 0
  assert 0 < a['ambiguous'].mean() < 1  # both kinds occur
