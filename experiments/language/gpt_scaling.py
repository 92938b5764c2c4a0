r"""Scaling of a character GPT on Shakespeare: loss vs parameters and vs training tokens, power-law fits.

  python -m experiments.study language/gpt_scaling --workdir=runs/gpt_scaling [--preset=cpu] [--publish]

Every run is configs/language/shakespeare_gpt.py:cpu with a model size (d_model, layers; heads =
d_model / 32) and a training-set size (data.train_limit: the first N characters), trained for 600
steps at batch 32 x 128 (the same tokens seen by every run, so small training sets are repeated);
run d<d_model>_l<layers>_n<N|all>. The grid: every size with all the data, the largest size with
every data size. A run's loss is that of its best evaluation (a small training set overfits).
  loss vs N (non-embedding parameters) at all the training data   L(N) = (N_c / N)^alpha_N
  loss vs D (distinct training tokens) for the largest model      L(D) = (D_c / D)^alpha_D
Least squares in log-log space (no irreducible term: with this few points a third parameter is not
identified); compute C = 6 N T for the T tokens processed. Plot gpt_scaling.png.
Expected (cpu preset, seed 0, 2-core CPU shared, 38 min): loss 2.571 / 2.361 / 2.171 / 1.941 for
N = 12.8k / 100k / 336k / 793k (alpha_N 0.065); 2.092 / 2.002 / 1.941 with 125k / 500k / all 4.55M
characters (alpha_D 0.020). Kaplan et al. (2020): 0.076 and 0.095 at far larger scale. Discussion:
docs/language/notes.md.
"""
import os
import re

import numpy as np

from configs.language import shakespeare_gpt
from dljax import viz

SIZES = {'cpu': [(32, 1), (64, 2), (96, 3), (128, 4)], 'smoke': [(16, 1), (32, 1)]}
TOKENS = {'cpu': [125_000, 500_000, 0], 'smoke': [4096, 0]}    # 0 = the whole training split
STEPS = 600   # per run, cpu preset (the smoke preset keeps shakespeare_gpt's smoke steps)


def non_embedding_params(d_model: int, layers: int) -> int:
  """12 L d^2 (+ biases and norms), as Kaplan et al. count N."""
  return layers * (12 * d_model ** 2 + 13 * d_model) + 2 * d_model


def power_law_fit(xs, ys):
  """log y = log a - alpha log x: returns (a, alpha)."""
  slope, intercept = np.polyfit(np.log(xs), np.log(ys), 1)
  return float(np.exp(intercept)), float(-slope)


def make_config(preset, d_model, layers, train_limit, steps=STEPS):
  config = shakespeare_gpt.get_config(preset)
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


def _name(d_model: int, layers: int, limit: int) -> str:
  return f'd{d_model}_l{layers}_n{limit or "all"}'


def runs(preset: str, workdir: str):
  del workdir
  if preset not in SIZES:
    raise ValueError(f'gpt_scaling has no preset {preset!r}; use one of {sorted(SIZES)}.')
  largest = SIZES[preset][-1]
  for d_model, layers in SIZES[preset]:
    for limit in TOKENS[preset]:
      if limit and (d_model, layers) != largest:
        continue   # the grid: every size at all data, the largest size at every data size
      yield _name(d_model, layers, limit), make_config(preset, d_model, layers, limit)


def report(summaries: dict, out: str) -> dict:
  """Every run's N, D, tokens, compute and loss; the two power-law fits; the compute frontier."""
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  grid = []
  for name, summary in summaries.items():
    d_model, layers, limit = re.fullmatch(r'd(\d+)_l(\d+)_n(\d+|all)', name).groups()
    grid.append((name, int(d_model), int(layers), 0 if limit == 'all' else int(limit), summary))
  largest = max((d, l) for _, d, l, _, _ in grid)
  # the whole training split (its size) and the batch shape, from the largest model's run
  full_run = loop.load_run(summaries[_name(*largest, 0)]['workdir'])
  n_all = len(full_run.data['train'])
  block = full_run.config.data.batch_size * full_run.config.data.block_size
  rows = []
  for name, d_model, layers, limit, summary in grid:
    n = non_embedding_params(d_model, layers)
    tokens = summary['steps'] * block
    rows.append({'name': name, 'd_model': d_model, 'layers': layers, 'N': n,
                 'train_tokens': limit or None, 'tokens_seen': tokens, 'compute': 6 * n * tokens,
                 # the best evaluation's loss (checkpoint selection, as the old script)
                 'loss': summary['best']['val/loss'], 'wall_s': summary['wall_s']})
  full = [r for r in rows if r['train_tokens'] is None]
  by_data = [r for r in rows if (r['d_model'], r['layers']) == largest]
  fit_n = power_law_fit([r['N'] for r in full], [r['loss'] for r in full])
  fit_d = power_law_fit([r['train_tokens'] or n_all for r in by_data], [r['loss'] for r in by_data])
  best_per_compute = sorted(full, key=lambda r: r['compute'])
  table = {'runs': rows, 'fit_N': {'a': fit_n[0], 'alpha_N': fit_n[1]},
           'fit_D': {'a': fit_d[0], 'alpha_D': fit_d[1]}, 'train_tokens_all': n_all,
           'compute_frontier': [(r['compute'], r['N'], r['loss']) for r in best_per_compute]}
  ns = np.array([r['N'] for r in full], float)
  ds = np.array([r['train_tokens'] or n_all for r in by_data], float)
  viz.loglog_panels(
      {'N, non-embedding parameters (all training data)': {
          'runs': (ns, [r['loss'] for r in full]),
          f'fit alpha_N={fit_n[1]:.3f}': (ns, fit_n[0] * ns ** -fit_n[1])},
       'D, distinct training characters (largest model)': {
           'runs': (ds, [r['loss'] for r in by_data]),
           f'fit alpha_D={fit_d[1]:.3f}': (ds, fit_d[0] * ds ** -fit_d[1])}},
      path=os.path.join(out, 'gpt_scaling.png'), ylabel='validation loss (nats/char)',
      title='character GPT scaling on Shakespeare')
  return table
