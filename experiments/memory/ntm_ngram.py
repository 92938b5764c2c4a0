r"""NTM vs LSTM on dynamic N-grams (Graves et al. 2014, §4.4): how close does each get to the
Bayes-optimal predictor that knows the Beta(1/2, 1/2) prior and counts the contexts?

  python -m experiments.study memory/ntm_ngram --workdir=runs/ntm_ngram [--preset=cpu] [--publish]

Trains configs/memory/ntm_ngram.py with model.name = ntm and = lstm (runs 'ntm', 'lstm'). report()
plots test bits per sequence against the step for both models with the Bayes-optimal cost of the
same test sequences as a line, final values as bars -> ntm_ngram.png, and returns {model: bits per
sequence, the optimum, the gap to it (bits - optimum), bit errors per sequence, wall_s}.
Expected (cpu preset, 3000 steps, 2-core CPU, ~6 min per model): NTM 58.26 bits/seq, LSTM 57.87,
Bayes-optimal 56.87 (gaps 1.39 and 1.00 bits); the plot is docs/memory/ntm_ngram.png.
"""
from configs.memory import ntm_ngram

MODELS = ('ntm', 'lstm')


def runs(preset: str, workdir: str):
  del workdir
  for model in MODELS:
    config = ntm_ngram.get_config(preset)
    config.model.name = model
    yield model, config


def curve(workdir: str, metric: str) -> tuple:
  """(steps, values) of `metric` logged during training: the 'val/' rows if any, else 'test/'."""
  from dljax.train import writers  # pylint: disable=g-import-not-at-top
  rows = writers.read_metrics(workdir)
  for key in (f'val/{metric}', f'test/{metric}'):
    hits = [r for r in rows if key in r]
    if hits:
      return [r['step'] for r in hits], [r[key] for r in hits]
  return [], []


def table(summaries: dict) -> dict:
  """Final bits per sequence of each model, the optimum, and each model's gap to it."""
  out = {}
  for model, s in summaries.items():
    bits, bayes = s['final']['test/bits_per_seq'], s['final']['test/bayes_bits_per_seq']
    out[model] = {'bits_per_seq': bits, 'bayes_bits_per_seq': bayes, 'gap_bits': bits - bayes,
                  'bit_error_per_seq': s['final']['test/bit_error_per_seq'],
                  'wall_s': s.get('wall_s')}
  return out


def report(summaries: dict, out: str) -> dict:
  from dljax import viz  # pylint: disable=g-import-not-at-top
  summaries = {m: summaries[m] for m in MODELS if m in summaries}
  rows = table(summaries)
  series = {m.upper(): curve(s['workdir'], 'bits_per_seq') for m, s in summaries.items()}
  bars = {m.upper(): r['bits_per_seq'] for m, r in rows.items()}
  if rows:  # the optimum is a property of the test sequences: the same for both runs
    bayes = next(iter(rows.values()))['bayes_bits_per_seq']
    steps = max((c[0] for c in series.values()), key=len)
    series['Bayes-optimal'] = (steps, [bayes] * len(steps))
    bars['Bayes-optimal'] = bayes
  viz.multi_curves(series, 'test cost (bits per sequence)', f'{out}/ntm_ngram.png',
                   title='Dynamic 3-grams: NTM vs LSTM vs the Bayes-optimal predictor',
                   bars=bars, bars_label='final bits per sequence')
  return rows
