"""In-context learning: sequences of (x, f(x)) pairs from a function f drawn fresh for every sequence.

A sequence is   [family]  x_1 f(x_1)  x_2 f(x_2)  ...  x_n f(x_n)  x_q f(x_q)
over the symbols 0..p-1 (p = num_symbols), with one token naming the family at the start (ids
p, p+1, ...; vocabulary size p + len(FAMILIES)). The x's are uniform over the symbols, independent,
with repetition. The families (f drawn uniformly from the family, independently per sequence):

  mapping   f = a random permutation of the p symbols          (p! functions)
  linear    f(x) = a x + b mod p,  a in 1..p-1, b in 0..p-1     (p (p-1) functions; p must be prime)
  offset    f(x) = x + c mod p,    c in 0..p-1                  (copy with a random offset; p functions)

Because the pairs are i.i.d., the prediction of f(x_{k+1}) after k pairs is a k-shot prompt: one
sequence of n + 1 pairs evaluates k = 0..n at once (a causal model sees only the prefix). Training
puts the loss on every f(x) position, so the model learns to answer after any number of examples.

Batch b of the training stream is a function of (seed, b) only, so fresh tasks arrive at every
step and a resumed run sees the same stream (`train_iterator`); the evaluation set is drawn from a
different seed stream (`eval_set`): new sequences, i.e. new (function, inputs) draws. The small
families have few functions (offset: p, linear: p(p-1)), so those recur between training and
evaluation; the model must still read which one from the prompt. `bayes_accuracy` is the accuracy
of the ideal in-context learner (the posterior's most likely answer under the generating prior),
the ceiling for each k; with no examples (k = 0) it is chance, 1/p, for every family.
"""

import numpy as np

from dljax.data import pipeline

FAMILIES = ('mapping', 'linear', 'offset')
MODEL_KEYS = ('x', 'y', 'answer')   # what a training batch holds (the rest of `make` is for analysis)


def is_prime(n: int) -> bool:
  return n >= 2 and all(n % d for d in range(2, int(n ** 0.5) + 1))


def vocab_size(num_symbols: int) -> int:
  """Symbols 0..p-1, then one token per family."""
  return num_symbols + len(FAMILIES)


def check(families, num_symbols: int):
  """ValueError naming the fix for an unknown family or a modulus the families cannot use."""
  unknown = [f for f in families if f not in FAMILIES]
  if unknown or not families:
    raise ValueError(f'unknown in-context families {unknown or families}; use a non-empty subset '
                     f'of {FAMILIES}.')
  if 'linear' in families and not is_prime(num_symbols):
    raise ValueError(f'the linear family needs a prime num_symbols (a x + b mod p is then a '
                     f'bijection for every a != 0); got {num_symbols}.')
  if num_symbols < 2:
    raise ValueError(f'num_symbols must be >= 2; got {num_symbols}.')


def functions(family_B: np.ndarray, num_symbols: int, rng) -> np.ndarray:
  """B x p table of each sequence's function f (row i: f_i(0), ..., f_i(p-1)), drawn per family."""
  n, p = len(family_B), num_symbols
  x_1xP = np.arange(p)[None]
  perm_BxP = np.argsort(rng.uniform(size=(n, p)), axis=1)          # a uniform random permutation
  a_Bx1 = rng.integers(1, p, (n, 1))
  b_Bx1 = rng.integers(0, p, (n, 1))
  c_Bx1 = rng.integers(0, p, (n, 1))
  table = {'mapping': perm_BxP,
           'linear': (a_Bx1 * x_1xP + b_Bx1) % p,                 # f(x) = a x + b mod p
           'offset': (x_1xP + c_Bx1) % p}                         # f(x) = x + c mod p
  return np.stack([table[f] for f in FAMILIES])[family_B, np.arange(n)]


