r"""Scaled vs unscaled dot-product attention (seed 002 c8; the notes' "/d" is an erratum for
1/sqrt(d)): how the softmax saturates as the head dimension d grows.

  python -m experiments.study sequence/attention_scaling --workdir=runs/attention_scaling [--preset=cpu] [--publish]

Queries and keys have unit-variance entries (what LayerNorm followed by a variance-preserving
projection gives), so <q, k> = sum_i q_i k_i has mean 0 and variance d. The logits are
z_j = s <q, k_j>, s = 1/sqrt(d) ('sqrt', Vaswani et al. 2017), 1/d ('linear') or 1 ('none')
(dljax.models.attention.logit_scale), and a = softmax(z) over n keys. For every d of the preset,
`draws` independent draws of n queries and n keys, measured per query and averaged:
  logit std      the std of z over the keys: sqrt(d) s, i.e. 1, 1/sqrt(d), sqrt(d)
  max weight     max_j a_j (1/n for a uniform softmax, 1 for a one-hot one)
  entropy        -sum_j a_j log a_j in nats (log n uniform, 0 one-hot)
  saturated      the fraction of queries whose max weight exceeds 0.99 (their ||J||_F < 0.015)
  ||J||_F        the softmax Jacobian J = diag(a) - a a^T (d a / d z): -> 0 as a saturates
  ||da/dq||_F    the gradient that reaches the query, s J K (jax.jacrev), and
  ||da/dK||_F    the one that reaches the keys, s J (x) q: both vanish when the softmax saturates
                 (but on the way there the factor s ||K|| = sqrt(d) of the unscaled logits makes
                 the mean norm grow: the gradient concentrates on the rows not yet saturated).
Table: mean ± std over the draws, per (scaling, d). Plot attention_scaling.png: the six against d.
The training side of the same question is the `unscaled` variant of
configs/sequence/mnist1d_transformer.py (docs/sequence/notes.md).
Expected: with 1/sqrt(d) every quantity stays flat in d; without scaling the logit std grows as
sqrt(d), the max weight -> 1, the entropy and ||J|| -> 0 and more and more rows saturate; with 1/d
the softmax tends to uniform (no selection at all) and the gradient to q, k shrinks like 1/sqrt(d).
Measured (cpu, 3 draws, ~1 min on a shared 2-core CPU): unscaled, d = 4 / 64 / 1024: logit std
1.8 / 7.8 / 32.0, max weight 0.26 / 0.79 / 0.94, saturated rows 0 / 16 / 69 %; 1/sqrt(d): logit std
0.90-1.00, max weight 0.10-0.11, none saturated (docs/sequence/notes.md).
"""
import jax
import jax.numpy as jnp
import numpy as np

from dljax.models import attention
from experiments.tools import study_utils

SEEDS = 3  # the report's random draws (no training)
PRESETS = {'smoke': dict(dims=(16,), n=8, draws=1),
           'cpu': dict(dims=(4, 16, 64, 256, 1024), n=64, draws=3)}
METRICS = ('logit_std', 'max_weight', 'entropy', 'saturated', 'jacobian', 'grad_q', 'grad_k')
SATURATED = 0.99  # a query whose largest weight exceeds this is counted as saturated


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return []  # no training: report() measures


def softmax_jacobian(a_S):
  """J = d softmax(z) / d z = diag(a) - a a^T (S x S)."""
  return jnp.diag(a_S) - jnp.outer(a_S, a_S)


@jax.jit
def measure(q_NxD, k_NxD, s):
  """Per query (N of them, each against the N keys), with logit factor s: the six METRICS, each an
  N-vector. (s is traced: one compilation per shape.)"""

  def weights(q_D, k_NxD):
    return jax.nn.softmax(s * k_NxD @ q_D)  # a = softmax(s K q)

  def one(q_D):
    z_N = s * k_NxD @ q_D
    a_N = jax.nn.softmax(z_N)
    entropy = -jnp.sum(jnp.where(a_N > 0, a_N * jnp.log(jnp.where(a_N > 0, a_N, 1.0)), 0.0))
    da_dq_NxD = jax.jacrev(weights, argnums=0)(q_D, k_NxD)        # s J K
    da_dk_NxNxD = jax.jacrev(weights, argnums=1)(q_D, k_NxD)      # s J (x) q
    return (jnp.std(z_N), jnp.max(a_N), entropy, (jnp.max(a_N) > SATURATED).astype(jnp.float32),
            jnp.linalg.norm(softmax_jacobian(a_N)),
            jnp.linalg.norm(da_dq_NxD), jnp.linalg.norm(da_dk_NxNxD))
  return jax.vmap(one)(q_NxD)


