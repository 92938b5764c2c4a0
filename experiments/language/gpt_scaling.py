r"""Scaling of a character GPT on Shakespeare: loss vs parameters and vs training tokens, power-law fits.

  python -m experiments.language.gpt_scaling --workdir=runs/gpt_scaling [--preset=cpu|smoke]

Every run is configs/language/shakespeare_gpt.py:cpu with a model size (d_model, layers; heads =
d_model / 32) and a training-set size (data.train_limit: the first N characters), trained for
--steps steps at batch 32 x 128 (the same tokens seen by every run, so small training sets are
repeated). The validation loss of each run is its best evaluation (early stopping: a run with a
small training set overfits).
  loss vs N (non-embedding parameters) at the largest training set     L(N) = (N_c / N)^alpha_N
  loss vs D (distinct training tokens)  for the largest model           L(D) = (D_c / D)^alpha_D
Fits are least squares in log-log space (a pure power law, no irreducible term: with this few
points a third parameter is not identified). The compute-optimal reading: C = 6 N T for the T
tokens processed; for each compute budget the run with the lowest loss, i.e. which model size a
budget should buy. Outputs <workdir>/scaling.json and docs/plots/gpt_scaling.png.
Kaplan et al. (2020) report alpha_N ~ 0.076 and alpha_D ~ 0.095 for word-piece LMs at far larger
scale; a character model this small need not agree.
"""
import json
import os

from absl import app, flags
import numpy as np


SIZES = {'cpu': [(32, 1), (64, 2), (96, 3), (128, 4)], 'smoke': [(16, 1), (32, 1)]}
TOKENS = {'cpu': [125_000, 500_000, 0], 'smoke': [4096, 0]}    # 0 = the whole training split


def non_embedding_params(d_model: int, layers: int) -> int:
  """12 L d^2 (+ biases and norms), as Kaplan et al. count N."""
  return layers * (12 * d_model ** 2 + 13 * d_model) + 2 * d_model


def power_law_fit(xs, ys):
  """log y = log a - alpha log x: returns (a, alpha)."""
  slope, intercept = np.polyfit(np.log(xs), np.log(ys), 1)
  return float(np.exp(intercept)), float(-slope)


def make_config(preset, d_model, layers, train_limit, steps):
  from configs.language import shakespeare_gpt  # pylint: disable=g-import-not-at-top
  config = shakespeare_gpt.get_config('smoke' if preset == 'smoke' else 'cpu')
  config.model.d_model, config.model.num_layers = d_model, layers
  config.model.num_heads = max(1, d_model // 32)
  config.data.train_limit = train_limit
  config.sample_length = 20
  if preset != 'smoke':
    config.train.steps = steps
    config.train.eval_every = steps // 4
    config.data.eval_windows = 200
    config.optim.schedule.warmup_steps = min(100, steps // 10)
  return config


def main(argv):
  del argv
  from dljax import viz  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  preset = _PRESET.value
  runs = []
  for d_model, layers in SIZES[preset]:
    for limit in TOKENS[preset]:
      if limit and (d_model, layers) != SIZES[preset][-1] and limit != TOKENS[preset][-1]:
        continue   # the grid: every size at all data, the largest size at every data size
      config = make_config(preset, d_model, layers, limit, _STEPS.value)
      name = f'd{d_model}_l{layers}_n{limit or "all"}'
      summary = loop.train_and_evaluate(config, os.path.join(_WORKDIR.value, name), progress=False)
      tokens = config.train.steps * config.data.batch_size * config.data.block_size
      runs.append({'name': name, 'd_model': d_model, 'layers': layers,
                   'N': non_embedding_params(d_model, layers), 'train_tokens': limit or None,
                   'tokens_seen': tokens, 'compute': 6 * non_embedding_params(d_model, layers) * tokens,
                   'loss': summary['best']['test/loss'], 'wall_s': summary['wall_s']})
      print(runs[-1])
  full = [r for r in runs if r['train_tokens'] is None]
  by_data = [r for r in runs if (r['d_model'], r['layers']) == SIZES[preset][-1]]
  fit_n = power_law_fit([r['N'] for r in full], [r['loss'] for r in full])
  from dljax import data as data_lib  # pylint: disable=g-import-not-at-top
  full_config = make_config(preset, *SIZES[preset][-1], 0, _STEPS.value)
  n_all = len(data_lib.load_tokens(full_config.data, 'train'))   # the whole training split
  fit_d = power_law_fit([r['train_tokens'] or n_all for r in by_data], [r['loss'] for r in by_data])
  best_per_compute = sorted(full, key=lambda r: r['compute'])
  out = {'runs': runs, 'fit_N': {'a': fit_n[0], 'alpha_N': fit_n[1]},
         'fit_D': {'a': fit_d[0], 'alpha_D': fit_d[1]},
         'compute_frontier': [(r['compute'], r['N'], r['loss']) for r in best_per_compute]}
  os.makedirs(_WORKDIR.value, exist_ok=True)
  with open(os.path.join(_WORKDIR.value, 'scaling.json'), 'w') as f:
    json.dump(out, f, indent=2)
  ns = np.array([r['N'] for r in full], float)
  ds = np.array([r['train_tokens'] or n_all for r in by_data], float)
  viz.loglog_panels(
      {'N, non-embedding parameters (all training data)': {
          'runs': (ns, [r['loss'] for r in full]),
          f'fit alpha_N={fit_n[1]:.3f}': (ns, fit_n[0] * ns ** -fit_n[1])},
       'D, distinct training characters (largest model)': {
           'runs': (ds, [r['loss'] for r in by_data]),
           f'fit alpha_D={fit_d[1]:.3f}': (ds, fit_d[0] * ds ** -fit_d[1])}},
      path=_PLOT.value, ylabel='validation loss (nats/char)',
      title='character GPT scaling on Shakespeare')
  print(json.dumps({k: out[k] for k in ('fit_N', 'fit_D')}))


if __name__ == '__main__':
  # flags are defined only when run as a script, so tests can import several studies
  _WORKDIR = flags.DEFINE_string('workdir', None, 'Where the runs, the JSON and the plot go.')
  _PRESET = flags.DEFINE_enum('preset', 'cpu', ['cpu', 'smoke'], 'smoke: tiny grid, a wiring check.')
  _STEPS = flags.DEFINE_integer('steps', 600, 'Steps per run (cpu preset).')
  _PLOT = flags.DEFINE_string('plot', 'docs/language/gpt_scaling.png', 'The plot to write.')
  flags.mark_flag_as_required('workdir')
  app.run(main)
