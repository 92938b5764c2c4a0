r"""SAM-lite promptable segmentation on generated nested shapes (seed 001 §1.17, c42-c43): a ViT image
encoder, a Fourier-feature prompt encoder and a two-way-attention mask decoder (dljax.models.sam)
with 3 masks, the min-over-masks loss and an IoU-prediction head (task promptable_segment); the
single-mask baseline is the variant `single` (--config.model.num_masks=1).

  python -m experiments.train --config=configs/segmentation/sam_shapes.py:cpu --workdir=runs/sam
  python -m experiments.train --config=configs/segmentation/sam_shapes.py:cpu --workdir=runs/sam1 \
      --config.model.num_masks=1

Data: shapes_prompts (32x32, point or box prompts; about a quarter of the prompts are points inside
a nested group that can mean 2 or 3 masks, the target drawn among them). cpu preset: D = 64, 2
encoder + 2 two-way blocks, 8x8 tokens, Adam 2e-3 warm-up + cosine, batch 32, 1,500 steps.
Reports test/iou (mask IoU of the IoU-head-picked mask), test/iou_oracle (best of the 3),
test/coverage_ambiguous. Reference: none (generated data); the bands are expectations. Measured
numbers: docs/segmentation/README.md; notes: docs/segmentation/notes.md.
"""
from configs import common

_SOURCE = ('expectation: generated data, no published number; a quarter of the prompts are '
           'ambiguous (the target one of 2-3 nested readings), which caps a single mask')
VARIANTS = {
    'single': ({'model.num_masks': 1}, common.reference('test/iou', (0.5, 0.85), unit='',
                                                        source=_SOURCE)),
}


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='sam_shapes', task='promptable_segment')
  config.data.name = 'shapes_prompts'
  config.data.data_seed = 0
  config.data.num_train = 4000
  config.data.num_val = 500
  config.data.num_test = 1000
  config.model.name = 'sam'
  config.model.image_size = 32
  config.model.patch = 4
  config.model.dim = {'smoke': 32, 'cpu': 64, 'full': 128}[preset]
  config.model.num_heads = 4
  config.model.mlp_dim = 2 * config.model.dim
  config.model.encoder_depth = {'smoke': 1, 'cpu': 2, 'full': 4}[preset]
  config.model.decoder_depth = {'smoke': 1, 'cpu': 2, 'full': 2}[preset]
  config.model.num_masks = 3
  config.model.hires_skip = True
  config.promptable = dict(iou_weight=1.0)
  common.adam_warmup_cosine(config, preset, lr=2e-3, warmup_steps=100)
  config.optim.grad_clip_norm = 1.0
  config.reference = common.reference('test/iou', (0.6, 0.95), unit='', source=_SOURCE)
  common.preset(config, preset,
                smoke=dict(steps=4, batch_size=16, eval_batch_size=64, num_train=64, num_val=32,
                           num_test=32),
                cpu=dict(steps=1500, batch_size=32, eval_batch_size=500, eval_every=500,
                         checkpoint_every=500),
                full=dict(steps=30000, batch_size=128, eval_batch_size=1000, eval_every=2000,
                          num_train=50000, num_val=2000, num_test=5000))
  return config
