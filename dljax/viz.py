"""Plots written as PNG files into <workdir>/plots."""
import os

import matplotlib

matplotlib.use('Agg')
import matplotlib.ticker  # pylint: disable=g-import-not-at-top,wrong-import-position
import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top,wrong-import-position
import numpy as np  # pylint: disable=g-import-not-at-top,wrong-import-position


def _write(fig, path: str) -> str:
  """Saves `fig` as the PNG `path` (creating its folder), closes it, returns the path."""
  os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
  fig.savefig(path, dpi=110, bbox_inches='tight')
  plt.close(fig)
  return path


def _save(fig, workdir, name):
  return _write(fig, os.path.join(workdir, 'plots', name))


def curve_keys(rows: list) -> list:
  """The metrics logged at two or more steps. A metric logged once (an evaluator run at the end:
  dozens of OOD or probe numbers) is no curve: it is in summary.json and its evaluator's own plots.
  A run that logged everything once (a few smoke steps) gets its train / validation / test points."""
  counts = {}
  for r in rows:
    for k, v in r.items():
      if k != 'step' and isinstance(v, (int, float)):
        counts[k] = counts.get(k, 0) + 1
  return (sorted(k for k, c in counts.items() if c >= 2)
          or sorted(k for k in counts if k.split('/')[0] in ('train', 'validation', 'val', 'test')))


