"""Test-time adaptation and the evaluators on a small trained BatchNorm ResNet: TENT updates only the
BatchNorm affine parameters and leaves the stored model alone, BN adaptation on clean test
batches keeps the accuracy within noise, and bad inputs get one clear error."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from ml_collections import ConfigDict

from dljax.errors import ConfigError
from dljax.eval import _shift, adapt, common, ood
from dljax.train import loop
from tests.helpers import load_config


@pytest.fixture(scope='module')
def run(tmp_path_factory):
  config = load_config('configs/shift/fmnist_resnet_bn.py', 'smoke')
  config.evals = ConfigDict()
  config.train.steps = 150
  config.data.batch_size = 64
  config.data.train_limit = 4000
  workdir = str(tmp_path_factory.mktemp('shift_bn'))
  loop.train_and_evaluate(config, workdir, progress=False)
  return loop.load_run(workdir)


def _cfg(**kw):
  spec = {**dict(type='adapt', corruptions=('shot_noise',), limit=400, batch=100), **kw}
  return common.specs(ConfigDict(dict(evals=dict(a=spec))))['a']


def test_shift_tent_updates_only_batchnorm_affine(run):
  state = run.state
  before = jax.tree.map(np.array, state.nets['model'].params)
  cfg = _cfg()
  adapter = adapt.Adapter(run.task, 'tent', cfg)
  a = adapter.init(state)
  x = jnp.asarray(run.data['test']['x'][:100])
  a2, logits = adapter.step(a, x)
  assert logits.shape == (100, 10)
  mask = adapt.bn_mask(state.nets['model'].params, state.nets['model'].model_state)
  changed = jax.tree.map(lambda p, q: bool(jnp.any(p != q)), state.nets['model'].params,
                         a2['params'])
  flat_mask, flat_changed = jax.tree.leaves(mask), jax.tree.leaves(changed)
  assert any(flat_mask) and not all(flat_mask)
  assert all(m or not c for m, c in zip(flat_mask, flat_changed))  # nothing outside BN moved
  assert any(c for m, c in zip(flat_mask, flat_changed) if m)  # the BN affine parameters moved
  after = jax.tree.leaves(state.nets['model'].params)
  assert all(np.array_equal(p, q) for p, q in zip(jax.tree.leaves(before), after))  # stored model


def test_shift_bn_adaptation_on_clean_within_noise(run):
  x, y = run.data['test']['x'][:1000], np.asarray(run.data['test']['y'][:1000])
  cfg = _cfg()
  none = adapt.run_set(adapt.Adapter(run.task, 'none', cfg), run.state, x, y, 200)
  bn = adapt.run_set(adapt.Adapter(run.task, 'bn', cfg), run.state, x, y, 200)
  assert none < 0.4  # the model learned something
  assert abs(bn - none) < 0.05  # 1,000 images: binomial std ~ 1.5 %


def test_shift_evaluators_on_the_run(run):
  out = adapt.evaluate(run.task, run.state, run.data, _cfg(severities=(5,)))
  assert {'none_error', 'bn_error', 'tent_error', 'bn_clean_error'} <= set(out)
  spec = dict(type='ood', sets=('heldout',), limit=100)
  cfg = common.specs(ConfigDict(dict(evals=dict(o=spec))))['o']
  with pytest.raises(ConfigError, match='data.classes'):
    ood.check(run.task, cfg)


def test_shift_bad_inputs(run):
  with pytest.raises(ConfigError, match='outside 1..5'):
    adapt.check(run.task, _cfg(severities=(7,)))
  with pytest.raises(ConfigError, match='unknown corruption'):
    adapt.check(run.task, _cfg(corruptions=('snow',)))
  no_bn = run.state.replace(nets={'model': run.state.nets['model'].replace(model_state={})})
  with pytest.raises(ConfigError, match='no BatchNorm'):
    adapt.check_state(no_bn, ('none', 'tent'))
  adapt.check_state(no_bn, ('none',))  # the unadapted model needs no BatchNorm
  with pytest.raises(ConfigError, match='shape'):
    _shift.check_shape(np.zeros((3, 8, 8, 1)), (28, 28, 1), "OOD set 'digits'")
