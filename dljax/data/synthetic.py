"""Synthetic sequence tasks, generated in memory, deterministically from a seed.

`make(name, n, seed, **args) -> dict of numpy arrays` and `vocab(name, **args)` (token tasks only).
Registered for configs as `data.name='seq_<name>'` (see `dljax.data.load_sequences`).

Why in memory and not a tfds builder: the arrays are a pure function of (task, args, seed, split);
making 10^4 examples takes well under a second; and experiments vary the args (lengths, number of
items, longer test sequences for length generalisation), so a cached builder config per setting
would buy nothing but stale caches.

Token tasks (seq2seq format of `dljax.data.text`: `inputs`, `input_lengths`, `targets` = output +
EOS, `target_lengths`; ids 0/1/2 = PAD/BOS/EOS, symbol k has id k + 3):
  copy      x_1..x_L -> x_1..x_L                       L ~ U{min_len..max_len}, x ~ U{0..num_symbols-1}
  reverse   x_1..x_L -> x_L..x_1
  sort      x_1..x_L -> the x sorted ascending
  dates     '25 Nov 2026' (or one of `DATE_FORMATS`) -> '2026-11-25', characters as symbols;
            extra key `format` (index into DATE_FORMATS)

Per-step tasks (float32 `inputs` [N, T, D]; `targets`; `mask` [N, T] = 1 where the loss counts):
  adding           Hochreiter & Schmidhuber (1997) as in Le et al. (2015): inputs [N, T, 2] =
                   (value ~ U[0, 1], marker); exactly two markers, one in each half;
                   targets [N] = the sum of the two marked values; `marked` [N, 2] their positions.
  repeat_copy      Graves et al. (2014) NTM: L random `bits`-bit vectors, then one delimiter step
                   (channel `bits` = 1) carrying the repeat count R / max_repeats on channel
                   `bits`+1; the output phase (inputs zero) holds the sequence R times and then an
                   end marker: targets [N, T, bits + 1] (channel `bits` = end marker), mask 1 on the
                   R L + 1 output steps. min_repeats = max_repeats = 1 is the NTM copy task.
                   T = max_len + 1 + max_repeats max_len + 1; extra keys `lengths`, `repeats`.
  dynamic_ngram    Graves et al. (2014): per sequence a table of 2^order probabilities
                   P(next bit = 1 | last `order` bits) ~ Beta(1/2, 1/2); `length` bits, the first
                   `order` fair coins. inputs [N, T, 1] = bits b_0..b_{T-1}, targets [N, T] = the
                   next bits b_1..b_T (T = length - 1), mask 1 where the last `order` bits exist
                   (t >= order - 1); `probs` = the table's probability of each target, `bayes_probs`
                   = the Bayes-optimal predictor given the past (`ngram_bayes_probs`).
  associative_recall  Graves et al. (2014): k ~ U{min_items..max_items} distinct items of
                   `item_len` `bits`-bit vectors, each after a delimiter step (channel `bits`);
                   then a query delimiter (channel `bits`+1), a copy of item q < k - 1, the query
                   delimiter again; targets [N, T, bits] = item q + 1 on the `item_len` steps after
                   it (mask 1 there). Extra keys `num_items`, `query`.
"""
import numpy as np

from dljax.data import text as text_lib

MONTHS = ('January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
          'October', 'November', 'December')
DATE_FORMATS = ('{d} {b} {Y}',      # 25 Nov 2026
                '{d} {B} {Y}',      # 25 November 2026
                '{B} {d}, {Y}',     # November 25, 2026
                '{b} {d}, {Y}',     # Nov 25, 2026
                '{m:02d}/{d:02d}/{Y}',  # 11/25/2026 (US)
                '{d:02d}.{m:02d}.{Y}',  # 25.11.2026
                '{Y}/{m:02d}/{d:02d}')  # 2026/11/25
DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _lengths(rng, n, min_len, max_len):
  if not 1 <= min_len <= max_len:
    raise ValueError(f'need 1 <= min_len <= max_len, got {min_len}, {max_len}')
  return rng.integers(min_len, max_len + 1, n)


def _symbol_task(transform):
  def make_task(n, rng, num_symbols=10, min_len=1, max_len=10):
    lengths = _lengths(rng, n, min_len, max_len)
    sources = [rng.integers(0, num_symbols, l) for l in lengths]
    v = _symbols_vocab(num_symbols)
    return text_lib.seq2seq_arrays([[str(s) for s in x] for x in sources],
                                   [[str(s) for s in transform(x)] for x in sources],
                                   v, v, src_len=max_len, tgt_len=max_len + 1)
  make_task.__doc__ = f'Token task: x -> {transform.__name__.rstrip("_")}(x) (module docstring).'
  return make_task


