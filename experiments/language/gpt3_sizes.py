r"""GPT-3's size table (Brown et al. 2020, Table 2.1) as dljax models: parameters and FLOPs per token.

  python -m experiments.study language/gpt3_sizes --workdir=runs/gpt3_sizes [--preset=cpu] [--publish]

Trains nothing (no runs): report() builds dljax.models.transformer.LM with each row of GPT3_SIZES
(`--config.model.size=13B` selects one in configs/language/shakespeare_gpt.py) at n_ctx 2048 and the
BPE vocabulary of 50257, and tabulates
  n_params (ours: jax.eval_shape of init; published: the table), n_layers, d_model, n_heads, d_head,
  the table's batch (tokens) and learning rate,
  FLOPs per token: 6N (the training estimate, forward + backward, of Kaplan et al. 2020) against
  3 x XLA's count of the lowered forward pass of one 2048-token sequence / 2048 (which also counts
  the attention scores, 2 n_layer n_ctx d_model per token, and the logits),
and checks 6 N D for GPT-3 175B on its 300B training tokens against the paper's 3.14e23 FLOPs.
Erratum E7: the table prints d_model 5140 for 13B; 40 heads x 128 = 5120 is used. The XL row prints
24 heads of 128 with d_model 2048; the row keeps d_model and d_head (16 heads): no parameter
depends on the split. The counts are deterministic (one "seed" is all there is); nothing is trained
(300B-token corpora are not available offline) so no loss is measured.
Plot gpt3_sizes.png: ours vs published n_params, and FLOPs/token against N (log-log).
Expected (cpu, ~1-2 min on 2 cores): 125.2M ... 174.6B, all within 2 % of the table
(docs/language/notes.md). Smoke: the small model, its FLOPs on a 64-token sequence.
"""
import os

from dljax.models import sizes, transformer
from experiments.tools import study_utils

# Table 2.1's columns that dljax does not need to build the model: (n_heads, d_model as printed,
# batch in tokens, learning rate)
TABLE = {
    'small': ('GPT-3 Small', 12, 768, 0.5e6, 6.0e-4),
    'medium': ('GPT-3 Medium', 16, 1024, 0.5e6, 3.0e-4),
    'large': ('GPT-3 Large', 16, 1536, 0.5e6, 2.5e-4),
    'xl': ('GPT-3 XL', 24, 2048, 1e6, 2.0e-4),
    '2.7B': ('GPT-3 2.7B', 32, 2560, 1e6, 1.6e-4),
    '6.7B': ('GPT-3 6.7B', 32, 4096, 2e6, 1.2e-4),
    '13B': ('GPT-3 13B', 40, 5140, 2e6, 1.0e-4),
    '175B': ('GPT-3 175B', 96, 12288, 3.2e6, 0.6e-4),
}
TRAIN_TOKENS = 300e9           # every GPT-3 model was trained on 300B tokens
PAPER_TRAIN_FLOPS_175B = 3.14e23   # the paper's total training compute of 175B (Table D.1)
PRESETS = {'smoke': dict(sizes=('small',), seq_len=64),
           'cpu': dict(sizes=tuple(transformer.GPT3_SIZES), seq_len=transformer.GPT3_CONTEXT)}


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return []  # no training: report() counts


