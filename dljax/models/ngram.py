r"""Count-based n-gram language models: the Markov baselines a neural LM has to beat (seed 002 §1.1).

An order-n model conditions each symbol on the n-1 before it, P(w_t | w_{t-n+1} ... w_{t-1}), read
off counts c(h, w) of the training stream. The maximum-likelihood estimate c(h, w) / c(h) gives 0 to
every unseen continuation (infinite cross-entropy), so two smoothings are built here:

  add-alpha (Laplace, alpha = 1):  P(w | h) = (c(h, w) + alpha) / (c(h) + alpha V)

  interpolated Kneser-Ney (Chen & Goodman 1998), for context length k = n-1 down to 0:
    P_k(w | h) = max(c_k(h, w) - D_k, 0) / c_k(h) + D_k N_{1+}(h .) / c_k(h) * P_{k-1}(w | h'),
  where h' drops the oldest symbol of h, P_{-1}(w) = 1 / V, c_k = the raw counts at the highest
  order and the continuation counts N_{1+}(. h w) (how many distinct symbols precede h w) below it,
  N_{1+}(h .) the number of distinct continuations of h, and D_k = n1 / (n1 + 2 n2) from the
  count-of-counts of order k (Ney, Essen & Kneser 1994: no parameter is fitted). An unseen context
  (c_k(h) = 0) backs off entirely: P_k = P_{k-1}.

Symbols are int ids in [0, V); a context that reaches before the stream's start is padded with the
id V, so every position is scored. Contexts are packed into one int64 per (h, w) with base V + 1,
which bounds the order at (V+1)^n < 2^63 (n <= 9 for the 84 Shakespeare characters). Counting and
scoring are numpy (sort + searchsorted): the model is a table, not a network, and fits 4M
characters of order 8 in seconds.
"""
import dataclasses

import numpy as np


def max_order(vocab_size: int) -> int:
  """The largest n whose (context, symbol) pairs pack into an int64 with base vocab_size + 1."""
  n = 1
  while (vocab_size + 1) ** (n + 1) < 2 ** 63:
    n += 1
  return n


def _check(tokens, vocab_size: int, order: int):
  tokens = np.asarray(tokens)
  if tokens.ndim != 1 or not np.issubdtype(tokens.dtype, np.integer):
    raise ValueError(f'tokens must be a 1-D integer stream; got dtype {tokens.dtype} and shape '
                     f'{tokens.shape}.')
  if tokens.size and (tokens.min() < 0 or tokens.max() >= vocab_size):
    raise ValueError(f'token ids must lie in [0, {vocab_size}); got {tokens.min()}..{tokens.max()}; '
                     'pass the vocabulary size of the stream.')
  if not 1 <= order <= max_order(vocab_size):
    raise ValueError(f'order={order}: give 1..{max_order(vocab_size)} for a vocabulary of '
                     f'{vocab_size} (contexts are packed into int64).')
  return tokens.astype(np.int64)


def contexts(tokens, vocab_size: int, length: int):
  """The id of the `length` symbols before each position (base V+1, oldest symbol most significant,
  V = padding before the start): int64 [N]."""
  base = vocab_size + 1
  ctx = np.zeros(len(tokens), np.int64)
  for j in range(length, 0, -1):  # oldest (t - length) first
    prev = np.full(len(tokens), vocab_size, np.int64)
    prev[j:] = tokens[:-j] if j < len(tokens) else prev[j:]
    ctx = ctx * base + prev
  return ctx


class _Table:
  """Sorted unique int64 keys with a value each; lookup of missing keys gives 0."""

  def __init__(self, keys, values):
    order = np.argsort(keys, kind='stable')
    self.keys, self.values = keys[order], values[order]

  def __getitem__(self, query):
    i = np.minimum(np.searchsorted(self.keys, query), max(len(self.keys) - 1, 0))
    hit = (self.keys[i] == query) if len(self.keys) else np.zeros(len(query), bool)
    return np.where(hit, self.values[i] if len(self.keys) else 0, 0)


@dataclasses.dataclass
class _Level:
  """The statistics of one context length k."""
  pair: _Table          # c_k(h, w), keyed by h * base + w
  total: _Table         # c_k(h) = sum_w c_k(h, w)
  distinct: _Table      # N1+(h .)
  discount: float       # D_k


