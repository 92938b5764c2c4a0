"""Multilabel classification (seed 003 §1.2): one logistic loss per label, the metrics, the data."""
import jax.numpy as jnp
import numpy as np
import pytest

from configs.basics import multilabel
from dljax.data.datasets import shapes as shapes_data
from dljax.errors import ConfigError
from dljax.train.tasks.base import check_model
from dljax.train.tasks.classification import LOSSES, Classification


def test_multilabel_loss_is_the_sum_of_per_label_binary_cross_entropies():
  torch = pytest.importorskip('torch')
  s = np.random.default_rng(0).normal(size=(8, 3)).astype(np.float32) * 3
  y = (np.random.default_rng(1).uniform(size=(8, 3)) > 0.5).astype(np.float32)
  want = torch.nn.functional.binary_cross_entropy_with_logits(
      torch.tensor(s), torch.tensor(y), reduction='none').sum(-1).numpy()
  np.testing.assert_allclose(LOSSES['multilabel'](jnp.asarray(s), jnp.asarray(y)), want, rtol=1e-5)


def test_hamming_accuracy_exact_match_and_micro_f1_on_a_hand_example():
  task = Classification(multilabel.get_config('smoke'), total_steps=1)
  out = jnp.array([[2.0, -1.0, 3.0], [-1.0, -1.0, -1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]])
  y = jnp.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
  np.testing.assert_allclose(task.correct(out, y), [1.0, 2 / 3, 2 / 3, 0.0], rtol=1e-6)
  mask = jnp.array([1.0, 1.0, 1.0, 0.0])  # the last row is padding
  loss = LOSSES['multilabel'](out, y)
  sums = {'loss': jnp.sum(loss * mask), 'count': jnp.sum(mask),
          'correct': jnp.sum(task.correct(out, y) * mask)}
  hit = (out > 0) == (y > 0)
  pred, true = (out > 0).astype(jnp.float32), y
  sums.update(exact=jnp.sum(jnp.all(hit, -1) * mask), tp=jnp.sum(pred * true * mask[:, None]),
              fp=jnp.sum(pred * (1 - true) * mask[:, None]),
              fn=jnp.sum((1 - pred) * true * mask[:, None]))
  metrics = task.summarize(sums)
  assert metrics['test/exact_match'] == pytest.approx(1 / 3)
  assert metrics['test/accuracy'] == pytest.approx((1 + 2 / 3 + 2 / 3) / 3)
  # tp = 2 + 0 + 2 = 4, fp = 0 + 0 + 1 = 1, fn = 0 + 1 + 0 = 1: F1 = 8 / 10
  assert metrics['test/micro_f1'] == pytest.approx(0.8)


def test_present_marks_each_visible_shape():
  mask = np.zeros((2, 4, 4), np.uint8)
  mask[0, 0, 0], mask[0, 3, 3] = 1, 3  # a circle pixel and a triangle pixel
  mask[1, 1:3, 1:3] = 2
  np.testing.assert_array_equal(shapes_data.present(mask), [[1, 0, 1], [0, 1, 0]])


def test_a_model_with_the_wrong_number_of_scores_is_refused_before_building():
  config = multilabel.get_config('smoke')
  config.model.num_outputs = 10
  info = shapes_data.info(config.data)
  with pytest.raises(ConfigError, match='num_outputs=3'):
    check_model(config, info)
