r"""Translation equivariance of conv feature maps, invariance after global pooling, and the same
probe on a ViT.

  python -m experiments.study vision/equivariance --workdir=runs/equivariance [--preset=cpu] [--publish]

Three models, their cpu configs trained briefly (100 steps at batch 128, test accuracy on the first
2,000 test images, a sanity check only): the CNN (fmnist_cnn: conv, pool, conv, pool, flatten + FC),
the ResNet (fmnist_resnet: SAME-padded 3x3 convs, strided stages, global average pool) and the ViT
(fmnist_vit: 4x4 patches, learned position embedding, [class] token; its config's flips and 1-px
shifts). The report reloads each run (load_run), shifts the first 500 test images right by
k = 0..8 px (dljax.eval.equivariance) and measures ||F(T_k x) - T_{k//s} F(x)|| / ||F(x)|| on the
interior of each feature map of stride s, and the fraction of unchanged predictions. Plots
equivariance.png, equivariance_logits.png. Expected (cpu, 2-core CPU, a few minutes): errors 0 at
multiples of s (small at depth: border effects), large between; see docs/vision/notes.md.
"""
import os

from configs.vision import fmnist_cnn, fmnist_resnet, fmnist_vit

# model -> (config module, {label: (submodule name, stride, is a ViT token sequence, border)});
# border: the columns left out on each side of the map. The CNN's 5x5 convs reach 2 input columns,
# so conv1 is exactly equivariant from 2 columns in, conv2 (pool, then 5x5) from 3; elsewhere 1
# column, and what remains near the edges is the border effect the plot shows.
PROBES = {
    'cnn': (fmnist_cnn, {'CNN conv1 (s=1)': ('Conv_0', 1, None, 2),
                         'CNN conv2 (s=2, after a pool)': ('Conv_1', 2, None, 3)}),
    'resnet': (fmnist_resnet, {'ResNet stage 1 (s=1)': ('stage1_block2', 1, None, 1),
                               'ResNet stage 2 (s=2)': ('stage2_block2', 2, None, 1),
                               'ResNet stage 3 (s=4)': ('stage3_block2', 4, None, 1)}),
    'vit': (fmnist_vit, {'ViT patch embedding (s=4)': ('patch_embed', 4, False, 1),
                         'ViT block 1 (s=4, + pos. emb.)': ('encoder/block1', 4, True, 1),
                         'ViT block 4 (s=4)': ('encoder/block4', 4, True, 1)}),
}
LOGIT_LABELS = {'cnn': 'CNN (flatten + FC)', 'resnet': 'ResNet (global avg pool)',
                'vit': 'ViT ([class] token)'}
PRESET_STEPS = {'cpu': 100, 'smoke': 2}
N_IMAGES, MAX_SHIFT = 500, 8


def make_config(cfg_module, steps: int, smoke: bool = False):
  """The model's cpu config for `steps` steps (smoke: on 256 training and 64 test images)."""
  config = cfg_module.get_config('cpu')
  config.train.steps, config.train.epochs = steps, 0.0
  config.optim.schedule.warmup_steps = min(50, steps // 4)
  config.train.eval_every = config.train.checkpoint_every = steps
  config.data.test_limit = 2000  # the accuracy is only a sanity check here
  if smoke:  # the cpu models (the probed layers exist) on a few images
    config.data.train_limit, config.data.test_limit, config.data.batch_size = 256, 64, 32
    config.data.eval_batch_size = 64
    config.train.log_every = 1
  return config


def runs(preset: str, workdir: str):
  del workdir
  if preset not in PRESET_STEPS:
    raise ValueError(f'unknown preset {preset!r}; this study has the presets {tuple(PRESET_STEPS)}.')
  for name, (cfg_module, _) in PROBES.items():
    yield name, make_config(cfg_module, PRESET_STEPS[preset], smoke=preset == 'smoke')


def probe(run, probes: dict, shifts, n_images: int = N_IMAGES):
  """({label: [equivariance error per shift]}, [logit_change per shift]) of the loaded run `run`
  (dljax.train.loop.LoadedRun) on its first n_images test images."""
  import jax.numpy as jnp  # pylint: disable=g-import-not-at-top
  from dljax import models  # pylint: disable=g-import-not-at-top
  from dljax.eval import equivariance as eq  # pylint: disable=g-import-not-at-top
  model = models.build(run.config.model)
  variables = run.state.nets['model'].variables()
  x = jnp.asarray(run.data['test']['x'][:n_images])
  names = [module for module, _, _, _ in probes.values()]
  outs = [eq.intermediates(model, variables, eq.translate(x, k), names) for k in shifts]

  def feature(out, module, tokens):
    f = out[module]
    return eq.tokens_to_map(f, (7, 7), cls=tokens) if tokens is not None else f

  features = {}
  for label, (module, stride, tokens, border) in probes.items():
    f_x = feature(outs[0], module, tokens)
    features[label] = [eq.equivariance_error(f_x, feature(out, module, tokens), k, stride, border)
                       for k, out in zip(shifts, outs)]
  return features, [eq.logit_change(outs[0]['logits'], out['logits']) for out in outs]


def report(summaries: dict, out: str) -> dict:
  """{shifts, features: {label: errors}, logits: {label: [logit_change]}, test_accuracy} (the old
  script's equivariance.json) and the two plots."""
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  shifts = list(range(MAX_SHIFT + 1))
  table = {'shifts': shifts, 'features': {}, 'logits': {}, 'test_accuracy': {}}
  for name, (_, probes) in PROBES.items():
    run = loop.load_run(summaries[name]['workdir'])
    table['test_accuracy'][name] = summaries[name]['final']['test/accuracy']
    features, logits = probe(run, probes, shifts)
    table['features'].update(features)
    table['logits'][LOGIT_LABELS[name]] = logits
  plot(table, out)
  return table


def plot(table: dict, out: str):
  """equivariance.png (feature maps) and equivariance_logits.png (predictions) into `out`."""
  from dljax import viz  # pylint: disable=g-import-not-at-top
  shifts = table['shifts']
  viz.multi_curves({label: (shifts, errs) for label, errs in table['features'].items()},
                   '|| F(T_k x) - T_{k/s} F(x) || / || F(x) ||  (interior)',
                   os.path.join(out, 'equivariance.png'), xlabel='shift k (pixels)',
                   title='Equivariance of feature maps: exact only at multiples of the stride s')
  viz.multi_curves({label: (shifts, [r['same_prediction'] for r in rows])
                    for label, rows in table['logits'].items()},
                   'fraction of unchanged predictions', os.path.join(out, 'equivariance_logits.png'),
                   xlabel='shift k (pixels)', title='Invariance of the prediction to shifts')
