"""Reinforcement-learning environments (dljax.data.cartpole): data.name = 'cartpole'.

An RL task generates its training data inside the step by acting in the environment; load(cfg,
split) gives the fixed evaluation episodes: {'seed': int32 [data.eval_episodes]}, the keys of the
episodes' initial states (validation seeds 10_000 + i, test seeds 20_000 + i: disjoint streams,
neither used for training, which draws from the run's step keys).
"""
import numpy as np

from dljax.data import splits
from dljax.errors import DataError

NAMES = ('cartpole',)
KIND = 'generated'
OFFSETS = {'validation': 10_000, 'test': 20_000}


def load(data_cfg, split):
  splits.check_split(data_cfg.name, split)
  if split == 'train':
    raise DataError(f'{data_cfg.name}: training transitions are drawn by the task (the RL '
                    'step rolls the environment out); only validation and test are fixed sets of '
                    'evaluation episodes.')
  n = data_cfg.get('eval_episodes', 20)
  return {'seed': OFFSETS[split] + np.arange(n, dtype=np.int32)}


def info(data_cfg):
  del data_cfg
  return splits.Info('generated')
