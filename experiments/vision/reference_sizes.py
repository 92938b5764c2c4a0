r"""Reference sizes of ViT, Swin and ConvNeXt: parameters and FLOPs per 224^2 image against the papers'.

  python -m experiments.study vision/reference_sizes --workdir=runs/reference_sizes [--preset=cpu] [--publish]

Trains nothing (no runs): report() builds each size of dljax.models.{vit,swin,convnext} with its
paper's fields (VIT_SIZES, SWIN_SIZES, CONVNEXT_SIZES; `--config.model.size=...` selects them in a
config) at the published input, one 224 x 224 x 3 image and a 1000-class head, and measures
  params   jax.eval_shape of init (shapes only), against the paper's printed count and the
           reference implementation's exact count (dljax.models.sizes.PUBLISHED)
  GMACs    XLA's cost analysis of the lowered forward pass (not compiled) / 2: the papers' "FLOPs"
           are multiply-accumulates (fvcore), XLA counts a multiply-add as 2 FLOPs and also counts
           the element-wise work (softmax, GELU, LayerNorm), so ours may sit a little above
and, at 384^2, ViT-B/16, ViT-L/16, ConvNeXt-B and ConvNeXt-L against the papers' 384 columns (Swin
at 384 uses a 12 x 12 window, a different model, and is left out).
ImageNet-1K top-1 is QUOTED from the papers (Swin Table 1, ConvNeXt Table 1, ViT Table 2) as each
size's reference: ImageNet is not available offline and nothing here trains, so no accuracy is
measured. The counts and FLOPs are deterministic (one "seed" is all there is).
Plot reference_sizes.png: ours against published, params and GMACs, log-log, with y = x.
Expected (cpu: 16 sizes, ~1 min on 2 cores): every count equal to the reference code's; GMACs
within ~1-2 % of the tables (docs/vision/notes.md). Smoke: ViT-Ti/16 with its FLOPs and the
ConvNeXt-T count.
"""
import os

import numpy as np

from dljax.models import sizes
from experiments.tools import study_utils

FAMILIES = ('vit', 'swin', 'convnext')
LABELS = {'vit': 'ViT', 'swin': 'Swin', 'convnext': 'ConvNeXt'}
# (family, size) per preset; flops: which of them get the FLOP count; at384: also measured at 384^2
PRESETS = {
    'smoke': dict(sizes=(('vit', 'Ti/16'), ('convnext', 'T')),
                  flops=(('vit', 'Ti/16'),), at384=()),
    'cpu': dict(sizes=tuple((f, s) for f in FAMILIES for s in sizes.table(f)),
                flops=tuple((f, s) for f in FAMILIES for s in sizes.table(f)),
                at384=(('vit', 'B/16'), ('vit', 'L/16'), ('convnext', 'B'), ('convnext', 'L'))),
}
NOT_MEASURED = ('ImageNet-1K top-1 is quoted from the papers, not measured: ImageNet is not '
                'available offline and this study trains nothing.')


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return []  # no training: report() counts and measures


def measure(family: str, size: str, flops: bool, side: int = sizes.IMAGE_SIDE) -> dict:
  """{params, gmacs (XLA FLOPs / 2, or None)} of the paper's model on one side x side x 3 image."""
  model, inputs = sizes.reference(family, size, image_side=side)
  out = {'params': sizes.count(model, inputs), 'gmacs': None}
  if flops:
    out['gmacs'] = sizes.forward_flops(model, inputs) / 2e9
  return out


