r"""The notes' loan example (seed 001 §2, l.1031-1032, l.1110: "high existing debt rather than
income"): which features the gradient saliency of the loan MLP credits, against the truth.

  python -m experiments.study interpretability/loan_saliency --workdir=runs/loan_saliency [--preset=cpu] [--publish]

Run `loan_mlp` trains configs/interpretability/loan_mlp.py (with its fairness evaluator). The
table data (dljax.data.datasets.loan) have a known causal structure: the label is
1[1.5 income - 2.0 debt + 0.5 years + e > 0], the `noise` column and the group g have coefficient
0 (g acts only through income). report() computes, on the test rows, each feature's mean gradient
saliency |dS/dx_j| and mean signed gradient dS/dx_j of the logit margin S = S_repaid - S_default,
and its rank against the true |coefficient|; and per applicant the top feature by |gradient x
(x - mean x)| (a local explanation: "your debt" vs "your income"). Plot loan_saliency.png: mean
gradients next to the true coefficients, and the fairness rates per group.
Measured numbers: docs/interpretability/notes.md. Smoke: 5 steps.
"""
import jax
import jax.numpy as jnp
import numpy as np

from configs.interpretability import loan_mlp
from dljax.data.datasets import loan
from experiments.tools import study_utils


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset)
  yield 'loan_mlp', loan_mlp.get_config(preset)


def compute(summaries: dict) -> dict:
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  run = loop.load_run(summaries['loan_mlp']['workdir'])
  task, state = run.task, run.state
  x = jnp.asarray(run.data['test']['x'])
  margin = lambda z: (task.predict(state, z)[:, 1] - task.predict(state, z)[:, 0]).sum()
  g = np.asarray(jax.jit(jax.grad(margin))(x))
  mean_abs, mean_signed = np.abs(g).mean(0), g.mean(0)
  local = np.abs(g * (np.asarray(x) - np.asarray(x).mean(0)))
  top = np.bincount(local.argmax(1), minlength=len(loan.FEATURES)) / len(x)
  truth = np.abs(np.asarray(loan.TRUE_COEF))
  out = {'features': {}, 'rank_agreement': bool(
      list(np.argsort(-mean_abs)[:3]) == list(np.argsort(-truth)[:3]))}
  for j, name in enumerate(loan.FEATURES):
    out['features'][name] = {'true_coef': loan.TRUE_COEF[j], 'mean_abs_grad': float(mean_abs[j]),
                             'mean_grad': float(mean_signed[j]), 'top_local_share': float(top[j])}
  # the ratio of the learned gradients to the true ones (a logistic margin is ~1.7x the probit's)
  out['grad_ratio_debt_income'] = float(mean_signed[1] / mean_signed[0])
  out['fairness'] = summaries['loan_mlp'].get('evals', {}).get('fairness', {})
  return out


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  study_utils.check_preset(preset)
  table = compute(summaries)
  plot(table, f'{out}/loan_saliency.png')
  return table


def plot(t, path):
  from dljax import viz  # pylint: disable=g-import-not-at-top
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
  names = list(t['features'])
  xs = np.arange(len(names))
  true = np.array([t['features'][n]['true_coef'] for n in names])
  grad = np.array([t['features'][n]['mean_grad'] for n in names])
  axes[0].bar(xs - 0.2, true / np.abs(true).max(), 0.4, label='true coefficient (scaled)')
  axes[0].bar(xs + 0.2, grad / np.abs(grad).max(), 0.4, label='mean dS/dx (scaled)')
  axes[0].set_xticks(xs, names)
  axes[0].axhline(0, color='k', lw=0.5)
  axes[0].legend(fontsize=8)
  axes[0].set_title('loan MLP: what the gradient credits')
  fair = t['fairness']
  rates = ('positive_rate', 'precision', 'accuracy', 'tpr', 'fpr', 'base_rate')
  for k in (0, 1):
    axes[1].bar(np.arange(len(rates)) + (k - 0.5) * 0.4,
                [fair.get(f'{r}_g{k}', np.nan) for r in rates], 0.4, label=f'group {k}')
  axes[1].set_xticks(range(len(rates)), rates, fontsize=8)
  axes[1].legend(fontsize=8)
  axes[1].set_title(f'statistical parity gap {fair.get("statistical_parity", np.nan):.3f}, '
                    f'equal opportunity gap {fair.get("equal_opportunity", np.nan):.3f}',
                    fontsize=9)
  return viz._write(fig, path)  # pylint: disable=protected-access
