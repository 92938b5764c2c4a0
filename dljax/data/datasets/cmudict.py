"""CMUdict grapheme-to-phoneme pairs (`dljax.data.cmudict_g2p`): 'cmudict_g2p' and 'cmudict_g2p_stress'.

Stored: every word with its first pronunciation, a fixed seeded 90/5/5 split by word into train /
validation / test (the source has all three). load(cfg, split) -> seq2seq arrays (dljax.data.text
format); info(cfg).vocab = (source, target) vocabularies. Options: data.direction ('g2p' or 'p2g'),
and for the training split data.half / data.half_seed / data.extra_pairs (back-translation).
"""
import tensorflow_datasets as tfds

from dljax.data import builders, cmudict_g2p, splits
from dljax.errors import ConfigError

NAMES = ('cmudict_g2p', 'cmudict_g2p_stress')
KIND = 'sequences'


def _examples(words, lex):
  for word in words:
    yield {'word': word, 'phones': ' '.join(lex[word])}


def _generate(keep_stress, split_seed, fractions):
  del fractions   # recorded in the parameters: cmudict_g2p.split_words applies FRACTIONS
  lex = cmudict_g2p.lexicon(keep_stress=keep_stress)
  metadata = {'letters': sorted({c for w in lex for c in w}),
              'phones': sorted({p for ps in lex.values() for p in ps}),
              'max_letters': max(len(w) for w in lex),     # every split is padded to these
              'max_phones': max(len(ps) for ps in lex.values())}
  return ({split: _examples(words, lex)
           for split, words in cmudict_g2p.split_words(lex, split_seed).items()}, metadata)


def spec(name: str) -> builders.Spec:
  return builders.Spec(
      name=name, generate=_generate,
      params={'keep_stress': name.endswith('_stress'), 'split_seed': cmudict_g2p.SPLIT_SEED,
              'fractions': cmudict_g2p.FRACTIONS},
      features={'word': tfds.features.Text(), 'phones': tfds.features.Text()},
      description=cmudict_g2p.__doc__)


def direction(data_cfg) -> str:
  """data.direction: 'g2p' (letters -> phones) or 'p2g' (phones -> letters)."""
  value = data_cfg.get('direction', 'g2p')
  if value not in ('g2p', 'p2g'):
    raise ConfigError(f"data.direction={value!r} is unknown; use 'g2p' (letters -> phones) or "
                      "'p2g' (phones -> letters).")
  return value


def load(data_cfg, split):
  splits.check_split(data_cfg.name, split)
  s = spec(data_cfg.name)
  source = builders.prepare(s)[split]
  limit = data_cfg.get(f'{split}_limit', 0)
  records = source.__getitems__(list(range(min(limit, len(source)) if limit else len(source))))
  if split == 'train':   # back-translation options (dljax.data.cmudict_g2p.train_records)
    records = cmudict_g2p.train_records(records, data_cfg.get('half', ''),
                                        data_cfg.get('half_seed', 0), data_cfg.get('extra_pairs', ''))
  return cmudict_g2p.arrays(records, builders.metadata(s), direction(data_cfg))


def info(data_cfg):
  letters, phones = cmudict_g2p.vocabs(builders.metadata(spec(data_cfg.name)))
  vocab = (phones, letters) if direction(data_cfg) == 'p2g' else (letters, phones)
  return splits.Info('sequences', vocab=vocab)