def row(family: str, size: str, flops: bool, at384: bool) -> dict:
  pub = sizes.PUBLISHED[family][size]
  got = measure(family, size, flops)
  r = {'model': f'{LABELS[family]}-{size}', 'params': got['params'],
       'params_published': pub['params'], 'params_exact_reference_code': pub['exact'],
       'params_rel_error': sizes.relative_error(got['params'], pub['params']),
       'params_tolerance': pub['tol'], 'params_within': sizes.within(got['params'], pub),
       'params_equal_reference_code': got['params'] == pub['exact'], 'why': pub['why'],
       'gmacs': got['gmacs'], 'gmacs_published': pub.get('gmacs'),
       'top1_published': pub.get('top1'), 'top1_source': pub.get('top1_source'),
       'top1_measured': None}
  if got['gmacs'] is not None and pub.get('gmacs'):
    r['gmacs_ratio'] = got['gmacs'] / pub['gmacs']
  if at384:
    big = measure(family, size, True, side=384)
    r.update(params_384=big['params'], gmacs_384=big['gmacs'],
             gmacs_384_published=pub.get('gmacs384'),
             gmacs_384_ratio=big['gmacs'] / pub['gmacs384'] if pub.get('gmacs384') else None)
  return r


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  """{'rows': [...], 'note': ...} and the plot reference_sizes.png."""
  del summaries
  study_utils.check_preset(preset, tuple(PRESETS))
  setup = PRESETS[preset]
  rows = [row(f, s, (f, s) in setup['flops'], (f, s) in setup['at384']) for f, s in setup['sizes']]
  plot(rows, os.path.join(out, 'reference_sizes.png'))
  table = {'rows': rows, 'note': NOT_MEASURED, 'seeds': 'deterministic: one evaluation',
           'all_params_within_published': all(r['params_within'] for r in rows),
           'all_params_equal_reference_code': all(r['params_equal_reference_code'] for r in rows)}
  ratios = [r['gmacs_ratio'] for r in rows if r.get('gmacs_ratio')]
  if ratios:
    table['gmacs_ratio_range'] = [min(ratios), max(ratios)]
  print_table(rows)
  return table


def print_table(rows):
  print(f'{"model":<14} {"params":>13} {"published":>10} {"rel":>7} {"GMACs":>7} {"pub.":>6} '
        f'{"top-1 (quoted)":>15}')
  for r in rows:
    g = f'{r["gmacs"]:.2f}' if r['gmacs'] is not None else '—'
    gp = f'{r["gmacs_published"]}' if r['gmacs_published'] else '—'
    t = f'{r["top1_published"]}' if r['top1_published'] else '—'
    print(f'{r["model"]:<14} {r["params"]:>13,} {r["params_published"] / 1e6:>9.1f}M '
          f'{r["params_rel_error"]:>+7.2%} {g:>7} {gp:>6} {t:>15}')


def plot(rows, path_png: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top,unused-import  (selects Agg first)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, axes = plt.subplots(1, 3, figsize=(16, 4.6))
  panels = (('params', 'params_published', 1e6, 'parameters (M)'),
            ('gmacs', 'gmacs_published', 1.0, 'GMACs per 224^2 image'))
  for ax, (key, pub_key, scale, label) in zip(axes, panels):
    pts = [(r[pub_key] / scale, r[key] / scale, r['model']) for r in rows
           if r.get(key) is not None and r.get(pub_key)]
    for fam, marker in zip(LABELS.values(), 'osD'):
      sel = [p for p in pts if p[2].startswith(fam + '-')]
      if sel:
        ax.scatter([p[0] for p in sel], [p[1] for p in sel], marker=marker, label=fam, s=30)
    if pts:
      lo = min(min(p[0], p[1]) for p in pts) / 1.5
      hi = max(max(p[0], p[1]) for p in pts) * 1.5
      ax.plot([lo, hi], [lo, hi], 'k--', lw=0.8, label='y = x')
      ax.set_xscale('log')
      ax.set_yscale('log')
    ax.set_xlabel(f'published {label}')
    ax.set_ylabel(f'dljax {label}' + (' (XLA FLOPs / 2)' if key == 'gmacs' else ''))
    ax.grid(alpha=0.3, which='both')
    if ax.get_legend_handles_labels()[0]:
      ax.legend(fontsize=8)
  ax = axes[2]  # relative differences per model, in %
  names = [r['model'] for r in rows]
  xs = np.arange(len(rows))
  ax.bar(xs - 0.2, [100 * r['params_rel_error'] for r in rows], 0.4, label='params vs printed')
  ax.bar(xs + 0.2, [100 * (r['gmacs_ratio'] - 1) if r.get('gmacs_ratio') else 0 for r in rows],
         0.4, label='GMACs vs printed')
  ax.axhline(0, color='k', lw=0.8)
  ax.set_xticks(xs, names, rotation=60, fontsize=7, ha='right')
  ax.set_ylabel('dljax / published - 1 (%)')
  ax.grid(alpha=0.3, axis='y')
  ax.legend(fontsize=8)
  fig.suptitle('Reference sizes at 224 x 224 x 3, 1000 classes: dljax vs the papers '
               '(top-1 not measured: no ImageNet offline)', fontsize=10)
  fig.tight_layout()
  fig.savefig(path_png, dpi=110)
  plt.close(fig)
  return path_png
