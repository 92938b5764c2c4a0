r"""Fashion-MNIST Vision Transformer: 4x4 patches (49 tokens + [class]), learned position embedding,
pre-norm encoder blocks (LN -> MHA, LN -> MLP(GELU)), final LN, linear head on the [class] token.
Options: model.pos_embedding=learned|sincos2d|none, model.stem=linear|conv, model.patch, model.pool.

  python -m experiments.train --config=configs/vision/fmnist_vit.py:cpu --workdir=runs/fmnist_vit

cpu preset: width 64, depth 4, 4 heads, MLP 128, conv stem (Xiao et al. 2021), AdamW 2e-3 (weight
decay 0.05, grad clip 1), 12 epochs, flips + 1-px shifts; 144,778 params. Expected: 90.03 % test
accuracy (seed 0, before the validation split) in 1017 s on a 2-core Xeon; target >= 89 % in
<= 20 min. Reference: 93.0 % for a small ViT trained longer (REFERENCES.md). full preset (~2.7M
params, 100 epochs): not measured. Older presets that missed: docs/vision/notes.md.
"""
from configs import common

MODEL = {
    'smoke': dict(width=16, depth=1, num_heads=2, mlp_dim=32),
    'cpu': dict(width=64, depth=4, num_heads=4, mlp_dim=128),
    'full': dict(width=192, depth=9, num_heads=12, mlp_dim=384, dropout=0.1),
}


# experiments.reproduce runs one seed at the cpu preset (3 on a GPU when one is lent)
ONE_SEED = 'a cpu run takes ~17 min on 2 cores'

def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='fmnist_vit', task='classification')
  config.data.name = 'fashion_mnist'
  config.model.name = 'vit'
  config.model.size = ''  # '': this model; a paper's size: vit.VIT_SIZES, e.g. 'B/16'
  config.model.patch = 4
  config.model.pos_embedding = 'learned'
  config.model.stem = 'linear' if preset == 'smoke' else 'conv'
  config.model.pool = 'cls'
  config.model.dropout = 0.0
  for key, value in MODEL[preset].items():
    config.model[key] = value
  common.adam_warmup_cosine(config, preset, lr=2e-3 if preset == 'cpu' else 1e-3, warmup_steps=300)
  config.optim.name = 'adamw'
  config.optim.weight_decay = 0.05
  config.reference = common.reference(
      'test/accuracy', (0.91, 0.935) if preset == 'full' else (0.89, 0.93), value=0.93,
      source='REFERENCES.md §8: small ViT from scratch on Fashion-MNIST 93.0 % (trained longer); '
      'cpu: from the issue target >= 89 % up to it')
  config.optim.grad_clip_norm = 1.0
  if preset != 'smoke':   # flips are valid for clothes; small shifts (1 px on cpu: it underfit)
    config.augment = dict(flip=True, shift=1 if preset == 'cpu' else 2)
  common.preset(config, preset,
                smoke=common.FMNIST_SMOKE,
                cpu=dict(epochs=12, batch_size=128, eval_every=1000),
                full=dict(epochs=100, batch_size=128, eval_every=5000))
  return config
