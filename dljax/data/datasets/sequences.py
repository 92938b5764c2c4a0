"""Synthetic sequence tasks (`dljax.data.synthetic`), made in memory: data.name = 'seq_<task>'.

Each split is drawn from seed (data.data_seed, split index): train 0, validation 1, test 2 (sizes
data.{split}_size, default 10,000 / 1,000 / 1,000), so the three are independent draws.
data.args are the task's arguments; data.test_args override them for the test split (e.g.
longer sequences). info(cfg).vocab = (vocab, vocab) for the token tasks, None for per-step tasks.
"""
import inspect

from dljax.data import splits, synthetic
from dljax.errors import ConfigError

NAMES = tuple(f'seq_{name}' for name in synthetic.TASKS)
KIND = 'sequences'
SIZES = {'train': 10000, 'validation': 1000, 'test': 1000}


def as_dict(node) -> dict:
  return node.to_dict() if hasattr(node, 'to_dict') else dict(node or {})


def task_args(data_cfg, split: str) -> dict:
  args = as_dict(data_cfg.get('args', None))
  if split == 'test':
    args.update(as_dict(data_cfg.get('test_args', None)))
  task = data_cfg.name.removeprefix('seq_')
  allowed = list(inspect.signature(synthetic.TASKS[task]).parameters)[2:]
  unknown = sorted(set(args) - set(allowed))
  if unknown:
    raise ConfigError(f'data.args {unknown} are not arguments of {data_cfg.name}; it takes '
                      f'{allowed}.')
  return args


def load(data_cfg, split):
  splits.check_split(data_cfg.name, split)
  args = task_args(data_cfg, split)
  n = data_cfg.get(f'{split}_size', SIZES[split])
  seed = [data_cfg.get('data_seed', 0), splits.SPLITS.index(split)]
  try:
    arrays = synthetic.make(data_cfg.name.removeprefix('seq_'), n, seed, **args)
  except ValueError as e:
    raise ConfigError(f'data.args of {data_cfg.name} ({args}): {e}; fix data.args / '
                      'data.test_args.') from None
  limit = data_cfg.get(f'{split}_limit', 0)
  return {k: v[:limit] for k, v in arrays.items()} if limit else arrays


def info(data_cfg):
  v = synthetic.vocab(data_cfg.name.removeprefix('seq_'), **task_args(data_cfg, 'train'))
  return splits.Info('sequences', vocab=None if v is None else (v, v))
