r"""Universal Transformer with Adaptive Computation Time on the copy task
(L <= 8; test_long up to 16).

  python -m experiments.train --config=configs/memory/ut_act_copy.py:cpu --workdir=runs/ut_act_copy
  python -m experiments.train --config=configs/memory/ut_act_copy.py:cpu --workdir=runs/ut_copy \
      --config.model.universal_transformer.act=False          (always max_steps steps)

Model (dljax.models.universal_transformer): one pre-norm block (d = 64, 4 heads) applied up to 6
times; ACT halts at cumulative probability 1 - 0.01; ponder cost weight tau. Ponder plot:
<workdir>/plots/ponder.png. Expected (cpu preset, 1500 steps, seed 0, 122 s on a 2-core Xeon,
shared): 0.000 bit errors per sequence; ponder 2.00-2.08 on the input and 2.55-2.71 on the output
phase. Reference (Dehghani et al. 2019; Graves 2016): no number on this task.
Details: docs/memory/notes.md.
"""
from configs import common
from configs.memory.ntm_copy import BITS, copy_data

_UT = ('expectation: within the training lengths (L <= 8) attention copies almost without error; '
       'Dehghani et al. 2019 and Graves 2016 give no number on this task')
# without ACT (experiments.reproduce runs it; by hand: the override as a flag)
VARIANTS = {
    'no_act': ({'model.universal_transformer.act': False}, common.reference(
        'test/bit_error_per_seq', (0.0, 0.5), unit='', source=_UT)),
}


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
  config.reference = common.reference('test/bit_error_per_seq', (0.0, 0.5), unit='', source=_UT)
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