def compute(preset: str) -> dict:
  """{scaling: {d: {metric: [value per draw]}}}: each value the mean over the n queries."""
  study_utils.check_preset(preset, tuple(PRESETS))
  p = PRESETS[preset]
  out = {sc: {d: {m: [] for m in METRICS} for d in p['dims']} for sc in attention.SCALINGS}
  for draw in range(p['draws']):
    for d in p['dims']:
      kq, kk = jax.random.split(jax.random.fold_in(jax.random.PRNGKey(draw), d))
      q_NxD = jax.random.normal(kq, (p['n'], d))  # unit-variance entries
      k_NxD = jax.random.normal(kk, (p['n'], d))
      for sc in attention.SCALINGS:
        values = measure(q_NxD, k_NxD, attention.logit_scale(d, sc))
        for m, v in zip(METRICS, values):
          out[sc][d][m].append(float(np.mean(v)))
  return out


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  """{'n', 'draws', 'uniform': {max_weight, entropy}, scaling: {d: {metric: {mean, std}}}} and
  attention_scaling.png."""
  del summaries
  result = compute(preset)
  p = PRESETS[preset]
  table = {'n': p['n'], 'draws': p['draws'],
           'uniform': {'max_weight': 1.0 / p['n'], 'entropy': float(np.log(p['n']))}}
  for sc, by_d in result.items():
    table[sc] = {str(d): {m: {'mean': float(np.mean(v)), 'std': float(np.std(v))}
                          for m, v in ms.items()} for d, ms in by_d.items()}
  plot(table, p['dims'], f'{out}/attention_scaling.png')
  for sc in attention.SCALINGS:
    rows = [table[sc][str(d)] for d in p['dims']]
    print(f'{sc:>6}: ' + '  '.join(
        f'd={d}: std {r["logit_std"]["mean"]:.2f} max {r["max_weight"]["mean"]:.2f} '
        f'H {r["entropy"]["mean"]:.2f} sat {r["saturated"]["mean"]:.2f}'
        for d, r in zip(p['dims'], rows)))
  return table


def plot(table: dict, dims, path_png: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top  (first: selects matplotlib's Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  titles = {'logit_std': 'logit std over keys', 'max_weight': 'max softmax weight',
            'entropy': 'softmax entropy (nats)',
            'saturated': f'fraction of queries with max weight > {SATURATED}',
            'jacobian': '||J||_F, J = diag(a) - a a^T',
            'grad_q': '||da/dq||_F', 'grad_k': '||da/dK||_F'}
  fig, axes = plt.subplots(2, 4, figsize=(18, 8.5))
  fig.subplots_adjust(hspace=0.35, wspace=0.3)
  axes[1, 3].axis('off')
  labels = {'sqrt': 's = 1/sqrt(d)', 'linear': 's = 1/d', 'none': 's = 1 (unscaled)'}
  for ax, m in zip(axes.ravel(), METRICS):
    for sc in attention.SCALINGS:
      mean = [table[sc][str(d)][m]['mean'] for d in dims]
      std = [table[sc][str(d)][m]['std'] for d in dims]
      ax.errorbar(dims, mean, yerr=std, marker='o', capsize=3, label=labels[sc])
    if m == 'max_weight':
      ax.axhline(table['uniform']['max_weight'], color='gray', ls=':', label='uniform 1/n')
    if m == 'entropy':
      ax.axhline(table['uniform']['entropy'], color='gray', ls=':', label='uniform log n')
    ax.set_xscale('log', base=2)
    if m in ('logit_std', 'jacobian', 'grad_q', 'grad_k'):
      ax.set_yscale('log')
    ax.set_xlabel('head dimension d')
    ax.set_title(titles[m])
    ax.legend(fontsize=7)
  fig.suptitle(f'softmax(s <q, k>) over n = {table["n"]} keys, unit-variance q, k '
               f'(mean ± std over {table["draws"]} draws)')
  return viz._write(fig, path_png)  # pylint: disable=protected-access
