r"""MAE study: does masked-autoencoder pretraining help a ViT that sees only 10 % of the labels?

  python -m experiments.study vision/mae_study --workdir=runs/mae_study [--preset=cpu] [--publish]

1. run 'pretrain': configs/vision/fmnist_mae.py (all training images, no labels);
2. configs/vision/fmnist_mae_finetune.py (the same ViT encoder, first 6,000 labelled images) three
   ways: 'scratch' (random init), 'finetune' (encoder from the MAE, everything trains, MAE's
   layer-wise learning-rate decay 0.75) and 'linear_probe' (encoder from the MAE, frozen; only the
   head trains).
Report: mae_study.png (evaluation accuracy against the step, final test accuracy per arm), the
pretraining's reconstructions mae_reconstruction.png, and {arm: {test_accuracy, test_loss, wall_s,
steps}, 'pretrain': {...}, 'finetune_minus_scratch', 'total_s'}.
Expected (cpu preset, 2-core CPU: pretraining ~53 min, each arm ~11 min): scratch 83.59 %,
fine-tuned 86.19 % (+2.60 points), linear probe 73.47 %.
"""
import os
import shutil

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


def runs(preset: str, workdir: str):
  yield 'pretrain', fmnist_mae.get_config(preset)  # an unknown preset raises ValueError here
  for arm in ARMS:
    yield arm, arm_config(arm, preset, os.path.join(workdir, 'pretrain'))


def accuracy_curve(workdir: str):
  """(steps, accuracies) of the evaluations during training: the validation rows ('val/accuracy')
  where the run has them, else the test rows of runs made before the validation split."""
  from dljax.train import writers  # pylint: disable=g-import-not-at-top
  rows = writers.read_metrics(workdir)
  key = 'val/accuracy' if any('val/accuracy' in r for r in rows) else 'test/accuracy'
  rows = [r for r in rows if key in r]
  return [r['step'] for r in rows], [r[key] for r in rows]


def report(summaries: dict, out: str) -> dict:
  from dljax import viz  # pylint: disable=g-import-not-at-top
  pre = summaries['pretrain']
  table = {'pretrain': {'test_loss': pre['final']['test/loss'], 'wall_s': pre['wall_s'],
                        'steps': pre['steps']}}
  series = {}
  for arm in ARMS:
    s = summaries[arm]
    table[arm] = {'test_accuracy': s['final']['test/accuracy'], 'test_loss': s['final']['test/loss'],
                  'wall_s': s['wall_s'], 'steps': s['steps']}
    series[arm] = accuracy_curve(s['workdir'])
  table['finetune_minus_scratch'] = (table['finetune']['test_accuracy']
                                     - table['scratch']['test_accuracy'])
  table['total_s'] = sum(summaries[n]['wall_s'] for n in ('pretrain',) + ARMS)
  viz.multi_curves(series, 'accuracy (evaluation during training)', f'{out}/mae_study.png',
                   title='ViT on 6,000 labelled Fashion-MNIST images: MAE pretraining',
                   bars={arm: table[arm]['test_accuracy'] for arm in ARMS},
                   bars_label='final test accuracy')
  shutil.copyfile(os.path.join(pre['workdir'], 'plots', 'mae_reconstruction.png'),
                  os.path.join(out, 'mae_reconstruction.png'))
  return table
