r"""Fashion-MNIST mini-GoogLeNet: conv3x3 stem, two stages of two Inception modules (parallel 1x1 /
1x1->3x3 / 1x1->5x5 / maxpool->1x1 branches, conv-BN-ReLU, concatenated) after 2x2 pools (28 -> 14
-> 7), global average pool, dropout, dense; two auxiliary classifiers (after modules 2 and 3) used in
training only, each adding aux_weight * cross-entropy to the loss (GoogLeNet: 0.3).
--config.model.factorised=True: two 3x3 for the 5x5 (InceptionV3).

  python -m experiments.train --config=configs/vision/fmnist_inception.py:cpu --workdir=runs/fmnist_inception

Reference: none for GoogLeNet in REFERENCES.md §1; the small-CNN anchor band there is 91-93.5 %.
MEASURED (cpu preset: 254,094 params with the two auxiliary heads, 5 epochs = 2,344 steps at batch
128, seed 0; 2-core Xeon, jax 0.10.2 CPU, sharing the CPU with another job throughout, so the time
is an upper bound; alone it was estimated at ~12 min from 302 ms per step): test accuracy 92.15 %
(90.82 at step 1000, 92.02 at 2000), test loss 0.217, 1746 s.
full preset: wider modules for a GPU/TPU.
"""
from configs import common


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='fmnist_inception', task='classification')
  config.data.name = 'fashion_mnist'
  config.aux_weight = 0.3  # weight of each auxiliary head's loss (Classification task)
  config.model.name = 'inception'
  config.model.stem = {'smoke': 16, 'cpu': 32, 'full': 64}[preset]
  config.model.stages = {'smoke': ((16, 1),),
                         'cpu': ((64, 2), (128, 2)),
                         'full': ((128, 2), (256, 2))}[preset]
  config.model.factorised = False
  config.model.aux_after = (1,) if preset == 'smoke' else (2, 3)
  config.model.aux_features = 16 if preset == 'smoke' else 64
  config.model.aux_dense = 32 if preset == 'smoke' else 256
  config.model.dropout = 0.4
  common.adam_warmup_cosine(config, preset, lr=2e-3)
  config.reference = common.reference(
      'test/accuracy', (0.91, 0.935), source='REFERENCES.md §1 (no GoogLeNet number): small-CNN '
      'anchor band 91-93.5 %')
  common.preset(config, preset,
                smoke=common.FMNIST_SMOKE,
                cpu=dict(epochs=5, batch_size=128, eval_every=1000),
                full=dict(epochs=60, batch_size=128, eval_every=2000))
  return config
