r"""The robustness card: accuracy under every attack across eps, with the sanity checks of a strong
evaluation (seed 000 M72-M73: more steps, restarts, several attacks, always the lowest accuracy;
gradient masking is flagged, not trusted).

  python -m experiments.evaluate --workdir=RUN --card=robustness
  (= --config.evals.robustness.type=robustness; any --config.evals.robustness.<key>=V overrides)

Rows (attack x eps): noise, fgsm, ifgsm, mifgsm, pgd on the l_inf grid `eps`; noise_l2, fgsm_l2,
pgd_l2, cw_l2 (and boundary, decision-based, if listed) on the l_2 grid `l2_eps`; ibp (certified,
for ReLU MLPs) on the l_inf grid. Metrics '<attack>_eps<e>' = accuracy; 'clean' the clean accuracy.
Checks (metric 'check_<name>' = 1 passed / 0 failed; 'checks_failed' their count):
  eps0_clean        every attack at eps = 0 gives the clean accuracy
  monotone          accuracy never rises with eps (tolerance `tol`)
  pgd_le_fgsm       PGD <= FGSM at every eps (l_inf and l_2)
  noise_weaker      random noise of the same budget is no stronger than PGD
  large_eps         PGD at eps = large_eps (default 1: the whole pixel range) leaves <= 5 %
  more_steps        PGD with 4x the steps and 2 more restarts does not raise the accuracy
  certified_le_pgd  IBP-certified <= PGD (MLPs only)
  blackbox_ge_whitebox  boundary >= pgd_l2 (only when boundary is listed)
A failed check is the signature of gradient masking (a zero or useless gradient: the model looks
robust to FGSM/PGD while noise or a large budget still fools it) or of a broken attack.
plots() writes <workdir>/plots/robustness_card.md, robustness.json, robustness_curves.png and
adversarial_examples.png (clean / FGSM / PGD at the middle eps, with predictions).
"""
import json
import os

import jax
import jax.numpy as jnp
import numpy as np

from dljax.errors import ConfigError
from dljax.eval import adversarial, attacks, common, ibp

LINF = {'noise': 'noise', 'fgsm': 'fgsm', 'ifgsm': 'ifgsm', 'mifgsm': 'mifgsm', 'pgd': 'pgd'}
L2 = {'noise_l2': 'noise', 'fgsm_l2': 'fgsm', 'pgd_l2': 'pgd', 'cw_l2': 'cw_l2',
      'boundary': 'boundary'}
ROWS = tuple(LINF) + tuple(L2) + ('ibp',)
PARAMS = dict(attacks=('noise', 'fgsm', 'ifgsm', 'mifgsm', 'pgd', 'noise_l2', 'fgsm_l2', 'pgd_l2',
                       'cw_l2', 'ibp'),
              eps=(0.0, 0.02, 0.05, 0.1, 0.2, 0.3), l2_eps=(0.0, 0.5, 1.0, 2.0, 3.0),
              steps=20, restarts=2, cw_steps=50, boundary_steps=300, large_eps=1.0, tol=0.01,
              split='test', limit=500, batch_size=0, seed=0)
REQUIRES = ('predict',)


def check(task, cfg):
  unknown = [a for a in cfg.attacks if a not in ROWS]
  if unknown:
    raise ConfigError(f'attacks: {unknown[0]!r} is not a card row; use some of {ROWS}.')
  for e in tuple(cfg.eps) + tuple(cfg.l2_eps) + (cfg.large_eps,):
    attacks.check(e)
  if 0.0 not in tuple(cfg.eps):
    raise ConfigError('eps must contain 0 (the card checks that eps = 0 gives clean accuracy).')
  adversarial.check(task, adversarial_cfg())


def adversarial_cfg():
  import ml_collections  # pylint: disable=g-import-not-at-top
  return ml_collections.ConfigDict(adversarial.PARAMS)


def _rows(task, cfg):
  rows = list(cfg.attacks)
  if 'ibp' in rows:
    try:
      ibp.check(task, _ibp_cfg())
    except ConfigError:
      rows.remove('ibp')  # not a ReLU MLP: no certificate row
  return rows


def _ibp_cfg():
  import ml_collections  # pylint: disable=g-import-not-at-top
  return ml_collections.ConfigDict(ibp.PARAMS)


def key(row, eps):
  return f'{row}_eps{eps:g}'


