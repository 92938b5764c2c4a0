r"""Fashion-MNIST Swin Transformer: 2x2 patches -> 14x14 tokens, 7x7 windows (W-MSA then SW-MSA with
shift 3), patch merging to 7x7 (one window), relative position bias, LN + average pool + dense.

  python -m experiments.train --config=configs/vision/fmnist_swin.py:cpu --workdir=runs/fmnist_swin

cpu preset: conv stem, embed 32, depths (2, 2), heads (2, 4), AdamW 2e-3 (weight decay 0.05, grad
clip 1), warm-up + cosine, batch 128, 6 epochs, flips only; 138,934 params. Expected: 89.74 % test
accuracy (seed 0, before the validation split) in 1013 s on a 2-core Xeon; target >= 89 % in
<= 20 min. Reference: 93.0 % for a small ViT trained longer (REFERENCES.md). full preset (2.98M
params, 100 epochs): not measured. Older presets that missed: docs/vision/notes.md.
"""
from configs import common


# experiments.reproduce runs one seed at the cpu preset (3 on a GPU when one is lent)
ONE_SEED = 'a cpu run takes ~17 min on 2 cores'

def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='fmnist_swin', task='classification')
  config.data.name = 'fashion_mnist'
  config.model.name = 'swin'
  config.model.size = ''  # '': this model; a paper's size: swin.SWIN_SIZES, e.g. 'T'
  config.model.patch = 2
  config.model.window = 7
  config.model.embed_dim = {'smoke': 12, 'cpu': 32, 'full': 96}[preset]
  config.model.depths = {'smoke': (2, 1), 'cpu': (2, 2), 'full': (2, 6)}[preset]
  config.model.heads = {'smoke': (2, 2), 'cpu': (2, 4), 'full': (3, 6)}[preset]
  config.model.stem = 'conv' if preset == 'cpu' else 'linear'
  common.adam_warmup_cosine(config, preset, lr=2e-3 if preset == 'cpu' else 1e-3)
  config.optim.name = 'adamw'
  config.optim.weight_decay = 0.05
  config.reference = common.reference(
      'test/accuracy', (0.91, 0.94) if preset == 'full' else (0.89, 0.93), value=0.93,
      source='REFERENCES.md §8: small ViT from scratch on Fashion-MNIST 93.0 % (trained longer); '
      'cpu: from the issue target >= 89 % up to it')
  config.optim.grad_clip_norm = 1.0   # training gradient norms reached 60-580 without it
  if preset == 'full':   # flips are valid for clothes; small shifts
    config.augment = dict(flip=True, shift=2)
  elif preset == 'cpu':  # shifts slowed the 5-epoch run down more than they helped (83.5 %)
    config.augment = dict(flip=True)
  common.preset(config, preset,
                smoke=common.FMNIST_SMOKE,
                cpu=dict(epochs=6, batch_size=128, eval_every=1000),
                full=dict(epochs=100, batch_size=128, eval_every=2000))
  return config
