"""Fine-tuning mechanics: restoring part of a checkpoint, frozen parameters, the class filter."""
import jax
import numpy as np
import optax
import pytest
from ml_collections import ConfigDict

from dljax import data
from dljax.errors import ConfigError, DataError
from dljax.train import checkpoint, init_from
from dljax.train.tasks.classification import Classification
from dljax.train.init_from import _path


def _task(dense=8, outputs=10, **optim):
  config = ConfigDict(dict(seed=0, data=dict(), model=dict(
      name='cnn', features=(4,), dense=dense, dropout=0.0, num_outputs=outputs),
                           optim=dict(name='adam', lr=1e-2, **optim)))
  return Classification(config, total_steps=10)


BATCH = {'x': np.random.default_rng(0).uniform(size=(8, 28, 28, 1)).astype(np.float32),
         'y': np.arange(8) % 5}


def _flat(tree):
  return {_path(p): np.asarray(v) for p, v in jax.tree_util.tree_flatten_with_path(tree)[0]}


def _saved_run(tmp_path, task):
  source = task.init(jax.random.PRNGKey(1), BATCH)
  ckpt = checkpoint.Checkpoints(str(tmp_path), use_async=False)
  ckpt.save(7, source, {'next': 0}, {'wall_s': 0.0})
  ckpt.close()
  return source


def test_restore_copies_exactly_the_selected_leaves(tmp_path):
  source = _saved_run(tmp_path, _task())
  target = _task(outputs=5).init(jax.random.PRNGKey(2), BATCH)  # a new 5-way head
  restored = init_from.restore_subtree(target, str(tmp_path), '^model/params/(Conv_|Dense_0/)')
  src, tgt, out = _flat(source.nets), _flat(target.nets), _flat(restored.nets)
  chosen = {p for p in out if p.startswith(('model/params/Conv_', 'model/params/Dense_0/'))}
  assert chosen == {'model/params/Conv_0/kernel', 'model/params/Conv_0/bias',
                    'model/params/Dense_0/kernel', 'model/params/Dense_0/bias'}
  for path, value in out.items():
    expected = src[path] if path in chosen else tgt[path]  # optimizer state, head: as initialised
    np.testing.assert_array_equal(value, expected, err_msg=path)
    if path in chosen and path.endswith('kernel'):  # the seeds differ (biases start at 0)
      assert not np.array_equal(src[path], tgt[path]), path
  assert int(restored.step) == int(target.step)
  np.testing.assert_array_equal(restored.rng, target.rng)


def test_restore_names_mismatched_and_empty_selections(tmp_path):
  _saved_run(tmp_path, _task())
  target = _task(dense=16).init(jax.random.PRNGKey(2), BATCH)
  with pytest.raises(ConfigError, match=r'model/params/Dense_0/kernel \(checkpoint float32\[784, 8\], '
                     r'model float32\[784, 16\]\)'):
    init_from.restore_subtree(target, str(tmp_path), '^model/params/')
  with pytest.raises(ConfigError, match='selects nothing'):
    init_from.restore_subtree(target, str(tmp_path), 'BatchNorm')
  with pytest.raises(ConfigError, match='selects nothing'):  # optimizer state is never restored
    init_from.restore_subtree(target, str(tmp_path), '^model/opt_state/')
  with pytest.raises(ConfigError, match='has no checkpoints'):
    init_from.restore_subtree(target, str(tmp_path / 'nowhere'), '^model/params/')
  assert init_from.include_regex(ConfigDict(dict(params=['model/params/Conv_0']))) == \
      '^(model/params/Conv_0)'


def test_trainable_mask():
  params = _task().init(jax.random.PRNGKey(0), BATCH).nets['model'].params
  mask = _flat(init_from.trainable_mask(params, '^Dense_1/'))
  assert {p for p, m in mask.items() if m} == {'Dense_1/kernel', 'Dense_1/bias'}
  with pytest.raises(ConfigError, match='optim.trainable'):
    init_from.trainable_mask(params, '(')


