"""Vocabularies and padded integer arrays shared by the text and sequence datasets.

A `Vocab` maps symbols (characters, phones, words) to ids 0..V-1 in the order given. Sequence-to-
sequence vocabularies start with the three specials PAD=0, BOS=1, EOS=2; a character LM vocabulary
(shakespeare_char) has no specials, as in nanoGPT.

The seq2seq example format used by cmudict_g2p and the token synthetic tasks:
  inputs          int32 [N, S]  source ids, PAD after the end (no BOS/EOS)
  input_lengths   int32 [N]
  targets         int32 [N, T]  target ids followed by one EOS, then PAD
  target_lengths  int32 [N]     including the EOS
A decoder trained with teacher forcing reads `shift_right(targets)` (BOS, y_1, ..., y_{T-1}) and
predicts `targets`; the loss mask is `targets != PAD`.
"""
import dataclasses
import functools

import numpy as np

PAD, BOS, EOS = 0, 1, 2
SPECIALS = ('<pad>', '<bos>', '<eos>')


@dataclasses.dataclass(frozen=True)
class Vocab:
  """id <-> symbol; `symbols[i]` is the symbol of id i."""
  symbols: tuple

  def __post_init__(self):
    if len(set(self.symbols)) != len(self.symbols):
      raise ValueError('vocabulary symbols must be unique')

  @functools.cached_property
  def has_specials(self) -> bool:
    return self.symbols[:3] == SPECIALS

  @functools.cached_property
  def index(self) -> dict:
    return {s: i for i, s in enumerate(self.symbols)}

  def __len__(self):
    return len(self.symbols)

  def encode(self, seq) -> np.ndarray:
    index = self.index
    return np.array([index[s] for s in seq], dtype=np.int32)

  def decode(self, ids, sep: str = '') -> str:
    """Symbols of `ids` joined by `sep`; with specials, stops at EOS and drops PAD/BOS."""
    ids = np.asarray(ids).tolist()
    if not self.has_specials:
      return sep.join([self.symbols[i] for i in ids])
    if EOS in ids:
      ids = ids[:ids.index(EOS)]
    return sep.join([self.symbols[i] for i in ids if i not in (PAD, BOS)])


def seq2seq_vocab(symbols) -> Vocab:
  """PAD, BOS, EOS, then the sorted distinct symbols."""
  return Vocab(SPECIALS + tuple(sorted(set(symbols))))


def pad_batch(seqs, length: int = 0, eos: bool = False):
  """(ids_NxL int32 padded with PAD, lengths_N int32) from a list of id sequences (+EOS if asked)."""
  seqs = [list(s) + ([EOS] if eos else []) for s in seqs]
  lengths = np.array([len(s) for s in seqs], dtype=np.int32)
  length = length or int(lengths.max(initial=1))
  if lengths.size and lengths.max() > length:
    raise ValueError(f'a sequence of length {lengths.max()} does not fit in {length}')
  out = np.full((len(seqs), length), PAD, dtype=np.int32)
  for i, s in enumerate(seqs):
    out[i, :len(s)] = s
  return out, lengths


def seq2seq_arrays(sources, targets, src_vocab: Vocab, tgt_vocab: Vocab, src_len=0, tgt_len=0):
  """The seq2seq example format (module docstring) from lists of symbol sequences."""
  inputs, input_lengths = pad_batch([src_vocab.encode(s) for s in sources], src_len)
  outs, target_lengths = pad_batch([tgt_vocab.encode(t) for t in targets], tgt_len, eos=True)
  return {'inputs': inputs, 'input_lengths': input_lengths, 'targets': outs,
          'target_lengths': target_lengths}


def shift_right(targets_NxT, bos: int = BOS):
  """Teacher-forcing decoder inputs: (BOS, y_1, ..., y_{T-1}) for targets (y_1, ..., y_T).

  Works on numpy arrays and on jax arrays inside jit (through the array-API namespace).
  """
  xp = targets_NxT.__array_namespace__()
  start_Nx1 = xp.full((targets_NxT.shape[0], 1), bos, dtype=targets_NxT.dtype)
  return xp.concat([start_Nx1, targets_NxT[:, :-1]], axis=1)
