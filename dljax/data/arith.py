"""Chains of single-digit additions and subtractions, answered directly or with a scratchpad.

A stand-in for GSM8K-style word problems (not available offline): a problem is

  a_0 o_1 a_1 o_2 a_2 ... o_n a_n =        a_i in 0..9, o_i in {+, -}, n = number of operations

and the answer s_n = a_0 o_1 a_1 ... o_n a_n (an integer in [-9 n, 9 + 9 n]). Two formats of the
same problem (the completion follows '=' and ends with '.'):

  direct      7+3-5+8=13.
  scratchpad  7+3-5+8=10,5,13>13.      the running sums s_1, ..., s_n, then '>' and the answer

so the direct format asks for the whole sum in one go, the scratchpad (chain of thought: Wei et al.
2022) for one easy step s_i = s_{i-1} o_i a_i at a time. Characters are the tokens (VOCAB); every
sequence is padded with '.' to `seq_len(max_ops)` characters.

Batch b of the training stream is a function of (seed, b) only (`train_iterator`): the number of
operations is uniform in min_ops..max_ops, digits and signs uniform. The validation and test sets are
drawn from other seed streams (`eval_set`); with one or two operations there are only 200 / 4000
problems, so those recur between training and evaluation, longer ones practically never do.

`parse` reads a completion back (the answer and, for the scratchpad, the steps) and `steps_consistent`
checks a scratchpad against its problem without knowing the answer (the filter of sample-and-filter).
"""

import numpy as np

from dljax.data import pipeline

VOCAB = '0123456789+-=,>.'
FORMATS = ('direct', 'scratchpad')
PAD = END = VOCAB.index('.')          # '.' ends a completion and pads the sequence after it
EQUALS, ARROW = VOCAB.index('='), VOCAB.index('>')
MODEL_KEYS = ('x', 'y', 'loss_mask', 'prompt_len')   # what a training batch holds
_ID = {c: i for i, c in enumerate(VOCAB)}


def vocab_size() -> int:
  return len(VOCAB)


def seq_len(max_ops: int) -> int:
  """Characters of the longest sequence: problem 2 n + 2, scratchpad <= 4 n + 4 (n steps of up to 3
  characters and a separator, the answer and '.')."""
  return 6 * max_ops + 6


def check(fmt: str, min_ops: int, max_ops: int):
  """ValueError naming the fix for an unknown format or an empty range of operations."""
  if fmt not in FORMATS:
    raise ValueError(f'unknown arithmetic format {fmt!r}; use one of {FORMATS}.')
  if not 1 <= min_ops <= max_ops:
    raise ValueError(f'need 1 <= min_ops <= max_ops; got min_ops={min_ops}, max_ops={max_ops}.')


def problems(n: int, rng, min_ops: int, max_ops: int, num_ops=None):
  """n problems: digits int [n, max_ops + 1], signs (+1 / -1) int [n, max_ops] (column i-1 is o_i),
  num_ops int [n]; digits and signs past num_ops are unused (0 and +1)."""
  ops_B = rng.integers(min_ops, max_ops + 1, n) if num_ops is None else np.asarray(num_ops)
  digits = rng.integers(0, 10, (n, max_ops + 1))
  signs = np.where(rng.uniform(size=(n, max_ops)) < 0.5, 1, -1)
  used = np.arange(max_ops)[None] < ops_B[:, None]
  digits[:, 1:] = np.where(used, digits[:, 1:], 0)
  return digits, np.where(used, signs, 1), ops_B


def running_sums(digits, signs) -> np.ndarray:
  """s_i = a_0 + sum_{j<=i} o_j a_j for i = 1..max_ops: int [n, max_ops]."""
  return digits[:, :1] + np.cumsum(signs * digits[:, 1:], axis=1)


def prompt_text(digits_M, signs_M, num_ops: int) -> str:
  return str(digits_M[0]) + ''.join('+-'[int(s < 0)] + str(a) for a, s in
                                    zip(digits_M[1:num_ops + 1], signs_M[:num_ops])) + '='


def completion_text(sums_M, num_ops: int, fmt: str) -> str:
  answer = str(int(sums_M[num_ops - 1]))
  if fmt == 'direct':
    return answer + '.'
  return ','.join(str(int(s)) for s in sums_M[:num_ops]) + '>' + answer + '.'


def encode(text: str) -> list:
  return [_ID[c] for c in text]


def decode(ids) -> str:
  return ''.join(VOCAB[int(i)] for i in ids)


