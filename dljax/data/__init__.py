"""Datasets: tfds builders prepared offline on first use, read back into memory as numpy arrays.

`load_split(data_cfg, split)` returns `{'x': float32 array, 'y': labels}` for one split (with the
positions of every example permuted by one fixed permutation when data_cfg.shuffle_positions).

Sequence data (data.name in TOKEN_DATASETS / WORD_DATASETS / SEQUENCE_DATASETS) has sibling loaders:

  Character LM (shakespeare_char; splits 'train' and 'validation', 'test' = 'validation'):
    tokens = load_tokens(cfg.data, 'train')              int32 [n] stream of character ids
    vocab = token_vocab(cfg.data)                        dljax.data.text.Vocab (vocab.decode(ids))
    batches = pipeline.window_iterator(tokens, block_size, cfg.data.batch_size, seed=cfg.seed)
    next(batches) -> {'x', 'y'} int32 [B, block_size], y = x shifted by one; checkpoint
    batches.get_state() and restore with set_state (batch b is a function of (seed, b) only)
    val = pipeline.eval_windows(load_tokens(cfg.data, 'validation'), block_size)
    for batch in pipeline.eval_batches(val, eval_batch_size): ...   (pad + mask, as images)
  Word view (shakespeare_words): ids, word_vocab = load_words(cfg.data, split)
    (data.min_count: rarer training words become '<unk>' = id 0).
  Seq2seq and per-step tasks (cmudict_g2p[_stress], seq_<task> of dljax.data.synthetic):
    arrays = load_sequences(cfg.data, split)  dict of arrays (format in dljax.data.text / synthetic),
    ready for pipeline.train_iterator / eval_batches; sequence_vocab(cfg.data) -> (source, target)
    vocabularies, or None for the per-step tasks. Synthetic data reads data.args (task arguments),
    data.test_args (overrides for the test split, e.g. longer sequences), data.{split}_size and
    data.data_seed.
    cmudict_g2p also takes data.direction ('g2p', or 'p2g': phones -> letters) and, for its
    training split, data.half / data.half_seed / data.extra_pairs (back-translation; see
    dljax.data.cmudict_g2p).
  T5-style multitask (text2text): load_sequences as above, all tasks in one character vocabulary,
    each input prefixed by its task's name, plus `task` ids; data.mix = {task: weight} (the mixing
    rule is in dljax.data.text2text); sequence_groups(cfg.data) names the tasks.
All loaders honour data.{split}_limit (keep the first N tokens / examples).
data.classes=(5, 6, 7, 8, 9) keeps only those classes of an image dataset, relabelled 0..4 in that
order (before the train/test limits are applied).

"""
import contextlib
import fcntl
import inspect
import logging
import os
import shutil

import numpy as np
import tensorflow_datasets as tfds

from dljax import settings
from dljax.data import builders, cmudict_g2p, shakespeare, synthetic, text, text2text, toys
from dljax.errors import ConfigError, DataError

# dataset name -> (builder class, builder config or None, input feature, label feature)
DATASETS = {
    'fashion_mnist': (builders.FashionMnistLocal, None, 'image', 'label'),
    'mnist1d': (builders.Mnist1d, None, 'x', 'label'),
    'shapes': (builders.Shapes, None, 'image', 'mask'),
    **{f'toy_{name}': (builders.Toys, name, 'x', 'label') for name in toys.TOYS},
}
# Sequence data, loaded with load_tokens / load_words / load_sequences (module docstring).
TOKEN_DATASETS = {'shakespeare_char': (shakespeare.ShakespeareChar, None)}
WORD_DATASETS = {'shakespeare_words': 'shakespeare_char'}  # word view -> its token dataset
# read by their tasks (dljax.train.tasks.bert through dljax.data.mlm), not by the loaders here
TEXT_DATASETS = ('shakespeare_bpe_lines', 'shakespeare_plays')
SEQUENCE_DATASETS = {'cmudict_g2p': (cmudict_g2p.CmudictG2p, 'no_stress'),
                     'cmudict_g2p_stress': (cmudict_g2p.CmudictG2p, 'stress'),
                     **{f'seq_{name}': None for name in synthetic.TASKS},  # None: made in memory
                     'text2text': None}  # T5-style mixture of tasks (dljax.data.text2text)
