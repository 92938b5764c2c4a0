r"""Chain of thought, self-consistency and sample-and-filter on arithmetic chains (F5 #11, #13).

  python -m experiments.study language/cot_study --workdir=runs/cot_study --seeds=3 [--publish]

Two runs of configs/language/arith_cot.py (a 3-layer GPT, d = 64, 1500 steps on fresh problems with
1..4 operations on digits 0..9; dljax.data.arith, a synthetic stand-in for GSM8K, which is not
available offline): `direct` is trained to write the answer right after '=', `scratchpad` to write
the running sums first (chain of thought). The report reloads each seed's model (load_run) and
measures on the held-out problems (1000 validation, 1000 test, 250 per number of operations):

  greedy            exact match of the greedy answer, overall and by number of operations
  self-consistency  K = 16 completions sampled at temperature T, majority vote of the parsed answers
                    of the first k, for k = 1..16; T in {0.5, 1.0} is chosen per run on 500
                    validation problems (vote accuracy at k = 16), the test accuracy is reported
  sample-and-filter (scratchpad) the same samples, kept when a check that never sees the answer
                    passes: 'steps' (every running sum recomputes from the problem and the answer
                    repeats the last one) or the weaker 'format' (the chain parses and the answer
                    repeats its last step); filtered@1 submits the first kept candidate, next to
                    pass@k (the oracle ceiling: any of k right) and greedy.
Mean +- std over the seeds (SEEDS = 3). Plots: cot_by_ops.png, cot_self_consistency.png,
cot_sample_filter.png. Measured (cpu, 3 seeds, 2-core CPU shared): greedy direct 92.5 +- 1.6 %,
scratchpad 71.2 +- 10.4 %; vote of 16 (T = 0.5) 91.1 / 71.1 %; scratchpad filtered@1 at k = 16
85.5 +- 6.6 % (steps check) vs pass@16 92.4 %. Discussion: docs/language/notes.md.
"""
import json
import os

import numpy as np

from configs.language import arith_cot

SEEDS = 3  # experiments.reproduce: the comparisons are between models and decoders of one run
FORMATS = ('direct', 'scratchpad')
KS = {'smoke': (1, 2), 'cpu': (1, 2, 4, 8, 16)}
TEMPERATURES = {'smoke': (1.0,), 'cpu': (0.5, 1.0)}
FILTERS = ('steps', 'format')
VAL_PROBLEMS = 500   # the first 500 validation problems (balanced in length) choose T


def runs(preset: str, workdir: str):
  del workdir
  if preset not in KS:
    raise ValueError(f'unknown preset {preset!r} for cot_study; use one of {tuple(KS)}.')
  for fmt in FORMATS:
    config = arith_cot.get_config(preset)
    config.data.format = fmt
    yield fmt, config


def _answers(texts, fmt):
  from dljax.data import arith  # pylint: disable=g-import-not-at-top
  return [[arith.parse(t, fmt)[0] for t in row] for row in texts]


def _passes(texts, problems, name):
  from dljax.data import arith  # pylint: disable=g-import-not-at-top
  if name == 'format':
    return [[arith.answer_consistent(t) for t in row] for row in texts]
  return [[arith.steps_consistent(problems['digits'][i], problems['signs'][i],
                                  problems['num_ops'][i], t) for t in row]
          for i, row in enumerate(texts)]


def evaluate_run(workdir: str, preset: str) -> dict:
  """Greedy, self-consistency and (scratchpad) sample-and-filter numbers of one trained run; kept
  in <workdir>/cot_eval_<preset>.json (sampling 48k completions is minutes on a shared CPU) and
  recomputed when the run's summary is newer."""
  cache = os.path.join(workdir, f'cot_eval_{preset}.json')
  if os.path.exists(cache) and (os.path.getmtime(cache) >
                                os.path.getmtime(os.path.join(workdir, 'summary.json'))):
    with open(cache) as f:
      return json.load(f)
  out = _evaluate_run(workdir, preset)
  with open(cache, 'w') as f:
    json.dump(out, f)
  return out


