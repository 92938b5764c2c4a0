r"""XOR, (x1 > 0) xor (x2 > 0) with x uniform in [-1, 1]^2: seed 003's hand-set tanh network next to a
learned 2-4-2 tanh MLP and a linear classifier (--config.model.name=handset|mlp|linear).

  python -m experiments.train --config=configs/basics/xor.py:cpu --workdir=runs/xor_mlp
  python -m experiments.train --config=configs/basics/xor.py:cpu --workdir=runs/xor_handset \
      --config.model.name=handset

cpu preset: Adam 0.1, warm-up + cosine, batch 2048 (all 1792 training points, a few twice), 5000
steps. Expected (seed 0, 1024 test points, ~8 s on a 2-core CPU; validation 256 points): handset
99.90 % (100 % with --config.model.handset.gain=100), mlp 99.61 %, linear 50.59 %. Reference: the notes (l.313-323) say the hand-set net solves XOR; no
number. Why 100 % is missed: docs/basics/notes.md. full preset: 40,000 steps, not measured.
"""
from configs import common

HIDDEN = 4  # a 2-4-2 tanh MLP: four units are enough for a boundary exactly on the axes
_NOTES = 'expectation: the notes (l.313-323) say a 2-layer tanh net solves XOR; no number'
# the other models of this file (experiments.reproduce runs each; by hand: the overrides as flags)
VARIANTS = {
    'linear': ({'model.name': 'linear'}, common.reference(
        'test/accuracy', (0.45, 0.67), source='expectation: no line separates XOR; the best one '
        '(x1 + x2 = 2/3) scores 2/3 on uniform inputs, cross-entropy lands near the 50 % guess')),
    'handset': ({'model.name': 'handset'}, common.reference(
        'test/accuracy', (0.99, 1.0), source=_NOTES + '; tanh(10 x) blurs the axes slightly')),
}


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='xor', task='classification')
  config.data.name = 'toy_xor'
  config.model.name = 'mlp'
  config.model.handset = dict(arch='xor_handset', gain=10.0)  # the notes' tanh(10 x)
  config.model.mlp = dict(arch='mlp', hidden=(HIDDEN,), act='tanh', num_outputs=2)
  config.model.linear = dict(arch='linear', num_outputs=2)
  config.optim.name = 'adam'
  config.optim.lr = 0.1
  config.optim.schedule = common.schedule('warmup_cosine', warmup_steps=1)
  # full batch: all 2048 training points every step (with batches of 512 some seeds of the 2-4-2 MLP
  # stall at 83 % for thousands of steps)
  config.reference = common.reference('test/accuracy', (0.98, 1.0), source=_NOTES)
  common.preset(config, preset,
                smoke=dict(steps=20, batch_size=256, eval_batch_size=512),
                cpu=dict(steps=5000, batch_size=2048, eval_every=500, eval_batch_size=1024),
                full=dict(steps=40000, batch_size=2048, eval_every=2000, eval_batch_size=1024))
  return config
