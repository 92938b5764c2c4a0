"""Byte-pair encoding (Sennrich et al. 2016) from scratch, with BPE-dropout (Provilkov et al. 2020).

Training: start from characters; repeatedly count adjacent symbol pairs over the corpus (each word
weighted by its count) and merge the most frequent pair everywhere; the ordered list of merges is
the model. Encoding a word replays the merges: among its adjacent pairs, apply the one learned
earliest, until none applies. BPE-dropout skips each applicable merge with probability p at every
step, so one word gets many segmentations (a regulariser during training; p=0 at test time).

Words are taken the way sentencepiece takes them: whitespace-separated, each with a leading '▁'
(U+2581) standing for the space before it, so decoding is ''.join(tokens).replace('▁', ' ') and
needs no end-of-word marker. The test suite checks the merges against sentencepiece's BPE trainer
on the same text: they are the same merges, in the same order, once ties are broken the same way
(pairs of equal frequency: each trainer picks its own; `train(tie_break=...)` can follow
sentencepiece's choice, and the test shows that choice is always one of our tied pairs). Two other
documented differences: sentencepiece keeps adding pairs of frequency 0 until it reaches the
requested vocabulary size (we stop when no pair occurs twice), and it drops a merge whose string it
already has from another split ('a'+'aa' after 'aa'+'a'), where we keep both rules (one vocab entry).
"""
import collections
import dataclasses
import heapq
import json
from typing import Callable, Iterable

import numpy as np

from dljax.errors import ConfigError

SPACE = '\u2581'  # '▁'
UNK = '<unk>'


def word_counts(lines: Iterable[str]) -> collections.Counter:
  """{'▁word': count} over whitespace-separated words of `lines`."""
  counts = collections.Counter()
  for line in lines:
    counts.update(SPACE + w for w in line.split())
  return counts


@dataclasses.dataclass
class BPE:
  merges: list          # [(left, right), ...] in the order they were learned
  alphabet: list        # the single characters, sorted

  def __post_init__(self):
    self.rank = {pair: i for i, pair in enumerate(self.merges)}
    self.vocab = [UNK] + list(self.alphabet)
    seen = set(self.vocab)
    for a, b in self.merges:
      if a + b not in seen:
        seen.add(a + b)
        self.vocab.append(a + b)
    self.token_id = {t: i for i, t in enumerate(self.vocab)}

  # --- segmentation -----------------------------------------------------------------------------
  def segment(self, word: str, dropout: float = 0.0, rng: np.random.Generator | None = None) -> list:
    """Splits one word ('▁' included) into tokens by replaying the merges (with BPE-dropout p)."""
    if dropout and rng is None:
      raise ConfigError('BPE-dropout needs an rng: segment(word, dropout=p, rng=np.random.default_rng(seed)).')
    symbols = [c if c in self.token_id else UNK for c in word]
    while len(symbols) > 1:
      ranked = [(self.rank[p], i) for i, p in enumerate(zip(symbols, symbols[1:])) if p in self.rank]
      if dropout:
        ranked = [r for r in ranked if rng.random() >= dropout]
      if not ranked:
        break
      best = min(ranked)[0]
      # merge every occurrence of the best pair, left to right
      out, i = [], 0
      while i < len(symbols):
        if i + 1 < len(symbols) and self.rank.get((symbols[i], symbols[i + 1])) == best:
          out.append(symbols[i] + symbols[i + 1])
          i += 2
        else:
          out.append(symbols[i])
          i += 1
      symbols = out
    return symbols

  def encode(self, text: str, dropout: float = 0.0, rng=None) -> list:
    """Text -> token ids (whitespace is normalised to single spaces, as in training)."""
    return [self.token_id[t] for w in text.split()
            for t in self.segment(SPACE + w, dropout, rng)]

  def decode(self, ids) -> str:
    return ''.join(self.vocab[i] for i in ids).replace(SPACE, ' ').lstrip(' ')

  # --- persistence --------------------------------------------------------------------------------
  def to_json(self) -> str:
    return json.dumps({'merges': self.merges, 'alphabet': self.alphabet}, ensure_ascii=False)

  @classmethod
  def from_json(cls, text: str) -> 'BPE':
    d = json.loads(text)
    return cls([tuple(m) for m in d['merges']], d['alphabet'])


def train(counts: dict, num_merges: int,
          tie_break: Callable[[list, list], tuple] | None = None) -> BPE:
  """Learns `num_merges` merges from {word: count} (words as produced by `word_counts`).

  At each step the most frequent adjacent pair is merged (frequency = sum of the counts of the
  words it occurs in, times its occurrences there). Among pairs of equal frequency the default
  picks the lexicographically smallest (left, right); `tie_break(candidates, merges_so_far)` may
  choose another of the (sorted) candidates.
  Stops early when no pair occurs twice.
  """
  if num_merges < 0:
    raise ConfigError(f'num_merges must be >= 0, got {num_merges}.')
  words = [list(w) for w in counts]
  weights = list(counts.values())
  alphabet = sorted({c for w in counts for c in w})
  pair_freq = collections.Counter()
  where = collections.defaultdict(set)   # pair -> ids of words that contain it
  for wid, (w, n) in enumerate(zip(words, weights)):
    for p in zip(w, w[1:]):
      pair_freq[p] += n
      where[p].add(wid)
  heap = [(-f, p) for p, f in pair_freq.items()]
  heapq.heapify(heap)

  merges = []
  while len(merges) < num_merges:
    # pop stale heap entries; collect every pair tied at the top frequency
    while heap and pair_freq.get(heap[0][1], 0) != -heap[0][0]:
      heapq.heappop(heap)
    if not heap or -heap[0][0] < 2:
      break
    top = -heap[0][0]
    tied = []
    while heap and -heap[0][0] == top:
      f, p = heapq.heappop(heap)
      if pair_freq.get(p, 0) == top:
        tied.append(p)
    best = tie_break(sorted(tied), merges) if tie_break and len(tied) > 1 else min(tied)
    for p in tied:
      if p != best:
        heapq.heappush(heap, (-top, p))
    merges.append(best)
    # re-count the pairs of the words that contain `best`
    changed = set()
    for wid in list(where[best]):
      w, n = words[wid], weights[wid]
      for p in zip(w, w[1:]):
        pair_freq[p] -= n
        where[p].discard(wid)
        changed.add(p)
      merged, i = [], 0
      while i < len(w):
        if i + 1 < len(w) and (w[i], w[i + 1]) == best:
          merged.append(w[i] + w[i + 1])
          i += 2
        else:
          merged.append(w[i])
          i += 1
      words[wid] = merged
      for p in zip(merged, merged[1:]):
        pair_freq[p] += n
        where[p].add(wid)
        changed.add(p)
    del pair_freq[best]
    for p in changed - {best}:
      if pair_freq[p] > 0:
        heapq.heappush(heap, (-pair_freq[p], p))
  return BPE(merges, alphabet)
