"""The per-step bits task: bit errors and costs counted over the masked steps of real sequences
only, test_long/* from the length_generalisation evaluator, and the config errors it raises before compiling."""
import math
import types

import jax.numpy as jnp
import numpy as np
import pytest

from dljax.errors import ConfigError
from dljax.train.tasks.sequence_io import SequenceIO
from tests.helpers import load_config


def test_bit_errors_and_costs_count_masked_steps_of_real_sequences():
  config = load_config('configs/memory/ntm_copy.py')
  task = SequenceIO(config, total_steps=1)
  rng = np.random.default_rng(0)
  y = rng.integers(0, 2, (3, 4, 2)).astype(np.float32)
  step_mask = np.array([[0, 1, 1, 1], [0, 0, 1, 1], [1, 1, 1, 1]], np.float32)
  logits = np.where(y > 0.5, 5.0, -5.0)
  logits[0, 1, 0] *= -1      # one wrong bit in sequence 0
  logits[1, 0, :] *= -1      # wrong bits on a masked step: not counted
  logits[2, 3, :] *= -1      # two wrong bits in sequence 2, which is padding (mask 0)
  task.forward = lambda net, x: (jnp.asarray(logits), None)
  batch = {'x': jnp.zeros((3, 4, 1)), 'y': jnp.asarray(y), 'step_mask': jnp.asarray(step_mask),
           'mask': jnp.array([True, True, False])}
  state = types.SimpleNamespace(nets={'model': None})
  sums = {k: np.asarray(v) for k, v in task.eval_step(state, batch).items()}
  assert sums['errors'] == 1 and sums['seqs'] == 2 and sums['bits'] == 5 * 2
  right, wrong = math.log1p(math.exp(-5.0)), math.log1p(math.exp(5.0))
  np.testing.assert_allclose(sums['nll'], 9 * right + wrong, rtol=1e-5)
  out = task.summarize(sums)
  assert out['test/bit_error_per_seq'] == 0.5
  np.testing.assert_allclose(out['test/loss'], (9 * right + wrong) / 10, rtol=1e-5)
  np.testing.assert_allclose(out['test/bits_per_seq'], (9 * right + wrong) / 2 / math.log(2),
                             rtol=1e-5)


def test_long_test_set_comes_from_the_evaluator():
  """The longer test set is the evaluator test_long (tests/eval/test_evaluators.py measures it)."""
  from dljax.eval import common, length_generalisation  # pylint: disable=g-import-not-at-top
  config = load_config('configs/memory/ntm_copy.py')
  data = SequenceIO.load_data(config)
  task = SequenceIO(config, total_steps=1)
  long = length_generalisation._arrays(task, common.build(config, task)['test_long'])  # pylint: disable=protected-access
  short = data['test']
  assert short['lengths'].max() <= config.data.args.max_len
  assert long['lengths'].max() > config.data.args.max_len
  assert long['x'].shape[1] > short['x'].shape[1] == data['train']['x'].shape[1]
  assert data['train']['y'].shape[-1] == config.model.ntm.num_outputs


def test_config_errors():
  config = load_config('configs/memory/ntm_copy.py', **{'model.ntm.num_outputs': 5})
  with pytest.raises(ConfigError, match='num_outputs=9'):
    SequenceIO.load_data(config)
  config = load_config('configs/memory/ntm_copy.py', **{'data.name': 'seq_copy'})
  config.data.args = {}
  config.data.test_args = {}
  with pytest.raises(ConfigError, match='not a per-step bits task'):
    SequenceIO.load_data(config)
  config.data.name = 'seq_adding'
  config.data.args = dict(length=10)
  with pytest.raises(ConfigError, match='no per-step targets'):
    SequenceIO.load_data(config)
