"""Shakespeare's lines in BPE tokens, for BERT pretraining: data.name = 'shakespeare_bpe_lines'.

The non-empty lines of nanoGPT's split of the complete works (dljax.data.mlm.shakespeare_lines,
BPE trained on the training lines with data.num_merges merges). Splits: test = the lines of the
held-out 10 %; validation = the last len(test) lines of the training part; train = the lines
before them (the first data.train_limit if > 0). load -> [ids per line]; info(cfg).vocab = the
mlm.Tokenizer.
"""
import functools

from dljax.data import mlm, splits

NAMES = ('shakespeare_bpe_lines',)
KIND = 'lines'


@functools.lru_cache(maxsize=2)
def _lines(num_merges: int):
  return mlm.shakespeare_lines(num_merges)


def load(data_cfg, split):
  splits.check_split(data_cfg.name, split)
  lines, _ = _lines(data_cfg.num_merges)
  n_test = len(lines['validation'])
  parts = {'train': lines['train'][:-n_test], 'validation': lines['train'][-n_test:],
           'test': lines['validation']}
  limit = data_cfg.get(f'{split}_limit', 0)
  return parts[split][:limit] if limit else parts[split]


def info(data_cfg):
  return splits.Info('lines', vocab=_lines(data_cfg.num_merges)[1])