def make(n: int, rng, families=FAMILIES, num_symbols: int = 7, num_pairs: int = 17,
         family_B=None) -> dict:
  """`n` sequences of `num_pairs` (x, f(x)) pairs; returns the model's arrays:

    x      int32 [n, 2 num_pairs]   the input tokens (the sequence without its last token)
    y      int32 [n, 2 num_pairs]   the next tokens (the sequence without its family token)
    answer float32 [n, 2 num_pairs] 1 where y is an answer f(x_j) (input position 1 + 2 j)
    family int32 [n]                index into FAMILIES
    pairs_x, pairs_y int32 [n, num_pairs]
  """
  check(families, num_symbols)
  if family_B is None:
    family_B = np.array([FAMILIES.index(f) for f in families])[rng.integers(0, len(families), n)]
  f_BxP = functions(family_B, num_symbols, rng)
  x_BxN = rng.integers(0, num_symbols, (n, num_pairs))
  y_BxN = np.take_along_axis(f_BxP, x_BxN, axis=1)
  seq = np.empty((n, 1 + 2 * num_pairs), np.int64)
  seq[:, 0] = num_symbols + family_B                               # the family token
  seq[:, 1::2], seq[:, 2::2] = x_BxN, y_BxN                        # x_1 f(x_1) x_2 f(x_2) ...
  answer = np.zeros((n, 2 * num_pairs), np.float32)
  answer[:, 1::2] = 1.0                                            # input x_j predicts f(x_j)
  return {'x': seq[:, :-1].astype(np.int32), 'y': seq[:, 1:].astype(np.int32), 'answer': answer,
          'family': family_B.astype(np.int32), 'pairs_x': x_BxN.astype(np.int32),
          'pairs_y': y_BxN.astype(np.int32)}


def eval_set(per_family: int, seed: int, families=FAMILIES, num_symbols: int = 7,
             num_pairs: int = 17) -> dict:
  """`per_family` held-out sequences of each family (a seed stream the training batches never use)."""
  family_B = np.repeat([FAMILIES.index(f) for f in families], per_family)
  return make(len(family_B), np.random.default_rng([seed, 1]), families, num_symbols, num_pairs,
              family_B=family_B)


def train_iterator(global_batch: int, seed: int, process_index: int = 0, process_count: int = 1,
                   **args):
  """A checkpointable grain iterator of fresh batches {'x', 'y', 'answer'} (`make` arguments in
  `args`); batch b is drawn from default_rng([seed, 0, b]), the evaluation set from [seed, 1]."""
  return pipeline.generated_iterator(make, MODEL_KEYS, global_batch, seed, process_index,
                                      process_count, **args)


def bayes_accuracy(arrays: dict, num_symbols: int) -> np.ndarray:
  """B x num_pairs: expected accuracy of the Bayes-optimal guess of f(x_k) from pairs 1..k-1.

  Uniform prior over the family's functions (as generated) and a known family: the posterior is
  uniform over the functions consistent with the examples, and the best guess is the answer most
  of them give; its expected accuracy is that answer's share. For mapping (a permutation) this is
  1 if x_k was seen, else 1 / (number of outputs not yet used); for linear and offset the
  functions are enumerated.
  """
  p = num_symbols
  x_BxN, y_BxN, fam_B = arrays['pairs_x'], arrays['pairs_y'], arrays['family']
  n, num_pairs = x_BxN.shape
  out = np.zeros((n, num_pairs))
  # mapping: seen -> 1, unseen -> 1 / (p - distinct inputs seen)
  seen_BxNxP = np.cumsum(np.eye(p, dtype=bool)[x_BxN], axis=1) > 0   # inputs seen through pair j
  seen_before = np.concatenate([np.zeros((n, 1, p), bool), seen_BxNxP[:, :-1]], axis=1)
  query_seen = np.take_along_axis(seen_before, x_BxN[..., None], axis=2)[..., 0]
  mapping = np.where(query_seen, 1.0, 1.0 / np.maximum(p - seen_before.sum(-1), 1))
  # linear and offset: all functions of the family as an H x p table
  a, b = np.meshgrid(np.arange(1, p), np.arange(p), indexing='ij')
  tables = {'linear': (a.reshape(-1, 1) * np.arange(p) + b.reshape(-1, 1)) % p,
            'offset': (np.arange(p)[None] + np.arange(p)[:, None]) % p}
  for name in FAMILIES:
    rows = fam_B == FAMILIES.index(name)
    if name == 'mapping':
      out[rows] = mapping[rows]
      continue
    h_HxP = tables[name]
    pred_BxHxN = h_HxP[:, x_BxN[rows]].transpose(1, 0, 2)           # h(x_j)
    match = pred_BxHxN == y_BxN[rows][:, None]
    consistent = np.cumprod(np.concatenate([np.ones_like(match[..., :1]), match[..., :-1]], -1),
                            axis=-1).astype(bool)                      # consistent with pairs < j
    votes_BxNxP = np.einsum('bhn,bhnp->bnp', consistent, np.eye(p, dtype=int)[pred_BxHxN])
    out[rows] = votes_BxNxP.max(-1) / consistent.sum(1)
  return out
