r"""Chain of thought on arithmetic chains: a small GPT answers "7+3-5+8=" directly ("13.") or after a
scratchpad of running sums ("10,5,13>13."); 1..6 operations on digits 0..9 (dljax.data.arith, a
synthetic stand-in for GSM8K, which is not available offline).

  python -m experiments.train --config=configs/language/arith_cot.py:cpu --workdir=runs/arith_cot
  python -m experiments.train --config=configs/language/arith_cot.py:cpu --workdir=runs/arith_direct \
      --config.data.format=direct          (the VARIANT 'direct')
  python -m experiments.study language/cot_study --workdir=runs/cot_study --seeds=3   (both, plus
      self-consistency and sample-and-filter)

Metric: test/exact_match, the greedy answer on 1000 held-out problems (250 per number of operations).
Measured (cpu preset, 1500 steps, 3 seeds, 550-2030 s per run on the 2-core CPU shared with other
jobs): scratchpad 71.2 +- 10.4 %, direct 92.5 +- 1.6 %: on this task the direct answer is easier
(a sum is one attention average); discussion in docs/language/notes.md.
Reference: Wei et al. (2022) chain-of-thought prompting; Nye et al. (2021) scratchpads.
"""
from configs import common
from dljax.data import arith

VARIANTS = {
    'direct': ({'data.format': 'direct'}, common.reference(
        'test/exact_match', (0.2, 0.9), source='expectation: summing up to 5 signed digits in one '
        'forward pass is harder for a 3-layer model than one step at a time (Nye et al. 2021)')),
}


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='arith_cot', task='arith')
  config.data.name = 'arith'
  config.data.format = 'scratchpad'
  config.data.min_ops = 1
  config.data.max_ops = {'smoke': 2, 'cpu': 4, 'full': 8}[preset]
  config.data.eval_size = {'smoke': 8, 'cpu': 1000, 'full': 4000}[preset]
  config.model.name = 'gpt'
  config.model.vocab_size = arith.vocab_size()
  config.model.max_len = arith.seq_len(config.data.max_ops) - 1
  config.model.d_model, config.model.num_heads, config.model.num_layers = {
      'smoke': (16, 2, 1), 'cpu': (64, 4, 3), 'full': (128, 4, 6)}[preset]
  config.optim.name = 'adamw'
  config.optim.lr = 1e-3
  config.optim.weight_decay = 0.01
  config.optim.grad_clip_norm = 1.0
  config.optim.schedule = common.schedule('warmup_cosine', warmup_steps=1 if preset == 'smoke' else 100,
                                          end_lr=1e-5)
  config.reference = common.reference(
      'test/exact_match', (0.9, 1.0), source='expectation: with the running sums written out every '
      'step is one single-digit addition; a small transformer learns it (Nye et al. 2021)')
  common.preset(config, preset,
                smoke=dict(steps=2, batch_size=8, eval_batch_size=8),
                cpu=dict(steps=1500, batch_size=64, eval_batch_size=500, eval_every=500,
                         log_every=100),
                full=dict(steps=20000, batch_size=256, eval_batch_size=1000, eval_every=2500))
  return config
