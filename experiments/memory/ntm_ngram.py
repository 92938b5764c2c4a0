r"""NTM vs LSTM on dynamic N-grams (Graves et al. 2014, §4.4): how close does each get to the
Bayes-optimal predictor that knows the Beta(1/2, 1/2) prior and counts the contexts?

  python -m experiments.memory.ntm_ngram --workdir=/work/runs/ntm_ngram [--preset=cpu|smoke] [--plot_only]

Trains configs/memory/ntm_ngram.py:<preset> with model.name=ntm and =lstm into <workdir>/<model>
(a finished run is read back, not retrained), then writes docs/memory/ntm_ngram.png (test bits per
sequence against the step for both models with the Bayes-optimal cost of the same test sequences as
a line; final values as bars) and <workdir>/ntm_ngram.json ({model: final metrics, wall_s}, and the
gap of each model to the optimum in bits per sequence).
"""
import json
import os
import shutil

from absl import app, flags

from configs.memory import ntm_ngram

MODELS = ('ntm', 'lstm')


def make_config(model: str, preset: str = 'cpu'):
  config = ntm_ngram.get_config(preset)
  config.model.name = model
  return config


def collect(workdir: str) -> dict:
  """{model: {'final', 'wall_s', 'curve': (steps, test bits/seq)}} from the finished runs."""
  from dljax.train import writers  # pylint: disable=g-import-not-at-top
  out = {}
  for model in MODELS:
    d = os.path.join(workdir, model)
    if not os.path.exists(os.path.join(d, 'summary.json')):
      continue
    with open(os.path.join(d, 'summary.json')) as f:
      summary = json.load(f)
    rows = [r for r in writers.read_metrics(d) if 'test/bits_per_seq' in r]
    out[model] = {'final': summary['final'], 'wall_s': summary['wall_s'],
                  'curve': ([r['step'] for r in rows], [r['test/bits_per_seq'] for r in rows])}
  return out


def table(results: dict) -> dict:
  """Final bits per sequence of each model, the optimum, and each model's gap to it."""
  out = {}
  for model, r in results.items():
    bits, bayes = r['final']['test/bits_per_seq'], r['final']['test/bayes_bits_per_seq']
    out[model] = {'bits_per_seq': bits, 'bayes_bits_per_seq': bayes, 'gap_bits': bits - bayes,
                  'bit_error_per_seq': r['final']['test/bit_error_per_seq'], 'wall_s': r['wall_s']}
  return out


def main(argv):
  del argv
  from dljax import viz  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  workdir = _WORKDIR.value
  if not _PLOT_ONLY.value:
    for model in MODELS:
      loop.train_and_evaluate(make_config(model, _PRESET.value), os.path.join(workdir, model),
                              progress=False)
  results = collect(workdir)
  rows = table(results)
  series = {model.upper(): r['curve'] for model, r in results.items()}
  if results:  # the optimum is a property of the test sequences: the same for both runs
    steps = max((r['curve'][0] for r in results.values()), key=len)
    bayes = next(iter(rows.values()))['bayes_bits_per_seq']
    series['Bayes-optimal'] = (steps, [bayes] * len(steps))
  path = viz.multi_curves(series, 'test cost (bits per sequence)', os.path.join(workdir, 'ntm_ngram.png'),
                          title='Dynamic 3-grams: NTM vs LSTM vs the Bayes-optimal predictor',
                          bars={k: v[1][-1] for k, v in series.items() if v[1]},
                          bars_label='final bits per sequence')
  with open(os.path.join(workdir, 'ntm_ngram.json'), 'w') as f:
    json.dump(rows, f, indent=2)
  if _PLOTS.value:
    os.makedirs(_PLOTS.value, exist_ok=True)
    shutil.copy(path, _PLOTS.value)
  for model, r in rows.items():
    print(f'{model}: {r["bits_per_seq"]:.2f} bits/seq (optimum {r["bayes_bits_per_seq"]:.2f}, '
          f'gap {r["gap_bits"]:.2f}), {r["bit_error_per_seq"]:.2f} bit errors/seq, {r["wall_s"]:.0f} s')


if __name__ == '__main__':  # flags only when run as a script (tests import the module)
  _WORKDIR = flags.DEFINE_string('workdir', None, 'Where the two runs, the JSON and the plot go.')
  _PRESET = flags.DEFINE_enum('preset', 'cpu', ['cpu', 'smoke'], 'smoke: a few steps, a wiring check.')
  _PLOTS = flags.DEFINE_string('plots', 'docs/plots', 'Folder of the study plots ("" = none).')
  _PLOT_ONLY = flags.DEFINE_bool('plot_only', False, 'Only redraw from the runs in the workdir.')
  flags.mark_flag_as_required('workdir')
  app.run(main)
