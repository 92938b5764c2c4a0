r"""In-context learning: accuracy against the number of examples in the prompt, per task family.

  python -m experiments.study language/icl_study --workdir=runs/icl_study [--preset=cpu] [--publish]

One run, `icl`: configs/language/icl.py (one GPT on the mixture of the mapping, linear and offset
families). The report reloads it (load_run) and measures, per family, the held-out accuracy of the
answer after k examples for every k, next to two baselines on the same test sequences: chance 1/p,
which is also the best any predictor can do without context (every answer is uniform over the
symbols a priori), and the Bayes-optimal in-context learner (dljax.data.icl.bayes_accuracy). The
table lists k in data.eval_shots; the plot icl_shots.png shows every k.
Expected (cpu preset, 3000 steps, seed 0, 183 s on a 2-core Xeon shared with another job): at
k = 0/1/2/4/8/16 offset 0.147 / 0.980 / 0.989 / 0.984 / 0.993 / 0.983; mapping 0.143 / 0.255 /
0.265 / 0.291 / 0.254 / 0.245; linear 0.130 / 0.231 / 0.280 / 0.278 / 0.287 / 0.285 (Bayes 0.854
for mapping at k = 8, 0.912 for linear at k = 2). Discussion: docs/language/notes.md.
"""
import os

import numpy as np

from configs.language import icl as icl_config


def runs(preset: str, workdir: str):
  del workdir
  yield 'icl', icl_config.get_config(preset)   # ValueError for an unknown preset


def shot_table(curves: dict, ks, num_symbols: int) -> dict:
  """{family: {'k', 'model', 'bayes', 'chance'}} at the shots `ks`, from shot curves
  {family: (every k, model accuracy, Bayes-optimal accuracy)}."""
  ks = [int(k) for k in ks]
  table = {}
  for name, (all_k, model, bayes) in curves.items():
    at = [int(np.flatnonzero(np.asarray(all_k) == k)[0]) for k in ks]
    table[name] = {'k': ks, 'model': [float(model[i]) for i in at],
                   'bayes': [float(bayes[i]) for i in at], 'chance': 1.0 / num_symbols}
  return table


def plot(curves: dict, num_symbols: int, path: str, title: str) -> str:
  from dljax.train.tasks.icl import shot_plot  # pylint: disable=g-import-not-at-top
  return shot_plot(curves, num_symbols, path, title=title)


def report(summaries: dict, out: str) -> dict:
  """The per-family shot table of the trained model (reloaded), with its Bayes ceiling and chance."""
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  summary = summaries['icl']
  run = loop.load_run(summary['workdir'])
  curves = run.task.shot_curves(run.state, run.data)   # the test sequences, every k
  config = run.config
  d = config.data
  plot(curves, d.num_symbols, os.path.join(out, 'icl_shots.png'),
       title=f'in-context learning, GPT {config.model.num_layers}x{config.model.d_model} '
             f'({summary["steps"]} steps, p={d.num_symbols})')
  return {'preset': config.preset, 'steps': summary['steps'], 'wall_s': summary['wall_s'],
          'num_symbols': d.num_symbols, 'families': shot_table(curves, d.eval_shots, d.num_symbols)}
