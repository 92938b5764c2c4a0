r"""O(n^2) self-attention against an O(n) but sequential RNN (seed 001 §1.9, c31): forward+backward
time of one layer of the same width as the sequence length n grows.

  python -m experiments.study sequence/attention_vs_rnn_time --workdir=runs/attn_vs_rnn [--preset=cpu] [--publish]

Layers of width d on B x n x d inputs, the gradient of mean(output^2) w.r.t. the parameters:
  attention  dljax MultiHeadAttention (h heads): work 8 n d^2 + 4 n^2 d per sequence (x 2-3 for
             the backward), every position at once: the parallel depth (sequential steps) is O(1)
             in n (the matmuls and the softmax, whatever n is; O(log n) with a tree reduction)
  lstm, gru  dljax Recurrent scans: work ~ n (8 or 6) d^2, but n dependent steps forward and n
             backward: the parallel depth is O(n)
For every n: the median of `repeats` timed calls after compilation, in each of 3 rounds (mean ±
std over the rounds), on whatever device runs it; the exponent of time ~ n^k fitted on the larger
half of the n grid (log-log least squares); and the count of sequential steps.
Times here come from a 2-core CPU shared with other jobs: a CPU has little parallelism to offer the
attention's n^2 work, so there the O(n^2) cost shows and the RNN's sequential steps cost little;
on an accelerator the ranking flips until the n^2 work saturates it.
Table and attention_vs_rnn_time.png. Measured (cpu, ~5 min, shared 2-core CPU): attention 2.2 ms
at n = 64 -> 4.2 s at 2048 (exponent 2.1), LSTM 3.3 -> 271 ms (1.5), GRU 6.7 -> 120 ms (1.1);
attention is the faster layer up to n = 256 only (docs/sequence/notes.md).
"""
import time

import jax
import jax.numpy as jnp
import numpy as np

from dljax.models.attention import MultiHeadAttention
from dljax.models.rnn import Recurrent
from experiments.tools import study_utils

SEEDS = 3  # the timing rounds (no training)
LAYERS = ('attention', 'lstm', 'gru')
PRESETS = {'smoke': dict(lengths=(8,), d=8, heads=2, batch=1, repeats=2, rounds=1,
                         layers=('attention', 'lstm')),
           'cpu': dict(lengths=(64, 128, 256, 512, 1024, 2048), d=64, heads=4, batch=4,
                       repeats=5, rounds=3, layers=LAYERS)}


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return []  # no training: report() measures


def make_layer(name: str, d: int, heads: int):
  """x_BxNxD -> y_BxNxD of the named layer."""
  if name == 'attention':
    return MultiHeadAttention(heads, d_model=d)
  if name in ('lstm', 'gru'):
    rnn = Recurrent(name, d)
    return _Outputs(rnn)
  raise ValueError(f'layer {name!r} is unknown; use one of {LAYERS}.')


class _Outputs:
  """A Recurrent that returns only its outputs (init/apply like a linen module)."""

  def __init__(self, rnn):
    self.rnn = rnn

  def init(self, key, x):
    return self.rnn.init(key, x)

  def apply(self, variables, x):
    return self.rnn.apply(variables, x)[1]


def sequential_steps(name: str, n: int) -> int:
  """Dependent steps of the forward pass: 1 layer-wide step for attention, n for a recurrence."""
  return 1 if name == 'attention' else n


def time_layer(name: str, n: int, p: dict) -> list:
  """[median ms of `repeats` fwd+bwd calls] per round."""
  layer = make_layer(name, p['d'], p['heads'])
  x_BxNxD = jax.random.normal(jax.random.PRNGKey(n), (p['batch'], n, p['d']))
  params = layer.init(jax.random.PRNGKey(0), x_BxNxD)
  step = jax.jit(jax.grad(lambda params, x: jnp.mean(layer.apply(params, x) ** 2)))
  jax.block_until_ready(step(params, x_BxNxD))  # compile
  rounds = []
  for _ in range(p['rounds']):
    times = []
    for _ in range(p['repeats']):
      t0 = time.perf_counter()
      jax.block_until_ready(step(params, x_BxNxD))
      times.append(time.perf_counter() - t0)
    rounds.append(1e3 * float(np.median(times)))
  return rounds


def fit_exponent(lengths, ms) -> float:
  """k of ms ~ c n^k, least squares in log-log on the larger half of the lengths (None: < 2)."""
  half = len(lengths) // 2
  n, t = np.log(np.asarray(lengths[half:], float)), np.log(np.asarray(ms[half:], float))
  return float(np.polyfit(n, t, 1)[0]) if len(n) >= 2 else None


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  """{'d', 'heads', 'batch', 'device', 'lengths', layer: {'ms': [{mean, std} per n], 'exponent',
  'sequential_steps'}} and attention_vs_rnn_time.png."""
  del summaries
  study_utils.check_preset(preset, tuple(PRESETS))
  p = PRESETS[preset]
  table = {k: p[k] for k in ('d', 'heads', 'batch', 'repeats', 'rounds')}
  table['lengths'] = list(p['lengths'])
  table['device'] = str(jax.devices()[0].device_kind)
  table['layers'] = list(p['layers'])
  for name in p['layers']:
    rounds = [time_layer(name, n, p) for n in p['lengths']]
    means = [float(np.mean(r)) for r in rounds]
    table[name] = {'ms': [{'mean': m, 'std': float(np.std(r))} for m, r in zip(means, rounds)],
                   'exponent': fit_exponent(p['lengths'], means),
                   'sequential_steps': [sequential_steps(name, n) for n in p['lengths']]}
    print(f'{name:>9}: ' + '  '.join(f'n={n}: {m:.2f} ms' for n, m in zip(p['lengths'], means))
          + f'  exponent {table[name]["exponent"]}')
  plot(table, f'{out}/attention_vs_rnn_time.png')
  return table


def plot(table: dict, path_png: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top  (first: selects matplotlib's Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
  n = table['lengths']
  for name in table['layers']:
    rec = table[name]
    k = rec['exponent']
    axes[0].errorbar(n, [m['mean'] for m in rec['ms']], yerr=[m['std'] for m in rec['ms']],
                     marker='o', capsize=3, label=name + (f' (n^{k:.2f})' if k else ''))
    axes[1].plot(n, rec['sequential_steps'], 'o-', label=name)
  axes[0].set_ylabel('fwd+bwd time (ms)')
  axes[0].set_title(f'one layer, d = {table["d"]}, B = {table["batch"]} ({table["device"]})')
  axes[1].set_ylabel('sequential steps of the forward pass')
  axes[1].set_title('parallel depth')
  for ax in axes:
    ax.set_xscale('log', base=2)
    ax.set_yscale('log')
    ax.set_xlabel('sequence length n')
    ax.legend(fontsize=8)
  return viz._write(fig, path_png)  # pylint: disable=protected-access
