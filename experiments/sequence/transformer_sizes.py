r"""Vaswani et al. (2017) Transformer base and big as dljax models: parameter counts against Table 3.

  python -m experiments.study sequence/transformer_sizes --workdir=runs/transformer_sizes [--preset=cpu] [--publish]

Trains nothing (no runs): report() builds dljax.models.transformer.EncoderDecoder with each row of
VASWANI_SIZES (`--config.model.size=base` selects it in configs/sequence/cmudict_transformer.py):
  base  d_model 512, 8 heads x d_k 64, 6 encoder + 6 decoder layers, d_ff 2048   (Table 3: 65M)
  big   d_model 1024, 16 heads x 64, 6 + 6 layers, d_ff 4096                   (Table 3: 213M)
post-norm, sinusoidal positions (no parameters), and ONE embedding matrix shared by the source
embedding, the target embedding and the pre-softmax layer (Sec. 3.4) over the paper's shared WMT
En-De BPE vocabulary of about 37000 tokens. The table splits each count into the encoder, the
decoder and the shared embedding, and gives the vocabulary V* that would make our count equal the
published one: 65M needs V* ~ 40.8k but 213M needs V* ~ 35.7k, so no single vocabulary reproduces
both printed numbers (the paper does not say how it counted); the tolerance is 5 %. The counts are
deterministic (one "seed"); WMT is not available offline, so no BLEU is measured (the paper:
base 27.3 / big 28.4 BLEU on newstest2014 En-De, quoted only).
Plot transformer_sizes.png: the split of each count next to the published total.
Expected (cpu, seconds): base 63.08M (-3.0 %), big 214.25M (+0.6 %) (docs/sequence/notes.md).
Smoke: base only.
"""
import os

from dljax.models import sizes, transformer
from experiments.tools import study_utils

PRESETS = {'smoke': ('base',), 'cpu': ('base', 'big')}
BLEU = {'base': 27.3, 'big': 28.4}   # Table 2, newstest2014 En-De (quoted, not measured)


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return []  # no training: report() counts


def _size(tree) -> int:
  import jax  # pylint: disable=g-import-not-at-top
  return int(sum(leaf.size for leaf in jax.tree.leaves(tree)))


def row(size: str) -> dict:
  model, inputs = sizes.reference('vaswani', size)
  params = sizes.abstract_params(model, inputs)['params']
  fields = transformer.VASWANI_SIZES[size]
  d = fields['d_model']
  n = _size(params)
  embedding = _size(params['tgt_embed'])
  encoder = sum(_size(v) for k, v in params.items() if k.startswith('enc'))
  decoder = sum(_size(v) for k, v in params.items() if k.startswith('dec'))
  pub = sizes.PUBLISHED['vaswani'][size]
  return {'size': size, 'n_params': n, 'published': pub['params'],
          'rel_error': sizes.relative_error(n, pub['params']), 'tolerance': pub['tol'],
          'within': sizes.within(n, pub), 'encoder': encoder, 'decoder': decoder,
          'shared_embedding': embedding, 'other': n - encoder - decoder - embedding,
          'vocab': transformer.VASWANI_VOCAB, 'd_model': d, 'heads': fields['num_heads'],
          'd_k': d // fields['num_heads'], 'layers': fields['num_layers'],
          'd_ff': fields['mlp_ratio'] * d,
          'vocab_matching_published': (pub['params'] - (n - embedding)) / d,
          'bleu_published': BLEU[size], 'bleu_measured': None}


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  """{'rows', 'note'} and transformer_sizes.png."""
  del summaries
  study_utils.check_preset(preset, tuple(PRESETS))
  rows = [row(s) for s in PRESETS[preset]]
  for r in rows:
    print(f'{r["size"]:<5} {r["n_params"]:>12,} published {r["published"] / 1e6:.0f}M '
          f'({r["rel_error"]:+.2%}); encoder {r["encoder"]:,} decoder {r["decoder"]:,} '
          f'embedding {r["shared_embedding"]:,}; V* = {r["vocab_matching_published"]:,.0f}')
  plot(rows, os.path.join(out, 'transformer_sizes.png'))
  return {'rows': rows, 'all_within_published': all(r['within'] for r in rows),
          'seeds': 'deterministic: one evaluation',
          'note': 'BLEU is quoted from the paper, not measured: WMT is not available offline.'}


def plot(rows, path_png: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top,unused-import  (selects Agg first)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, ax = plt.subplots(figsize=(6, 4.2))
  xs = range(len(rows))
  bottom = [0.0] * len(rows)
  for key, label in (('encoder', 'encoder (6 layers)'), ('decoder', 'decoder (6 layers)'),
                     ('shared_embedding', 'shared embedding (37000 x d)')):
    vals = [r[key] / 1e6 for r in rows]
    ax.bar(xs, vals, bottom=bottom, width=0.5, label=label)
    bottom = [b + v for b, v in zip(bottom, vals)]
  ax.scatter(xs, [r['published'] / 1e6 for r in rows], marker='_', s=900, c='k', zorder=3,
             label='published (Table 3)')
  ax.set_xticks(list(xs), [f'{r["size"]} (d={r["d_model"]})' for r in rows])
  ax.set_ylabel('parameters (M)')
  ax.set_title('Transformer base / big: dljax count vs Vaswani et al. Table 3', fontsize=10)
  ax.legend(fontsize=8)
  ax.grid(alpha=0.3, axis='y')
  fig.tight_layout()
  fig.savefig(path_png, dpi=110)
  plt.close(fig)
  return path_png
