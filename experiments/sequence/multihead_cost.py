r"""Multi-head attention costs the same for every split h x d_h of d_model (seed 000 A3, seed 002
§1.10, c9: 100 = 4 x 25, 512 = 8 x 64).

  python -m experiments.study sequence/multihead_cost --workdir=runs/multihead_cost [--preset=cpu] [--publish]

dljax.models.attention.MultiHeadAttention with d_model = h d_h has W^Q, W^K, W^V: d x h x d_h and
W^O: h x d_h x d, so its parameters are 4 d^2 + 4 d (with biases) for every h. Its forward pass on
B x T tokens costs, in multiply-adds x 2,
  projections 4 x 2 B T d^2  +  scores Q K^T: 2 B h T^2 d_h = 2 B T^2 d  +  A V: 2 B T^2 d
  = 8 B T d^2 + 4 B T^2 d                                        (independent of h)
plus the softmax, O(B h T^2): the only term that grows with h (h score matrices of T x T).
For each (d_model, h) of the preset: the parameter count, that analytic count, XLA's count of the
lowered forward and forward+backward (jax.jit(f).lower(...).cost_analysis()['flops']), and the
measured forward+backward time (median of `repeats` calls after compilation, in each of 3 rounds:
mean ± std over the rounds; 2-core shared CPU, so only the ratios between rows mean anything).
Table and multihead_cost.png (FLOPs and time against h, relative to h = 1).
Expected: identical parameters; XLA FLOPs within a few % of h = 1 (the softmax term); times close
at d = 512, and for small d_h the many tiny per-head matmuls can run slower on a CPU.
Measured (cpu, ~4 min on a 2-core CPU shared with other jobs): 40,400 / 1,050,624 parameters for
every h; XLA forward FLOPs +4.3 % at 10 x 10 and +0.4 % at 16 x 32 over h = 1; times 0.7-3.1x those
of h = 1, growing with h for small d_h, and noisy (docs/sequence/notes.md).
"""
import time

import jax
import jax.numpy as jnp
import numpy as np

from dljax.models.attention import MultiHeadAttention
from experiments.tools import study_utils

SEEDS = 3  # the timing rounds (no training)
PRESETS = {'smoke': dict(splits={100: (1, 4)}, batch=2, length=8, repeats=2, rounds=1),
           'cpu': dict(splits={100: (1, 2, 4, 5, 10), 512: (1, 2, 4, 8, 16)}, batch=8, length=128,
                       repeats=5, rounds=3)}


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return []  # no training: report() measures


def param_count(params) -> int:
  return int(sum(np.prod(p.shape) for p in jax.tree_util.tree_leaves(params)))


def analytic_flops(batch: int, length: int, d_model: int) -> int:
  """2 x multiply-adds of the matmuls: 8 B T d^2 + 4 B T^2 d (the same for every h)."""
  return 8 * batch * length * d_model ** 2 + 4 * batch * length ** 2 * d_model


def xla_flops(fn, *args) -> float:
  cost = jax.jit(fn).lower(*args).cost_analysis()
  cost = cost[0] if isinstance(cost, (list, tuple)) else cost
  return float(cost['flops'])


def measure(d_model: int, heads: int, p: dict) -> dict:
  model = MultiHeadAttention(heads, d_model=d_model)
  x_BxTxD = jax.random.normal(jax.random.PRNGKey(0), (p['batch'], p['length'], d_model))
  params = model.init(jax.random.PRNGKey(1), x_BxTxD)['params']

  def forward(params, x):
    return model.apply({'params': params}, x)

  def loss(params, x):
    return jnp.mean(forward(params, x) ** 2)
  step = jax.jit(jax.grad(loss))
  jax.block_until_ready(step(params, x_BxTxD))  # compile
  rounds = []
  for _ in range(p['rounds']):
    times = []
    for _ in range(p['repeats']):
      t0 = time.perf_counter()
      jax.block_until_ready(step(params, x_BxTxD))
      times.append(time.perf_counter() - t0)
    rounds.append(1e3 * float(np.median(times)))
  return {'heads': heads, 'head_dim': d_model // heads, 'params': param_count(params),
          'analytic_flops': analytic_flops(p['batch'], p['length'], d_model),
          'xla_flops_fwd': xla_flops(forward, params, x_BxTxD),
          'xla_flops_fwd_bwd': xla_flops(jax.grad(loss), params, x_BxTxD),
          'ms_fwd_bwd': {'mean': float(np.mean(rounds)), 'std': float(np.std(rounds)),
                         'rounds': rounds}}


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  """{'batch', 'length', 'rounds', str(d_model): [row per h]} and multihead_cost.png."""
  del summaries
  study_utils.check_preset(preset, tuple(PRESETS))
  p = PRESETS[preset]
  table = {'batch': p['batch'], 'length': p['length'], 'rounds': p['rounds']}
  for d_model, splits in p['splits'].items():
    rows = [measure(d_model, h, p) for h in splits]
    for r in rows:
      r['xla_fwd_vs_h1'] = r['xla_flops_fwd'] / rows[0]['xla_flops_fwd']
      r['time_vs_h1'] = r['ms_fwd_bwd']['mean'] / rows[0]['ms_fwd_bwd']['mean']
      print(f'd={d_model} {r["heads"]:>2} x {r["head_dim"]:<3} params {r["params"]:>8} '
            f'analytic {r["analytic_flops"]:.3e} xla fwd {r["xla_flops_fwd"]:.3e} '
            f'({r["xla_fwd_vs_h1"]:.3f}) fwd+bwd {r["xla_flops_fwd_bwd"]:.3e} '
            f'{r["ms_fwd_bwd"]["mean"]:.2f} ± {r["ms_fwd_bwd"]["std"]:.2f} ms')
    table[str(d_model)] = rows
  plot(table, p, f'{out}/multihead_cost.png')
  return table


def plot(table: dict, p: dict, path_png: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top  (first: selects matplotlib's Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
  for d_model in p['splits']:
    rows = table[str(d_model)]
    hs = [r['heads'] for r in rows]
    axes[0].plot(hs, [r['xla_fwd_vs_h1'] for r in rows], 'o-', label=f'd={d_model}: XLA fwd')
    axes[0].plot(hs, [r['xla_flops_fwd_bwd'] / rows[0]['xla_flops_fwd_bwd'] for r in rows], 's--',
                 label=f'd={d_model}: XLA fwd+bwd')
    t0 = rows[0]['ms_fwd_bwd']['mean']
    axes[1].errorbar(hs, [r['ms_fwd_bwd']['mean'] / t0 for r in rows],
                     yerr=[r['ms_fwd_bwd']['std'] / t0 for r in rows], marker='o', capsize=3,
                     label=f'd={d_model}')
  for ax, title in zip(axes, ('FLOPs relative to h = 1', 'fwd+bwd time relative to h = 1 (CPU)')):
    ax.set_xscale('log', base=2)
    ax.set_xlabel('heads h (d_h = d / h)')
    ax.axhline(1.0, color='gray', ls=':')
    ax.set_title(title)
    ax.legend(fontsize=8)
  fig.suptitle(f'multi-head attention, B = {table["batch"]}, T = {table["length"]}: same '
               'parameters for every h')
  return viz._write(fig, path_png)  # pylint: disable=protected-access