def _symbols_vocab(num_symbols):
  return text_lib.Vocab(text_lib.SPECIALS + tuple(str(k) for k in range(num_symbols)))


def identity(x):
  return x


def reversed_(x):
  return x[::-1]


copy = _symbol_task(identity)
reverse = _symbol_task(reversed_)
sort = _symbol_task(np.sort)


def _date_string(fmt, year, month, day):
  return fmt.format(d=day, m=month, Y=year, B=MONTHS[month - 1], b=MONTHS[month - 1][:3])


def _dates_vocab():
  chars = set('0123456789 ,/.-') | set(''.join(MONTHS))
  return text_lib.seq2seq_vocab(chars)


def dates(n, rng, formats=DATE_FORMATS, min_year=1900, max_year=2099):
  """Token task: a date written in one of `formats` -> ISO 8601 'YYYY-MM-DD'."""
  year = rng.integers(min_year, max_year + 1, n)
  month = rng.integers(1, 13, n)
  leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
  days = np.array(DAYS_IN_MONTH)[month - 1] + ((month == 2) & leap)
  day = 1 + np.floor(rng.uniform(size=n) * days).astype(int)
  fmt = rng.integers(0, len(formats), n)
  sources = [_date_string(formats[f], y, m, d) for f, y, m, d in zip(fmt, year, month, day)]
  targets = [f'{y:04d}-{m:02d}-{d:02d}' for y, m, d in zip(year, month, day)]
  longest = max(len(_date_string(f, 2000, 9, 30)) for f in formats)  # September is the longest
  v = _dates_vocab()
  out = text_lib.seq2seq_arrays(sources, targets, v, v, src_len=longest, tgt_len=11)
  out['format'] = fmt.astype(np.int32)
  return out


def adding(n, rng, length=100):
  """Per-step task: the adding problem (module docstring)."""
  if length < 2:
    raise ValueError('the adding problem needs length >= 2')
  values = rng.uniform(0, 1, (n, length))
  half = length // 2
  marked = np.stack([rng.integers(0, half, n), rng.integers(half, length, n)], -1)
  markers = np.zeros((n, length))
  np.put_along_axis(markers, marked, 1.0, axis=1)
  target = np.take_along_axis(values, marked, axis=1).sum(1)
  return {'inputs': np.stack([values, markers], -1).astype(np.float32),
          'targets': target.astype(np.float32), 'marked': marked.astype(np.int32)}


def repeat_copy(n, rng, bits=8, min_len=1, max_len=10, min_repeats=1, max_repeats=10):
  """Per-step task: NTM repeat copy (module docstring)."""
  lengths = _lengths(rng, n, min_len, max_len)
  repeats = _lengths(rng, n, min_repeats, max_repeats)
  steps = max_len + 1 + max_repeats * max_len + 1
  inputs = np.zeros((n, steps, bits + 2), np.float32)
  targets = np.zeros((n, steps, bits + 1), np.float32)
  mask = np.zeros((n, steps), np.float32)
  for i, (l, r) in enumerate(zip(lengths, repeats)):
    seq = rng.integers(0, 2, (l, bits)).astype(np.float32)
    inputs[i, :l, :bits] = seq
    inputs[i, l, bits] = 1.0  # delimiter
    inputs[i, l, bits + 1] = r / max_repeats  # the repeat count, normalised
    out = l + 1
    targets[i, out:out + r * l, :bits] = np.tile(seq, (r, 1))
    targets[i, out + r * l, bits] = 1.0  # end marker
    mask[i, out:out + r * l + 1] = 1.0
  return {'inputs': inputs, 'targets': targets, 'mask': mask,
          'lengths': lengths.astype(np.int32), 'repeats': repeats.astype(np.int32)}