# Streams drawn on the fly by their task (no stored split): name -> the module that draws them.
GENERATED_DATASETS = {'icl': 'dljax.data.icl', 'sine_tasks': 'dljax.data.sine_tasks'}
SYNTHETIC_SIZES = {'train': 10000, 'validation': 1000, 'test': 1000}
_SPLIT_INDEX = {'train': 0, 'validation': 1, 'test': 2}
# The stock tfds datasets that `data.source='tfds'` may use instead (needs internet on first use).
TFDS_NAMES = {'fashion_mnist': ('fashion_mnist', 'image', 'label')}


def check_name(name: str, source: str = 'local') -> None:
  if source not in ('local', 'tfds'):
    raise DataError(f"data.source={source!r} is unknown; use 'local' or 'tfds'.")
  known = ({**DATASETS, **TOKEN_DATASETS, **WORD_DATASETS, **SEQUENCE_DATASETS,
            **dict.fromkeys(TEXT_DATASETS), **GENERATED_DATASETS}
           if source == 'local' else TFDS_NAMES)
  if name not in known:
    raise DataError(f'data.name={name!r} is unknown for source {source!r}; known: {sorted(known)}.')


def _builder(name: str):
  if name in DATASETS:
    cls, config = DATASETS[name][:2]
  else:  # a word view is prepared as its token dataset; synthetic tasks have no builder
    entry = {**TOKEN_DATASETS, **SEQUENCE_DATASETS}[WORD_DATASETS.get(name, name)]
    if entry is None:
      raise DataError(f'{name} is generated in memory (dljax.data.synthetic): there is nothing to '
                      'prepare; read it with load_sequences.')
    cls, config = entry
  kwargs = {'config': config} if config else {}
  return cls(data_dir=settings.data_dir(), file_format='array_record', **kwargs)


@contextlib.contextmanager
def _exclusive(name: str):
  """An inter-process lock per dataset: two processes (pytest workers, hosts sharing a cache) that
  prepare the same dataset at once take turns instead of reading each other's half-written files."""
  os.makedirs(settings.data_dir(), exist_ok=True)
  with open(os.path.join(settings.data_dir(), f'.{name}.lock'), 'w') as f:
    fcntl.flock(f, fcntl.LOCK_EX)
    try:
      yield
    finally:
      fcntl.flock(f, fcntl.LOCK_UN)


def prepare(name: str):
  """Prepares `name` into the data cache if needed; a damaged cache is deleted and rebuilt once."""
  with _exclusive(name):
    builder = _builder(name)
    if builder.is_prepared():
      try:
        sources = builder.as_data_source()
        for source in sources.values():  # read the first and last record to validate the files
          source.__getitems__([0, len(source) - 1])
        return sources
      except Exception as e:  # pylint: disable=broad-except
        logging.warning('Data cache %s is damaged (%s: %s); rebuilding it.',
                        builder.data_dir, type(e).__name__, e)
        shutil.rmtree(builder.data_dir, ignore_errors=True)
        builder = _builder(name)
    builder.download_and_prepare()
    return builder.as_data_source()


def _to_arrays(source, x_key, y_key, limit=0, chunk=8192):
  n = min(limit, len(source)) if limit else len(source)
  xs, ys = [], []
  for start in range(0, n, chunk):
    records = source.__getitems__(list(range(start, min(start + chunk, n))))
    xs.append(np.stack([r[x_key] for r in records]))
    ys.append(np.stack([r[y_key] for r in records]))
  return np.concatenate(xs), np.concatenate(ys)


