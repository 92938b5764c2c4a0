"""From-scratch BPE: the textbook merges, round trips, BPE-dropout, and parity with sentencepiece."""
import io

import numpy as np
import pytest

from dljax.data import bpe
from dljax.errors import ConfigError


def zipf_text(n_lines=300, seed=0):
  words = ['the', 'then', 'there', 'these', 'that', 'this', 'throne', 'three', 'thee', 'thou',
           'and', 'andrew', 'sand', 'band', 'hand', 'handy', 'lower', 'newest', 'widest', 'low']
  p = 1.0 / np.arange(1, len(words) + 1)
  rng = np.random.default_rng(seed)
  return [' '.join(rng.choice(words, size=12, p=p / p.sum())) for _ in range(n_lines)]


def test_textbook_merges():
  # Sennrich et al.'s example: low x5, lower x2, newest x6, widest x3
  counts = {'▁low': 5, '▁lower': 2, '▁newest': 6, '▁widest': 3}
  model = bpe.train(counts, 4)
  # (e,s) and (s,t) tie at 9; the default tie-break takes the smaller pair
  assert model.merges[:2] == [('e', 's'), ('es', 't')]
  assert model.merges[2] in {('▁', 'l'), ('l', 'o'), ('o', 'w')}   # 7 each, after 'w e' lost 'est'
  assert model.segment('▁newest') == ['▁', 'n', 'e', 'w', 'est']


def test_round_trip_and_json():
  lines = zipf_text(50)
  model = bpe.train(bpe.word_counts(lines), 30)
  assert model.decode(model.encode('  the   thr0ne! ')) == f'the thr{bpe.UNK}ne{bpe.UNK}'
  assert model.decode(model.encode(lines[0])) == lines[0]
  assert len(model.encode(lines[0])) < len(lines[0])          # it compresses
  again = bpe.BPE.from_json(model.to_json())
  assert again.merges == model.merges and again.encode(lines[1]) == model.encode(lines[1])


def test_dropout_samples_segmentations_of_the_same_word():
  model = bpe.train(bpe.word_counts(zipf_text(100)), 40)
  word = '▁there'
  rng = np.random.default_rng(0)
  assert model.segment(word, 1.0, rng) == list(word)           # p=1: characters
  samples = {tuple(model.segment(word, 0.3, rng)) for _ in range(200)}
  assert len(samples) > 2 and all(''.join(s) == word for s in samples)
  assert tuple(model.segment(word)) in samples                  # the p=0 segmentation is one of them
  with pytest.raises(ConfigError, match='rng'):
    model.segment(word, 0.1)


def test_same_merges_as_sentencepiece_up_to_ties():
  spm = pytest.importorskip('sentencepiece')
  lines = zipf_text()
  counts = bpe.word_counts(lines)
  alphabet = sorted({c for w in counts for c in w})
  # 40 merges: fewer than the corpus supports (past that point sentencepiece fills its vocabulary
  # with pairs of frequency 0, which a frequency-driven trainer never learns)
  vocab_size = 3 + len(alphabet) + 40
  proto = io.BytesIO()
  spm.SentencePieceTrainer.train(
      sentence_iterator=iter(lines), model_writer=proto, vocab_size=vocab_size, model_type='bpe',
      character_coverage=1.0, normalization_rule_name='identity', split_by_unicode_script=False,
      split_by_number=False, max_sentencepiece_length=64, minloglevel=2)
  sp = spm.SentencePieceProcessor(model_proto=proto.getvalue())
  pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
  # sentencepiece's vocab: 3 meta pieces, the merged pieces in merge order, then the characters
  merged = [p for p in pieces[3:] if len(p) > 1]
  assert len(merged) == vocab_size - 3 - len(alphabet)

  def take_sentencepiece_choice(candidates, merges):
    want = merged[len(merges)]
    chosen = [c for c in candidates if c[0] + c[1] == want]
    assert chosen, f'sentencepiece merged {want!r}, not one of the most frequent pairs {candidates}'
    return chosen[0]

  ours = bpe.train(counts, len(merged), tie_break=take_sentencepiece_choice)
  assert [a + b for a, b in ours.merges] == merged
  # with the same merges, both segment the text identically
  for line in lines[:50]:
    assert [ours.vocab[i] for i in ours.encode(line)] == sp.encode(line, out_type=str)
  # and without forcing ties, the two differ only in the order/choice among tied pairs
  default = bpe.train(counts, len(merged))
  assert len(set(a + b for a, b in default.merges) & set(merged)) >= 0.8 * len(merged)