def ngram_bayes_probs(bits_NxT: np.ndarray, order: int = 3) -> np.ndarray:
  """P(b_{t+1} = 1 | b_0..b_t) of the Bayes-optimal predictor (Graves et al. 2014, eq. 22).

  With a Beta(1/2, 1/2) prior on each context's probability, the posterior mean after seeing that
  context followed by N1 ones and N0 zeros is (N1 + 1/2) / (N0 + N1 + 1). Entry t of the result
  predicts b_{t+1} (t = 0..T-2); 1/2 while fewer than `order` bits are known.
  """
  n, length = bits_NxT.shape
  counts = np.zeros((n, 2 ** order, 2))
  probs = np.full((n, length - 1), 0.5)
  rows = np.arange(n)
  for t in range(order - 1, length - 1):
    ctx = _context(bits_NxT, t, order)
    probs[:, t] = (counts[rows, ctx, 1] + 0.5) / (counts[rows, ctx].sum(-1) + 1.0)
    counts[rows, ctx, bits_NxT[:, t + 1]] += 1
  return probs


def _context(bits_NxT, t, order):
  """The integer whose binary digits are b_{t-order+1} .. b_t (most significant first)."""
  window = bits_NxT[:, t - order + 1:t + 1]
  return window @ (2 ** np.arange(order - 1, -1, -1))


def dynamic_ngram(n, rng, length=200, order=3):
  """Per-step task: dynamic N-grams (module docstring)."""
  table = rng.beta(0.5, 0.5, (n, 2 ** order))
  bits = np.zeros((n, length), np.int64)
  bits[:, :order] = rng.integers(0, 2, (n, order))
  probs = np.full((n, length - 1), 0.5)
  rows = np.arange(n)
  for t in range(order - 1, length - 1):
    p = table[rows, _context(bits, t, order)]
    probs[:, t] = p
    bits[:, t + 1] = rng.uniform(size=n) < p
  mask = np.zeros((n, length - 1), np.float32)
  mask[:, order - 1:] = 1.0
  return {'inputs': bits[:, :-1, None].astype(np.float32), 'targets': bits[:, 1:].astype(np.float32),
          'mask': mask, 'probs': probs.astype(np.float32),
          'bayes_probs': ngram_bayes_probs(bits, order).astype(np.float32),
          'table': table.astype(np.float32)}


def associative_recall(n, rng, bits=6, item_len=3, min_items=2, max_items=6):
  """Per-step task: NTM associative recall (module docstring)."""
  if min_items < 2:
    raise ValueError('associative recall needs min_items >= 2 (a query and its successor)')
  num_items = _lengths(rng, n, min_items, max_items)
  steps = max_items * (item_len + 1) + 1 + item_len + 1 + item_len
  inputs = np.zeros((n, steps, bits + 2), np.float32)
  targets = np.zeros((n, steps, bits), np.float32)
  mask = np.zeros((n, steps), np.float32)
  query = np.zeros(n, np.int32)
  for i, k in enumerate(num_items):
    while True:  # distinct items, so that the query names one of them
      items = rng.integers(0, 2, (k, item_len, bits)).astype(np.float32)
      if len(np.unique(items.reshape(k, -1), axis=0)) == k:
        break
    for j in range(k):
      start = j * (item_len + 1)
      inputs[i, start, bits] = 1.0  # item delimiter
      inputs[i, start + 1:start + 1 + item_len, :bits] = items[j]
    q = rng.integers(0, k - 1)
    start = k * (item_len + 1)
    inputs[i, start, bits + 1] = 1.0  # query delimiter
    inputs[i, start + 1:start + 1 + item_len, :bits] = items[q]
    inputs[i, start + 1 + item_len, bits + 1] = 1.0
    out = start + 2 + item_len
    targets[i, out:out + item_len] = items[q + 1]
    mask[i, out:out + item_len] = 1.0
    query[i] = q
  return {'inputs': inputs, 'targets': targets, 'mask': mask,
          'num_items': num_items.astype(np.int32), 'query': query}


TASKS = {'copy': copy, 'reverse': reverse, 'sort': sort, 'dates': dates, 'adding': adding,
         'repeat_copy': repeat_copy, 'dynamic_ngram': dynamic_ngram,
         'associative_recall': associative_recall}
TOKEN_TASKS = ('copy', 'reverse', 'sort', 'dates')


def make(name: str, n: int, seed, **args) -> dict:
  """`n` examples of task `name`; `seed` is an int or a sequence of ints (np.random.default_rng)."""
  return TASKS[name](n, np.random.default_rng(seed), **args)


def vocab(name: str, **args):
  """The (shared source/target) vocabulary of a token task; None for the per-step tasks."""
  if name == 'dates':
    return _dates_vocab()
  if name in TOKEN_TASKS:
    return _symbols_vocab(args.get('num_symbols', 10))
  return None
