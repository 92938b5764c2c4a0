r"""Fashion-MNIST ConvNeXt for 28x28: patchify stem (2x2, stride 2), three stages (14 / 7 / 3,
depths 1:3:1) of ConvNeXt blocks (depthwise 7x7 -> LN -> 1x1 to 4C -> GELU -> 1x1 to C, layer
scale from 1, not the paper's 1e-6), LN + 2x2 stride-2 downsampling, average pool -> LN -> dense.
LADDER below is the ResNet -> ConvNeXt modernisation ladder (Liu et al. 2022, Fig. 2; the study
vision/convnext_ladder).

  python -m experiments.train --config=configs/vision/fmnist_convnext.py:cpu --workdir=runs/fmnist_convnext

cpu preset: 12 epochs, AdamW 2e-3 (weight decay 0.05, gradients clipped at global norm 1), warm-up +
cosine, batch 128, flips + 1-px shifts; 301k params. Expected: 92.01 % test accuracy (seed 0, before
the validation split) in 3486 s on a 2-core Xeon; target >= 91.5 %. Reference: ConvNeXt-T 82.1 % on
ImageNet-1K; no published Fashion-MNIST number. full preset (4.77M params, 60 epochs): not measured.
History (earlier presets, the ladder, ablations): docs/vision/notes.md.
"""
from configs import common

_CONVNEXT = ('REFERENCES.md §1 (no ConvNeXt number): from the issue target >= 91.5 % (cpu) to the '
             'ResNet-with-augmentation anchor 94.5 %')
# the 8-epoch rows of the results page, with and without clipping (experiments.reproduce runs each;
# by hand: the overrides as flags); compared with the band of the 12-epoch preset
VARIANTS = {
    '8ep': ({'train.epochs': 8.0}, common.reference('test/accuracy', (0.915, 0.945),
                                                   source=_CONVNEXT)),
    '8ep_noclip': ({'train.epochs': 8.0, 'optim.grad_clip_norm': 0.0}, common.reference(
        'test/accuracy', (0.915, 0.945), source=_CONVNEXT)),
}

# (rung name, model overrides); each rung keeps the overrides of the rungs before it.
LADDER = (
    # ResNet with bottleneck blocks 1x1 (C -> C/4) -> 3x3 -> 1x1 (-> C), BN and ReLU after every conv
    # and after the addition, conv3x3 + max-pool stem, stride-2 first blocks with projections
    ('0 ResNet', dict(depths=(2, 2, 2), widths=(64, 128, 256), stem='conv_pool', expansion=0.25,
                      kernel=3, depthwise=False, dw_first=False, act='relu', norm='bn',
                      fewer_acts=False, fewer_norms=False, downsample='in_block', head_norm=False,
                      layer_scale=0.0)),
    ('1 stage ratio 1:3:1', dict(depths=(1, 3, 1))),
    ('2 patchify stem', dict(stem='patchify')),
    # ResNeXt-ify: the 3x3 conv depthwise (groups = channels), then 2x wider (the paper: 64 -> 96)
    ('3 depthwise, 2x wider', dict(depthwise=True, widths=(128, 256, 512))),
    # inverted bottleneck: the residual stream takes the old hidden width, and the hidden is 4x it
    ('4 inverted bottleneck', dict(widths=(32, 64, 128), expansion=4.0)),
    ('5 dwconv first, 7x7', dict(dw_first=True, kernel=7)),
    ('6 GELU, one act', dict(act='gelu', fewer_acts=True)),
    ('7 LayerNorm, one norm', dict(norm='ln', fewer_norms=True)),
    # separate downsampling layers (LN + 2x2 conv, stride 2), LN after the pool, layer scale (the
    # paper's 1e-6 here; the config below starts it at 1, see the docstring)
    ('8 ConvNeXt', dict(downsample='separate', head_norm=True, layer_scale=1e-6)),
)


def ladder_model(rung: int, model):
  """`model` (a config.model) with the overrides of rungs 0..rung applied."""
  for _, overrides in LADDER[:rung + 1]:
    for key, value in overrides.items():
      model[key] = value
  return model


# experiments.reproduce runs one seed at the cpu preset (3 on a GPU when one is lent)
ONE_SEED = 'a cpu run takes ~58 min on 2 cores (its 8-epoch variants ~40 min)'

def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='fmnist_convnext', task='classification')
  config.data.name = 'fashion_mnist'
  config.model.name = 'convnext'
  config.model.size = ''  # '': this model; a paper's size: convnext.CONVNEXT_SIZES, e.g. 'T'
  config.model.depths = {'smoke': (1, 1), 'cpu': (1, 3, 1), 'full': (2, 6, 2)}[preset]
  config.model.widths = {'smoke': (8, 16), 'cpu': (32, 64, 128), 'full': (96, 192, 384)}[preset]
  config.model.stem = 'patchify'
  config.model.patch = 2  # 2x2 patches: 28 -> 14 (ConvNeXt's 4x4 would leave 7x7 for stage 1)
  config.model.expansion = 4.0
  config.model.kernel = 7
  config.model.depthwise = True
  config.model.dw_first = True
  config.model.act = 'gelu'
  config.model.norm = 'ln'
  config.model.fewer_acts = True
  config.model.fewer_norms = True
  config.model.downsample = 'separate'
  config.model.head_norm = True
  config.model.layer_scale = 1.0  # a learned per-channel gain from 1 (the paper's ConvNeXt: 1e-6)
  config.model.drop_path = 0.1 if preset == 'full' else 0.0  # stochastic depth (cpu: underfits)
  config.model.dw_impl = 'xla'
  if preset != 'smoke':  # flips are valid for clothes; small shifts (more on a longer schedule)
    config.augment = dict(flip=True, shift=1 if preset == 'cpu' else 2)
  common.adam_warmup_cosine(config, preset, lr=2e-3)
  config.optim.name = 'adamw'
  config.optim.weight_decay = 0.05
  config.optim.grad_clip_norm = 1.0  # raw gradient norms reached 20-70 without it (see MEASURED)
  if preset == 'full':
    config.reference = common.reference(
        'test/accuracy', (0.945, 0.96), source='REFERENCES.md §1: ResNet-ish with augmentation '
        '94.5-95 %, WRN 96 % (no ConvNeXt number)')
  else:
    config.reference = common.reference('test/accuracy', (0.915, 0.945), source=_CONVNEXT)
  common.preset(config, preset,
                smoke=common.FMNIST_SMOKE,
                cpu=dict(epochs=12, batch_size=128, eval_every=1000),
                full=dict(epochs=60, batch_size=128, eval_every=2000))
  return config
