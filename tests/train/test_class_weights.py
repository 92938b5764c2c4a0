"""config.class_weights in the classification task (seed 003 §2.2): the weighted loss is
(1/B) sum_i w_{y_i} l_i, uniform weights give the plain loss, 'balanced' is sklearn's inverse
frequency from the training labels, bad values are refused, and configs without it are unchanged."""
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from sklearn.utils.class_weight import compute_class_weight

from configs.vision import fmnist_cnn
from dljax.errors import ConfigError
from dljax.train.tasks.classification import Classification, balanced_class_weights


def _task(weights=None, **data):
  config = fmnist_cnn.get_config('smoke')
  config.data.update(name='fashion_mnist_xray', **data)
  config.model.update(features=(4,), dense=8, dropout=0.0, num_outputs=3)
  if weights is not None:
    config.class_weights = weights
  return Classification(config, total_steps=10)


def _batch():
  kx, ky = jax.random.split(jax.random.PRNGKey(0))
  return {'x': jax.random.uniform(kx, (16, 28, 28, 1)), 'y': jax.random.randint(ky, (16,), 0, 3)}


def _loss(task, batch):
  net = task.init(jax.random.PRNGKey(1), batch).nets['model']
  loss, (_, logits, _) = task.objective(net.params, net, batch, jax.random.PRNGKey(2))
  return float(loss), np.asarray(logits)


def test_weighted_loss_is_the_hand_formula_and_uniform_is_plain():
  batch, train = _batch(), {'x': np.zeros((6, 28, 28, 1)), 'y': np.array([0, 0, 0, 0, 1, 2])}
  plain = _task()
  plain.prepare(train)
  l_plain, logits = _loss(plain, batch)
  ce = np.asarray(optax.softmax_cross_entropy_with_integer_labels(jnp.asarray(logits), batch['y']))
  assert l_plain == pytest.approx(ce.mean(), rel=1e-6)
  uniform = _task((1.0, 1.0, 1.0))
  uniform.prepare(train)
  assert _loss(uniform, batch)[0] == pytest.approx(l_plain, rel=1e-7)
  w = np.array([0.5, 2.0, 3.0])
  weighted = _task(tuple(w))
  weighted.prepare(train)
  assert _loss(weighted, batch)[0] == pytest.approx(np.mean(w[np.asarray(batch['y'])] * ce),
                                                    rel=1e-6)
  balanced = _task('balanced')
  balanced.prepare(train)  # n / (K n_c) = 6 / (3 * (4, 1, 1))
  np.testing.assert_allclose(balanced.class_weights_K, [0.5, 2.0, 2.0])
  assert _loss(balanced, batch)[0] == pytest.approx(
      np.mean(np.array([0.5, 2.0, 2.0])[np.asarray(batch['y'])] * ce), rel=1e-6)


def test_balanced_matches_sklearn_and_weights_average_to_one():
  y = np.random.default_rng(0).choice(3, 1000, p=[0.8, 0.15, 0.05])
  w = balanced_class_weights(y, 3)
  np.testing.assert_allclose(w, compute_class_weight('balanced', classes=np.arange(3), y=y),
                             rtol=1e-6)
  assert np.mean(w[y]) == pytest.approx(1.0, rel=1e-6)  # the loss scale of the plain loss
  with pytest.raises(ConfigError, match='at least one training example'):
    balanced_class_weights(np.array([0, 0, 1]), 3)


@pytest.mark.parametrize('weights, match', [('inverse', "'balanced'"), ((1.0, -1.0, 1.0), 'positive'),
                                            ((1.0,), 'positive')])
def test_bad_class_weights_are_refused(weights, match):
  with pytest.raises(ConfigError, match=match):
    Classification.check_config(_with(weights))


def _with(weights):
  config = fmnist_cnn.get_config('smoke')
  config.class_weights = weights
  return config


def test_weights_must_match_the_classes_and_the_loss():
  task = _task((1.0, 2.0))
  with pytest.raises(ConfigError, match='one weight per class'):
    task.prepare({'x': np.zeros((2, 28, 28, 1)), 'y': np.array([0, 1])})
  config = _with('balanced')
  config.loss = 'mse'
  with pytest.raises(ConfigError, match='class label'):
    Classification.check_config(config)


def test_configs_without_class_weights_are_unchanged():
  """No new field in the shared config: every existing config (and its hash) stays as it was."""
  config = fmnist_cnn.get_config('cpu')
  assert 'class_weights' not in config
  task = Classification(config, total_steps=10)
  assert task.class_weights_K is None