def _evaluate_run(workdir: str, preset: str) -> dict:
  import jax  # pylint: disable=g-import-not-at-top
  from dljax.eval import reasoning  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  run = loop.load_run(workdir)
  fmt, ks, seed = run.config.data.format, KS[preset], run.config.seed
  big_k = max(ks)

  def draw(split, temperature, salt, limit=None):
    arrays = {n: v[:limit] for n, v in run.data[split].items()}
    texts = run.task.complete(run.state, arrays, temperature,
                              rng=jax.random.PRNGKey(1000 * seed + salt), num_samples=big_k)
    return texts, _answers(texts, fmt)

  # choose the temperature on validation
  val_ref = run.data['validation_problems']['answer'][:VAL_PROBLEMS]
  val = {}
  for i, temperature in enumerate(TEMPERATURES[preset]):
    val[temperature] = reasoning.vote_accuracy(draw('validation', temperature, i, VAL_PROBLEMS)[1],
                                               val_ref, [big_k])[0]
  temperature = max(val, key=val.get)
  problems = run.data['test_problems']
  ref, ops = problems['answer'], problems['num_ops']
  greedy_texts = run.task.complete(run.state, run.data['test'])
  greedy = np.array([a == y for (a,), y in zip(_answers(greedy_texts, fmt), ref)])
  texts, answers = draw('test', temperature, 99)
  correct_BxK = np.array([[a == y for a in row] for row, y in zip(answers, ref)])
  vote_k = reasoning.vote_accuracy(answers, ref, ks)
  vote_by_ops = [float(np.mean([reasoning.majority_vote(a) == y
                                for a, y, o in zip(answers, ref, ops) if o == n]))
                 for n in sorted(set(ops))]
  out = {'temperature': float(temperature), 'val_vote_by_temperature': {str(t): v for t, v in
                                                                        val.items()},
         'greedy': float(greedy.mean()),
         'greedy_by_ops': [float(greedy[ops == n].mean()) for n in sorted(set(ops))],
         'ops': [int(n) for n in sorted(set(ops))],
         'sample@1': float(correct_BxK.mean()), 'vote': vote_k, 'vote_by_ops': vote_by_ops,
         'pass@k': [float(reasoning.pass_at_k(big_k, correct_BxK.sum(1), k).mean()) for k in ks]}
  if fmt == 'scratchpad':
    for name in FILTERS:
      passes = _passes(texts, problems, name)
      res = [reasoning.filtered_at_1(answers, passes, ref, k) for k in ks]
      out[f'filter_{name}'] = {m: [r[m] for r in res] for m in res[0]}
      out[f'filter_{name}']['sample_pass_rate'] = float(np.mean(passes))
  return out


def _stat(values):
  arr = np.asarray(values, np.float64)
  return {'mean': arr.mean(0).tolist(), 'std': (arr.std(0, ddof=1) if len(arr) > 1 else
                                                0 * arr[0]).tolist()}


def _collect(per_seed: list) -> dict:
  """{metric: {'mean', 'std'}} over seeds for every numeric (list) entry of evaluate_run."""
  out = {}
  for key, value in per_seed[0].items():
    if isinstance(value, dict) and key.startswith('filter_'):
      out[key] = {m: _stat([s[key][m] for s in per_seed]) for m in value}
    elif isinstance(value, (int, float, list)) and key != 'ops':
      out[key] = _stat([s[key] for s in per_seed])
  out['temperatures'] = [s['temperature'] for s in per_seed]
  out['ops'] = per_seed[0]['ops']
  return out


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  """Greedy accuracy by format (and by number of operations), self-consistency against k, and
  sample-and-filter against pass@k, mean +- std over seeds; three plots."""
  ks = list(KS[preset])
  table = {'k': ks, 'setup': {}}
  for fmt in FORMATS:
    seeds = summaries[fmt].get('seeds') or [summaries[fmt]]
    per_seed = [evaluate_run(s['workdir'], preset) for s in seeds]
    table[fmt] = _collect(per_seed)
    table[fmt]['test_exact_match_loop'] = _stat([s['final']['test/exact_match'] for s in seeds])
    table[fmt]['wall_s'] = [s['wall_s'] for s in seeds]
    table['setup'][fmt] = {'steps': seeds[0]['steps'], 'seeds': len(seeds)}
  plot(table, out)
  return table


def plot(table: dict, out: str):
  from dljax import viz  # pylint: disable=g-import-not-at-top
  ks = table['k']
  ops = table['scratchpad']['ops']
  viz.line_panels([{
      'title': 'greedy answer by problem length', 'xlabel': 'operations in the problem',
      'ylabel': 'test exact match',
      'series': {f: (ops, table[f]['greedy_by_ops']['mean']) for f in FORMATS}
  }], os.path.join(out, 'cot_by_ops.png'), title='chain of thought: direct answer vs scratchpad')
  viz.line_panels([{
      'title': f'{f} (majority vote of k samples)', 'xlabel': 'k', 'ylabel': 'test accuracy',
      'logx': 2, 'series': {'self-consistency vote': (ks, table[f]['vote']['mean']),
                            'pass@k (oracle)': (ks, table[f]['pass@k']['mean'])},
      'hlines': {'greedy': float(table[f]['greedy']['mean'])}} for f in FORMATS],
      os.path.join(out, 'cot_self_consistency.png'), title='self-consistency')
  s = table['scratchpad']
  series = {'pass@k (oracle)': (ks, s['pass@k']['mean']), 'vote': (ks, s['vote']['mean'])}
  for name in FILTERS:
    series[f'filtered@1 ({name} check)'] = (ks, s[f'filter_{name}']['filtered@1']['mean'])
  viz.line_panels([{'title': 'scratchpad: sample k, filter, submit one', 'xlabel': 'k',
                    'ylabel': 'test accuracy', 'logx': 2, 'series': series,
                    'hlines': {'greedy': float(s['greedy']['mean'])}}],
                  os.path.join(out, 'cot_sample_filter.png'), title='sample-and-filter')