def curves(rows: list, workdir: str, name: str = 'curves.png'):
  """curve_keys(rows) against the step, train and test side by side per metric name."""
  keys = curve_keys(rows)
  groups = sorted({k.split('/', 1)[-1] for k in keys})
  if not groups:
    return None
  cols = min(3, len(groups))
  nrows = -(-len(groups) // cols)
  fig, axes = plt.subplots(nrows, cols, figsize=(4.5 * cols, 3.2 * nrows), squeeze=False)
  for ax, group in zip(axes.flat, groups):
    for k in keys:
      if k.split('/', 1)[-1] == group:
        pts = [(r['step'], r[k]) for r in rows if k in r]
        ax.plot(*zip(*pts), label=k, marker='.' if len(pts) < 30 else None)
    ax.set_title(group)
    ax.set_xlabel('step')
    ax.legend(fontsize=7)
  for ax in list(axes.flat)[len(groups):]:
    ax.axis('off')
  fig.tight_layout()
  return _save(fig, workdir, name)


def decision_boundary(predict, data: dict, workdir: str, binary: bool, name='decision_boundary.png'):
  """The classifier's regions over the square holding the data, with the test points on top."""
  x, y = data['x'], data['y']
  lo, hi = x.min(0) - 0.2, x.max(0) + 0.2
  g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
  grid = np.stack([g0.ravel(), g1.ravel()], -1).astype(np.float32)
  out = np.asarray(predict(grid))
  region = (out > 0) if binary else out.argmax(-1)
  fig, ax = plt.subplots(figsize=(4.5, 4.5))
  ax.contourf(g0, g1, region.reshape(g0.shape), alpha=0.3, cmap='coolwarm')
  ax.scatter(x[:, 0], x[:, 1], c=y, s=4, cmap='coolwarm')
  ax.set_title('decision boundary')
  return _save(fig, workdir, name)


def gan_samples(real, fake, workdir, name='samples.png'):
  fig, ax = plt.subplots(figsize=(4.5, 4.5))
  ax.scatter(real[:, 0], real[:, 1], s=2, alpha=0.4, label='data')
  ax.scatter(fake[:, 0], fake[:, 1], s=2, alpha=0.4, label='G(z)')
  ax.legend(markerscale=5)
  ax.set_aspect('equal')
  ax.set_title('GAN samples')
  return _save(fig, workdir, name)


def _moving_average(values, window: int):
  """Trailing mean over up to `window` points (the first points average what there is)."""
  v = np.asarray(values, dtype=np.float64)
  if window <= 1 or len(v) < 2:
    return v
  c = np.cumsum(np.insert(v, 0, 0.0))
  idx = np.arange(1, len(v) + 1)
  lo = np.maximum(idx - window, 0)
  return (c[idx] - c[lo]) / (idx - lo)


def multi_curves(series: dict, ylabel: str, path: str, *, xlabel: str = 'step', smooth: int = 1,
                 logy: bool = False, title: str = None, bars: dict = None,
                 bars_label: str = None) -> str:
  """Several curves in one panel, written to `path` (a .png).

  series: {label: (xs, ys)}; smooth > 1 plots a trailing moving average over that many points.
  bars: optional {label: value} (e.g. a final metric per curve), drawn as a second panel in the
  curves' colours, with the values written on the bars.
  """
  fig, axes = plt.subplots(1, 2 if bars else 1, figsize=(11 if bars else 6.5, 4), squeeze=False,
                           gridspec_kw={'width_ratios': [2, 1]} if bars else None)
  ax = axes[0, 0]
  colors = {}
  for label, (xs, ys) in series.items():
    (line,) = ax.plot(xs, _moving_average(ys, smooth), label=label, lw=1.3)
    colors[label] = line.get_color()
  ax.set_xlabel(xlabel)
  ax.set_ylabel(ylabel)
  if logy:
    ax.set_yscale('log')
  ax.grid(alpha=0.3, which='both')
  ax.legend(fontsize=8)
  if title:
    ax.set_title(title)
  if bars:
    bx = axes[0, 1]
    labels = list(bars)
    values = [bars[k] for k in labels]
    pos = np.arange(len(labels))
    bx.barh(pos, values, color=[colors.get(k, 'gray') for k in labels])
    bx.set_yticks(pos, labels, fontsize=8)
    bx.invert_yaxis()
    finite = [v for v in values if np.isfinite(v)]
    if finite:
      lo, hi = min(finite), max(finite)
      pad = max(hi - lo, 1e-3)
      bx.set_xlim(max(0.0, lo - 0.5 * pad) if lo > 0 else lo - 0.5 * pad, hi + 0.5 * pad)
    for p, v in zip(pos, values):
      bx.text(v, p, f' {v:.4f}', va='center', fontsize=8)
    bx.set_xlabel(bars_label or '')
    bx.grid(alpha=0.3, axis='x')
  fig.tight_layout()
  return _write(fig, path)


def attention_maps(maps_BxTxS, src_tokens: list, tgt_tokens: list, workdir: str,
                   name: str = 'attention.png'):
  """One heat-map per example: rows = output tokens, columns = input tokens (alignment)."""
  n = len(maps_BxTxS)
  fig, axes = plt.subplots(1, n, figsize=(3.2 * n, 3.4), squeeze=False)
  for ax, a, src, tgt in zip(axes.flat, maps_BxTxS, src_tokens, tgt_tokens):
    a = a[:len(tgt), :len(src)]
    ax.imshow(a, cmap='viridis', vmin=0, vmax=max(float(a.max()), 1e-6), aspect='auto')
    ax.set_xticks(range(len(src)), src, fontsize=7)
    ax.set_yticks(range(len(tgt)), tgt, fontsize=7)
    ax.set_xlabel('input')
  axes.flat[0].set_ylabel('output')
  fig.tight_layout()
  return _save(fig, workdir, name)


def loglog_panels(panels: dict, path: str, ylabel: str, title: str = None) -> str:
  """Side-by-side log-log panels: {panel title: {label: (xs, ys)}}; labels starting 'fit' are lines,
  the others points."""
  fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.8), squeeze=False)
  for ax, (name, series) in zip(axes.flat, panels.items()):
    for label, (xs, ys) in series.items():
      style = dict(ls='--') if label.startswith('fit') else dict(marker='o', ls='')
      ax.plot(xs, ys, label=label, **style)
    ax.set_xscale('log')
    ax.set_yscale('log')
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())  # decades only: no overlaps
    ax.yaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter('%.2g'))
    ax.yaxis.set_minor_formatter(matplotlib.ticker.FormatStrFormatter('%.2g'))
    ax.set_xlabel(name)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3, which='both')
    ax.legend(fontsize=8)
  if title:
    fig.suptitle(title)
  fig.tight_layout()
  return _write(fig, path)


