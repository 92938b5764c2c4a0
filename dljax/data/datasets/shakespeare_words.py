"""The word view of shakespeare_char: data.name = 'shakespeare_words' (`dljax.data.shakespeare.words`).

load(cfg, split) -> (word ids int32 [n], WordVocab): the split's characters (shakespeare_char's
train / validation / test, with their limits) as lower-cased words, encoded with the vocabulary
built on the training words; data.min_count: rarer training words become '<unk>' = id 0.
"""
from dljax.data import shakespeare, splits
from dljax.data.datasets import shakespeare_char

NAMES = ('shakespeare_words',)
KIND = 'words'


def _chars(data_cfg):
  chars = data_cfg.copy_and_resolve_references()
  chars.name = 'shakespeare_char'
  return chars


def load(data_cfg, split):
  splits.check_split(data_cfg.name, split)
  chars = _chars(data_cfg)
  vocab = shakespeare_char.info(chars).vocab
  split_words = {s: shakespeare.words(vocab.decode(shakespeare_char.load(chars, s)))
                 for s in dict.fromkeys(('train', split))}
  words = shakespeare.word_vocab(split_words['train'], data_cfg.get('min_count', 1))
  return words.encode(split_words[split]), words


def info(data_cfg):
  return splits.Info('words', vocab=load(data_cfg, 'train')[1])
