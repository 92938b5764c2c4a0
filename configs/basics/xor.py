r"""XOR, (x1 > 0) xor (x2 > 0) with x uniform in [-1, 1]^2: seed 003's hand-set tanh network next to a
learned 2-4-2 tanh MLP (two softmax logits, the same as one logistic output) and a linear classifier.

  python -m experiments.train --config=configs/basics/xor.py:cpu --workdir=runs/xor_mlp
  python -m experiments.train --config=configs/basics/xor.py:cpu --workdir=runs/xor_handset \
      --config.model.name=handset
  python -m experiments.train --config=configs/basics/xor.py:cpu --workdir=runs/xor_linear \
      --config.model.name=linear

Reference: seed 003 (notes l.313-323) builds z1 = tanh(10 x1), z2 = tanh(10 x2), z3 = tanh(z1+z2-1),
z4 = tanh(-z1-z2-1) and says it solves XOR; the notes give no read-out and no number.
MEASURED (cpu preset: Adam 0.1, warm-up + cosine, full batch 2048, 5000 steps, seed 0; 2-core CPU,
quiet machine; 1024 test points; about 8 s of training, 12 s per command):
  handset  99.90 % (1023 / 1024). The notes' gain 10 cannot reach 100 %: z3, z4 only see
           s = z1 + z2, so near the origin (tanh(10|x1|) + tanh(10|x2|) < 1, ~0.45 % of the square)
           the (+,+) and (-,-) quadrants are called XOR-true; the one miss is (-0.023, -0.089).
           --config.model.handset.gain=100 scores 100 % (1024 / 1024).
  mlp      99.61 % (4 / 1024 wrong). Not 100 %: 2048 training points leave gaps of ~1e-2 along the
           axes in which the learned boundary can wander, and test points lie as close as 3e-4 to an
           axis (more hidden units or steps did not help).
  linear   54.39 % (no line separates XOR; <= 75 %).
The decision boundaries are drawn in <workdir>/plots/decision_boundary.png.
full preset: 40,000 steps (not measured).
"""
from configs import common

HIDDEN = 4  # a 2-4-2 tanh MLP: four units are enough for a boundary exactly on the axes


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
  common.preset(config, preset,
                smoke=dict(steps=20, batch_size=256, eval_batch_size=512),
                cpu=dict(steps=5000, batch_size=2048, eval_every=500, eval_batch_size=1024),
                full=dict(steps=40000, batch_size=2048, eval_every=2000, eval_batch_size=1024))
  return config
