r"""In-context learning: a small GPT trained on fresh functions per sequence answers few-shot prompts.
Data (dljax.data.icl): [family] x_1 f(x_1) ... x_n f(x_n) over p = 7 symbols, f a random permutation
('mapping'), a x + b mod p ('linear') or x + c mod p ('offset'); loss on the answers only.

  python -m experiments.train --config=configs/language/icl.py:cpu --workdir=runs/icl

Metrics: test/accuracy_k{k} (and per family) after k examples on 3 x 1000 held-out sequences.
Expected (cpu preset, 3000 steps, seed 0, 183 s on a 2-core Xeon, shared): after 1 / 4 / 16
examples offset 98.0 / 98.4 / 98.3 %, mapping 25.5 / 29.1 / 24.5 %, linear 23.1 / 27.8 / 28.5 %
(chance 14.3 %). Reference: Garg et al. (2022), Brown et al. (2020); the Bayes-optimal ceiling
(dljax.data.icl.bayes_accuracy) and history: docs/language/notes.md. full preset: not measured.
"""
from configs import common
from dljax.data import icl


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='icl', task='icl')
  config.data.name = 'icl'
  config.data.families = icl.FAMILIES
  config.data.num_symbols = 11 if preset == 'full' else 7
  config.data.num_pairs = {'smoke': 5, 'cpu': 17, 'full': 33}[preset]
  config.data.eval_shots = {'smoke': (0, 1, 2, 4), 'cpu': (0, 1, 2, 4, 8, 16),
                            'full': (0, 1, 2, 4, 8, 16, 32)}[preset]
  config.data.eval_per_family = {'smoke': 8, 'cpu': 1000, 'full': 4000}[preset]
  config.model.name = 'gpt'
  config.model.vocab_size = icl.vocab_size(config.data.num_symbols)
  config.model.max_len = 2 * config.data.num_pairs
  config.model.d_model, config.model.num_heads, config.model.num_layers = {
      'smoke': (16, 2, 1), 'cpu': (64, 4, 3), 'full': (256, 8, 8)}[preset]
  config.optim.name = 'adamw'
  config.optim.lr = 1e-3
  config.optim.weight_decay = 0.01
  config.optim.grad_clip_norm = 1.0
  config.optim.schedule = common.schedule('warmup_cosine', warmup_steps=1 if preset == 'smoke' else 200,
                                          end_lr=1e-5)
  # after 4 examples (every preset evaluates k = 4): from 'offset solved, the rest at chance'
  # (p = 7: 0.43) to the Bayes-optimal learner (dljax.data.icl.bayes_accuracy: 0.868 for p = 7,
  # 0.801 for p = 11)
  config.reference = common.reference(
      'test/accuracy_k4', (0.70, 0.801) if preset == 'full' else (0.43, 0.868),
      source='expectation: between learning only the one-example family and the Bayes ceiling; '
      'given enough training a transformer nears the optimal learner (Garg et al. 2022)')
  common.preset(config, preset,
                smoke=dict(steps=3, batch_size=8, eval_batch_size=8),
                cpu=dict(steps=3000, batch_size=64, eval_batch_size=500, eval_every=1000,
                         log_every=100),
                full=dict(steps=50000, batch_size=256, eval_batch_size=1000, eval_every=2500))
  return config
