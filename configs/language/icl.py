r"""In-context learning: a small GPT trained on fresh functions per sequence answers few-shot prompts.

  python -m experiments.train --config=configs/language/icl.py:cpu --workdir=runs/icl

Data (dljax.data.icl): [family] x_1 f(x_1) ... x_n f(x_n) over p = 7 symbols with f drawn per
sequence from three families: a random permutation ('mapping'), f(x) = a x + b mod p ('linear'),
f(x) = x + c mod p ('offset', copy with a random offset). Loss on the answers f(x_j) only.
Metrics: test/accuracy_k{k} (and test/<family>/accuracy_k{k}) = accuracy of the answer after k
examples, k in 0, 1, 2, 4, 8, 16, on 3 x 1000 held-out sequences. Baselines on that test set
(seed 0): chance 1/7 = 0.143 at every k, which is also the best possible without context; the
Bayes-optimal in-context learner (the ceiling, dljax.data.icl.bayes_accuracy) at k = 0/1/2/4/8/16:
  mapping 0.143 / 0.281 / 0.390 / 0.576 / 0.854 / 0.985
  linear  0.143 / 0.277 / 0.912 / 0.995 / 1.000 / 1.000
  offset  0.143 / 1.000 / 1.000 / 1.000 / 1.000 / 1.000
  mean    0.143 / 0.519 / 0.767 / 0.857 / 0.951 / 0.995
Per-family curves: <workdir>/plots/icl_shots.png; the study: experiments/icl_study.py.
Reference: the catalog (seed-002 §4.9, item 33) gives no number; Garg et al. (2022) and
Brown et al. (2020) show accuracy rising with the number of in-context examples.
MEASURED (cpu preset, 3000 steps, 183 s sharing a 2-core Xeon with another job, seed 0; experiments/icl_study.py,
docs/language/icl_shots.png): accuracy after k = 0/1/2/4/8/16 examples: offset 0.147 / 0.980 / 0.989 /
0.984 / 0.993 / 0.983 (near the Bayes ceiling from k = 1); mapping 0.143 / 0.255 / 0.265 / 0.291 / 0.254 /
0.245 (above chance but flat in k, far below Bayes 0.854 at k = 8: it has not learned to look up the
earlier pair with the same x); linear 0.130 / 0.231 / 0.280 / 0.278 / 0.287 / 0.285 (Bayes 0.912 at k = 2).
Earlier calibration runs (nice, loaded 2-core CPU) were still
at chance (test/accuracy_k* ~ 0.14, loss = ln 7) after 300 steps (lr 1e-3) and 600 steps (lr 3e-3):
the usual plateau before induction-style copying forms; 3000 steps escape it only for "offset".
full preset: d=256, 8 layers, 8 heads, p = 11, up to 32 examples, 50k steps (a GPU); not yet measured.
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
  common.preset(config, preset,
                smoke=dict(steps=3, batch_size=8, eval_batch_size=8),
                cpu=dict(steps=3000, batch_size=64, eval_batch_size=500, eval_every=1000,
                         log_every=100),
                full=dict(steps=50000, batch_size=256, eval_batch_size=1000, eval_every=2500))
  return config
