r"""Hyper-parameter search through the study runner (seed 003 §2.14): a seeded random search over
the learning rate and the weight decay, each trial a run, the winner chosen on validation metrics
only and its test accuracy reported.

  python -m experiments.study basics/hparam_search --workdir=runs/hparam_search [--preset=cpu] [--publish]

Trials trial00..trial<N-1> train the MNIST-1D residual MLP (configs/basics/mnist1d.py, model mlp)
with AdamW for STEPS steps, batch 100, lr ~ log-uniform [1e-4, 1e-1] and decoupled weight decay ~
log-uniform [1e-5, 1e-1] (numpy default_rng(SEARCH_SEED); the same trials on every call, so a
killed search resumes). The chosen trial has the highest final val/accuracy (ties: lower val/loss);
test/ metrics are never read before that choice. Table: every trial's lr, weight_decay,
val_accuracy, val_loss, test_accuracy; chosen (name, lr, weight_decay, val_accuracy,
test_accuracy); and, to show why one must not choose on test, the best test accuracy of all trials
(optimistically biased: it is a maximum over N noisy estimates). Plot hparam_search.png: the
trials in the (lr, weight decay) plane coloured by val accuracy, the chosen one circled, and val
against test accuracy per trial.
Measured (cpu, 12 trials, seed 0, 2-core CPU, 112 s, 2026-12-05): chosen trial11 (lr 1.0e-2, weight
decay 3.9e-3), val 66.8 %, test 63.7 %; the best test accuracy of all trials is 65.1 % (trial03),
which choosing on test would have reported. Smoke: 2 trials of 5 steps.
"""
import math

import numpy as np

from configs import common
from configs.basics import mnist1d
from experiments.tools import study_utils

SEARCH_SEED = 0
TRIALS = {'smoke': 2, 'cpu': 12}
STEPS = 2000
LR_RANGE = (1e-4, 1e-1)
WD_RANGE = (1e-5, 1e-1)


def sample_trials(n: int, seed: int = SEARCH_SEED) -> list:
  """[(lr, weight_decay)] of n trials, each log-uniform in its range."""
  rng = np.random.default_rng(seed)
  log_uniform = lambda lo, hi: float(10 ** rng.uniform(math.log10(lo), math.log10(hi)))  # pylint: disable=unnecessary-lambda-assignment
  return [(log_uniform(*LR_RANGE), log_uniform(*WD_RANGE)) for _ in range(n)]


def make_config(lr: float, weight_decay: float, preset: str):
  study_utils.check_preset(preset)
  config = mnist1d.get_config(preset)
  config.name = 'hparam_search'
  config.model.name = 'mlp'
  config.optim.update(name='adamw', lr=lr, weight_decay=weight_decay)
  config.optim.schedule = common.schedule('constant')
  steps = 5 if preset == 'smoke' else STEPS
  config.train.update(steps=steps, epochs=0.0, eval_every=steps, checkpoint_every=steps,
                      log_every=max(1, steps // 20))
  config.reference = common.no_reference('one trial of a random search; the chosen trial is in the '
                                         "study's table")
  return config


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset)
  for i, (lr, wd) in enumerate(sample_trials(TRIALS[preset])):
    yield f'trial{i:02d}', make_config(lr, wd, preset)


def choose(trials: dict) -> str:
  """The trial with the highest val_accuracy (then the lowest val_loss); reads val/ metrics only."""
  finite = {n: t for n, t in trials.items()
            if t['val_accuracy'] is not None and math.isfinite(t['val_loss'] or math.nan)}
  return max(finite, key=lambda n: (finite[n]['val_accuracy'], -finite[n]['val_loss']))


def report(summaries: dict, out: str) -> dict:
  val = {}
  for name, summary in summaries.items():
    optim_cfg = _optim(summary['workdir'])
    val[name] = {'lr': optim_cfg['lr'], 'weight_decay': optim_cfg['weight_decay'],
                 'val_accuracy': summary['final'].get('val/accuracy'),
                 'val_loss': summary['final'].get('val/loss')}
  chosen = choose(val)  # the choice is made here, before any test metric is read
  trials = {n: dict(rec, test_accuracy=summaries[n]['final'].get('test/accuracy'))
            for n, rec in val.items()}
  table = {'trials': trials, 'chosen': dict(name=chosen, **trials[chosen]),
           'best_test_accuracy_of_all_trials_not_used': max(
               t['test_accuracy'] for t in trials.values() if t['test_accuracy'] is not None)}
  plot(trials, chosen, f'{out}/hparam_search.png')
  return table


def _optim(workdir: str) -> dict:
  """The optim section of the run's config.json."""
  import json  # pylint: disable=g-import-not-at-top
  import os  # pylint: disable=g-import-not-at-top
  with open(os.path.join(workdir, 'config.json')) as f:
    return json.load(f)['optim']


def plot(trials: dict, chosen: str, path: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top  (first: selects matplotlib's Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
  lrs = [t['lr'] for t in trials.values()]
  wds = [t['weight_decay'] for t in trials.values()]
  accs = [t['val_accuracy'] for t in trials.values()]
  points = ax.scatter(lrs, wds, c=accs, cmap='viridis', s=60)
  fig.colorbar(points, ax=ax, label='final val accuracy')
  ax.scatter([trials[chosen]['lr']], [trials[chosen]['weight_decay']], s=220, facecolors='none',
             edgecolors='r', linewidths=2, label=f'chosen on val: {chosen}')
  ax.set_xscale('log')
  ax.set_yscale('log')
  ax.set_xlabel('learning rate (AdamW)')
  ax.set_ylabel('weight decay')
  ax.legend(fontsize=8)
  ax.set_title('random search, MNIST-1D residual MLP')
  ax2.scatter(accs, [t['test_accuracy'] for t in trials.values()], color='C0')
  ax2.scatter([trials[chosen]['val_accuracy']], [trials[chosen]['test_accuracy']], s=160,
              facecolors='none', edgecolors='r', linewidths=2, label='chosen')
  lo = min(accs + [t['test_accuracy'] for t in trials.values()])
  ax2.plot([lo, 1], [lo, 1], 'k:', lw=1, label='val = test')
  ax2.set_xlabel('val accuracy (used to choose)')
  ax2.set_ylabel('test accuracy (reported only)')
  ax2.legend(fontsize=8)
  fig.tight_layout()
  return viz._write(fig, path)  # pylint: disable=protected-access
