"""T5-style text-to-text multitask data: several of our tasks in one character vocabulary.

Every example is a pair of strings; the input starts with its task's name (Raffel et al. 2020, T5):
  'reverse: 3 1 4'      -> '4 1 3'          (dljax.data.synthetic reverse; symbols as digits)
  'sort: 3 1 4'         -> '1 3 4'          (synthetic sort)
  'date: 25 Nov 2026'   -> '2026-11-25'     (synthetic dates, every format of DATE_FORMATS)
  'g2p: hello'          -> 'HH AH L OW'     (cmudict_g2p without stress; phones written as text)
and both sides are encoded with ONE character vocabulary (`vocab()`: PAD/BOS/EOS, then the fixed
alphabet CHARS), so one encoder-decoder with shared embeddings sizes serves all tasks, in the
seq2seq format of dljax.data.text plus `task` int32 [N] (index into TASKS) for per-task metrics.

Mixing rule (data.mix = {task: weight}, the tasks to use): a split of n examples (data.{split}_size)
holds n_t examples of task t with n_t = n w_t / sum(w) rounded by largest remainder (so sum n_t = n
exactly and the proportions are exact up to one example): T5's "fixed mixing rate" mixing. The
examples of task t are drawn with the seed (data.data_seed, split, t): synthetic ones are generated
(i.i.d.), g2p ones are drawn without replacement from the same split of cmudict_g2p (so test words
are never trained on). The tasks' examples are then interleaved by one seeded permutation.

Arguments (data.args): num_symbols, min_len, max_len of reverse/sort; g2p_max_len keeps the words
of at most that many letters (the test split too: the g2p score is on such words). Every split is
padded to the same lengths (`padded_lengths`) so shapes (and jit) do not change between splits.
"""
import string

import numpy as np

from dljax.data import cmudict_g2p, synthetic, text as text_lib
from dljax.errors import ConfigError

TASKS = ('reverse', 'sort', 'date', 'g2p')   # prefix names; `task` ids index this tuple
CHARS = tuple(sorted(set(" '-.,/:" + string.digits + string.ascii_letters)))
DEFAULT_ARGS = dict(num_symbols=10, min_len=1, max_len=8, g2p_max_len=10)
SPLITS = ('train', 'validation', 'test')


def vocab() -> text_lib.Vocab:
  """PAD, BOS, EOS, then CHARS (72 symbols)."""
  return text_lib.Vocab(text_lib.SPECIALS + CHARS)


def prefix(task: str, source: str) -> str:
  return f'{task}: {source}'


def parse(line: str) -> tuple:
  """(task, source text) of a prefixed input; ValueError if the prefix is not a known task."""
  task, sep, source = line.partition(': ')
  if not sep or task not in TASKS:
    raise ValueError(f'{line!r} does not start with a task prefix ({", ".join(TASKS)})')
  return task, source


def mix_counts(n: int, weights: dict) -> dict:
  """{task: n_t}: n w_t / sum(w) rounded by largest remainder (sum is exactly n)."""
  names = list(weights)
  w = np.array([float(weights[t]) for t in names])
  if not names or np.any(w < 0) or w.sum() <= 0:
    raise ConfigError(f'data.mix={weights} needs non-negative weights with a positive sum.')
  exact = n * w / w.sum()
  counts = np.floor(exact).astype(int)
  order = np.argsort(-(exact - counts), kind='stable')   # ties: the order of data.mix
  counts[order[:n - counts.sum()]] += 1
  return dict(zip(names, counts.tolist()))


def _g2p_words(split: str, max_len: int) -> list:
  """The words of the cmudict_g2p split (the builder's split) with at most max_len letters."""
  lex = cmudict_g2p.lexicon()
  return [w for w in cmudict_g2p.split_words(lex)[split] if len(w) <= max_len]


