"""Sine-regression tasks for meta-learning (`dljax.data.sine_tasks`), drawn on the fly:
data.name = 'sine_tasks'.

Training tasks are drawn inside the MAML step from the step's key; load(cfg, split) gives the fixed
evaluation sets: test = `sine_tasks.eval_set(data.eval_tasks, shots, queries, data_seed)`,
validation the same from data_seed + 1 (another stream); train has no stored examples.
"""
from dljax.data import sine_tasks, splits
from dljax.errors import DataError

NAMES = ('sine_tasks',)
KIND = 'generated'


def load(data_cfg, split):
  splits.check_split(data_cfg.name, split)
  if split == 'train':
    raise DataError('sine_tasks training tasks are drawn by the task, inside the step (task=maml); only '
                    'validation and test are fixed sets.')
  seed = data_cfg.get('data_seed', 0) + (1 if split == 'validation' else 0)
  return sine_tasks.eval_set(data_cfg.eval_tasks, data_cfg.shots, data_cfg.queries, seed)


def info(data_cfg):
  del data_cfg
  return splits.Info('generated')
