r"""Fashion-MNIST Swin Transformer: 2x2 patches -> 14x14 tokens of 32 channels, windows of 7x7
(2 x 2 windows; W-MSA then SW-MSA with shift 3), patch merging to 7x7 x 64 (one window, no shift),
relative position bias, LayerNorm + global average pool + dense.

  python -m experiments.train --config=configs/vision/fmnist_swin.py:cpu --workdir=runs/fmnist_swin

Reference: 93.0 % test accuracy for a small ViT trained longer (REFERENCES.md); issue target (cpu
preset): >= 89 % in <= 20 min on a 2-core CPU.
cpu preset: a conv stem (conv3x3 to 16 channels + ReLU, then the 2x2 stride-2 patch embedding; Xiao
et al. 2021's remedy for slow early ViT training), embed 32, depths (2, 2), heads (2, 4), AdamW 2e-3
(weight decay 0.05, grad clip 1), warm-up + cosine, batch 128, 6 epochs = 2813 steps, flips only.
138,934 params. MEASURED (cpu preset, seed 0; 2-core Xeon, jax 0.10.2 CPU, the queue's priority job):
test accuracy 89.74 % (test loss 0.283; 85.3 / 88.9 % at steps 1000 / 2000), target >= 89 % MET;
1013 s of training (16.9 min), target <= 20 min MET.
Previous cpu preset (linear patch embedding, AdamW 1e-3, flips + shifts of up to 2 px, 5 epochs,
seed 0, measurement queue on the shared 2-core Xeon): test accuracy 83.50 %, test loss 0.431,
728 s: WORSE than without augmentation (underfits in 5 epochs).
Older cpu preset (embed 32, depths (2, 2), heads (2, 4), 136,854 params, Adam 1e-3, warm-up +
cosine, batch 128, 4 epochs = 1875 steps, no augmentation, seed 0; measurement queue on the shared
2-core CPU, jax CPU): test accuracy 86.22 %, test loss 0.386 (84.09 % at step 1000); 770 s of
training (12.8 min, 2.43 steps/s). BELOW the 89 % target. Training gradient norms were 60-580 (no
clipping): next try grad_clip_norm=1.0 and AdamW 0.05 as in fmnist_vit, 5 epochs (~16 min).
full preset: embed 96, depths (2, 6), heads (3, 6), 2.98M params, 100 epochs, AdamW-style decay
0.05; for a GPU/TPU; not yet measured (aims at the 93.0 small-ViT reference).
"""
from configs import common


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='fmnist_swin', task='classification')
  config.data.name = 'fashion_mnist'
  config.model.name = 'swin'
  config.model.patch = 2
  config.model.window = 7
  config.model.embed_dim = {'smoke': 12, 'cpu': 32, 'full': 96}[preset]
  config.model.depths = {'smoke': (2, 1), 'cpu': (2, 2), 'full': (2, 6)}[preset]
  config.model.heads = {'smoke': (2, 2), 'cpu': (2, 4), 'full': (3, 6)}[preset]
  config.model.stem = 'conv' if preset == 'cpu' else 'linear'
  common.adam_warmup_cosine(config, preset, lr=2e-3 if preset == 'cpu' else 1e-3)
  config.optim.name = 'adamw'
  config.optim.weight_decay = 0.05
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
