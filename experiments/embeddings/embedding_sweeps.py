r"""Dimension, data and epoch sweeps of skip-gram word2vec (seed 003 §2.9, GloVe's findings: "more
dimensions is not necessarily better, more (good) data is better, more training helps until it
plateaus").

  python -m experiments.study embeddings/embedding_sweeps --workdir=runs/embedding_sweeps [--preset=cpu] [--publish]

Runs (SEEDS = 3 each; configs/embeddings/word2vec.py at the cpu preset, one setting changed):
  base            d = 100, the whole training split (4.05 M characters, 0.73 M words), 6 epochs
  dim25/50/200    the width d of both tables
  data25/50       the first 25 % / 50 % of the training characters (data.train_limit): the
                  vocabulary (min_count = 5) is rebuilt on that text, so more analogy words are
                  missing (counted wrong); 6 epochs of less text is also fewer steps
  epochs1/3       the number of passes (the cosine schedule shrinks with it; more than 6 epochs
                  was not run: ~2.5 min per run on the shared 2-core CPU)
Metric: accuracy on the 332 analogy questions (dljax.eval.embeddings.ANALOGIES). This set is the
only one we have: the runs' val/ and test/analogy_accuracy are the same number. The sweep reports
every setting and chooses none (no preset or hyper-parameter is set from it). Table {run:
{analogy accuracy mean ± std over seeds, answered questions, vocabulary, steps, wall_s}}; plot
embedding_sweeps.png (one panel per swept setting).
Expected (cpu preset, 3 seeds): see docs/embeddings/notes.md.
"""
import os

import numpy as np

from configs.embeddings import word2vec
from experiments.tools import study_utils

SEEDS = 3
TRAIN_CHARS = 4_045_824      # shakespeare_char's training split
SWEEPS = {'dim': ('dim25', 'dim50', 'base', 'dim200'),
          'data': ('data25', 'data50', 'base'),
          'epochs': ('epochs1', 'epochs3', 'base')}
# run order: base last (a reproduction may point it at an identical finished skip-gram run)
VALUES = {'dim25': 25, 'dim50': 50, 'dim200': 200, 'data25': 0.25, 'data50': 0.5, 'epochs1': 1,
          'epochs3': 3, 'base': None}
SMOKE_RUNS = ('dim25', 'data25', 'base')     # a wiring check: one run of each kind
BASE = {'dim': 100, 'data': 1.0, 'epochs': 6}


def _config(preset: str, name: str):
  config = word2vec.get_config(preset)
  value = VALUES[name]
  if name.startswith('dim'):
    dim = value if preset == 'cpu' else max(2, value // 25)
    config.model.skipgram.dim = config.model.cbow.dim = dim
  elif name.startswith('data'):
    total = TRAIN_CHARS if preset == 'cpu' else config.data.train_limit
    config.data.train_limit = int(total * value)
  elif name.startswith('epochs'):
    if preset == 'cpu':
      config.train.epochs = float(value)
    else:
      config.train.steps = value
  return config


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, ('smoke', 'cpu'))
  for name in (SMOKE_RUNS if preset == 'smoke' else VALUES):
    yield name, _config(preset, name)


def _stats(values) -> dict:
  values = [float(v) for v in values]
  return {'mean': float(np.mean(values)), 'std': float(np.std(values, ddof=1)) if len(values) > 1
          else 0.0, 'per_seed': values}


def report(summaries: dict, out: str) -> dict:
  """Analogy accuracy per run over seeds (no reloading needed: it is in every summary)."""
  from dljax import viz  # pylint: disable=g-import-not-at-top
  table = {}
  for name in [n for n in VALUES if n in summaries]:
    seeds = summaries[name].get('seeds') or [summaries[name]]
    table[name] = {'analogy_accuracy': _stats([s['final']['test/analogy_accuracy'] for s in seeds]),
                   'steps': seeds[0]['steps'],
                   'wall_s': _stats([s['wall_s'] for s in seeds])}
  panels = []
  for sweep, names in SWEEPS.items():
    names = [n for n in names if n in table]
    xs = [BASE[sweep] if n == 'base' else VALUES[n] for n in names]
    mean = [table[n]['analogy_accuracy']['mean'] for n in names]
    std = [table[n]['analogy_accuracy']['std'] for n in names]
    panels.append({'title': f'{sweep} (base: {BASE[sweep]})', 'xlabel': sweep,
                   'ylabel': 'analogy accuracy (332 questions)', 'logx': 2 if sweep != 'epochs' else 0,
                   'series': {'mean': (xs, mean),
                              'mean - std': (xs, list(np.subtract(mean, std))),
                              'mean + std': (xs, list(np.add(mean, std)))}})
  viz.line_panels(panels, os.path.join(out, 'embedding_sweeps.png'),
                  title=f'skip-gram on Shakespeare: analogy accuracy, '
                        f'{len(summaries["base"].get("seeds") or [1])} seeds')
  return table