def line_panels(panels: list, path: str, title: str = None) -> str:
  """Side-by-side panels of curves, written to `path` (a .png); each panel is a dict:

    series: {label: (xs, ys)}        curves (NaN / None points are left out)
    hlines: {label: y}               optional dashed reference lines
    title, xlabel, ylabel            optional strings
    logx, logy: base (2, 10) or 0    optional log axes
    note: str                        optional text in the upper-left corner
  """
  fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 4), squeeze=False)
  for ax, panel in zip(axes[0], panels):
    for label, (xs, ys) in panel.get('series', {}).items():
      ys = np.asarray([np.nan if y is None else y for y in ys], np.float64)
      ok = np.isfinite(ys)
      ax.plot(np.asarray(xs)[ok], ys[ok], label=label, marker='.' if ok.sum() < 30 else None, lw=1.3)
    for i, (label, y) in enumerate(panel.get('hlines', {}).items()):
      ax.axhline(y, ls='--', lw=1, color=f'C{len(panel.get("series", {})) + i}', label=label)
    if panel.get('logx'):
      ax.set_xscale('log', base=panel['logx'])
    if panel.get('logy'):
      ax.set_yscale('log', base=panel['logy'])
    ax.set_title(panel.get('title', ''), fontsize=10)
    ax.set_xlabel(panel.get('xlabel', ''))
    ax.set_ylabel(panel.get('ylabel', ''))
    ax.grid(alpha=0.3, which='both')
    ax.legend(fontsize=8)
    if panel.get('note'):
      ax.text(0.02, 0.98, panel['note'], transform=ax.transAxes, fontsize=8, color='dimgray',
              va='top')
  if title:
    fig.suptitle(title)
  fig.tight_layout()
  return _write(fig, path)


def scatter_series(series: dict, xlabel: str, ylabel: str, path: str, title: str = None,
                   hline: tuple = None) -> str:
  """Points of several series in one panel, {label: (xs, ys)}, written to `path` (a .png); integer
  x ticks, y from 0; hline=(value, label) draws a dashed reference line."""
  fig, ax = plt.subplots(figsize=(5.5, 4))
  for i, (label, (xs, ys)) in enumerate(series.items()):
    offset = (i - (len(series) - 1) / 2) * 0.06  # spread the series a little along x
    ax.scatter(np.asarray(xs, dtype=float) + offset, ys, label=label, s=22)
  if hline is not None:
    ax.axhline(hline[0], color='gray', ls='--', lw=1, label=hline[1])
  ax.set_xticks(sorted({int(x) for xs, _ in series.values() for x in xs}))
  ax.set_ylim(bottom=0)
  ax.set_xlabel(xlabel)
  ax.set_ylabel(ylabel)
  ax.grid(alpha=0.3)
  ax.legend(fontsize=7)
  if title:
    ax.set_title(title, fontsize=9)
  fig.tight_layout()
  return _write(fig, path)