def test_frozen_params_stay_bit_identical():
  task = _task(trainable='^Dense_1/', weight_decay=0.1)  # decay must not touch frozen weights
  state = task.init(jax.random.PRNGKey(0), BATCH)
  before = _flat(state.nets['model'].params)
  step = jax.jit(task.train_step)
  for i in range(3):
    state, _ = step(state, BATCH, jax.random.PRNGKey(i))
  after = _flat(state.nets['model'].params)
  for path in before:
    if path.startswith('Dense_1/'):
      assert not np.array_equal(before[path], after[path]), path
    else:
      assert before[path].tobytes() == after[path].tobytes(), path


def test_class_filter_remaps_labels():
  x = np.arange(10, dtype=np.float32)[:, None]
  y = np.array([0, 5, 9, 3, 5, 7, 6, 8, 9, 1])
  xs, ys = data.filter_classes(x, y, (5, 6, 7, 8, 9))
  np.testing.assert_array_equal(xs[:, 0], [1, 2, 4, 5, 6, 7, 8])
  np.testing.assert_array_equal(ys, [0, 4, 0, 2, 1, 3, 4])
  with pytest.raises(DataError, match='repeats'):
    data.filter_classes(x, y, (5, 5))
  with pytest.raises(DataError, match='no example has label 2'):
    data.filter_classes(x, y, (2, 5))


def test_class_filter_in_load_split():
  cfg = ConfigDict(dict(name='fashion_mnist', classes=(5, 6, 7, 8, 9), test_limit=0))
  test = data.load_split(cfg, 'test')
  assert np.bincount(test['y']).tolist() == [1000] * 5  # labels 0..4, every test image of 5..9
  cfg.test_limit = 100  # the limit counts the kept examples
  assert len(data.load_split(cfg, 'test')['y']) == 100


def test_layer_decay_scales_by_depth():
  """decay^(L + 1 - layer): embeddings L + 1 powers down, block i (L + 1 - i), head and final norm 1."""
  params = {'patch_embed': {'embed': {'kernel': np.ones(2)}}, 'pos': {'embedding': np.ones(2)},
            'encoder': {'block1': {'mlp': {'kernel': np.ones(2)}},
                        'block2': {'mlp': {'kernel': np.ones(2)}},
                        'ln_final': {'scale': np.ones(2)}},
            'head': {'kernel': np.ones(2)}}
  got = {p: float(v) for p, v in _flat(init_from.layer_scales(params, 0.5)).items()}
  assert got == {'patch_embed/embed/kernel': 0.125, 'pos/embedding': 0.125,
                 'encoder/block1/mlp/kernel': 0.25, 'encoder/block2/mlp/kernel': 0.5,
                 'encoder/ln_final/scale': 1.0, 'head/kernel': 1.0}


def test_layer_decay_scales_the_optimizer_updates():
  params = {'encoder': {'block1': {'w': np.ones(3, np.float32)}}, 'head': {'w': np.ones(3, np.float32)}}
  grads = jax.tree.map(lambda p: np.full_like(p, 2.0), params)
  base = optax.sgd(0.1)
  tx = init_from.layer_decay(base, 0.75)
  updates, _ = tx.update(grads, tx.init(params), params)
  plain, _ = base.update(grads, base.init(params), params)
  np.testing.assert_allclose(updates['encoder']['block1']['w'], 0.75 * plain['encoder']['block1']['w'])
  np.testing.assert_allclose(updates['head']['w'], plain['head']['w'])


def test_layer_decay_refuses_bad_values_and_networks_without_blocks():
  with pytest.raises(ConfigError, match='must be in'):
    init_from.layer_decay(optax.sgd(0.1), 1.5)
  task = _task(layer_decay=0.75)  # a CNN: no Transformer blocks to decay over
  with pytest.raises(ConfigError, match='block<i>'):
    task.init(jax.random.PRNGKey(0), BATCH)