def load_split(data_cfg, split: str) -> dict:
  """The whole split in memory: {'x': float32 (images scaled to [0, 1]), 'y': int32 or float32}."""
  source_kind = data_cfg.get('source', 'local')
  check_name(data_cfg.name, source_kind)
  if source_kind == 'local' and data_cfg.name not in DATASETS:
    raise DataError(f'data.name={data_cfg.name!r} is sequence data: read it with '
                    'dljax.data.load_tokens / load_words / load_sequences (a sequence task), not '
                    'load_split.')
  if source_kind == 'tfds':
    tfds_name, x_key, y_key = TFDS_NAMES[data_cfg.name]
    source = tfds.data_source(tfds_name, split=split, data_dir=settings.data_dir(), download=True)
  else:
    _, _, x_key, y_key = DATASETS[data_cfg.name]
    sources = prepare(data_cfg.name)
    if split not in sources:
      raise DataError(f'{data_cfg.name} has no split {split!r}; it has {sorted(sources)}.')
    source = sources[split]
  limit = data_cfg.get(f'{split}_limit', 0)
  classes = tuple(data_cfg.get('classes', None) or ())
  x, y = _to_arrays(source, x_key, y_key, limit=0 if classes else limit)
  if classes:
    x, y = filter_classes(x, y, classes)
    x, y = (x[:limit], y[:limit]) if limit else (x, y)
  x = x.astype(np.float32) / 255.0 if x.dtype == np.uint8 else x.astype(np.float32)
  y = y.astype(np.int32) if np.issubdtype(y.dtype, np.integer) else y.astype(np.float32)
  if data_cfg.get('shuffle_positions', False):
    x = shuffle_positions(x, data_cfg.get('shuffle_seed', 0))
  return {'x': x, 'y': y}


def shuffle_positions(x_NxT, seed: int = 0):
  """Permutes the positions (axis 1) of every example with one fixed permutation drawn from `seed`:
  the same for every example and every split, so the signal is intact but its order is not
  (Greydanus's "shuffled MNIST-1D"; set by data.shuffle_positions=True, data.shuffle_seed)."""
  return x_NxT[:, np.random.default_rng(seed).permutation(x_NxT.shape[1])]


def _split_source(name: str, split: str):
  sources = prepare(name)
  if split not in sources:
    raise DataError(f'{name} has no split {split!r}; it has {sorted(sources)}.')
  return sources[split]


def _check_kind(data_cfg, kinds: dict, loader: str):
  check_name(data_cfg.name, data_cfg.get('source', 'local'))
  if data_cfg.name not in kinds:
    raise DataError(f'data.name={data_cfg.name!r} cannot be read by {loader}; it reads '
                    f'{sorted(kinds)}.')


def load_tokens(data_cfg, split: str) -> np.ndarray:
  """The split's token stream, int32 [n] ('test' means 'validation': nanoGPT's split has no test)."""
  _check_kind(data_cfg, TOKEN_DATASETS, 'load_tokens')
  source = _split_source(data_cfg.name, 'validation' if split == 'test' else split)
  tokens = np.concatenate([r['tokens'] for r in source.__getitems__(list(range(len(source))))])
  limit = data_cfg.get(f'{split}_limit', 0)
  return (tokens[:limit] if limit else tokens).astype(np.int32)


def token_vocab(data_cfg) -> text.Vocab:
  """The character vocabulary saved with the dataset (id i = character vocab.symbols[i])."""
  _check_kind(data_cfg, TOKEN_DATASETS, 'token_vocab')
  prepare(data_cfg.name)
  return text.Vocab(tuple(_builder(data_cfg.name).info.metadata['vocab']))


def load_words(data_cfg, split: str):
  """(word ids int32 [n], WordVocab built on the training words with data.min_count)."""
  _check_kind(data_cfg, WORD_DATASETS, 'load_words')
  chars = data_cfg.copy_and_resolve_references()
  chars.name = WORD_DATASETS[data_cfg.name]
  vocab = token_vocab(chars)
  split_words = {s: shakespeare.words(vocab.decode(load_tokens(chars, s)))
                 for s in dict.fromkeys(('train', split))}
  words = shakespeare.word_vocab(split_words['train'], data_cfg.get('min_count', 1))
  return words.encode(split_words[split]), words


