"""Training data for word embeddings, built on the host from a word-id stream (dljax.data.load_words).

  counts = cooccurrence(ids_N, V, window, weighting)   scipy CSR [V, V], symmetric
  ids = drop_unknown(ids)                              word2vec removes rare words from the text
  ids = subsample(ids, counts, t, seed)                Mikolov et al. (2013b): keep w w.p. sqrt(t / f(w))
  noise = noise_distribution(counts)                   P_n(w) ∝ count(w)^(3/4)
  table, mask = ngram_table(words, n_min, n_max, buckets)   fastText rows of every vocabulary word
  batches = context_iterator(ids, sampler, global_batch, seed)   batch b is a function of (seed, b)

A batch is {'inputs' [B, C], 'input_mask' [B, C], 'targets' [B, 1 + K]}: the model averages the
input rows (skip-gram: the centre word, C = 1; CBOW: the 2R context words, masked beyond the
sampled window; fastText: the centre word's own row and its n-gram rows), targets[:, 0] is the
positive word and targets[:, 1:] are K negatives drawn from P_n. Windows are word2vec's dynamic
windows: a radius r ~ U{1..R} per example, so a context word at distance d is used with weight
(R - d + 1) / R on average.
"""
import sys

import grain
import numpy as np
import scipy.sparse as sp

WEIGHTINGS = ('uniform', 'harmonic', 'linear')


def window_weight(d, window: int, weighting: str):
  """Weight of a pair at distance d in 1..window: uniform 1, harmonic 1/d (GloVe), linear
  window - d + 1 (the notes' 'highest the closer to the word')."""
  if weighting == 'uniform':
    return np.ones_like(d, dtype=np.float64)
  if weighting == 'harmonic':
    return 1.0 / d
  if weighting == 'linear':
    return (window - d + 1).astype(np.float64)
  raise ValueError(f'weighting {weighting!r} is unknown; use one of {WEIGHTINGS}.')


def cooccurrence(ids_N, vocab_size: int, window: int, weighting: str = 'uniform') -> sp.csr_matrix:
  """X_ij = Σ over positions t and distances 1 <= d <= window of weight(d) [w_t = i, w_{t±d} = j].

  Symmetric: each pair (t, t+d) counts once as (i, j) and once as (j, i).
  """
  ids_N = np.asarray(ids_N)
  rows, cols, vals = [], [], []
  for d in range(1, window + 1):
    a, b = ids_N[:-d], ids_N[d:]
    w = np.full(len(a), window_weight(np.array(d), window, weighting))
    rows += [a, b]
    cols += [b, a]
    vals += [w, w]
  x = sp.coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                    shape=(vocab_size, vocab_size))
  return x.tocsr()  # duplicates are summed


def drop_unknown(ids_N, unk: int = 0):
  """The stream without '<unk>' tokens (word2vec removes words below min_count before windowing)."""
  ids_N = np.asarray(ids_N)
  return ids_N[ids_N != unk]


def subsample(ids_N, counts_V, t: float, seed: int):
  """Keeps each token of word w with probability min(1, sqrt(t / f(w))), f = count / total.

  One fixed draw for the whole run (word2vec redraws per epoch); t = 0 keeps everything.
  """
  if not t:
    return np.asarray(ids_N)
  f_V = counts_V / counts_V.sum()
  keep_V = np.minimum(1.0, np.sqrt(t / np.maximum(f_V, 1e-12)))
  keep = np.random.default_rng([seed, 1]).random(len(ids_N)) < keep_V[ids_N]
  return np.asarray(ids_N)[keep]


def noise_distribution(counts_V, power: float = 0.75, unk: int = 0):
  """P_n(w) = count(w)^power / Σ_v count(v)^power, with P_n(<unk>) = 0."""
  p = np.asarray(counts_V, dtype=np.float64) ** power
  if unk is not None:
    p[unk] = 0.0
  return p / p.sum()


# --- fastText character n-grams ------------------------------------------------------------------


def char_ngrams(word: str, n_min: int = 3, n_max: int = 6) -> list:
  """The character n-grams of '<word>' for n_min <= n <= n_max, without '<word>' itself
  (Bojanowski et al.: 'where', n=3 -> <wh, whe, her, ere, re>)."""
  w = f'<{word}>'
  grams = [w[i:i + n] for n in range(n_min, n_max + 1) for i in range(len(w) - n + 1)]
  return [g for g in grams if g != w]