def evaluate(task, state, data, cfg):
  lo, hi = adversarial.value_range(task)
  arrays = adversarial.arrays_of(data, cfg.split, cfg.limit, lo, hi)
  out = {}

  def fn_of(attack, norm, steps, restarts):
    return common.cached(task, ('robustness', attack, norm, steps, restarts, cfg.seed),
                         lambda: adversarial.sums_fn(task, attack, norm, steps, restarts,
                                                     seed=cfg.seed))
  for row in _rows(task, cfg):
    grid = cfg.l2_eps if row in L2 else cfg.eps
    for eps in grid:
      if row == 'ibp':
        icfg = _ibp_cfg()
        icfg.update(eps=float(eps), split=cfg.split, limit=cfg.limit, batch_size=cfg.batch_size)
        out[key(row, eps)] = ibp.evaluate(task, state, data, icfg)['certified_accuracy']
        continue
      attack = (L2 if row in L2 else LINF)[row]
      steps = {'cw_l2': cfg.cw_steps, 'boundary': cfg.boundary_steps}.get(attack, cfg.steps)
      r = adversarial.measure(task, state, arrays, fn_of(attack, 'l2' if row in L2 else 'linf',
                                                         steps, cfg.restarts), eps, cfg.batch_size)
      out[key(row, eps)] = r['accuracy']
      out['clean'] = r['clean_accuracy']
  # the extra PGD runs of the checks
  mid = sorted(cfg.eps)[len(cfg.eps) // 2]
  strong = fn_of('pgd', 'linf', 4 * cfg.steps, cfg.restarts + 2)
  out['pgd_strong_eps' + f'{mid:g}'] = adversarial.measure(task, state, arrays, strong, mid,
                                                           cfg.batch_size)['accuracy']
  out[key('pgd_large', cfg.large_eps)] = adversarial.measure(
      task, state, arrays, fn_of('pgd', 'linf', cfg.steps, cfg.restarts), cfg.large_eps,
      cfg.batch_size)['accuracy']
  out.update(checks(out, cfg))
  task.__dict__['_robustness_card'] = (dict(out), cfg)
  return out


def curve(metrics, row, grid):
  return [metrics.get(key(row, e)) for e in grid]


def checks(m, cfg) -> dict:
  """The card's sanity checks (see the module docstring): {check_<name>: 1.0 / 0.0}."""
  tol, out = cfg.tol, {}
  rows = {r for r in ROWS if key(r, (cfg.l2_eps if r in L2 else cfg.eps)[0]) in m}
  grids = {r: sorted(cfg.l2_eps if r in L2 else cfg.eps) for r in rows}
  clean = m.get('clean')
  out['check_eps0_clean'] = all(abs(m[key(r, 0.0)] - clean) <= 1e-6 for r in rows
                                if r != 'ibp' and 0.0 in grids[r])
  out['check_monotone'] = all(b <= a + tol for r in rows for a, b in
                              zip(curve(m, r, grids[r]), curve(m, r, grids[r])[1:]))
  pairs = [('pgd', 'fgsm'), ('pgd_l2', 'fgsm_l2')]
  out['check_pgd_le_fgsm'] = all(m[key(p, e)] <= m[key(f, e)] + tol for p, f in pairs
                                 if p in rows and f in rows for e in grids[p])
  pairs = [('pgd', 'noise'), ('pgd_l2', 'noise_l2')]
  out['check_noise_weaker'] = all(m[key(n, e)] >= m[key(p, e)] - tol for p, n in pairs
                                  if p in rows and n in rows for e in grids[p])
  out['check_large_eps'] = m[key('pgd_large', cfg.large_eps)] <= 0.05
  mid = sorted(cfg.eps)[len(cfg.eps) // 2]
  if 'pgd' in rows:
    out['check_more_steps'] = m[f'pgd_strong_eps{mid:g}'] <= m[key('pgd', mid)] + tol
  if 'ibp' in rows and 'pgd' in rows:
    out['check_certified_le_pgd'] = all(m[key('ibp', e)] <= m[key('pgd', e)] + 1e-9
                                        for e in grids['pgd'])
  if 'boundary' in rows and 'pgd_l2' in rows:
    out['check_blackbox_ge_whitebox'] = all(m[key('boundary', e)] >= m[key('pgd_l2', e)] - tol
                                            for e in grids['pgd_l2'])
  out = {k: float(v) for k, v in out.items()}
  out['checks_failed'] = float(sum(v == 0.0 for v in out.values()))
  return out


def card_text(m: dict, cfg) -> str:
  """The card as a markdown table: one row per attack, one column per eps, then the checks."""
  lines = [f"Robustness card: clean accuracy {100 * m['clean']:.2f} % "
           f"({cfg.split}, first {cfg.limit or 'all'} examples; PGD {cfg.steps} steps, "
           f"{cfg.restarts} restarts)", '']
  for norm, grid, names in (('l_inf', cfg.eps, [*LINF, 'ibp']), ('l_2', cfg.l2_eps, list(L2))):
    rows = [r for r in names if key(r, grid[0]) in m]
    if not rows:
      continue
    lines.append(f'| {norm} attack | ' + ' | '.join(f'eps={e:g}' for e in grid) + ' |')
    lines.append('|---|' + '---|' * len(grid))
    for r in rows:
      label = 'ibp (certified)' if r == 'ibp' else r
      lines.append(f'| {label} | ' + ' | '.join(f'{100 * v:.1f}' for v in curve(m, r, grid)) + ' |')
    lines.append('')
  mid = sorted(cfg.eps)[len(cfg.eps) // 2]
  lines.append(f"PGD {4 * cfg.steps} steps x {cfg.restarts + 2} restarts at eps={mid:g}: "
               f"{100 * m[f'pgd_strong_eps{mid:g}']:.1f} %; PGD at eps={cfg.large_eps:g}: "
               f"{100 * m[key('pgd_large', cfg.large_eps)]:.1f} %")
  lines.append('')
  for k, v in m.items():
    if k.startswith('check_'):
      lines.append(f"- {k[6:]}: {'ok' if v else 'FAILED (suspect gradient masking or a weak attack)'}")
  lines.append(f"\n{int(m['checks_failed'])} check(s) failed.")
  return '\n'.join(lines)


def plots(task, state, data, cfg, workdir):
  from dljax import viz  # pylint: disable=g-import-not-at-top
  if '_robustness_card' not in task.__dict__:
    return
  m, _ = task.__dict__['_robustness_card']
  folder = os.path.join(workdir, 'plots')
  os.makedirs(folder, exist_ok=True)
  with open(os.path.join(folder, 'robustness_card.md'), 'w') as f:
    f.write(card_text(m, cfg) + '\n')
  with open(os.path.join(folder, 'robustness.json'), 'w') as f:
    json.dump({'metrics': m, 'params': cfg.to_dict()}, f, indent=1)
  plot_curves({'model': m}, cfg, os.path.join(folder, 'robustness_curves.png'))
  lo, hi = adversarial.value_range(task)
  x = np.asarray(data[cfg.split]['x'][:8])
  y = np.asarray(data[cfg.split]['y'][:8]).astype(np.int32)
  mid = float(sorted(cfg.eps)[len(cfg.eps) // 2])
  logits_fn = lambda u: task.predict(state, u)
  x_f = attacks.fgsm(logits_fn, jnp.asarray(x), jnp.asarray(y), mid, 'linf', lo, hi)
  x_p = attacks.pgd(logits_fn, jnp.asarray(x), jnp.asarray(y), jax.random.key(cfg.seed), mid,
                    'linf', cfg.steps, lo=lo, hi=hi)
  example_grid({'clean': x, f'FGSM eps={mid:g}': x_f, f'PGD eps={mid:g}': x_p}, logits_fn, y,
               os.path.join(folder, 'adversarial_examples.png'))
  del viz


def plot_curves(models: dict, cfg, path: str, rows=None):
  """Accuracy against eps: one panel per norm, one line per (model, attack)."""
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, axes = plt.subplots(1, 2, figsize=(11, 4))
  styles = ['-', '--', ':', '-.']
  for i, (name, m) in enumerate(models.items()):
    for ax, grid, names in ((axes[0], cfg.eps, [*LINF, 'ibp']), (axes[1], cfg.l2_eps, list(L2))):
      for r in names:
        if rows is not None and r not in rows or key(r, grid[0]) not in m:
          continue
        ax.plot(grid, [100 * v for v in curve(m, r, grid)], styles[i % 4], marker='o', ms=3,
                label=f'{name}: {r}' if len(models) > 1 else r)
  for ax, title in zip(axes, (r'$\ell_\infty$ attacks', r'$\ell_2$ attacks')):
    ax.set_xlabel('eps')
    ax.set_ylabel('accuracy (%)')
    ax.set_title(title)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
      ax.legend(fontsize=7)
  fig.tight_layout()
  fig.savefig(path, dpi=100)
  plt.close(fig)


def example_grid(images: dict, logits_fn, y, path: str):
  """Rows: clean and attacked images; titles: the predicted class (red where wrong)."""
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  n = len(y)
  fig, axes = plt.subplots(len(images), n, figsize=(1.3 * n, 1.5 * len(images)))
  for r, (name, x) in enumerate(images.items()):
    pred = np.asarray(jnp.argmax(logits_fn(jnp.asarray(x)), -1))
    for c in range(n):
      ax = axes[r, c]
      ax.imshow(np.asarray(x[c]).squeeze(), cmap='gray', vmin=0, vmax=1)
      ax.set_xticks([])
      ax.set_yticks([])
      ax.set_title(str(pred[c]), color='k' if pred[c] == y[c] else 'r', fontsize=8)
      if c == 0:
        ax.set_ylabel(name, fontsize=7)
  fig.tight_layout()
  fig.savefig(path, dpi=100)
  plt.close(fig)
