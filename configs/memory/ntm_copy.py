r"""Neural Turing Machine vs LSTM on the copy task (Graves et al. 2014, §4.1), switched with
--config.model.name=ntm|lstm.

  python -m experiments.train --config=configs/memory/ntm_copy.py:cpu --workdir=runs/ntm_copy
  python -m experiments.train --config=configs/memory/ntm_copy.py:cpu --workdir=runs/lstm_copy \
      --config.model.name=lstm
  python -m experiments.study memory/ntm_study --workdir=runs/ntm_study      (both, plus the plots)

Data: seq_repeat_copy with one repeat = the copy task: a sequence of L random 8-bit vectors
(L ~ U{1..8} in the cpu preset), a delimiter, then the model must output the sequence and an end
marker with no input. test/* is measured at the training lengths, test_long/* on L ~ U{1..32}
(up to 4x the longest training sequence); <workdir>/length_generalisation.json holds the bit
errors per sequence for every length. Loss: sigmoid cross-entropy per target bit.
Reference (Graves et al. 2014, fig. 3-4): trained on L <= 20, the NTM copies with near-zero cost
after ~100k-200k sequences and generalises to L = 30-50 (some errors at 120); the LSTM (3 x 256)
learns more slowly and fails beyond L = 20. Here L <= 8 and far fewer sequences (a 2-core CPU).
Models: NTM with a 100-unit LSTM controller, N = 64 rows of width M = 20 (enough for L <= 32), one read and one write
head (dljax.models.ntm); the LSTM baseline is one 256-unit layer with a per-step output layer.
MEASURED (cpu preset, seed 0, experiments/memory/ntm_study.py; 2-core Xeon shared with another job): bit
errors per test sequence (L <= 8) NTM 0.027 (65 s), LSTM 0.053 (45 s); on the long test set (L up to
16) NTM 40.5, LSTM 55.6 (at L = 16: 34.2 vs 58.7). The NTM's write head steps through consecutive
memory slots and its read head replays them (docs/memory/ntm_weights.png).
Calibration (400 steps each, nice'd on the shared, heavily loaded 2-core Xeon, jax 0.10.2): the NTM
took 42 s of CPU time (user) for 400 steps + compile + evaluation, the LSTM 20 s, so the 3000-step
cpu preset is ~2-4 min per model on a quiet machine. At step 400 (not yet converged) test bit errors
per sequence: NTM 9.15, LSTM 7.16 (L <= 8); the NTM's write head already moves by one row a step.
"""
from configs import common

BITS = 8


def copy_data(config, preset: str, train_len: int, test_len: int, repeats: int = 1):
  """seq_repeat_copy with `repeats` repeats, lengths 1..train_len (test_long: 1..test_len)."""
  config.data.name = 'seq_repeat_copy'
  config.data.args = dict(bits=BITS, min_len=1, max_len=train_len, min_repeats=1,
                          max_repeats=repeats)
  config.data.test_args = dict(max_len=test_len)
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
  common.preset(config, preset,
                smoke=dict(steps=3, batch_size=8, eval_batch_size=32),
                cpu=dict(steps=3000, batch_size=32, eval_batch_size=512, eval_every=500,
                         log_every=25),
                full=dict(steps=50000, batch_size=32, eval_batch_size=1000, eval_every=2000))
  return config