def fnv1a(s: str) -> int:
  """32-bit FNV-1a hash of the UTF-8 bytes (fastText's hash; stable across processes)."""
  h = 2166136261
  for byte in s.encode('utf-8'):
    h = ((h ^ byte) * 16777619) & 0xFFFFFFFF
  return h


def ngram_rows(word: str, vocab_size: int, buckets: int, n_min: int = 3, n_max: int = 6,
               word_id: int = None) -> list:
  """Input-table rows of a word: its own row (if in the vocabulary) then V + hash(g) mod buckets."""
  own = [] if word_id is None else [word_id]
  return own + [vocab_size + fnv1a(g) % buckets for g in char_ngrams(word, n_min, n_max)]


def ngram_table(words, buckets: int, n_min: int = 3, n_max: int = 6):
  """(rows int32 [V, G], mask bool [V, G]): every vocabulary word's input rows, padded to G."""
  v = len(words)
  rows = [ngram_rows(w, v, buckets, n_min, n_max, word_id=i) for i, w in enumerate(words)]
  g = max(len(r) for r in rows)
  table = np.zeros((v, g), np.int32)
  mask = np.zeros((v, g), bool)
  for i, r in enumerate(rows):
    table[i, :len(r)] = r
    mask[i, :len(r)] = True
  return table, mask


# --- (input, positive, negatives) batches --------------------------------------------------------

ARCHS = ('skipgram', 'cbow', 'fasttext')


class ContextSampler:
  """Maps a batch number b to this process's part of global batch b (a function of (seed, b) only)."""

  def __init__(self, ids_N, arch: str, window: int, negatives: int, noise_V, global_batch: int,
               seed: int, ngrams=None, process_index: int = 0, process_count: int = 1):
    if arch not in ARCHS:
      raise ValueError(f'arch {arch!r} is unknown; use one of {ARCHS}.')
    if len(ids_N) < 2 * window + 1:
      raise ValueError(f'{len(ids_N)} words hold no window of radius {window}')
    self.ids, self.arch, self.window, self.negatives = np.asarray(ids_N), arch, window, negatives
    self.cdf = np.cumsum(noise_V)
    self.cdf /= self.cdf[-1]
    self.global_batch, self.seed, self.ngrams = global_batch, seed, ngrams
    per_process = global_batch // process_count
    self.local = slice(process_index * per_process, (process_index + 1) * per_process)

  def __call__(self, b):
    rng = np.random.default_rng([self.seed, int(b)])
    n, big_r, batch = len(self.ids), self.window, self.global_batch
    pos_B = rng.integers(big_r, n - big_r, batch)
    radius_B = rng.integers(1, big_r + 1, batch)          # word2vec's dynamic window
    negs_BxK = np.searchsorted(self.cdf, rng.random((batch, self.negatives)), side='right')
    negs_BxK = np.minimum(negs_BxK, len(self.cdf) - 1)
    if self.arch == 'cbow':    # predict the centre from the context words within the radius
      offsets = np.concatenate([np.arange(-big_r, 0), np.arange(1, big_r + 1)])
      inputs = self.ids[pos_B[:, None] + offsets[None, :]]
      mask = np.abs(offsets)[None, :] <= radius_B[:, None]
      positive_B = self.ids[pos_B]
    else:                      # predict one context word within the radius from the centre
      dist_B = (rng.random(batch) * radius_B).astype(np.int64) + 1   # U{1..radius}
      sign_B = np.where(rng.random(batch) < 0.5, -1, 1)
      centre_B = self.ids[pos_B]
      positive_B = self.ids[pos_B + sign_B * dist_B]
      if self.arch == 'fasttext':
        table, table_mask = self.ngrams
        inputs, mask = table[centre_B], table_mask[centre_B]
      else:
        inputs, mask = centre_B[:, None], np.ones((batch, 1), bool)
    targets = np.concatenate([positive_B[:, None], negs_BxK], axis=1)
    out = {'inputs': inputs, 'input_mask': mask, 'targets': targets}
    return {k: v[self.local].astype(np.int32 if k != 'input_mask' else bool) for k, v in out.items()}


def context_iterator(sampler: ContextSampler):
  """A checkpointable iterator over the sampler's batches 0, 1, 2, ... (grain state = next b)."""
  return iter(grain.MapDataset.range(sys.maxsize).map(sampler).to_iter_dataset())


def context_examples(sampler: ContextSampler, num_batches: int) -> dict:
  """A fixed set of examples (batches 0..num_batches-1 of `sampler`) as arrays, for eval_batches."""
  parts = [sampler(b) for b in range(num_batches)]
  return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