def _group_sum(keys, values):
  uniq, inverse = np.unique(keys, return_inverse=True)
  return uniq, np.bincount(inverse, weights=values).astype(np.int64)


def _discount(counts) -> float:
  n1, n2 = np.sum(counts == 1), np.sum(counts == 2)
  return float(n1 / (n1 + 2 * n2)) if n1 + n2 else 0.5


class NGram:
  """An order-n character model fitted by counting; `log_prob(tokens)` scores a stream.

  smoothing: 'kneser_ney' (interpolated, discounts from the counts) or 'add' (add-alpha at the
  full order only, the textbook estimate that shows why smoothing across orders matters).
  """

  def __init__(self, tokens, vocab_size: int, order: int, smoothing: str = 'kneser_ney',
               alpha: float = 1.0):
    if smoothing not in ('kneser_ney', 'add'):
      raise ValueError(f"smoothing={smoothing!r}: use 'kneser_ney' or 'add'.")
    if smoothing == 'add' and not alpha > 0:
      raise ValueError(f'alpha={alpha}: add-alpha smoothing needs alpha > 0.')
    tokens = _check(tokens, vocab_size, order)
    self.vocab_size, self.order, self.smoothing, self.alpha = vocab_size, order, smoothing, alpha
    base = vocab_size + 1
    # the highest order: raw counts of (h, w) with |h| = n - 1
    h = contexts(tokens, vocab_size, order - 1)
    keys, counts = np.unique(h * base + tokens, return_counts=True)
    levels = {order - 1: (keys, counts)}
    # lower orders (Kneser-Ney): continuation counts N1+(. h w) = distinct longer pairs per shorter
    for k in range(order - 2, -1, -1):
      if smoothing != 'kneser_ney':
        break
      longer = levels[k + 1][0]
      shorter = longer % (base ** (k + 1))  # drop the oldest context symbol
      levels[k] = np.unique(shorter, return_counts=True)
    self.levels = {}
    for k, (keys, counts) in levels.items():
      ctx = keys // base
      ctx_keys, totals = _group_sum(ctx, counts)
      distinct_keys, distinct = np.unique(ctx, return_counts=True)
      self.levels[k] = _Level(_Table(keys, counts), _Table(ctx_keys, totals),
                              _Table(distinct_keys, distinct), _discount(counts))

  def prob(self, tokens):
    """P(w_t | the order - 1 symbols before it) for every position t of `tokens`: float64 [N]."""
    tokens = _check(tokens, self.vocab_size, self.order)
    base, V = self.vocab_size + 1, self.vocab_size
    if self.smoothing == 'add':
      level = self.levels[self.order - 1]
      h = contexts(tokens, V, self.order - 1)
      return ((level.pair[h * base + tokens] + self.alpha)
              / (level.total[h] + self.alpha * V))
    p = np.full(len(tokens), 1.0 / V)
    for k in range(self.order):
      level = self.levels[k]
      h = contexts(tokens, V, k)
      c_h = level.total[h].astype(np.float64)
      c_hw = level.pair[h * base + tokens]
      seen = c_h > 0
      safe = np.where(seen, c_h, 1.0)
      interp = (np.maximum(c_hw - level.discount, 0) / safe
                + level.discount * level.distinct[h] / safe * p)
      p = np.where(seen, interp, p)
    return p

  def cross_entropy(self, tokens) -> float:
    """Mean -log P in nats per symbol (divide by log 2 for bits)."""
    return float(-np.mean(np.log(self.prob(tokens))))

  def sample(self, prompt, steps: int, seed: int = 0):
    """`steps` symbols drawn one at a time after `prompt` (a Markov chain of order n-1)."""
    rng = np.random.default_rng(seed)
    out = list(int(t) for t in prompt)
    V = self.vocab_size
    for _ in range(steps):
      # score every candidate w after the current context in one call
      ctx = out[-(self.order - 1):] if self.order > 1 else []
      cands = np.array([ctx + [w] for w in range(V)], np.int64)
      p = np.array([self.prob(c)[-1] for c in cands]) if len(ctx) else self.prob(np.arange(V))
      out.append(int(rng.choice(V, p=p / p.sum())))
    return out[len(prompt):]