def _symbol_pairs(name, n, rng, args):
  arrays = synthetic.TASKS[name](n, rng, num_symbols=args['num_symbols'], min_len=args['min_len'],
                                 max_len=args['max_len'])
  v = synthetic.vocab(name, num_symbols=args['num_symbols'])
  return ([v.decode(x, sep=' ') for x in arrays['inputs']],
          [v.decode(y, sep=' ') for y in arrays['targets']])


def task_pairs(task: str, n: int, rng, split: str, args: dict) -> tuple:
  """(sources, targets): n text pairs of `task` (sources without the prefix)."""
  if task in ('reverse', 'sort'):
    return _symbol_pairs(task, n, rng, args)
  if task == 'date':
    arrays = synthetic.dates(n, rng)
    v = synthetic.vocab('dates')
    return [v.decode(x) for x in arrays['inputs']], [v.decode(y) for y in arrays['targets']]
  words = _g2p_words(split, args['g2p_max_len'])
  if n > len(words):
    raise ConfigError(f'text2text wants {n} g2p examples in {split} but the split has only '
                      f'{len(words)} words of <= {args["g2p_max_len"]} letters; lower '
                      f'data.{split}_size or the g2p weight of data.mix, or raise g2p_max_len.')
  lex = cmudict_g2p.lexicon()
  chosen = [words[i] for i in np.sort(rng.choice(len(words), n, replace=False))]
  return chosen, [' '.join(lex[w]) for w in chosen]


def padded_lengths(args: dict) -> tuple:
  """(source length, target length incl. EOS) that every split is padded to."""
  digits = len(str(args['num_symbols'] - 1))
  symbols = args['max_len'] * digits + args['max_len'] - 1          # 'd d d'
  date = max(len(synthetic._date_string(f, 2000, 9, 30)) for f in synthetic.DATE_FORMATS)  # pylint: disable=protected-access
  lex = cmudict_g2p.lexicon()
  phones = max(len(' '.join(p)) for w, p in lex.items() if len(w) <= args['g2p_max_len'])
  src = max(len(prefix('reverse', '')) + symbols, len(prefix('date', '')) + date,
            len(prefix('g2p', '')) + args['g2p_max_len'])
  return src, max(symbols, len('2026-11-25'), phones) + 1


def check_args(data_cfg) -> dict:
  args = dict(DEFAULT_ARGS)
  given = data_cfg.get('args', None)
  given = given.to_dict() if hasattr(given, 'to_dict') else dict(given or {})
  unknown = sorted(set(given) - set(args))
  if unknown:
    raise ConfigError(f'data.args {unknown} are not arguments of text2text; it takes '
                      f'{sorted(args)}.')
  args.update(given)
  mix = data_cfg.get('mix', None)
  mix = mix.to_dict() if hasattr(mix, 'to_dict') else dict(mix or {t: 1.0 for t in TASKS})
  bad = sorted(set(mix) - set(TASKS))
  if bad:
    raise ConfigError(f'data.mix names unknown tasks {bad}; text2text tasks are {TASKS}.')
  return args, mix


def make(data_cfg, split: str, n: int) -> dict:
  """The mixed split (module docstring): seq2seq arrays + `task`."""
  if split not in SPLITS:
    raise ConfigError(f'text2text has no split {split!r}; it has {SPLITS}.')
  args, mix = check_args(data_cfg)
  seed = data_cfg.get('data_seed', 0)
  sources, targets, task_ids = [], [], []
  for task, count in mix_counts(n, mix).items():
    t = TASKS.index(task)
    rng = np.random.default_rng([seed, SPLITS.index(split), t])
    src, tgt = task_pairs(task, count, rng, split, args) if count else ([], [])
    sources += [prefix(task, s) for s in src]
    targets += tgt
    task_ids += [t] * count
  order = np.random.default_rng([seed, SPLITS.index(split), len(TASKS)]).permutation(n)
  v = vocab()
  src_len, tgt_len = padded_lengths(args)
  out = text_lib.seq2seq_arrays([sources[i] for i in order], [targets[i] for i in order], v, v,
                                src_len=src_len, tgt_len=tgt_len)
  out['task'] = np.asarray(task_ids, np.int32)[order]
  return out