def make(n: int, rng, fmt: str = 'scratchpad', min_ops: int = 1, max_ops: int = 6,
         num_ops=None, length: int = 0) -> dict:
  """`n` problems in format `fmt`, padded to `length` (default seq_len(max_ops)) characters:

    x, y       int32 [n, length - 1]   the sequence without its last / first character
    loss_mask  float32 [n, length - 1] 1 where y is part of the completion (after '=', up to '.')
    prompt_len int32 [n]               characters of the problem, '=' included
    answer     int32 [n];  num_ops int32 [n];  digits, signs: the problem (for checks)
  """
  check(fmt, min_ops, max_ops)
  length = length or seq_len(max_ops)
  digits, signs, ops_B = problems(n, rng, min_ops, max_ops, num_ops)
  sums = running_sums(digits, signs)
  seq = np.full((n, length), PAD, np.int32)
  loss_mask = np.zeros((n, length - 1), np.float32)
  prompt_len = np.zeros(n, np.int32)
  for i in range(n):
    p = encode(prompt_text(digits[i], signs[i], ops_B[i]))
    c = encode(completion_text(sums[i], ops_B[i], fmt))
    if len(p) + len(c) > length:
      raise ValueError(f'a problem with {ops_B[i]} operations needs {len(p) + len(c)} characters '
                       f'> length={length}; use length >= seq_len({ops_B[i]}).')
    seq[i, :len(p) + len(c)] = p + c
    prompt_len[i] = len(p)
    loss_mask[i, len(p) - 1:len(p) + len(c) - 1] = 1.0          # y[t] = seq[t + 1]: the completion
  answer = sums[np.arange(n), ops_B - 1]
  return {'x': seq[:, :-1], 'y': seq[:, 1:], 'loss_mask': loss_mask, 'prompt_len': prompt_len,
          'answer': answer.astype(np.int32), 'num_ops': ops_B.astype(np.int32),
          'digits': digits.astype(np.int32), 'signs': signs.astype(np.int32)}


def eval_set(n: int, seed: int, split: str, fmt: str, min_ops: int, max_ops: int,
             length: int = 0) -> dict:
  """`n` held-out problems, the same number with each count of operations min_ops..max_ops (the
  problems do not depend on fmt); split 'test' draws from (seed, 1), 'validation' from (seed, 2)."""
  stream = {'test': 1, 'validation': 2}[split]
  ops = np.resize(np.arange(min_ops, max_ops + 1), n)
  return make(n, np.random.default_rng([seed, stream]), fmt, min_ops, max_ops, num_ops=ops,
              length=length)


def train_iterator(global_batch: int, seed: int, process_index: int = 0, process_count: int = 1,
                   **args):
  """A checkpointable grain iterator of fresh batches {'x', 'y', 'loss_mask', 'prompt_len'}
  (`make` arguments in `args`); batch b is drawn from default_rng([seed, 0, b])."""
  return pipeline.generated_iterator(make, MODEL_KEYS, global_batch, seed, process_index,
                                      process_count, **args)


# --- reading completions back -------------------------------------------------------------------
def _int(text: str):
  return int(text) if text and text.lstrip('-').isdigit() and text.count('-') <= 1 else None


def parse(completion: str, fmt: str):
  """(answer, steps) of a completion (the characters after '='; anything after the first '.' is
  ignored); answer None if it does not parse, steps None for the direct format or a malformed pad."""
  text = completion.split('.', 1)[0] if '.' in completion else None
  if text is None:
    return None, None                                   # never finished
  if fmt == 'direct':
    return _int(text), None
  if text.count('>') != 1:
    return None, None
  chain, answer = text.split('>')
  steps = [_int(s) for s in chain.split(',')]
  return _int(answer), (None if any(s is None for s in steps) else steps)


def steps_consistent(digits_M, signs_M, num_ops: int, completion: str) -> bool:
  """The filter: the scratchpad has one step per operation, each step recomputes from the previous
  one (s_i = s_{i-1} o_i a_i, s_0 = a_0) and the answer repeats the last step. It reads the problem,
  never the reference answer."""
  answer, steps = parse(completion, 'scratchpad')
  if answer is None or steps is None or len(steps) != num_ops:
    return False
  prev = int(digits_M[0])
  for i, s in enumerate(steps):
    if s != prev + int(signs_M[i]) * int(digits_M[i + 1]):
      return False
    prev = s
  return answer == steps[-1]


def answer_consistent(completion: str) -> bool:
  """A weaker filter (format only): the scratchpad parses and its answer repeats its last step."""
  answer, steps = parse(completion, 'scratchpad')
  return answer is not None and steps is not None and answer == steps[-1]
