r"""Rank collapse of pure attention (seed 003 §1.6, c16; Dong, Cordonnier & Loukas 2021, "Attention
is not all you need: pure attention loses rank doubly exponentially with depth").

  python -m experiments.study sequence/rank_collapse --workdir=runs/rank_collapse [--preset=cpu] [--publish]

The residual of X (n tokens x d features) from the nearest matrix of identical rows 1 x^T:
  res(X) = ||X - 1 x_bar^T||_F / ||X||_F,   x_bar = the mean row (the Frobenius-best such matrix)
res = 0 means every token carries the same vector (rank 1). Dong et al. bound the residual of a
pure self-attention stack by res_L <= (c res_0)^(3^L): doubly exponential decay, because each layer
replaces every token by a convex combination of tokens. Skip connections break the bound (the path
that skips every layer keeps X), an MLP slows it only through its Lipschitz constant.
Stacks of random-initialised layers (fresh parameters per layer, flax defaults, as at the start
of training) on X with N(0, 1) entries, res measured after every layer, for
  attention          X <- SA(X)                  (multi-head self-attention with W^O, no norm)
  attention_skip     X <- X + SA(X)
  attention_mlp      X <- MLP(SA(X))             (FFN of width 4d, GELU; no skip, no norm)
  block_noresidual   dljax Block(residual=False): X <- MLP(LN(SA(LN(X))))   (pre-norm, no skips)
  block              dljax Block: X <- X + SA(LN(X)); X <- X + MLP(LN(X))   (the standard block)
over `seeds` seeds (parameters and X): mean and std of log10 res per depth; res_floor marks the
float32 resolution (~1e-7: below it res is rounding noise). Table: res at a few depths and the
first depth at which res < 1e-3 (None: never within the stack); plot rank_collapse.png (log).
Expected: pure attention and attention + MLP fall below 1e-3 within a few layers; every variant
with skips stays near its start.
Measured (cpu, 3 seeds, ~1 min on a shared 2-core CPU): below 1e-3 at depth 3 (attention,
attention_mlp), 4 (block_noresidual), never within 24 layers with skips (attention_skip 5.0e-3 and
block 0.48 at depth 24) (docs/sequence/notes.md).
"""
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from dljax.models.attention import MultiHeadAttention
from dljax.models.transformer import Block, FeedForward
from experiments.tools import study_utils

SEEDS = 3  # random draws of X and of the parameters (no training)
THRESHOLD = 1e-3
VARIANTS = ('attention', 'attention_skip', 'attention_mlp', 'block_noresidual', 'block')
PRESETS = {'smoke': dict(depth=2, n=8, d=16, heads=2, seeds=1, variants=('attention', 'block')),
           'cpu': dict(depth=24, n=32, d=64, heads=4, seeds=3, variants=VARIANTS)}


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return []  # no training: report() measures


def residual(x_NxD):
  """res(X) = ||X - 1 x_bar^T||_F / ||X||_F."""
  return jnp.linalg.norm(x_NxD - x_NxD.mean(axis=0, keepdims=True)) / jnp.linalg.norm(x_NxD)


class Layer(nn.Module):
  """One layer of a stack of the given variant (see the module docstring)."""
  variant: str
  heads: int

  @nn.compact
  def __call__(self, x_BxNxD):
    d = x_BxNxD.shape[-1]
    if self.variant.startswith('block'):
      return Block(self.heads, 4 * d, residual=self.variant == 'block', name='block')(x_BxNxD)
    attended = MultiHeadAttention(self.heads, d_model=d, name='attention')(x_BxNxD)
    if self.variant == 'attention':
      return attended
    if self.variant == 'attention_skip':
      return x_BxNxD + attended
    if self.variant == 'attention_mlp':
      return FeedForward(4 * d, name='mlp')(attended)
    raise ValueError(f'rank_collapse variant={self.variant!r} is unknown; use one of {VARIANTS}.')


