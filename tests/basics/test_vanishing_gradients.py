"""experiments/basics/vanishing_gradients.py: its runs are configs of the shared loop, and identical
initial weights trained by that loop keep every hidden unit a copy of the others."""
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.eval import gradients
from dljax.train import config_check, loop
from experiments.basics import vanishing_gradients as vg


def test_runs_per_preset():
  names = [name for name, _ in vg.runs('cpu', '/unused')]
  assert names == [f'{a}_{i}' for a in vg.ACTS for i in vg.INITS] + ['symmetry_constant',
                                                                      'symmetry_he']
  configs = dict(vg.runs('cpu', '/unused'))
  for config in configs.values():
    config_check.validate(config)
    assert (config.optim.name, config.optim.lr, config.optim.schedule.name) == ('sgd', 0.1,
                                                                               'constant')
    assert config.data.batch_size == config.data.train_limit == 512  # full-batch SGD
    assert config.model.dropout == 0.0 and config.train.nonfinite == 'skip'
  assert configs['sigmoid_too_small'].model.hidden == (64,) * 10
  assert configs['sigmoid_too_small'].train.steps == 100
  sym = configs['symmetry_constant']
  assert (sym.model.hidden, sym.model.act, sym.model.init_scheme, sym.train.steps) == (
      (64,) * 3, 'tanh', 'constant', 200)
  assert len(list(vg.runs('smoke', '/unused'))) == len(vg.SMOKE_PAIRS) + 2
  with pytest.raises(ValueError, match='preset'):
    list(vg.runs('gpu', '/unused'))


def _train(config, workdir, steps=50):
  config.train.update(steps=steps, eval_every=steps, checkpoint_every=steps, log_every=1)
  summary = loop.train_and_evaluate(config, str(workdir), progress=False)
  return dict(summary, workdir=str(workdir))


def test_constant_init_stays_symmetric_through_the_shared_loop(tmp_path):
  """50 full-batch SGD steps of the loop (tanh, 3 x 64): the network trains, every hidden unit stays
  an exact copy (spread 0); He init starts and stays asymmetric. (On Fashion-MNIST the first tanh
  layer saturates, a = 0.1 sum_i x_i >> 1, so the hidden kernels hardly move there; that they move
  and still stay copies is tests/eval/test_gradients.py, on small random inputs.)"""
  constant = _train(vg.symmetry_config('constant', 'smoke'), tmp_path / 'constant')
  rec = vg.symmetry_record(constant)
  assert [r['spread'] for r in rec['log']] == [0.0, 0.0]
  assert rec['spread_per_layer'] == [0.0, 0.0, 0.0]
  assert rec['log'][-1]['step'] == 50 and len(rec['train_loss']) == 4  # every steps // 4
  run = loop.load_run(constant['workdir'])
  params0, params = run.run.init_state().nets['model'].params, run.state.nets['model'].params
  (_, out, _), (_, out0, _) = gradients.dense_kernels(params)[-1], gradients.dense_kernels(params0)[-1]
  assert float(jnp.abs(out - out0).max()) > 1e-3  # the read-out did train (measured 0.01)
  assert gradients.unit_spreads(params, include_output=True)[-1] > 1e-4  # the classes do differ
  he = vg.symmetry_record(_train(vg.symmetry_config('he', 'smoke'), tmp_path / 'he'))
  assert min(r['spread'] for r in he['log']) > 0.1  # measured 0.22
  assert he['train_accuracy'] > rec['train_accuracy']


def test_sigmoid_too_small_vanishes_in_the_report(tmp_path):
  """The study's gradient record of a trained run: with sigmoid and N(0, 1e-6) weights the gradient
  shrinks layer after layer towards the input; a diverging run is skipped, not halted."""
  rec, config = vg.gradient_record(_train(vg.gradient_config('sigmoid', 'too_small', 'smoke'),
                                          tmp_path / 'sig', steps=3))
  assert len(rec['init']) == len(config.model.hidden) + 1 == 11
  assert rec['init'] == sorted(rec['init']) and rec['first_over_last_init'] < 1e-3
  assert rec['skipped_steps'] == 0 and np.isfinite(rec['loss_trained'])
  rec, _ = vg.gradient_record(_train(vg.gradient_config('relu', 'too_large', 'smoke'),
                                     tmp_path / 'relu', steps=3))
  assert rec['skipped_steps'] >= 1  # the loss overflows after the first step
