"""In-context learning sequences (`dljax.data.icl`), drawn on the fly: data.name = 'icl'.

Training batches are drawn by the task (`icl.train_iterator`, batch b from seed (seed, 0, b)).
load(cfg, split) gives the fixed evaluation sets: test = `icl.eval_set(data.eval_per_family,
data_seed)` (seed stream (data_seed, 1)), validation the same from data_seed + 1 (another stream,
disjoint from the test draws); train has no stored examples.
"""
from dljax.data import icl, splits
from dljax.errors import DataError

NAMES = ('icl',)
KIND = 'generated'


def make_args(data_cfg) -> dict:
  return dict(families=tuple(data_cfg.families), num_symbols=data_cfg.num_symbols,
              num_pairs=data_cfg.num_pairs)


def load(data_cfg, split):
  splits.check_split(data_cfg.name, split)
  if split == 'train':
    raise DataError('icl training sequences are drawn by the task (dljax.data.icl.train_iterator);'
                    ' only validation and test are fixed sets.')
  seed = data_cfg.get('data_seed', 0) + (1 if split == 'validation' else 0)
  return icl.eval_set(data_cfg.eval_per_family, seed, **make_args(data_cfg))


def info(data_cfg):
  return splits.Info('generated', vocab=icl.vocab_size(data_cfg.num_symbols))
