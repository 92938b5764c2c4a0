"""Choosing one answer from k sampled completions: self-consistency, pass@k and sample-and-filter.

Given, for each of B problems, k sampled completions with their parsed final answers a_1..a_k
(None where a completion does not parse) and the reference answer y:

  self-consistency (Wang et al. 2022)   answer = argmax_a #{j : a_j = a}   (majority vote; a tie goes
                                        to the answer sampled first; None never votes)
  pass@k (Chen et al. 2021)             P(at least one of k samples is right), estimated without bias
                                        from n >= k samples with c right:  1 - C(n - c, k) / C(n, k)
                                        (an oracle: it needs the answer, so it is a ceiling)
  filtered@1 (AlphaCode, Li et al. 2022) keep the candidates that pass a check that does not use the
                                        answer, submit the first kept one (none kept: the first
                                        sample); 'filter + vote' takes the majority of the kept ones.

All functions are plain numpy on host arrays (the answers are Python ints or None).
"""
import math

import numpy as np


def majority_vote(answers_K):
  """The most frequent non-None answer of one problem (ties: the one sampled first); None if no
  answer parses."""
  counts, first = {}, {}
  for j, a in enumerate(answers_K):
    if a is None:
      continue
    counts[a] = counts.get(a, 0) + 1
    first.setdefault(a, j)
  if not counts:
    return None
  return max(counts, key=lambda a: (counts[a], -first[a]))


def vote_accuracy(answers_BxK, reference_B, ks) -> list:
  """Accuracy of the majority vote over the first k samples, for each k in ks."""
  if max(ks) > min(len(a) for a in answers_BxK):
    raise ValueError(f'k up to {max(ks)} needs at least that many samples per problem; draw more '
                     'samples or lower k.')
  return [float(np.mean([majority_vote(a[:k]) == y for a, y in zip(answers_BxK, reference_B)]))
          for k in ks]


def pass_at_k(num_samples: int, num_correct, k: int) -> np.ndarray:
  """Unbiased pass@k per problem: 1 - C(n - c, k) / C(n, k) (Chen et al. 2021, eq. 1)."""
  if not 1 <= k <= num_samples:
    raise ValueError(f'pass@k needs 1 <= k <= n = {num_samples}; got k = {k}.')
  c = np.asarray(num_correct)
  return np.array([1.0 if num_samples - ci < k else
                   1.0 - math.comb(num_samples - ci, k) / math.comb(num_samples, k) for ci in c])


def filtered_at_1(answers_BxK, passes_BxK, reference_B, k: int) -> dict:
  """Sample-and-filter with the first k candidates of each problem: 'filtered@1' submits the first
  one that passes the check, 'filter+vote' the majority answer of those that pass (both fall back
  to the first sample / the plain vote when none passes); 'none_pass' is how often none passes."""
  first, vote, none = [], [], []
  for answers, passes, y in zip(answers_BxK, passes_BxK, reference_B):
    kept = [a for a, ok in zip(answers[:k], passes[:k]) if ok]
    none.append(not kept)
    first.append((kept[0] if kept else answers[0]) == y)
    vote.append(majority_vote(kept if kept else answers[:k]) == y)
  return {'filtered@1': float(np.mean(first)), 'filter+vote': float(np.mean(vote)),
          'none_pass': float(np.mean(none))}
