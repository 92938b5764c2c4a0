"""Sequence metrics on the host (numpy): edit distance, word error rate and phone error rate.

For grapheme-to-phoneme (REFERENCES.md §3):
  WER = fraction of words whose predicted phone sequence differs from the reference in any way
  PER = sum over words of edit_distance(predicted phones, reference phones) / total reference length
"""
import numpy as np

from dljax.data import text as text_lib


def edit_distance(hyp, ref) -> int:
  """Levenshtein distance (unit-cost insertions, deletions, substitutions) between two sequences.

  d[i, j] = min(d[i-1, j] + 1, d[i, j-1] + 1, d[i-1, j-1] + [hyp_i != ref_j]), one row at a time.
  """
  hyp, ref = list(hyp), list(ref)
  prev = np.arange(len(ref) + 1)
  for i, h in enumerate(hyp, start=1):
    cur = np.empty_like(prev)
    cur[0] = i
    cost = np.array([h != r for r in ref], dtype=prev.dtype)
    diag = prev[:-1] + cost  # substitution or match
    up = prev[1:] + 1  # deletion of h
    best = np.minimum(diag, up)
    for j in range(1, len(ref) + 1):  # insertion depends on the left neighbour: sequential
      cur[j] = min(best[j - 1], cur[j - 1] + 1)
    prev = cur
  return int(prev[-1])


def trim(ids, eos: int = text_lib.EOS, pad: int = text_lib.PAD) -> list:
  """The ids before the first EOS, without PAD (decoder output -> phone ids)."""
  out = []
  for i in np.asarray(ids).tolist():
    if i == eos:
      break
    if i != pad:
      out.append(i)
  return out


def error_rates(hyps, refs) -> dict:
  """{'wer', 'per', 'words', 'ref_len', 'edits'} for lists of predicted / reference sequences."""
  if len(hyps) != len(refs):
    raise ValueError(f'{len(hyps)} predictions for {len(refs)} references')
  edits = np.array([edit_distance(h, r) for h, r in zip(hyps, refs)], dtype=np.int64)
  ref_len = int(sum(len(r) for r in refs))
  return {'wer': float(np.mean(edits > 0)) if len(refs) else 0.0,
          'per': float(edits.sum() / max(ref_len, 1)),
          'words': len(refs), 'ref_len': ref_len, 'edits': int(edits.sum())}


def error_rates_from_ids(pred_NxT, targets_NxT, eos: int = text_lib.EOS) -> dict:
  """`error_rates` on padded id arrays (decoder outputs vs the seq2seq `targets`), cut at EOS."""
  return error_rates([trim(p, eos) for p in np.asarray(pred_NxT)],
                     [trim(t, eos) for t in np.asarray(targets_NxT)])
