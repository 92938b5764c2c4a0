"""Evaluators (dljax/eval/common.py): run by the loop every N steps and at the end, run on a finished
run by experiments.evaluate (merged into summary.json), refused with one clear error before any
compilation; the ported tta and length_generalisation evaluators reproduce the old numbers."""
import json
import os
import subprocess
import sys

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from ml_collections import ConfigDict

import dljax.eval
from dljax.data import augment
from dljax.errors import ConfigError
from dljax.eval import common, length_generalisation, tta
from dljax.train import config_check, loop
from dljax.train.tasks.classification import Classification
from dljax.train.tasks.sequence_io import SequenceIO
from experiments import evaluate as evaluate_cli
from tests.helpers import ROOT, load_config, read_jsonl

KEY = jax.random.PRNGKey(0)

# a user-written evaluator: the mean of the logits times `scale`, and a call counter
TOY = '''
"""Toy evaluator for the tests: mean logit times scale."""
import jax.numpy as jnp
from dljax.errors import ConfigError

PARAMS = dict(scale=1.0)
REQUIRES = ('predict',)
CALLS = []


def check(task, cfg):
  if cfg.scale <= 0:
    raise ConfigError(f'scale={cfg.scale} must be positive.')


def evaluate(task, state, data, cfg):
  CALLS.append(int(state.step))
  x = data['test']['x'][:8]
  return {'mean_logit': float(jnp.mean(task.predict(state, x))) * cfg.scale, 'count': 8}
'''

NEEDS_LOG_PROB = '''
"""An evaluator of density models."""
PARAMS = {}
REQUIRES = ('log_prob',)


def check(task, cfg):
  del task, cfg


def evaluate(task, state, data, cfg):
  return {'nll': 0.0}
'''


@pytest.fixture
def toy(tmp_path, monkeypatch):
  """Makes dljax/eval/toy.py and needs_log_prob.py importable (a second folder of the package)."""
  folder = tmp_path / 'evaluators'
  folder.mkdir()
  (folder / 'toy.py').write_text(TOY)
  (folder / 'needs_log_prob.py').write_text(NEEDS_LOG_PROB)
  monkeypatch.setattr(dljax.eval, '__path__', [*dljax.eval.__path__, str(folder)])
  yield
  for name in ('toy', 'needs_log_prob'):
    sys.modules.pop(f'dljax.eval.{name}', None)


def small(evals=None, **overrides):
  base = {'train.steps': 6, 'train.checkpoint_every': 3, 'train.eval_every': 3,
          'train.log_every': 1, 'train.async_checkpoints': False}
  base.update(overrides)
  config = load_config('configs/vision/fmnist_mlp.py', 'smoke', **base)
  for name, spec in (evals or {}).items():
    config.evals[name] = spec
  return config


def no_jit(monkeypatch):
  def boom(*args, **kwargs):
    raise AssertionError('compiled before the config error')
  monkeypatch.setattr(jax, 'jit', boom)


def test_available_types_are_the_evaluator_modules():
  types = common.available()
  assert {'tta', 'length_generalisation', 'calibration'} <= set(types)
  assert 'common' not in types and 'attention' not in types  # diagnostics, not evaluators


def test_due_every_n_steps_at_the_end_and_with_eval():
  evals = common.specs(ConfigDict(dict(evals=dict(
      a=dict(type='tta', every=4), b=dict(type='tta'), c=dict(type='tta', every='eval'),
      d=dict(type='tta', every='5')))))  # a string from the command line
  assert evals['b'].every == 'end' and evals['d'].every == 5
  ran = {step: common.due(evals, step, 10, eval_every=3) for step in range(1, 11)}
  assert [s for s, names in ran.items() if 'a' in names] == [4, 8, 10]
  assert [s for s, names in ran.items() if 'b' in names] == [10]
  assert [s for s, names in ran.items() if 'c' in names] == [3, 6, 9, 10]
  assert [s for s, names in ran.items() if 'd' in names] == [5, 10]


def test_loop_runs_evaluators_every_n_steps_and_at_the_end(tmp_path, toy):
  del toy
  from dljax.eval import toy as toy_module  # pylint: disable=g-import-not-at-top
  toy_module.CALLS.clear()
  config = small(evals=dict(often=dict(type='toy', every=4, scale=2.0),
                            last=dict(type='toy'), tta1=dict(type='tta', views=1, every='eval')))
  summary = loop.train_and_evaluate(config, str(tmp_path), progress=False)
  rows = read_jsonl(tmp_path / 'metrics.jsonl')
  steps = lambda key: [r['step'] for r in rows if key in r]  # pylint: disable=unnecessary-lambda-assignment
  assert steps('often/mean_logit') == [4, 6] and steps('last/mean_logit') == [6]
  assert steps('tta1/accuracy') == [3, 6] == steps('val/accuracy')  # test/* is in the summary only
  assert toy_module.CALLS == [4, 6, 6]
  with open(tmp_path / 'summary.json') as f:
    saved = json.load(f)
  assert saved == json.loads(json.dumps(summary))
  last = [r for r in rows if 'often/mean_logit' in r][-1]
  assert saved['evals']['often'] == {'mean_logit': last['often/mean_logit'], 'count': 8.0}
  assert saved['final']['often/mean_logit'] == pytest.approx(2 * saved['final']['last/mean_logit'])
  # one view (the image itself): TTA is the plain evaluation
  assert saved['final']['tta1/accuracy'] == pytest.approx(saved['final']['test/accuracy'])