def residuals(variant: str, depth: int, n: int, d: int, heads: int, seed: int) -> np.ndarray:
  """[res(X_0), res(X_1), ..., res(X_depth)] of a random stack of `variant`."""
  key = jax.random.PRNGKey(seed)
  x_1xNxD = jax.random.normal(jax.random.fold_in(key, 10_000), (1, n, d))
  layer = Layer(variant, heads)
  init, apply = jax.jit(layer.init), jax.jit(layer.apply)
  out = [float(residual(x_1xNxD[0]))]
  for l in range(depth):
    params = init(jax.random.fold_in(key, l), x_1xNxD)  # fresh parameters per layer
    x_1xNxD = apply(params, x_1xNxD)
    out.append(float(residual(x_1xNxD[0])))
  return np.asarray(out)


def first_below(res_L, threshold: float = THRESHOLD):
  below = np.nonzero(np.asarray(res_L) < threshold)[0]
  return int(below[0]) if below.size else None


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  """{'depth', 'n', 'd', 'heads', 'seeds', 'threshold', variant: {log10_res_mean, log10_res_std
  (per depth 0..L), res_at (depth: mean ± std), first_below (per seed)}} and rank_collapse.png."""
  del summaries
  study_utils.check_preset(preset, tuple(PRESETS))
  p = PRESETS[preset]
  table = {k: p[k] for k in ('depth', 'n', 'd', 'heads', 'seeds')}
  table['threshold'] = THRESHOLD
  table['res_floor'] = float(np.finfo(np.float32).eps)
  marks = [l for l in (1, 2, 3, 4, 6, 8, 12, 16, 24, 32) if l <= p['depth']]
  table['variants'] = list(p['variants'])
  for variant in p['variants']:
    res_SxL = np.stack([residuals(variant, p['depth'], p['n'], p['d'], p['heads'], s)
                        for s in range(p['seeds'])])
    log_SxL = np.log10(np.maximum(res_SxL, 1e-30))
    table[variant] = {
        'log10_res_mean': log_SxL.mean(0).tolist(), 'log10_res_std': log_SxL.std(0).tolist(),
        'res_at': {str(l): {'mean': float(res_SxL[:, l].mean()), 'std': float(res_SxL[:, l].std())}
                   for l in marks},
        'first_below': [first_below(r) for r in res_SxL]}
    print(f'{variant:>17}: ' + '  '.join(f'L={l}: {res_SxL[:, l].mean():.1e}' for l in marks)
          + f'  first < {THRESHOLD:g}: {table[variant]["first_below"]}')
  plot(table, f'{out}/rank_collapse.png')
  return table


def plot(table: dict, path_png: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top  (first: selects matplotlib's Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, ax = plt.subplots(figsize=(7.5, 4.8))
  depths = np.arange(table['depth'] + 1)
  for variant in table['variants']:
    mean = np.asarray(table[variant]['log10_res_mean'])
    std = np.asarray(table[variant]['log10_res_std'])
    ax.plot(depths, 10 ** mean, 'o-', ms=3, label=variant)
    ax.fill_between(depths, 10 ** (mean - std), 10 ** (mean + std), alpha=0.2)
  ax.axhline(table['threshold'], color='gray', ls=':', label=f'{table["threshold"]:g}')
  ax.axhline(table['res_floor'], color='k', ls='--', lw=0.8, label='float32 eps')
  ax.set_yscale('log')
  ax.set_xlabel('depth (layers)')
  ax.set_ylabel('res(X) = ||X - 1 x_bar^T||_F / ||X||_F')
  ax.set_title(f'rank collapse at random init: n = {table["n"]} tokens, d = {table["d"]}, '
               f'{table["heads"]} heads ({table["seeds"]} seeds, mean ± std of log10)')
  ax.legend(fontsize=8)
  return viz._write(fig, path_png)  # pylint: disable=protected-access
