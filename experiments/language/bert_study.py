r"""BERT study: does MLM + NSP pretraining help a play classifier with few labels?

  python -m experiments.language.bert_study --workdir=runs/bert_study [--preset=cpu|smoke] [--out=docs/plots]

1. pretrain configs/language/bert_pretrain.py on the Shakespeare training lines in <workdir>/pretrain;
2. train configs/language/bert_play.py (which of 5 plays a line is from) with 100, 1000 and all
   training lines (--budgets), from scratch and from the pretrained encoder, in
   <workdir>/<arm>_<budget>.
Outputs (in <workdir> and --out): bert_finetune.png (test accuracy against the label budget,
pretrained vs scratch) and bert_finetune.json. Finished runs are not retrained.
"""
import json
import math
import os
import shutil
import time

from absl import app, flags

from configs.language import bert_play, bert_pretrain

ARMS = ('scratch', 'pretrained')

_WORKDIR = flags.DEFINE_string('workdir', None, 'Directory for the runs.')
_PRESET = flags.DEFINE_enum('preset', 'cpu', ['smoke', 'cpu', 'full'], 'Preset of every run.')
_BUDGETS = flags.DEFINE_list('budgets', ['100', '1000', '0'], 'Labelled lines (0 = all).')
_OUT = flags.DEFINE_string('out', 'docs/plots', 'Where to copy the plot and the JSON.')


def arm_config(arm: str, budget: int, preset: str, pretrain_workdir: str):
  """bert_play with `budget` labelled lines, from scratch or from the pretrained encoder."""
  config = bert_play.get_config(preset)
  config.data.train_limit = budget
  if arm == 'pretrained':
    config.init_from.workdir = pretrain_workdir
  return config


def main(argv):
  del argv
  from absl import logging  # pylint: disable=g-import-not-at-top
  from dljax import viz  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  from dljax import data  # pylint: disable=g-import-not-at-top
  logging.set_verbosity(logging.WARNING)
  workdir, preset = _WORKDIR.value, _PRESET.value
  budgets = [int(b) for b in _BUDGETS.value]
  t0 = time.time()
  pretrain_dir = os.path.join(workdir, 'pretrain')
  pre = loop.train_and_evaluate(bert_pretrain.get_config(preset), pretrain_dir, progress=False)
  print(f'pretrain: {pre["final"]} ({pre["wall_s"]:.0f} s)', flush=True)
  table = {'pretrain': {**pre['final'], 'wall_s': pre['wall_s'], 'steps': pre['steps']}}
  every = bert_play.get_config(preset)
  every.data.train_limit = 0
  split = {s: data.load(every.data, s) for s in ('train', 'test')}
  n_all = len(split['train']['y'])
  counts = [int((split['test']['y'] == k).sum()) for k in range(len(bert_play.PLAYS))]
  table['chance'] = max(counts) / sum(counts)   # always the largest play
  series = {}
  for arm in ARMS:
    xs, ys = [], []
    for budget in budgets:
      summary = loop.train_and_evaluate(arm_config(arm, budget, preset, pretrain_dir),
                                        os.path.join(workdir, f'{arm}_{budget or "all"}'),
                                        progress=False)
      labels = budget or n_all
      acc = summary['final']['test/accuracy']
      table[f'{arm}_{labels}'] = {'test_accuracy': acc, 'wall_s': summary['wall_s']}
      xs.append(math.log10(labels))
      ys.append(acc)
      print(f'{arm:>10} {labels:>6} labels: test/accuracy={acc:.4f} ({summary["wall_s"]:.0f} s)',
            flush=True)
    series[arm] = (xs, ys)
  series['chance (largest play)'] = ([min(series['scratch'][0]), max(series['scratch'][0])],
                                     [table['chance']] * 2)
  table['total_s'] = time.time() - t0
  path = viz.multi_curves(series, 'test accuracy (5 plays)',
                          os.path.join(workdir, 'bert_finetune.png'),
                          xlabel=f'log10 labelled training lines (all = {n_all})',
                          title='Which play is a line from? BERT pretrained (MLM + NSP) vs scratch')
  with open(os.path.join(workdir, 'bert_finetune.json'), 'w') as f:
    json.dump(table, f, indent=2)
  if _OUT.value:
    os.makedirs(_OUT.value, exist_ok=True)
    for src in (path, os.path.join(workdir, 'bert_finetune.json')):
      shutil.copy(src, _OUT.value)
  print(json.dumps(table, indent=2))


if __name__ == '__main__':
  flags.mark_flags_as_required(['workdir'])
  app.run(main)
