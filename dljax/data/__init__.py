"""Datasets: one registry, `DATASETS[name]`, of modules with `load(data_cfg, split)` and `info(data_cfg)`.

  from dljax import data
  arrays = data.load(cfg.data, 'train')       # split in 'train' / 'validation' / 'test'
  info = data.info(cfg.data)                  # dljax.data.splits.Info: kind, shape, classes, vocab,
                                              # value range
Every dataset has the three splits; where the source has none, validation is a fixed seeded slice
of train (dljax.data.splits.carve), so test stays the source's test. The modules live in
dljax/data/datasets/ (one per dataset; docs/datasets.md says how to add one); data.name='tfds:<name>'
reads any stock tfds image-classification dataset. What `load` returns depends on the kind:

  supervised  {'x': float32 (inputs in the declared value range), 'y': int32 or float32}
              (fashion_mnist, mnist1d, toy_*, shapes, digits, shakespeare_plays, tfds:<name>);
              data.classes=(5, 6, 7, 8, 9) keeps those classes relabelled 0..4 (before the limits),
              data.shuffle_positions permutes axis 1 of every example with one fixed permutation.
  tokens      int32 [n] character stream (shakespeare_char); info.vocab is a dljax.data.text.Vocab.
              pipeline.window_iterator / eval_windows cut it into windows.
  words       (word ids int32 [n], WordVocab built on the training words with data.min_count)
              (shakespeare_words).
  sequences   a dict of seq2seq or per-step arrays (cmudict_g2p[_stress], seq_<task>, text2text);
              info.vocab = (source, target) vocabularies or None; info.groups names text2text's tasks.
  lines       [ids per line] (shakespeare_bpe_lines, BERT pretraining); info.vocab the tokenizer.
  generated   drawn by its task on the fly (icl); load gives the fixed validation / test sets.
All loaders honour data.{split}_limit (keep the first N examples / tokens).

The loaders by kind below (load_split, load_tokens, load_words, load_sequences, token_vocab,
sequence_vocab, sequence_groups) are `load` / `info` with a check of the kind.
"""
from dljax.data import builders, splits
from dljax.data.datasets import DATASETS, get
from dljax.data.splits import filter_classes, shuffle_positions  # pylint: disable=unused-import
from dljax.errors import DataError

# data.source='tfds' (older configs): the stock tfds dataset of the same name
TFDS_SOURCES = ('fashion_mnist',)


def _entry(data_cfg):
  return get(data_cfg.name)


def check_name(name: str, source: str = 'local') -> None:
  """Raises DataError for an unknown data.name / data.source."""
  if source not in ('local', 'tfds'):
    raise DataError(f"data.source={source!r} is unknown; use 'local' or 'tfds'.")
  if source == 'tfds' and name not in TFDS_SOURCES:
    raise DataError(f"data.name={name!r} is unknown for source 'tfds'; known: "
                    f"{list(TFDS_SOURCES)}; or use data.name='tfds:<name>'.")
  get(name)


def load(data_cfg, split: str):
  """The split of data_cfg.name (what it is depends on info(data_cfg).kind: module docstring)."""
  check_name(data_cfg.name, data_cfg.get('source', 'local'))
  return _entry(data_cfg).load(data_cfg, split)


def info(data_cfg) -> splits.Info:
  check_name(data_cfg.name, data_cfg.get('source', 'local'))
  return _entry(data_cfg).info(data_cfg)


def prepare(name: str) -> dict:
  """Builds the cache of a stored dataset (or of each variant's own name) and returns its sources."""
  module = get(name)
  spec = getattr(module, 'SPEC', None) or (module.spec(name) if hasattr(module, 'spec') else None)
  if spec is None:
    raise DataError(f'{name} is made in memory or read by another dataset: there is nothing to '
                    'prepare; read it with dljax.data.load.')
  return builders.prepare(spec)


def _kind_of(data_cfg) -> str:
  return _entry(data_cfg).KIND


def load_split(data_cfg, split: str) -> dict:
  """{'x': float32, 'y': int32 or float32} of a supervised dataset."""
  check_name(data_cfg.name, data_cfg.get('source', 'local'))
  if _kind_of(data_cfg) != 'supervised':
    raise DataError(f'data.name={data_cfg.name!r} is sequence data: read it with '
                    'dljax.data.load_tokens / load_words / load_sequences (a sequence task), not '
                    'load_split.')
  return load(data_cfg, split)


def _check(data_cfg, kind: str, loader: str):
  check_name(data_cfg.name, data_cfg.get('source', 'local'))
  if _kind_of(data_cfg) != kind:
    raise DataError(f'data.name={data_cfg.name!r} cannot be read by {loader}; it reads the '
                    f'{kind} datasets.')


def load_tokens(data_cfg, split: str):
  """The split's token stream, int32 [n]."""
  _check(data_cfg, 'tokens', 'load_tokens')
  return load(data_cfg, split)


def token_vocab(data_cfg):
  """The character vocabulary saved with the dataset (id i = character vocab.symbols[i])."""
  _check(data_cfg, 'tokens', 'token_vocab')
  return info(data_cfg).vocab


def load_words(data_cfg, split: str):
  """(word ids int32 [n], WordVocab built on the training words with data.min_count)."""
  _check(data_cfg, 'words', 'load_words')
  return load(data_cfg, split)


def load_sequences(data_cfg, split: str) -> dict:
  """A split of a seq2seq or per-step dataset as a dict of arrays."""
  _check(data_cfg, 'sequences', 'load_sequences')
  return load(data_cfg, split)


def sequence_vocab(data_cfg):
  """(source vocab, target vocab) of a token dataset; None for the per-step synthetic tasks."""
  _check(data_cfg, 'sequences', 'sequence_vocab')
  return info(data_cfg).vocab


def sequence_groups(data_cfg):
  """Names of the example groups whose arrays carry `task` ids (text2text's tasks), or None."""
  entry = get(data_cfg.name)
  return entry.info(data_cfg).groups if entry is DATASETS.get('text2text') else None