@pytest.fixture(scope='module')
def finished(tmp_path_factory):
  workdir = tmp_path_factory.mktemp('finished')
  loop.train_and_evaluate(small(), str(workdir), progress=False)
  return str(workdir)


def test_toy_evaluator_on_a_finished_run_merges_into_the_summary(finished, tmp_path, toy):
  del toy
  import shutil  # pylint: disable=g-import-not-at-top
  workdir = str(tmp_path / 'run')
  shutil.copytree(finished, workdir)
  with open(os.path.join(workdir, 'summary.json')) as f:
    before = json.load(f)
  results = evaluate_cli.evaluate(workdir, {'toy1': {'type': 'toy', 'scale': 3.0}})
  with open(os.path.join(workdir, 'summary.json')) as f:
    after = json.load(f)
  assert set(results) == {'toy1/mean_logit', 'toy1/count'}
  assert after['evals']['toy1'] == {'mean_logit': results['toy1/mean_logit'], 'count': 8.0}
  assert after['final'] == {**before['final'], **results}
  assert after['steps'] == before['steps'] and after['best'] == before['best']
  assert not [f for f in os.listdir(workdir) if '.tmp' in f]  # written atomically
  # the state is the run's: the same mean logit as predict on the reloaded run
  run = loop.load_run(workdir)
  x = run.data['test']['x'][:8]
  assert results['toy1/mean_logit'] == pytest.approx(
      3 * float(jnp.mean(run.task.predict(run.state, x))), rel=1e-5)
  # a second evaluator keeps the first; config.json is unchanged (the run stays the same experiment)
  evaluate_cli.evaluate(workdir, {'toy2': {'type': 'toy'}})
  with open(os.path.join(workdir, 'summary.json')) as f:
    assert set(json.load(f)['evals']) == {'toy1', 'toy2'}
  with open(os.path.join(workdir, 'config.json')) as f:
    assert json.load(f)['evals'] == {}
  with pytest.raises(ConfigError, match='no evaluator to run'):
    evaluate_cli.evaluate(workdir)
  with pytest.raises(ConfigError, match='nope is not in the run'):
    evaluate_cli.evaluate(workdir, names=['nope'])