def load_sequences(data_cfg, split: str) -> dict:
  """A split of a seq2seq or per-step dataset as a dict of arrays (module docstring)."""
  _check_kind(data_cfg, SEQUENCE_DATASETS, 'load_sequences')
  limit = data_cfg.get(f'{split}_limit', 0)
  if data_cfg.name == 'text2text':
    arrays = text2text.make(data_cfg, split, data_cfg.get(f'{split}_size', SYNTHETIC_SIZES[split]))
    return {k: v[:limit] for k, v in arrays.items()} if limit else arrays
  if SEQUENCE_DATASETS[data_cfg.name] is None:
    if split not in _SPLIT_INDEX:
      raise DataError(f'{data_cfg.name} has no split {split!r}; it has {sorted(_SPLIT_INDEX)}.')
    args = _synthetic_args(data_cfg, split)
    n = data_cfg.get(f'{split}_size', SYNTHETIC_SIZES[split])
    seed = [data_cfg.get('data_seed', 0), _SPLIT_INDEX[split]]
    try:
      arrays = synthetic.make(data_cfg.name.removeprefix('seq_'), n, seed, **args)
    except ValueError as e:
      raise ConfigError(f'data.args of {data_cfg.name} ({args}): {e}; fix data.args / '
                        'data.test_args.') from None
    return {k: v[:limit] for k, v in arrays.items()} if limit else arrays
  source = _split_source(data_cfg.name, split)
  records = source.__getitems__(list(range(min(limit, len(source)) if limit else len(source))))
  if split == 'train':   # back-translation options (dljax.data.cmudict_g2p.train_records)
    records = cmudict_g2p.train_records(records, data_cfg.get('half', ''),
                                        data_cfg.get('half_seed', 0), data_cfg.get('extra_pairs', ''))
  return cmudict_g2p.arrays(records, _builder(data_cfg.name).info.metadata,
                            _direction(data_cfg))


def sequence_vocab(data_cfg):
  """(source vocab, target vocab) of a token dataset; None for the per-step synthetic tasks."""
  _check_kind(data_cfg, SEQUENCE_DATASETS, 'sequence_vocab')
  if data_cfg.name == 'text2text':
    return text2text.vocab(), text2text.vocab()
  if SEQUENCE_DATASETS[data_cfg.name] is None:
    v = synthetic.vocab(data_cfg.name.removeprefix('seq_'), **_synthetic_args(data_cfg, 'train'))
    return None if v is None else (v, v)
  prepare(data_cfg.name)
  letters, phones = cmudict_g2p.vocabs(_builder(data_cfg.name).info.metadata)
  return (phones, letters) if _direction(data_cfg) == 'p2g' else (letters, phones)


def sequence_groups(data_cfg):
  """Names of the example groups of a seq2seq dataset whose arrays carry `task` ids (text2text's
  tasks, for per-task metrics), or None."""
  return text2text.TASKS if data_cfg.name == 'text2text' else None


def _direction(data_cfg) -> str:
  """data.direction of cmudict_g2p[_stress]: 'g2p' (letters -> phones) or 'p2g' (phones -> letters)."""
  direction = data_cfg.get('direction', 'g2p')
  if direction not in ('g2p', 'p2g'):
    raise ConfigError(f"data.direction={direction!r} is unknown; use 'g2p' (letters -> phones) or "
                      "'p2g' (phones -> letters).")
  return direction


def _synthetic_args(data_cfg, split: str) -> dict:
  args = _as_dict(data_cfg.get('args', None))
  if split == 'test':
    args.update(_as_dict(data_cfg.get('test_args', None)))
  task = data_cfg.name.removeprefix('seq_')
  allowed = list(inspect.signature(synthetic.TASKS[task]).parameters)[2:]
  unknown = sorted(set(args) - set(allowed))
  if unknown:
    raise ConfigError(f'data.args {unknown} are not arguments of {data_cfg.name}; it takes '
                      f'{allowed}.')
  return args


def _as_dict(node) -> dict:
  return node.to_dict() if hasattr(node, 'to_dict') else dict(node or {})


def filter_classes(x, y, classes):
  """The examples whose label is in `classes`, with labels remapped to their index in `classes`."""
  if len(set(classes)) != len(classes):
    raise DataError(f'data.classes={classes} repeats a class; list each class once.')
  missing = sorted(set(classes) - set(np.unique(y).tolist()))
  if missing:
    raise DataError(f'data.classes={classes}: no example has label {missing[0]}; the labels are '
                    f'{sorted(np.unique(y).tolist())}.')
  keep = np.isin(y, classes)
  remap = np.zeros(int(max(classes)) + 1, dtype=y.dtype)
  remap[list(classes)] = np.arange(len(classes))
  return x[keep], remap[y[keep]]
