r"""Universal Transformer with Adaptive Computation Time on the copy task.

  python -m experiments.train --config=configs/memory/ut_act_copy.py:cpu --workdir=runs/ut_act_copy
  python -m experiments.train --config=configs/memory/ut_act_copy.py:cpu --workdir=runs/ut_copy \
      --config.model.universal_transformer.act=False          (always max_steps steps)

Data: the copy task of configs/memory/ntm_copy.py (L ~ U{1..8} 8-bit vectors, then the copy),
test_long/* on L ~ U{1..16}. The model reads the whole input sequence at once (bidirectional
self-attention; the output phase's inputs are zero, so nothing of the target leaks).
Model (dljax.models.universal_transformer): one pre-norm Transformer block (d = 64, 4 heads, MLP
128) applied up to 6 times with sinusoidal position and depth embeddings; ACT halts a position
when its cumulative halting probability reaches 1 - 0.01; ponder cost N + R with weight
tau = ponder_weight. <workdir>/plots/ponder.png: the ponder time of every position of one test
sequence (docs/memory/act_ponder.png).
Reference (Dehghani et al. 2019; Graves 2016): no number on this task; ACT should spend more steps
where the computation is harder (here: the output phase) and stay near 1-2 steps elsewhere.
MEASURED (cpu preset, 1500 steps, seed 0; 2-core Xeon, jax 0.10.2 CPU, sharing the CPU with one
other job): 122 s of training; test bit errors per sequence 0.000 (loss 0.0027 nats/bit), mean ponder
time 2.16 steps; on one test sequence of length 8 the ponder time is 2.00-2.08 on the input phase
and 2.55-2.71 on the output phase (docs/memory/act_ponder.png). Longer sequences (L up to 16, whose
positions were never seen) fail: 28.3 bit errors per sequence, 3.5 at L = 8 and 30-81 for L = 9-16.
Calibration (300 steps, nice'd on the shared, heavily loaded 2-core Xeon, jax 0.10.2): 36 s of CPU
time (user) including compile and evaluation, so the 1500-step cpu preset is ~2-3 min on a quiet
machine. At step 300 (not converged): test bit errors per sequence 9.83, mean ponder time 2.07
(2.15 on the long test set), already a little higher on the output phase than on the input.
"""
from configs import common
from configs.memory.ntm_copy import BITS, copy_data


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='ut_act_copy', task='sequence_io')
  train_len = {'smoke': 3, 'cpu': 8, 'full': 20}[preset]
  copy_data(config, preset, train_len, 2 * train_len)
  config.model.name = 'universal_transformer'
  config.model.universal_transformer = dict(
      num_outputs=BITS + 1, d_model={'smoke': 16, 'cpu': 64, 'full': 128}[preset],
      num_heads={'smoke': 2, 'cpu': 4, 'full': 8}[preset],
      mlp_dim={'smoke': 32, 'cpu': 128, 'full': 512}[preset],
      max_steps={'smoke': 3, 'cpu': 6, 'full': 8}[preset], eps=0.01, act=True)
  config.ponder_weight = 0.01
  config.optim.name = 'adam'
  config.optim.lr = 1e-3
  config.optim.grad_clip_norm = 1.0
  config.optim.schedule = common.schedule('warmup_cosine',
                                          warmup_steps=1 if preset == 'smoke' else 100)
  common.preset(config, preset,
                smoke=dict(steps=3, batch_size=8, eval_batch_size=32),
                cpu=dict(steps=1500, batch_size=32, eval_batch_size=512, eval_every=500,
                         log_every=25),
                full=dict(steps=30000, batch_size=64, eval_batch_size=1000, eval_every=2000))
  return config