def test_evaluate_command_line(finished, tmp_path):
  import shutil  # pylint: disable=g-import-not-at-top
  workdir = str(tmp_path / 'run')
  shutil.copytree(finished, workdir)
  env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''))
  cmd = [sys.executable, '-m', 'experiments.evaluate', f'--workdir={workdir}']
  out = subprocess.run(cmd + ['--config.evals.tta1.type=tta', '--config.evals.tta1.views=1'],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
  assert out.returncode == 0, out.stderr
  assert 'tta1/accuracy=' in out.stdout
  with open(os.path.join(workdir, 'summary.json')) as f:
    summary = json.load(f)
  assert summary['evals']['tta1']['accuracy'] == pytest.approx(summary['final']['test/accuracy'])
  bad = subprocess.run(cmd + ['--config.evals.x.type=nope'], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=300)
  assert bad.returncode == 2 and 'is not an evaluator' in bad.stderr and 'tta' in bad.stderr
  assert len(bad.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize('spec,match', [
    (dict(type='nope'), r"config.evals.e.type='nope' is not an evaluator; use one of \[.*'tta'"),
    (dict(type='attention'), 'is not an evaluator'),
    (dict(views=2), 'has no type'),
    (dict(type='tta', view=2), "config.evals.e.view is not a parameter of evaluator type 'tta'"),
    (dict(type='tta', every=0), 'config.evals.e.every=0'),
    (dict(type='tta', every='often'), "every='often'"),
    (dict(type='needs_log_prob'), 'needs the task function log_prob'),
])
def test_bad_evaluators_are_refused_by_validate(spec, match, toy):
  del toy
  config = small(evals=dict(e=spec))
  with pytest.raises(ConfigError, match=match):
    config_check.validate(config)


@pytest.mark.parametrize('spec,match', [
    (dict(type='tta', views=0), 'views=0 must be a positive integer'),
    (dict(type='tta', views=3), 'needs augmented views'),  # fmnist_mlp has no augment
    (dict(type='toy', scale=-1.0), r'config.evals.e \(type .toy.\): scale=-1.0 must be positive'),
    (dict(type='needs_log_prob'), 'needs the task function log_prob'),
    (dict(type='length_generalisation', args=dict(max_len=9)), 'needs the task function load_split'),
])
def test_bad_evaluators_are_refused_before_compiling(spec, match, tmp_path, monkeypatch, toy):
  del toy
  config = small(evals=dict(e=spec))
  no_jit(monkeypatch)
  with pytest.raises(ConfigError, match=match):
    loop.Run(config, str(tmp_path), progress=False)
  assert not os.path.exists(tmp_path / 'checkpoints')


def test_old_tta_and_test_args_settings_name_the_evaluator():
  config = small()
  config.eval = dict(tta_views=4)
  with pytest.raises(ConfigError, match="config.evals.tta = dict.type='tta'"):
    Classification(config, total_steps=1)
  config = load_config('configs/memory/ntm_copy.py')
  config.data.test_args = dict(max_len=9)
  with pytest.raises(ConfigError, match="type='length_generalisation'"):
    SequenceIO.load_data(config)


# --- tta: the numbers Classification computed before (test/accuracy_tta) -------------------------
def _classifier(**extra):
  config = ConfigDict(dict(
      seed=0, data=dict(normalize=True, eval_batch_size=32),
      model=dict(name='cnn', features=(4,), dense=8, dropout=0.0),
      optim=dict(name='adam', lr=1e-3), augment=dict(shift=1, brightness=0.1), **extra))
  return Classification(config, total_steps=1)


def _old_tta_accuracy(task, state, x, y, views, spec):
  """Classification.tta_probs and eval_step of before the port, on one batch."""
  views_x = augment.tta_views(augment.build(spec), jnp.asarray(x), views,
                              jax.random.PRNGKey(task.config.seed))
  probs = [jax.nn.softmax(task.forward(state.nets['model'], task.inputs(state, v))[0])
           for v in views_x]
  return float(np.mean(np.asarray((sum(probs) / len(probs)).argmax(-1)) == y))


@pytest.mark.parametrize('views,spec', [(1, None), (4, dict(flip=True, shift=2))])
def test_tta_reproduces_the_old_classification_tta(views, spec):
  rng = np.random.default_rng(1)
  x = rng.uniform(size=(50, 28, 28, 1)).astype(np.float32)  # 50: a padded last batch of 32
  task = _classifier()
  task.prepare({'x': x})
  state = task.init(KEY, {'x': x[:2]})
  logits = np.asarray(task.predict(state, jnp.asarray(x)))
  y = np.where(rng.uniform(size=50) < 0.6, logits.argmax(-1), rng.integers(0, 10, 50))
  cfg = common.specs(ConfigDict(dict(evals=dict(t=dict(type='tta', views=views,
                                                         augment=spec)))))['t']
  tta.check(task, cfg)
  got = tta.evaluate(task, state, {'test': {'x': x, 'y': y}}, cfg)['accuracy']
  expected = _old_tta_accuracy(task, state, x, y, views, spec or augment.geometric(
      task.config.augment))
  assert got == pytest.approx(expected, abs=1e-7)
  if views == 1:
    assert got == pytest.approx(float(np.mean(logits.argmax(-1) == y)))
  probs = tta.probs(task, state, jnp.asarray(x), cfg)
  np.testing.assert_allclose(probs.sum(-1), 1.0, rtol=1e-5)


# --- task functions ------------------------------------------------------------------------------
def test_classification_features_are_the_input_of_the_linear_head():
  task = _classifier()
  x = np.random.default_rng(2).uniform(size=(5, 28, 28, 1)).astype(np.float32)
  task.prepare({'x': x})
  state = task.init(KEY, {'x': x[:2]})
  f_BxD = task.features(state, jnp.asarray(x))
  assert f_BxD.shape == (5, 8)  # dense=8: the penultimate layer
  head = state.nets['model'].params['Dense_1']
  np.testing.assert_allclose(f_BxD @ head['kernel'] + head['bias'][None],
                             task.predict(state, jnp.asarray(x)), rtol=1e-5, atol=1e-5)

  class Scaled(nn.Module):  # the output is not the last Dense's: no penultimate layer to give
    @nn.compact
    def __call__(self, x, train=False):
      return 2.0 * nn.Dense(3)(x.reshape(x.shape[0], -1))

  task.model = Scaled()
  with pytest.raises(ConfigError, match='give it a `features.x.` method'):
    jax.eval_shape(task.features, state.replace(nets={'model': state.nets['model'].replace(
        params=Scaled().init(KEY, x[:1])['params'])}), x)


def test_gan_sample_is_a_pure_task_function():
  from dljax.train.tasks.gan import GAN  # pylint: disable=g-import-not-at-top
  config = load_config('configs/gan/gan_mog.py')
  task = GAN(config, total_steps=10)
  state = task.init(KEY, {'x': np.zeros((4, 2), np.float32)})
  a = jax.jit(task.sample, static_argnums=2)(state, jax.random.PRNGKey(3), 7)
  assert a.shape == (7, 2)
  np.testing.assert_allclose(task.samples(state, 7, seed=3), a, rtol=1e-6)


# --- length_generalisation: the nested long test set of before -----------------------------------
def test_length_generalisation_measures_longer_sequences_with_the_task_metrics():
  config = load_config('configs/memory/ntm_copy.py')
  data = SequenceIO.load_data(config)
  assert set(data) == {'train', 'validation', 'test'} and 'long' not in data['test']
  spec = config.evals.test_long
  assert spec.type == 'length_generalisation' and spec.args.max_len > config.data.args.max_len
  task = SequenceIO(config, total_steps=1)
  evals = common.build(config, task)
  arrays = length_generalisation._arrays(task, evals['test_long'])  # pylint: disable=protected-access
  assert arrays['lengths'].max() > config.data.args.max_len >= data['test']['lengths'].max()
  assert arrays['x'].shape[1] > data['test']['x'].shape[1]
  state = task.init(KEY, {k: v[:2] for k, v in data['train'].items()})
  got = common.run(task, state, data, evals)
  # what SequenceIO.evaluate reported as test_long/* before: the task's metrics on those arrays
  old = task.evaluate(state, arrays, jax.jit(task.eval_step), lambda b: b)
  assert got == pytest.approx({k.replace('test/', 'test_long/'): v for k, v in old.items()})
  assert {'test_long/loss', 'test_long/bit_error_per_seq', 'test_long/bits_per_seq'} <= set(got)


def test_length_generalisation_bad_args_fail_at_check():
  config = load_config('configs/memory/ntm_copy.py')
  config.evals.test_long.args = dict(max_length=9)
  task = SequenceIO(config, total_steps=1)
  with pytest.raises(ConfigError, match=r"max_length.*evaluator's args"):
    common.build(config, task)
  config.evals.test_long.args = {}
  with pytest.raises(ConfigError, match='args=dict.max_len=32'):
    common.build(config, task)


def test_evaluate_flag_parsing():
  rest, evals = evaluate_cli.split_overrides([
      'prog', '--workdir=w', '--config.evals.t.type=tta', '--config.evals.t.views=6',
      '--config.evals.t.augment.shift=2', '--config.evals.t.augment.flip=True'])
  assert rest == ['prog', '--workdir=w']
  assert evals == {'t': {'type': 'tta', 'views': 6, 'augment': {'shift': 2, 'flip': True}}}
  with pytest.raises(Exception, match='--config.evals.<name>.<key>=VALUE'):
    evaluate_cli.split_overrides(['--config.evals.t=tta'])


def test_calibration_ece_by_hand():
  from dljax.eval import calibration  # pylint: disable=g-import-not-at-top
  # confidences 0.9 (right), 0.9 (wrong), 0.6 (right) with 2 bins: (0, .5], (.5, 1]
  p = np.array([[0.9, 0.1], [0.9, 0.1], [0.4, 0.6]])
  y = np.array([0, 1, 1])
  sums = calibration.bin_sums(jnp.log(p), jnp.asarray(y), jnp.ones(3, bool), bins=2)
  ece = float(jnp.abs(sums['gap_M']).sum() / sums['count'])
  assert ece == pytest.approx(abs((1 - 0.9) + (0 - 0.9) + (1 - 0.6)) / 3, rel=1e-5)
  assert float(sums['nll']) == pytest.approx(-np.log([0.9, 0.1, 0.6]).sum(), rel=1e-5)
  padded = calibration.bin_sums(jnp.log(p), jnp.asarray(y), jnp.array([True, True, False]), 2)
  assert float(padded['count']) == 2 and float(padded['correct']) == 1
  task = _classifier()
  x = np.random.default_rng(3).uniform(size=(40, 28, 28, 1)).astype(np.float32)
  task.prepare({'x': x})
  state = task.init(KEY, {'x': x[:2]})
  cfg = common.specs(ConfigDict(dict(evals=dict(c=dict(type='calibration')))))['c']
  calibration.check(task, cfg)
  out = calibration.evaluate(task, state, {'test': {'x': x, 'y': np.arange(40) % 10}}, cfg)
  assert 0 <= out['ece'] <= 1 and out['nll'] > 0 and 0.1 <= out['confidence'] <= 1
