"""Length generalisation: the task's own test metrics on a test split drawn with other data arguments
(e.g. sequences longer than any seen in training), for the synthetic sequence data (data.name seq_*).

  config.evals.test_long = dict(type='length_generalisation', args=dict(max_len=32), every='eval')

The test split is drawn by dljax.data.load_sequences with data.args updated by `args` (as
data.test_args did), data.test_size examples (or `size`), and measured by the task's eval_step: for
task=sequence_io test_long/loss (nats per bit), test_long/bits_per_seq, test_long/bit_error_per_seq
(Graves et al. 2014). plots() writes the bit errors per sequence for each input length as
<workdir>/length_generalisation.json ({length: errors}) and plots/length_generalisation.png.
"""
import json
import os

import jax
import ml_collections

from dljax import data as data_lib
from dljax.errors import ConfigError
from dljax.eval import common

PARAMS = dict(args=None, size=0)
REQUIRES = ('eval_step', 'summarize', 'load_split')


def _data_config(task, cfg):
  data_cfg = ml_collections.ConfigDict(task.config.data.to_dict())
  data_cfg.test_args = dict(cfg.args.to_dict() if hasattr(cfg.args, 'to_dict') else cfg.args)
  if cfg.size:
    data_cfg.test_size = cfg.size
  return data_cfg


def _arrays(task, cfg):
  """The test arrays drawn with args (generated once per task and parameters)."""
  def make():
    try:
      return task.load_split(_data_config(task, cfg), 'test')
    except ConfigError as e:
      raise ConfigError(f'{e} (here: the evaluator\'s args={cfg.args.to_dict()})') from None

  return common.cached(task, ('length_generalisation', cfg.to_json()), make)


def check(task, cfg):
  name = task.config.data.name
  if not name.startswith('seq_') or data_lib.sequence_vocab(task.config.data) is not None:
    raise ConfigError(f'data.name={name!r} is not synthetic per-step sequence data (seq_*); this '
                      'evaluator redraws the test split with other data arguments: remove it.')
  if not hasattr(cfg.args, 'keys') or not cfg.args:
    raise ConfigError(f'args={cfg.args!r}: give the data arguments that change, e.g. '
                      'args=dict(max_len=32).')
  if not isinstance(cfg.size, int) or cfg.size < 0:
    raise ConfigError(f'size={cfg.size!r}; use 0 (data.test_size) or a positive number of examples.')
  _arrays(task, cfg)  # bad or unknown args fail here, before anything is compiled


def evaluate(task, state, data, cfg):
  del data
  eval_fn = common.cached(task, 'eval_step', lambda: jax.jit(task.eval_step))
  total = common.sums(task, state, _arrays(task, cfg), eval_fn)
  return {k.split('/', 1)[-1]: v for k, v in task.summarize(total).items()}


def plots(task, state, data, cfg, workdir):
  del data
  arrays = _arrays(task, cfg)
  if not hasattr(task, 'length_errors') or 'lengths' not in arrays:
    return
  from dljax import viz  # pylint: disable=g-import-not-at-top
  from dljax import mesh as mesh_lib  # pylint: disable=g-import-not-at-top
  by_length = task.length_errors(mesh_lib.to_local(state), arrays)
  with open(os.path.join(workdir, 'length_generalisation.json'), 'w') as f:
    json.dump(by_length, f)
  viz.multi_curves({task.config.model.name: (list(by_length), list(by_length.values()))},
                   'bit errors per sequence',
                   os.path.join(workdir, 'plots', 'length_generalisation.png'),
                   xlabel='sequence length')
