"""Which play is a line from: data.name = 'shakespeare_plays' (read by the ordinary classification task).

Every line of data.plays (dljax.data.mlm.play_lines: BPE with data.num_merges merges, [CLS] line
[SEP] padded to data.max_len), label = the play's index in data.plays. Splits: a seeded permutation
of all lines (data.split_seed); test = its last data.test_fraction; validation = a fixed seeded
slice of the rest, data.validation_fraction of all lines (default 0.1); train = the other lines,
the first data.train_limit of them if > 0 (the label budget).
info(cfg): num_classes = len(data.plays), vocab = the tokenizer's size, shape = (data.max_len,).
"""
import functools

import numpy as np

from dljax.data import mlm, splits
from dljax.errors import ConfigError

NAMES = ('shakespeare_plays',)
KIND = 'supervised'


@functools.lru_cache(maxsize=2)
def _lines(plays: tuple, num_merges: int, max_len: int):
  lines, labels, tok = mlm.play_lines(plays, num_merges)
  return mlm.pack_single(lines, max_len), labels, tok


def split_indices(n: int, data_cfg) -> dict:
  """{split: line indices} (module docstring)."""
  order = np.random.default_rng(data_cfg.get('split_seed', 0)).permutation(n)
  n_test = int(round(n * data_cfg.get('test_fraction', 0.2)))
  rest = order[:-n_test]
  n_val = int(round(n * data_cfg.get('validation_fraction', 0.1)))
  carved = splits.carve(len(rest), n_val)
  return {'train': rest[carved['train']], 'validation': rest[carved['validation']],
          'test': order[-n_test:]}


def load(data_cfg, split):
  splits.check_split(data_cfg.name, split)
  x, labels, _ = _lines(tuple(data_cfg.plays), data_cfg.num_merges, data_cfg.max_len)
  idx = split_indices(len(labels), data_cfg)[split]
  limit = data_cfg.get(f'{split}_limit', 0)
  if limit:
    if limit > len(idx):
      raise ConfigError(f'data.{split}_limit={limit} > the {len(idx)} {split} lines; use 0 for '
                        'all.')
    idx = idx[:limit]
  return {'x': x[idx], 'y': labels[idx]}


def info(data_cfg):
  _, _, tok = _lines(tuple(data_cfg.plays), data_cfg.num_merges, data_cfg.max_len)
  return splits.Info('supervised', shape=(data_cfg.max_len,), num_classes=len(data_cfg.plays),
                     class_names=tuple(data_cfg.plays), vocab=tok.vocab_size)
