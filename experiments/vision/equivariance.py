r"""Translation equivariance of conv feature maps, invariance after global pooling, and the same
probe on a ViT (all trained without augmentation).

  python -m experiments.vision.equivariance --workdir=/work/runs/equivariance [--steps=100] [--n_images=500]
      [--max_shift=8]

Three models are trained briefly (--steps steps at batch 128, their cpu configs otherwise, no
augmentation; test accuracy on the first 2,000 test images) into <workdir>/<model>: the Fashion-MNIST CNN (configs/vision/fmnist_cnn.py: conv,
pool, conv, pool, flatten + FC: no global pooling), the ResNet (configs/vision/fmnist_resnet.py:
3x3 convs with SAME-style padding 1, strided stages, global average pool) and the ViT
(configs/vision/fmnist_vit.py: 4x4 patches, learned absolute position embedding, [class] token).
Then the first --n_images test images are shifted right by k = 0..max_shift pixels (zero fill,
dljax.eval.equivariance.translate) and for each feature map of stride s we measure
||F(T_k x) - T_{k//s} F(x)|| / ||F(x)|| on the interior (one feature column left out at each
border, plus the k//s columns the shift filled), and for the logits the fraction of unchanged
predictions and the relative change. Border effects: columns near the right edge still see content
that the shift pushed out of the frame (and zero padding where the unshifted map saw pixels), so
deeper layers, whose receptive fields reach the border, show a small error even at multiples of s.
Outputs: docs/vision/equivariance.png (feature maps),
docs/vision/equivariance_logits.png (predictions) and <workdir>/equivariance.json.
"""
import json
import os

from absl import app, flags
import jax.numpy as jnp

from configs.vision import fmnist_cnn, fmnist_resnet, fmnist_vit
from dljax.eval import equivariance as eq

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# model -> (config module, {label: (submodule name, stride, is a ViT token sequence)})
PROBES = {
    'cnn': (fmnist_cnn, {'CNN conv1 (s=1)': ('Conv_0', 1, None),
                         'CNN conv2 (s=2, after a pool)': ('Conv_1', 2, None)}),
    'resnet': (fmnist_resnet, {'ResNet stage 1 (s=1)': ('stage1_block2', 1, None),
                               'ResNet stage 2 (s=2)': ('stage2_block2', 2, None),
                               'ResNet stage 3 (s=4)': ('stage3_block2', 4, None)}),
    'vit': (fmnist_vit, {'ViT patch embedding (s=4)': ('patch_embed', 4, False),
                         'ViT block 1 (s=4, + pos. emb.)': ('encoder/block1', 4, True),
                         'ViT block 4 (s=4)': ('encoder/block4', 4, True)}),
}
LOGIT_LABELS = {'cnn': 'CNN (flatten + FC)', 'resnet': 'ResNet (global avg pool)',
                'vit': 'ViT ([class] token)'}


def define_flags():
  """Registered only when run as a script, so that importing this module (tests) adds no absl flags
  that could clash with other experiments' flags."""
  flags.DEFINE_string('workdir', None, 'Directory for the three training runs and the JSON.')
  flags.DEFINE_integer('steps', 100, 'Training steps per model.')
  flags.DEFINE_integer('n_images', 500, 'Test images probed.')
  flags.DEFINE_integer('max_shift', 8, 'Largest shift in pixels.')
  flags.DEFINE_string('out', os.path.join(ROOT, 'docs', 'plots'), 'Folder of the PNGs.')
  flags.mark_flags_as_required(['workdir'])


def make_config(cfg_module, steps: int):
  config = cfg_module.get_config('cpu')
  config.train.steps, config.train.epochs = steps, 0.0
  config.optim.schedule.warmup_steps = min(50, steps // 4)
  config.train.eval_every = config.train.checkpoint_every = steps
  config.data.test_limit = 2000  # the accuracy is only a sanity check here
  return config


def trained_variables(config, workdir: str):
  """Trains (or finds the finished run in workdir), then reads the final variables back."""
  from dljax.train import checkpoint, loop  # pylint: disable=g-import-not-at-top
  summary = loop.train_and_evaluate(config, workdir, progress=False)
  run = loop.Run(config, workdir, progress=False)
  state, _, _ = run.ckpt.restore(checkpoint.abstract(run.init_state()))
  return state.nets['model'].variables(), summary['final']['test/accuracy'], run.data['test']


def main(argv):
  del argv
  from absl import logging  # pylint: disable=g-import-not-at-top
  from dljax import models, viz  # pylint: disable=g-import-not-at-top
  logging.set_verbosity(logging.WARNING)
  shifts = list(range(flags.FLAGS.max_shift + 1))
  results = {'shifts': shifts, 'features': {}, 'logits': {}, 'test_accuracy': {}}
  for name, (cfg_module, probes) in PROBES.items():
    config = make_config(cfg_module, flags.FLAGS.steps)
    variables, acc, test = trained_variables(config, os.path.join(flags.FLAGS.workdir, name))
    results['test_accuracy'][name] = acc
    model = models.build(config.model)
    x = jnp.asarray(test['x'][:flags.FLAGS.n_images])
    names = [module for module, _, _ in probes.values()]
    outs = [eq.intermediates(model, variables, eq.translate(x, k), names) for k in shifts]

    def feature(out, module, tokens):
      f = out[module]
      return eq.tokens_to_map(f, (7, 7), cls=tokens) if tokens is not None else f

    for label, (module, stride, tokens) in probes.items():
      f_x = feature(outs[0], module, tokens)
      results['features'][label] = [
          eq.equivariance_error(f_x, feature(out, module, tokens), k, stride, border=1)
          for k, out in zip(shifts, outs)]
    results['logits'][LOGIT_LABELS[name]] = [eq.logit_change(outs[0]['logits'], out['logits'])
                                            for out in outs]
    print(f'{name}: test accuracy {acc:.4f} after {flags.FLAGS.steps} steps', flush=True)
  for label, errs in results['features'].items():
    print(f'{label:>34}: ' + ' '.join(f'{e:.3f}' for e in errs))
  for label, rows in results['logits'].items():
    print(f'{label:>34}: same prediction ' + ' '.join(f'{r["same_prediction"]:.3f}' for r in rows))
  with open(os.path.join(flags.FLAGS.workdir, 'equivariance.json'), 'w') as f:
    json.dump(results, f, indent=2)
  viz.multi_curves({label: (shifts, errs) for label, errs in results['features'].items()},
                   '|| F(T_k x) - T_{k/s} F(x) || / || F(x) ||  (interior)',
                   os.path.join(flags.FLAGS.out, 'equivariance.png'), xlabel='shift k (pixels)',
                   title='Equivariance of feature maps: exact only at multiples of the stride s')
  viz.multi_curves({label: (shifts, [r['same_prediction'] for r in rows])
                    for label, rows in results['logits'].items()},
                   'fraction of unchanged predictions', os.path.join(flags.FLAGS.out,
                                                                     'equivariance_logits.png'),
                   xlabel='shift k (pixels)', title='Invariance of the prediction to shifts')
  print(f'plots in {flags.FLAGS.out}')


if __name__ == '__main__':
  define_flags()
  app.run(main)