def word_maps(maps: dict, path: str, title: str = None) -> str:
  """One labelled scatter per entry of maps {panel title: (points_Nx2, words)}, written to `path`."""
  n = len(maps)
  cols = min(3, n)
  rows = -(-n // cols)
  fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 4.6 * rows), squeeze=False)
  for ax, (name, (xy, words)) in zip(axes.flat, maps.items()):
    xy = np.asarray(xy)
    ax.scatter(xy[:, 0], xy[:, 1], s=6, c='tab:blue')
    for (x, y), w in zip(xy, words):
      ax.annotate(w, (x, y), fontsize=6.5, alpha=0.85)
    ax.set_title(name, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
  for ax in list(axes.flat)[n:]:
    ax.axis('off')
  if title:
    fig.suptitle(title)
  fig.tight_layout()
  return _write(fig, path)


def image_rows(rows: dict, path: str, cmaps: dict = None, vranges: dict = None, title: str = None):
  """A grid of images, one labelled row per entry of rows = {label: images (N x H x W [x 1])},
  written to `path`. cmaps / vranges: optional per-row colormap and (vmin, vmax)."""
  cmaps, vranges = cmaps or {}, vranges or {}
  n = max(len(v) for v in rows.values())
  fig, axes = plt.subplots(len(rows), n, figsize=(1.3 * n, 1.4 * len(rows)), squeeze=False)
  for r, (label, images) in enumerate(rows.items()):
    vmin, vmax = vranges.get(label, (None, None))
    for i in range(n):
      ax = axes[r, i]
      ax.axis('off')
      if i < len(images):
        img = np.asarray(images[i])
        ax.imshow(img[..., 0] if img.ndim == 3 else img, cmap=cmaps.get(label, 'gray'), vmin=vmin,
                  vmax=vmax, interpolation='nearest')
    axes[r, 0].set_title(label, fontsize=8, loc='left')
  if title:
    fig.suptitle(title, fontsize=9)
  fig.tight_layout()
  return _write(fig, path)


def grouped_bars(groups: dict, path: str, *, ylabel: str, title: str = None, xlabel: str = None,
                 ylim: tuple = None) -> str:
  """Bars grouped along x: groups = {group label: {series label: value}}, one colour per series,
  values written above the bars; written to `path` (a .png)."""
  names = list(groups)
  series = list(dict.fromkeys(s for g in groups.values() for s in g))
  width = 0.8 / max(len(series), 1)
  fig, ax = plt.subplots(figsize=(max(6.5, 1.1 * len(names) * max(len(series), 2) / 2), 4))
  pos = np.arange(len(names))
  for i, s in enumerate(series):
    values = [groups[g].get(s, np.nan) for g in names]
    x = pos + (i - (len(series) - 1) / 2) * width
    ax.bar(x, values, width, label=s)
    for xi, v in zip(x, values):
      if np.isfinite(v):
        ax.text(xi, v, f'{v:.3f}', ha='center', va='bottom', fontsize=7, rotation=90)
  ax.set_xticks(pos, names)
  ax.set_ylabel(ylabel)
  if xlabel:
    ax.set_xlabel(xlabel)
  if ylim:
    ax.set_ylim(*ylim)
  if title:
    ax.set_title(title)
  ax.grid(alpha=0.3, axis='y')
  ax.legend(fontsize=8, loc='upper left', bbox_to_anchor=(1.0, 1.0))
  fig.tight_layout()
  return _write(fig, path)


def bar_panels(panels: list, path: str, title: str = None) -> str:
  """One bar chart per panel side by side: panels = [(label, {bar label: value}, reference)],
  reference None or (label, value) drawn as a dashed line; values written on the bars."""
  fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.4), squeeze=False)
  for ax, (label, values, ref) in zip(axes[0], panels):
    names, heights = list(values), [values[n] for n in values]
    colors = ['tab:blue'] + ['tab:gray'] * (len(names) - 1)
    bars = ax.bar(names, heights, color=colors)
    ax.bar_label(bars, fmt='%.3f' if max(heights) < 2 else '%.2f')
    lo, hi = min(heights), max(heights)
    if ref is not None:
      ax.axhline(ref[1], color='tab:red', ls='--', lw=1, label=f'{ref[0]} {ref[1]:.2f}')
      ax.legend(fontsize=7, loc='lower right')
      lo, hi = min(lo, ref[1]), max(hi, ref[1])
    ax.set_ylim(0 if lo < 2 else lo * 0.9, hi * 1.08)
    ax.set_title(label, fontsize=9)
  if title:
    fig.suptitle(title, fontsize=10)
  fig.tight_layout()
  return _write(fig, path)


def hbar_panels(panels: list, path: str, title: str = None) -> str:
  """Horizontal bar charts side by side, written to `path` (a .png): panels = [(title, {bar label:
  (value, error or None)})], the bars top to bottom in the dict's order, a zero line."""
  rows = max(len(bars) for _, bars in panels)
  fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 0.8 + 0.24 * rows),
                           squeeze=False)
  for ax, (label, bars) in zip(axes[0], panels):
    names = list(bars)[::-1]
    values = [bars[n][0] for n in names]
    errors = [0.0 if bars[n][1] is None else bars[n][1] for n in names]
    ax.barh(names, values, xerr=errors, color='tab:blue', ecolor='gray', capsize=2)
    for y, v in enumerate(values):
      ax.text(v, y, f' {v:.3f}', va='center', fontsize=7)
    ax.axvline(0, color='black', lw=0.6)
    ax.tick_params(axis='y', labelsize=8)
    ax.set_title(label, fontsize=9)
    ax.grid(alpha=0.3, axis='x')
  if title:
    fig.suptitle(title, fontsize=10)
  fig.tight_layout()
  return _write(fig, path)


def _save_to(fig, path):
  return _write(fig, path)


def sequence_panels(panels: dict, path: str) -> str:
  """Stacked heat-maps sharing the time axis: {title: array T x C} (channels / memory rows down)."""
  fig, axes = plt.subplots(len(panels), 1, figsize=(8, 1.4 * len(panels) + 0.6), sharex=True,
                           squeeze=False)
  for ax, (title, a_TxC) in zip(axes[:, 0], panels.items()):
    ax.imshow(np.asarray(a_TxC).T, cmap='gray_r', aspect='auto', interpolation='nearest', vmin=0,
              vmax=max(1.0, float(np.max(a_TxC))))
    ax.set_ylabel(title, fontsize=8)
  axes[-1, 0].set_xlabel('time step')
  fig.tight_layout()
  return _save_to(fig, path)


