"""The task kit (dljax.train.kit): the optimizer factory's freezing, layer-wise decay and clipping,
the gradient step's metrics, and that every task kind's optimizer comes from the factory."""
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
import pytest

from dljax.errors import ConfigError
from dljax.train import kit, loop, tasks
from dljax.train.state import ModelState
from tests.helpers import load_config


def _optim(**kw):
  return ml_collections.ConfigDict({'name': 'sgd', 'lr': 1.0, **kw})


def _params():
  return {'block1': {'w': jnp.ones(3)}, 'block2': {'w': jnp.ones(3)}, 'head': {'w': jnp.ones(3)},
          'embed': {'w': jnp.ones(3)}}


def _update(tx, grads, params):
  updates, _ = tx.update(grads, tx.init(params), params)
  return updates


def test_freezing_leaves_frozen_params_unchanged():
  params = _params()
  grads = jax.tree.map(jnp.ones_like, params)
  updates = _update(kit.make_optimizer(_optim(trainable='^head/'), 10), grads, params)
  new = optax.apply_updates(params, updates)
  for name in ('block1', 'block2', 'embed'):
    np.testing.assert_array_equal(new[name]['w'], params[name]['w'])
  np.testing.assert_allclose(new['head']['w'], params['head']['w'] - 1.0)  # sgd, lr 1


def test_layer_decay_scales_updates():
  params = _params()
  grads = jax.tree.map(jnp.ones_like, params)
  updates = _update(kit.make_optimizer(_optim(layer_decay=0.5), 10), grads, params)
  # L = 2 blocks: block i scaled by 0.5^(3 - i), the head by 1, the embeddings by 0.5^3
  expected = {'block1': 0.25, 'block2': 0.5, 'head': 1.0, 'embed': 0.125}
  for name, scale in expected.items():
    np.testing.assert_allclose(updates[name]['w'], -scale * np.ones(3), rtol=1e-6)


def test_clipping_bounds_the_update():
  params = _params()
  grads = jax.tree.map(lambda p: 100.0 * jnp.ones_like(p), params)
  updates = _update(kit.make_optimizer(_optim(grad_clip_norm=1.0), 10), grads, params)
  assert float(optax.tree.norm(updates)) == pytest.approx(1.0, rel=1e-5)  # sgd lr 1: ||u|| = c
  unclipped = _update(kit.make_optimizer(_optim(), 10), grads, params)
  assert float(optax.tree.norm(unclipped)) == pytest.approx(100.0 * np.sqrt(12), rel=1e-5)


def test_check_optimizer_names_the_key():
  with pytest.raises(ConfigError, match=r"optim_d.name='adm' is unknown \(did you mean 'adam'"):
    kit.check_optimizer(_optim(name='adm'), 'optim_d')
  with pytest.raises(ConfigError, match='optim.layer_decay'):
    kit.check_optimizer(_optim(layer_decay=1.5))
  with pytest.raises(ConfigError, match='optim.trainable'):
    kit.check_optimizer(_optim(trainable='('))


def test_gradient_step_metrics_and_model_state():
  net = ModelState.create({'params': {'w': jnp.array([3.0, 4.0])}, 'stats': {'n': 0}},
                              optax.sgd(0.5))

  def loss_fn(w):
    return 0.5 * jnp.sum(w['w'] ** 2), ('aux', {'stats': {'n': 1}})  # grad = w
  new, aux, metrics = kit.gradient_step(net, loss_fn, has_aux=True, model_state_in_aux=True)
  assert aux == 'aux' and new.model_state == {'stats': {'n': 1}}
  np.testing.assert_allclose(new.params['w'], [1.5, 2.0])
  assert float(metrics['train/loss']) == pytest.approx(12.5)
  assert float(metrics['train/grad_norm']) == pytest.approx(5.0)
  assert float(metrics['train/param_norm']) == pytest.approx(2.5)


# every task kind that trains through the factory: with optim.trainable matching nothing, one
# training step leaves every parameter bit-identical (and the step still runs)
FACTORY_CASES = {
    'classification': 'configs/basics/xor.py',
    'gan': 'configs/gan/gan_mog.py',
    'glove': 'configs/embeddings/glove.py',
    'icl': 'configs/language/icl.py',
    'maml': 'configs/meta/maml_sine.py',
    'mean_teacher': 'configs/self_supervised/mean_teacher_1d.py',
    'word2vec': 'configs/embeddings/word2vec.py',
}


@pytest.mark.parametrize('kind', sorted(FACTORY_CASES))
def test_every_task_freezes_through_the_factory(kind, tmp_path):
  config = load_config(FACTORY_CASES[kind], 'smoke', **{'optim.trainable': '^NOTHING$'})
  if 'optim_d' in config:
    config.optim_d.trainable = '^NOTHING$'
  assert config.task == kind
  run = loop.Run(config, str(tmp_path), progress=False, read_only=True)
  state = run.init_state()
  before = jax.device_get({k: n.params for k, n in state.nets.items()})
  batches = run.task.train_batches(config, run.data, 0, 1)
  batch = None if batches is None else run.put(next(batches))
  new, metrics = jax.jit(loop.make_train_step(run.task, 'halt'))(state, batch)
  assert np.isfinite(float(metrics['train/loss']))
  after = jax.device_get({k: n.params for k, n in new.nets.items()})
  jax.tree.map(np.testing.assert_array_equal, before, after)



def test_input_shape_mismatch_names_the_flag():
  import types  # pylint: disable=g-import-not-at-top
  from dljax.errors import ConfigError  # pylint: disable=g-import-not-at-top
  from dljax.train import kit as kit_lib  # pylint: disable=g-import-not-at-top
  model = types.SimpleNamespace(input_shape=(32, 32, 1))
  kit_lib.check_input_shape(model, types.SimpleNamespace(shape=(32, 32, 1)), 'x')  # agrees
  with pytest.raises(ConfigError, match=r'--config.model.input_shape="\(28, 28, 1\)"'):
    kit_lib.check_input_shape(model, types.SimpleNamespace(shape=(28, 28, 1)), 'fashion_mnist')