def row(size: str, seq_len: int) -> dict:
  fields = transformer.GPT3_SIZES[size]
  name, heads_printed, d_printed, batch, lr = TABLE[size]
  model, inputs = sizes.reference('gpt3', size, seq_len=seq_len)
  n = sizes.count(model, inputs)
  d, layers, heads = fields['d_model'], fields['num_layers'], fields['num_heads']
  fwd = sizes.forward_flops(model, inputs) / seq_len
  pub = sizes.PUBLISHED['gpt3'][size]
  n_embed = (transformer.GPT3_VOCAB + transformer.GPT3_CONTEXT) * d
  return {'model': name, 'size': size, 'n_params': n, 'n_params_published': pub['params'],
          'rel_error': sizes.relative_error(n, pub['params']), 'tolerance': pub['tol'],
          'within': sizes.within(n, pub), 'n_params_closed_form': sizes.gpt3_count(d, layers),
          'n_non_embedding': n - n_embed, 'n_layers': layers, 'd_model': d,
          'd_model_printed': d_printed, 'n_heads': heads, 'n_heads_printed': heads_printed,
          'd_head': d // heads, 'batch_tokens': batch, 'lr': lr,
          'flops_per_token_6N': 6 * n, 'flops_per_token_xla_train': 3 * fwd,
          'xla_forward_per_token_over_2N': fwd / (2 * n),
          'kaplan_forward_per_token': 2 * (n - n_embed) + 2 * layers * seq_len * d,
          'seq_len': seq_len, 'train_flops_300B_tokens': 6 * n * TRAIN_TOKENS}


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  """{'rows', 'check_175B_train_flops', ...} and gpt3_sizes.png."""
  del summaries
  study_utils.check_preset(preset, tuple(PRESETS))
  setup = PRESETS[preset]
  rows = [row(s, setup['seq_len']) for s in setup['sizes']]
  table = {'rows': rows, 'all_within_published': all(r['within'] for r in rows),
           'seeds': 'deterministic: one evaluation',
           'errata': {'13B d_model': 'printed 5140; 40 x 128 = 5120 used (E7)',
                      'XL heads': 'printed 24 x 128 with d_model 2048; 16 x 128 used'}}
  big = [r for r in rows if r['size'] == '175B']
  if big:
    c = big[0]['train_flops_300B_tokens']
    table['check_175B_train_flops'] = {
        'ours_6ND': c, 'published': PAPER_TRAIN_FLOPS_175B, 'band': [3.0e23, 3.3e23],
        'verdict': 'in' if 3.0e23 <= c <= 3.3e23 else 'out',
        'source': 'Brown et al. 2020, Table D.1: 3.14e23 FLOPs (3640 PF-days) for 175B'}
  print(f'{"model":<13} {"ours":>16} {"published":>10} {"rel":>7} {"L":>3} {"d":>6} {"h":>3} '
        f'{"d_h":>4} {"6N/tok":>9} {"XLA 3xfwd/tok":>13}')
  for r in rows:
    print(f'{r["model"]:<13} {r["n_params"]:>16,} {r["n_params_published"]:>10.3g} '
          f'{r["rel_error"]:>+7.2%} {r["n_layers"]:>3} {r["d_model"]:>6} {r["n_heads"]:>3} '
          f'{r["d_head"]:>4} {r["flops_per_token_6N"]:>9.3g} {r["flops_per_token_xla_train"]:>13.3g}')
  plot(rows, os.path.join(out, 'gpt3_sizes.png'))
  return table


def plot(rows, path_png: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top,unused-import  (selects Agg first)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, axes = plt.subplots(1, 2, figsize=(11, 4.4))
  ax = axes[0]
  pub = [r['n_params_published'] for r in rows]
  ours = [r['n_params'] for r in rows]
  ax.scatter(pub, ours, s=30, label='dljax LM')
  for r in rows:
    ax.annotate(r['size'], (r['n_params_published'], r['n_params']), fontsize=7, xytext=(3, -9),
                textcoords='offset points')
  lo, hi = min(pub + ours) / 1.5, max(pub + ours) * 1.5
  ax.plot([lo, hi], [lo, hi], 'k--', lw=0.8, label='y = x')
  ax.set(xscale='log', yscale='log', xlabel='published n_params (Table 2.1)',
         ylabel='dljax n_params (eval_shape)')
  ax.grid(alpha=0.3, which='both')
  ax.legend(fontsize=8)
  ax = axes[1]
  ns = [r['n_params'] for r in rows]
  ax.plot(ns, [r['flops_per_token_6N'] for r in rows], 'o-', label='6N')
  ax.plot(ns, [r['flops_per_token_xla_train'] for r in rows], 's--',
          label=f'3 x XLA forward / token (n_ctx {rows[0]["seq_len"]})')
  ax.set(xscale='log', yscale='log', xlabel='n_params', ylabel='training FLOPs per token')
  ax.grid(alpha=0.3, which='both')
  ax.legend(fontsize=8)
  fig.suptitle('GPT-3 sizes (Brown et al. 2020, Table 2.1) as dljax models; nothing trained',
               fontsize=10)
  fig.tight_layout()
  fig.savefig(path_png, dpi=110)
  plt.close(fig)
  return path_png
