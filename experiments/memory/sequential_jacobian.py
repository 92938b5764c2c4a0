r"""Implicit attention: the sequential Jacobian of a trained recurrent net (seed 000, M9/A13/E5, c7).

  python -m experiments.study memory/sequential_jacobian --workdir=runs/sequential_jacobian [--preset=cpu] [--publish]

A recurrent net has no attention weights, but it still decides which inputs matter: the
sequential Jacobian J_{T,s} = d y_T / d x_s (Graves 2012, ch. 6) measures how much the output at
the last step T moves with the input at step s. Where an attention model would look is where
|J_{T,s}| is large: the net's implicit attention.

Runs: configs/sequence/adding_rnn.py (the adding problem: y_T = the sum of the two marked values
among T = 100) with the GRU (which solves it at the cpu budget) and the tanh RNN (which stays at
the predict-the-mean MSE). report() reloads each run and computes, on 256 test sequences,
a_s = ||d y_T / d x_s||_2 (over the 2 input features) by reverse mode (one backward pass per
sequence, jax.vmap over the batch), and the implicit-attention precision: the share of
sum_s a_s that falls on the two marked steps (chance for a uniform profile: 2 / T = 2 %); the
same share for the value channel alone, |d y_T / d value_s| (the exact solution y = sum_s m_s v_s
has d y / d v_s = m_s: all of it on the marked steps, while d y / d m_s = v_s is nonzero at every
step, so the two-channel norm cannot reach 100 %).
SEEDS = 3: mean ± std of that share and of the test MSE. Plot sequential_jacobian.png: a_s
against s for three test sequences per model with the marked steps drawn, and the share as bars.
Expected: the solved GRU puts most of its sensitivity on the marked steps, the RNN spreads it
over the last few steps (it cannot carry information 50+ steps). Numbers: docs/memory/notes.md.
"""
import numpy as np

from configs.sequence import adding_rnn
from experiments.tools import study_utils

SEEDS = 3
CELLS = ('gru', 'rnn')


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset)
  for cell in CELLS if preset == 'cpu' else ('gru',):
    config = adding_rnn.get_config(preset)
    config.model.name = cell
    yield cell, config


def sensitivity(summary: dict, limit: int = 256):
  """(a_NxT = ||d y_T / d x_s||, v_NxT = |d y_T / d value_s|, marked_Nx2, test MSE) of the run on
  its first `limit` test sequences."""
  import jax  # pylint: disable=g-import-not-at-top
  import jax.numpy as jnp  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  run = loop.load_run(summary['workdir'])
  test = run.data['test']
  x_NxTxD = jnp.asarray(test['x'][:limit])
  net = run.state.nets['model']

  def y_last(x_TxD):  # the output at the last step for one sequence
    logits, _ = run.task.forward(net, x_TxD[None])
    return logits[0, -1, 0]

  jac_NxTxD = jax.jit(jax.vmap(jax.grad(y_last)))(x_NxTxD)
  a_NxT = np.asarray(jnp.linalg.norm(jac_NxTxD, axis=-1), np.float64)
  v_NxT = np.abs(np.asarray(jac_NxTxD[..., 0], np.float64))  # the value channel only
  return a_NxT, v_NxT, np.asarray(test['marked'][:limit]), summary['final'].get('test/loss')


def marked_share(a_NxT, marked_Nx2) -> np.ndarray:
  """Per sequence: sum of a_s over the marked steps / sum over all steps."""
  on = np.take_along_axis(a_NxT, marked_Nx2, axis=1).sum(1)
  return on / np.maximum(a_NxT.sum(1), 1e-30)


def report(summaries: dict, out: str) -> dict:
  """{setup, runs: {cell: {marked_share, marked_share_std, test_mse, test_mse_std, seeds}}}."""
  table = {'setup': {'task': 'adding problem', 'chance_share': None}, 'runs': {}}
  examples = {}
  for cell, summary in summaries.items():
    shares, value_shares, mses = [], [], []
    for k, seed_summary in enumerate(summary.get('seeds') or [summary]):
      a_NxT, v_NxT, marked, mse = sensitivity(seed_summary)
      shares.append(float(marked_share(a_NxT, marked).mean()))
      value_shares.append(float(marked_share(v_NxT, marked).mean()))
      mses.append(mse)
      if k == 0:
        examples[cell] = (a_NxT[:3], marked[:3])
        table['setup']['chance_share'] = 2.0 / a_NxT.shape[1]
        table['setup']['length'] = int(a_NxT.shape[1])
    sd = lambda v: float(np.std(v, ddof=1)) if len(v) > 1 else 0.0
    table['runs'][cell] = {'marked_share': float(np.mean(shares)), 'marked_share_std': sd(shares),
                           'value_marked_share': float(np.mean(value_shares)),
                           'value_marked_share_std': sd(value_shares),
                           'test_mse': float(np.mean(mses)), 'test_mse_std': sd(mses),
                           'seeds': len(shares)}
  plot(table, examples, f'{out}/sequential_jacobian.png')
  return table


def plot(table: dict, examples: dict, path: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top  (first: selects matplotlib's Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  del viz
  cells = list(examples)
  fig, axes = plt.subplots(1, len(cells) + 1, figsize=(4.6 * (len(cells) + 1), 3.8))
  for ax, cell in zip(axes, cells):
    a_NxT, marked = examples[cell]
    for i, color in zip(range(len(a_NxT)), ('C0', 'C1', 'C2')):
      ax.plot(np.arange(1, a_NxT.shape[1] + 1), a_NxT[i], color=color, lw=1)
      for s in marked[i]:
        ax.axvline(s + 1, color=color, ls=':', lw=1)
    ax.set_yscale('log')
    ax.set_xlabel('input step s (dotted: the marked steps)')
    ax.set_ylabel('||d y_T / d x_s||')
    rec = table['runs'][cell]
    ax.set_title(f"{cell}: test MSE {rec['test_mse']:.3g}")
  names = list(table['runs'])
  xs = np.arange(len(names))
  axes[-1].bar(xs - 0.2, [100 * table['runs'][n]['marked_share'] for n in names], 0.4,
               yerr=[100 * table['runs'][n]['marked_share_std'] for n in names], color='C0',
               label='both input channels')
  axes[-1].bar(xs + 0.2, [100 * table['runs'][n]['value_marked_share'] for n in names], 0.4,
               yerr=[100 * table['runs'][n]['value_marked_share_std'] for n in names], color='C1',
               label='value channel only')
  axes[-1].set_xticks(xs, names)
  axes[-1].axhline(100 * table['setup']['chance_share'], color='k', ls='--', label='uniform')
  axes[-1].set_ylabel('share of sensitivity on the 2 marked steps (%)')
  axes[-1].legend()
  fig.suptitle('Implicit attention: the sequential Jacobian on the adding problem')
  fig.tight_layout()
  fig.savefig(path, dpi=110)
  plt.close(fig)
  return path
