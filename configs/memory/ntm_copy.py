r"""Neural Turing Machine vs LSTM on the copy task (Graves et al. 2014, §4.1), switched with
--config.model.name=ntm|lstm. test/* at the training lengths (L <= 8), test_long/* up to L = 32.

  python -m experiments.train --config=configs/memory/ntm_copy.py:cpu --workdir=runs/ntm_copy
  python -m experiments.train --config=configs/memory/ntm_copy.py:cpu --workdir=runs/lstm_copy \
      --config.model.name=lstm
  python -m experiments.study memory/ntm_study --workdir=runs/ntm_study      (both, plus the plots)

Models: NTM with a 100-unit LSTM controller, 64 x 20 memory, one read and one write head; LSTM
of 256 units. Expected (cpu preset, seed 0, 2-core Xeon, shared): bit errors per test sequence NTM
0.027 (65 s), LSTM 0.053 (45 s); up to L = 16: 40.5 vs 55.6. Reference: Graves et al. 2014, fig. 3-4
(trained on L <= 20). Details: docs/memory/notes.md.
"""
from configs import common

BITS = 8
_COPY = ('expectation: Graves et al. 2014 fig. 3: near-zero cost after ~100k-200k sequences of '
         'L <= 20; here L <= 8 (cpu, 96k sequences): under one wrong bit per sequence')
# the other model of this file (experiments.reproduce runs each; by hand: the overrides as flags)
VARIANTS = {
    'lstm': ({'model.name': 'lstm'}, common.reference(
        'test/bit_error_per_seq', (0.0, 1.0), unit='', source=_COPY + '; the LSTM learns more '
        'slowly (fig. 3) and fails beyond the training lengths (test_long/)')),
}


def copy_data(config, preset: str, train_len: int, test_len: int, repeats: int = 1):
  """seq_repeat_copy with `repeats` repeats, lengths 1..train_len; the evaluator test_long draws the
  test split with lengths 1..test_len (logged as test_long/*)."""
  config.data.name = 'seq_repeat_copy'
  config.data.args = dict(bits=BITS, min_len=1, max_len=train_len, min_repeats=1,
                          max_repeats=repeats)
  config.evals.test_long = dict(type='length_generalisation', args=dict(max_len=test_len),
                                every='eval')
  config.data.train_size = {'smoke': 256, 'cpu': 50000, 'full': 100000}[preset]
  config.data.test_size = {'smoke': 64, 'cpu': 1024, 'full': 2000}[preset]


def memory_models(config, num_outputs: int, mem_size: int = 64):
  """model.ntm (the default) and model.lstm (the baseline)."""
  config.model.name = 'ntm'
  config.model.ntm = dict(arch='ntm', hidden=100, mem_size=mem_size, mem_width=20,
                          num_outputs=num_outputs)
  config.model.lstm = dict(arch='rnn_tagger', cell='lstm', hidden=256, layers=1,
                           num_outputs=num_outputs)


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='ntm_copy', task='sequence_io')
  train_len = {'smoke': 3, 'cpu': 8, 'full': 20}[preset]
  copy_data(config, preset, train_len, 4 * train_len)
  memory_models(config, BITS + 1, mem_size=128 if preset == 'full' else 64)
  config.optim.name = 'adam'
  config.optim.lr = 3e-3
  config.optim.grad_clip_norm = 10.0
  config.reference = common.reference('test/bit_error_per_seq', (0.0, 1.0), unit='', source=_COPY)
  common.preset(config, preset,
                smoke=dict(steps=3, batch_size=8, eval_batch_size=32),
                cpu=dict(steps=3000, batch_size=32, eval_batch_size=512, eval_every=500,
                         log_every=25),
                full=dict(steps=50000, batch_size=32, eval_batch_size=1000, eval_every=2000))
  return config
