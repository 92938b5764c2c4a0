"""Generated token sequences where word order does or does not decide the label (seed 001 §1.7:
addition / bag-of-words "destroys information about sequence"; seed 003 §1.7: one-hot vectors).

  make(task, n, seed, length=8, vocab_size=16) -> (tokens int32 [n, length], labels int32 [n])

Token 0 is A, token 1 is B, tokens 2..vocab_size-1 are filler drawn uniformly.
  order     A and B each occur exactly once, at two distinct uniform positions; label = 1 iff A
            comes before B. Swapping A and B gives the same bag of words and the other label, and
            the swap is a bijection of the sequence space with equal probabilities, so every bag of
            words is exactly as likely under either label: no function of the bag beats 50 %.
  presence  A occurs exactly once; label = 1 iff B also occurs (once, at another uniform
            position; probability 1/2). Order is irrelevant: the bag of words decides the label.
"""
import numpy as np

TASKS = ('order', 'presence')
A, B = 0, 1


def make(task: str, n: int, seed: int, length: int = 8, vocab_size: int = 16):
  """(tokens_NxT int32, labels_N int32) of `task` (module docstring)."""
  if task not in TASKS:
    raise ValueError(f'word_order task {task!r} does not exist; use one of {TASKS}.')
  if length < 2 or vocab_size < 3:
    raise ValueError(f'length={length} and vocab_size={vocab_size}: need length >= 2 and '
                     'vocab_size >= 3 (A, B and at least one filler token).')
  rng = np.random.default_rng(seed)
  tokens_NxT = rng.integers(2, vocab_size, size=(n, length)).astype(np.int32)
  # two distinct positions per row: the first two entries of a random permutation
  pos_Nx2 = np.argsort(rng.random((n, length)), axis=1)[:, :2]
  rows = np.arange(n)
  tokens_NxT[rows, pos_Nx2[:, 0]] = A
  if task == 'order':
    tokens_NxT[rows, pos_Nx2[:, 1]] = B
    labels_N = (pos_Nx2[:, 0] < pos_Nx2[:, 1]).astype(np.int32)
  else:
    labels_N = rng.integers(0, 2, size=n).astype(np.int32)
    with_b = rows[labels_N == 1]
    tokens_NxT[with_b, pos_Nx2[with_b, 1]] = B
  return tokens_NxT, labels_N
