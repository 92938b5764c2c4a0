r"""Gradient flow with and without residual connections (seed 003 §1.4, c10: why ResNets train).

  python -m experiments.study vision/residual_gradients --workdir=runs/residual_gradients [--preset=cpu] [--publish]

With a plain stack z_{l+1} = sigma(W_l z_l), backprop multiplies one Jacobian per layer,
dL/dz_1 = dL/dz_L prod_l diag(sigma'(a_l)) W_l, and for saturating activations the product shrinks
geometrically with depth. A residual block z_{l+1} = z_l + sigma(W_l z_l) has the Jacobian
I + diag(sigma'(a_l)) W_l, so dL/dz_1 = dL/dz_L prod_l (I + ...) keeps a path with no factor at all.

configs/basics/deep_mlp.py (full-batch SGD lr 0.1 on 512 Fashion-MNIST training images, 100 steps,
He init) at DEPTH hidden layers of 64, plain (model.residual=False) and residual (model.residual=
True: every hidden layer after the first adds its input), for sigmoid, tanh and relu. report()
reloads each run and measures ||dL/dW_l|| per layer at initialisation (dljax.eval.gradients), the
ratio of the first hidden layer's norm to the last one's, and the runs' test accuracy after
training (test split, reported, nothing chosen on it). SEEDS = 3: the table gives mean and std of
log10 ratio and of accuracy. Plot residual_gradients.png: log10 norm against layer per activation,
plain dashed, residual solid (seed 0), and the accuracies as bars.
Expected: plain sigmoid's first layer gets ~1e-10 of the last layer's gradient at depth 20 while
the residual sigmoid's ratio stays near 1; relu with He init already flows without skips, and
its residual form has forward activations growing as ~2^(l/2) (the reason real ResNets put a
normalisation in the branch), so its gradients grow toward the input instead. Measured numbers:
docs/vision/notes.md.
"""
import math

import numpy as np

from configs.basics import deep_mlp
from experiments.basics import vanishing_gradients
from experiments.tools import study_utils

SEEDS = 3  # the claim is about orders of magnitude, but the accuracies need the spread
ACTS = ('sigmoid', 'tanh', 'relu')
FORMS = ('plain', 'residual')
DEPTH = {'smoke': 4, 'cpu': 20}


def make_config(act: str, form: str, preset: str):
  config = deep_mlp.get_config(preset)
  config.name = 'residual_gradients'
  config.model.hidden = (64,) * DEPTH[preset]
  config.model.act, config.model.init_scheme = act, 'he'
  config.model.residual = form == 'residual'
  if preset == 'cpu':
    config.data.test_limit = 2000
  return config


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset)
  acts = ACTS if preset == 'cpu' else ('sigmoid',)
  for act in acts:
    for form in FORMS:
      yield f'{act}_{form}', make_config(act, form, preset)


def _record(summary: dict) -> dict:
  rec, _ = vanishing_gradients.gradient_record(summary)
  norms = rec['init']
  hidden = norms[:-1]  # the read-out layer is last
  ratio = hidden[0] / hidden[-1] if hidden[-1] else math.nan
  return {'init': norms, 'log10_first_over_last': math.log10(ratio) if ratio > 0 else None,
          'test_accuracy': summary['final'].get('test/accuracy'),
          'skipped_steps': rec['skipped_steps']}


def report(summaries: dict, out: str) -> dict:
  """{setup, runs: {'<act>/<form>': {log10_first_over_last: mean, std, test_accuracy: mean, std,
  init_norms (seed 0)}}} and the plot."""
  table = {'setup': {'depth': None, 'width': 64, 'steps': None, 'n_train': 512, 'init': 'he'},
           'runs': {}}
  per_seed = {}
  for name, summary in summaries.items():
    act, form = name.split('_')
    seeds = summary.get('seeds') or [summary]
    recs = [_record(s) for s in seeds]
    ratios = [r['log10_first_over_last'] for r in recs if r['log10_first_over_last'] is not None]
    accs = [r['test_accuracy'] for r in recs if r['test_accuracy'] is not None]
    table['runs'][f'{act}/{form}'] = {
        'log10_first_over_last': float(np.mean(ratios)) if ratios else None,
        'log10_first_over_last_std': float(np.std(ratios, ddof=1)) if len(ratios) > 1 else 0.0,
        'test_accuracy': float(np.mean(accs)) if accs else None,
        'test_accuracy_std': float(np.std(accs, ddof=1)) if len(accs) > 1 else 0.0,
        'seeds': len(recs), 'skipped_steps': [r['skipped_steps'] for r in recs],
        'init_norms_seed0': recs[0]['init']}
    per_seed[(act, form)] = recs[0]['init']
    table['setup']['depth'] = len(recs[0]['init']) - 1
    table['setup']['steps'] = int(summary['steps'])
  plot(table, per_seed, f'{out}/residual_gradients.png')
  return table


def plot(table: dict, norms: dict, path: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top  (first: selects matplotlib's Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  del viz
  acts = sorted({a for a, _ in norms}, key=ACTS.index)
  fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
  for act, color in zip(acts, ('C0', 'C1', 'C2')):
    for form, style in (('plain', '--'), ('residual', '-')):
      if (act, form) in norms:
        v = np.asarray(norms[(act, form)], np.float64)
        ok = v > 0
        axes[0].plot(np.arange(1, len(v) + 1)[ok], np.log10(v[ok]), style, color=color,
                     marker='.', label=f'{act} {form}')
  axes[0].set_xlabel('layer l (1 = input side; the last is the read-out)')
  axes[0].set_ylabel('log10 ||dL/dW_l|| at initialisation (seed 0)')
  axes[0].legend(fontsize=8)
  axes[0].grid(alpha=0.3)
  names = list(table['runs'])
  accs = [100 * (table['runs'][n]['test_accuracy'] or 0) for n in names]
  errs = [100 * table['runs'][n]['test_accuracy_std'] for n in names]
  axes[1].bar(range(len(names)), accs, yerr=errs,
              color=['C0' if 'residual' in n else 'C7' for n in names])
  axes[1].set_xticks(range(len(names)), names, rotation=30, ha='right', fontsize=8)
  axes[1].set_ylabel('test accuracy after training (%)')
  axes[1].set_title(f"{table['setup']['steps']} full-batch SGD steps, mean ± std over seeds")
  fig.suptitle(f"Gradient flow, {table['setup']['depth']} hidden layers of 64: plain vs residual")
  fig.tight_layout()
  fig.savefig(path, dpi=110)
  plt.close(fig)
  return path
