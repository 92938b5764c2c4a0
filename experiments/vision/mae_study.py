r"""MAE study: does masked-autoencoder pretraining help a ViT that sees only 10 % of the labels?

  python -m experiments.vision.mae_study --workdir=runs/mae_study [--preset=cpu|smoke] [--out=docs/plots]

1. pretrain configs/vision/fmnist_mae.py (all 60,000 training images, no labels) in <workdir>/pretrain;
2. train configs/vision/fmnist_mae_finetune.py (the same ViT encoder, first 6,000 labelled images)
   three ways: 'scratch' (random init), 'finetune' (encoder from the MAE, everything trains, with
   MAE's layer-wise learning-rate decay 0.75) and 'linear_probe' (encoder from the MAE, frozen;
   only the head trains), each in <workdir>/<arm>.
Outputs (in <workdir> and --out): mae_study.png (test accuracy against the step, final accuracy per
arm), mae_study.json ({arm: {test_accuracy, test_loss, wall_s}, 'pretrain': {...}}) and the
pretraining's reconstructions as mae_reconstruction.png. Finished runs are not retrained.
"""
import json
import os
import shutil
import time

from absl import app, flags

from configs.vision import fmnist_mae, fmnist_mae_finetune

ARMS = ('scratch', 'finetune', 'linear_probe')
LAYER_DECAY = 0.75  # He et al. 2022's value for fine-tuning (ViT-L/H; BEiT uses 0.65-0.75)


def arm_config(arm: str, preset: str, pretrain_workdir: str):
  """fmnist_mae_finetune for one arm: from scratch, fine-tuned or linear-probed from the MAE."""
  config = fmnist_mae_finetune.get_config(preset)
  if arm != 'scratch':
    config.init_from.workdir = pretrain_workdir
  if arm == 'finetune':  # MAE's fine-tuning recipe: block i of L learns at 0.75^(L + 1 - i) x lr
    config.optim.layer_decay = LAYER_DECAY
  if arm == 'linear_probe':
    config.optim.trainable = '^head/'
  return config


def main(argv):
  del argv
  from absl import logging  # pylint: disable=g-import-not-at-top
  from dljax import viz  # pylint: disable=g-import-not-at-top
  from dljax.train import loop, writers  # pylint: disable=g-import-not-at-top
  logging.set_verbosity(logging.WARNING)
  workdir, preset = _WORKDIR.value, _PRESET.value
  t0 = time.time()
  pretrain_dir = os.path.join(workdir, 'pretrain')
  pre = loop.train_and_evaluate(fmnist_mae.get_config(preset), pretrain_dir, progress=False)
  print(f'pretrain: test/loss={pre["final"]["test/loss"]:.4f} ({pre["wall_s"]:.0f} s)', flush=True)
  table = {'pretrain': {'test_loss': pre['final']['test/loss'], 'wall_s': pre['wall_s'],
                        'steps': pre['steps']}}
  series = {}
  for arm in ARMS:
    summary = loop.train_and_evaluate(arm_config(arm, preset, pretrain_dir),
                                      os.path.join(workdir, arm), progress=False)
    table[arm] = {'test_accuracy': summary['final']['test/accuracy'],
                  'test_loss': summary['final']['test/loss'], 'wall_s': summary['wall_s'],
                  'steps': summary['steps']}
    rows = [r for r in writers.read_metrics(os.path.join(workdir, arm)) if 'test/accuracy' in r]
    series[arm] = ([r['step'] for r in rows], [r['test/accuracy'] for r in rows])
    print(f'{arm:>12}: test/accuracy={table[arm]["test_accuracy"]:.4f} ({summary["wall_s"]:.0f} s)',
          flush=True)
  table['finetune_minus_scratch'] = table['finetune']['test_accuracy'] - table['scratch']['test_accuracy']
  table['total_s'] = time.time() - t0
  path = viz.multi_curves(series, 'test accuracy', os.path.join(workdir, 'mae_study.png'),
                          title='ViT on 6,000 labelled Fashion-MNIST images: MAE pretraining',
                          bars={arm: table[arm]['test_accuracy'] for arm in ARMS},
                          bars_label='final test accuracy')
  with open(os.path.join(workdir, 'mae_study.json'), 'w') as f:
    json.dump(table, f, indent=2)
  if _OUT.value:
    os.makedirs(_OUT.value, exist_ok=True)
    for src in (path, os.path.join(workdir, 'mae_study.json'),
                os.path.join(pretrain_dir, 'plots', 'mae_reconstruction.png')):
      shutil.copy(src, _OUT.value)
  print(json.dumps(table, indent=2))


if __name__ == '__main__':
  # flags are defined only when run as a script, so tests can import several studies
  _WORKDIR = flags.DEFINE_string('workdir', None, 'Directory for the four runs.')
  _PRESET = flags.DEFINE_enum('preset', 'cpu', ['smoke', 'cpu', 'full'], 'Preset of every run.')
  _OUT = flags.DEFINE_string('out', 'docs/plots', 'Where to copy the plots and the JSON.')
  flags.mark_flags_as_required(['workdir'])
  app.run(main)
