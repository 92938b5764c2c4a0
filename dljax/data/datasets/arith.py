"""Arithmetic chains with a direct or scratchpad answer (`dljax.data.arith`), drawn on the fly:
data.name = 'arith'.

Training batches are drawn by the task (`arith.train_iterator`, batch b from seed (seed, 0, b)).
load(cfg, split) gives the fixed evaluation sets: `arith.eval_set(data.eval_size, data_seed, split,
...)`, test from the seed stream (data_seed, 1), validation from (data_seed, 2); train has no
stored examples.
"""
from dljax.data import arith, splits
from dljax.errors import DataError

NAMES = ('arith',)
KIND = 'generated'


def make_args(data_cfg) -> dict:
  return dict(fmt=data_cfg.format, min_ops=data_cfg.min_ops, max_ops=data_cfg.max_ops)


def load(data_cfg, split):
  splits.check_split(data_cfg.name, split)
  if split == 'train':
    raise DataError('arith training problems are drawn by the task (dljax.data.arith.'
                    'train_iterator); only validation and test are fixed sets.')
  return arith.eval_set(data_cfg.eval_size, data_cfg.get('data_seed', 0), split,
                        **make_args(data_cfg))


def info(data_cfg):
  return splits.Info('generated', vocab=arith.vocab_size())