def ponder_times(ponder_T, inputs_TxD, path: str, targets_TxK=None) -> str:
  """Ponder time N + R per position (bars) above the input (and target) bits of one sequence."""
  rows = 2 if targets_TxK is None else 3
  fig, axes = plt.subplots(rows, 1, figsize=(8, 2.2 + 1.2 * rows), sharex=True,
                           gridspec_kw={'height_ratios': [2] + [1] * (rows - 1)})
  t = np.arange(len(ponder_T))
  axes[0].bar(t, ponder_T, color='tab:blue')
  axes[0].set_ylabel('ponder time N + R')
  axes[0].grid(alpha=0.3, axis='y')
  for ax, (title, a) in zip(axes[1:], (('input', inputs_TxD), ('target', targets_TxK))):
    ax.imshow(np.asarray(a).T, cmap='gray_r', aspect='auto', interpolation='nearest',
              extent=(-0.5, len(t) - 0.5, a.shape[1] - 0.5, -0.5))
    ax.set_ylabel(title, fontsize=8)
  axes[-1].set_xlabel('position')
  fig.tight_layout()
  return _save_to(fig, path)


def roc_curves(curves: dict, points: dict, path: str, title: str = None) -> str:
  """ROC curves {label: (FPR, TPR)} with operating points {label: (FPR, TPR)} as markers, the
  chance diagonal dashed, and a zoom on the low-FPR corner beside; written to `path` (a .png)."""
  fig, axes = plt.subplots(1, 2, figsize=(11, 4.6))
  markers = 'os^DvP*Xh'
  for ax, (lim_x, lim_y) in zip(axes, (((0, 1), (0, 1)), ((0, 0.3), (0.6, 1.0)))):
    for label, (fpr, tpr) in curves.items():
      ax.plot(fpr, tpr, lw=1.4, label=label)
    for i, (label, (fx, ty)) in enumerate(points.items()):
      ax.plot([fx], [ty], ls='none', marker=markers[i % len(markers)], ms=7, mfc='none', mew=1.5,
              color=f'C{len(curves) + i}', label=label)
    ax.plot([0, 1], [0, 1], ls='--', lw=0.8, color='gray')
    ax.set_xlim(*lim_x)
    ax.set_ylim(*lim_y)
    ax.set_xlabel('false positive rate (normal called disease)')
    ax.set_ylabel('true positive rate (disease recall)')
    ax.grid(alpha=0.3)
  axes[0].set_title('full curve', fontsize=9)
  axes[1].set_title('low false-positive corner', fontsize=9)
  axes[1].legend(fontsize=7, loc='lower right')
  if title:
    fig.suptitle(title, fontsize=9)
  fig.tight_layout()
  return _write(fig, path)


def confusion_matrices(mats: dict, class_names, path: str, title: str = None) -> str:
  """One confusion matrix per panel, mats = {title: K x K counts (rows true, columns predicted)};
  colour = the row share (recall), text = the count; written to `path` (a .png)."""
  n = len(mats)
  cols = min(n, 3)
  rows = (n + cols - 1) // cols
  fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 3.3 * rows), squeeze=False)
  for ax in axes.ravel()[n:]:
    ax.axis('off')
  for ax, (label, c) in zip(axes.ravel(), mats.items()):
    c = np.asarray(c, np.float64)
    share = c / np.maximum(c.sum(1, keepdims=True), 1e-12)
    ax.imshow(share, cmap='Blues', vmin=0, vmax=1)
    for i in range(c.shape[0]):
      for j in range(c.shape[1]):
        ax.text(j, i, f'{c[i, j]:.0f}', ha='center', va='center', fontsize=8,
                color='white' if share[i, j] > 0.6 else 'black')
    ax.set_xticks(range(len(class_names)), class_names, fontsize=7)
    ax.set_yticks(range(len(class_names)), class_names, fontsize=7)
    ax.set_xlabel('predicted', fontsize=8)
    ax.set_ylabel('true', fontsize=8)
    ax.set_title(label, fontsize=8)
  if title:
    fig.suptitle(title, fontsize=9)
  fig.tight_layout()
  return _write(fig, path)
