r"""BERT: does MLM + NSP pretraining help a play classifier with few labels?

  python -m experiments.study language/bert_study --workdir=runs/bert_study [--preset=cpu] [--publish]

Runs: `pretrain` (configs/language/bert_pretrain.py), then configs/language/bert_play.py (which of
5 plays a line is from) with 100, 1000 and all training lines, from scratch (`scratch_<budget>`)
and from the pretrained encoder (`pretrained_<budget>`, init_from = <workdir>/pretrain); smoke:
100 and all.
Plot bert_finetune.png: test accuracy against the label budget, pretrained vs scratch, with chance
(the share of the largest play's test lines).
Expected (cpu preset, seed 0, 2-core Xeon shared with another job, ~16 min, 867 s of it the
pretraining): MLM accuracy 12.9 %, NSP 69.6 %; scratch / pretrained 28.6 / 31.4 % with 100 lines,
37.2 / 33.5 % with 1000, 35.6 / 35.3 % with all 17,794 (chance 23.5 %). Discussion:
docs/language/notes.md.
"""
import math
import os

from configs.language import bert_play, bert_pretrain
from dljax import viz

SEEDS = 3  # experiments.reproduce: the conclusion rests on differences of about a point
ARMS = ('scratch', 'pretrained')
BUDGETS = {'smoke': (100, 0), 'cpu': (100, 1000, 0), 'full': (100, 1000, 0)}   # 0 = all lines


def _name(arm: str, budget: int) -> str:
  return f'{arm}_{budget or "all"}'


def arm_config(arm: str, budget: int, preset: str, pretrain_workdir: str):
  """bert_play with `budget` labelled lines, from scratch or from the pretrained encoder."""
  config = bert_play.get_config(preset)
  config.data.train_limit = budget
  if arm == 'pretrained':
    config.init_from.workdir = pretrain_workdir
  return config


def runs(preset: str, workdir: str):
  pretrain = bert_pretrain.get_config(preset)     # ValueError for an unknown preset
  yield 'pretrain', pretrain
  for arm in ARMS:
    for budget in BUDGETS[preset]:
      yield _name(arm, budget), arm_config(arm, budget, preset, os.path.join(workdir, 'pretrain'))


def report(summaries: dict, out: str) -> dict:
  """The table of the old script: pretraining metrics, chance, and the test accuracy of every
  (arm, number of labelled lines)."""
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  pre = summaries['pretrain']
  table = {'pretrain': {**pre['final'], 'wall_s': pre['wall_s'], 'steps': pre['steps']}}
  data = loop.load_run(summaries[_name('scratch', 0)]['workdir']).data   # all training lines
  n_all = len(data['train']['y'])
  counts = [int((data['test']['y'] == k).sum()) for k in range(len(bert_play.PLAYS))]
  table['chance'] = max(counts) / sum(counts)   # always the largest play
  series = {}
  for arm in ARMS:
    xs, ys = [], []
    for name in [n for n in summaries if n.startswith(f'{arm}_')]:   # in the order of runs()
      summary = summaries[name]
      budget = 0 if name.endswith('_all') else int(name.rpartition('_')[2])
      labels = budget or n_all
      acc = summary['final']['test/accuracy']
      table[f'{arm}_{labels}'] = {'test_accuracy': acc, 'wall_s': summary['wall_s']}
      xs.append(math.log10(labels))
      ys.append(acc)
    series[arm] = (xs, ys)
  series['chance (largest play)'] = ([min(series['scratch'][0]), max(series['scratch'][0])],
                                     [table['chance']] * 2)
  table['total_s'] = sum(s['wall_s'] for s in summaries.values())   # training time of all runs
  viz.multi_curves(series, 'test accuracy (5 plays)', os.path.join(out, 'bert_finetune.png'),
                   xlabel=f'log10 labelled training lines (all = {n_all})',
                   title='Which play is a line from? BERT pretrained (MLM + NSP) vs scratch')
  return table
