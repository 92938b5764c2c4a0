"""Plots written as PNG files into <workdir>/plots."""
import os

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top,wrong-import-position
import numpy as np  # pylint: disable=g-import-not-at-top,wrong-import-position


def _save(fig, workdir, name):
  path = os.path.join(workdir, 'plots', name)
  os.makedirs(os.path.dirname(path), exist_ok=True)
  fig.savefig(path, dpi=110, bbox_inches='tight')
  plt.close(fig)
  return path


def curves(rows: list, workdir: str, name: str = 'curves.png'):
  """Every logged metric against the step, train and test side by side per metric name."""
  keys = sorted({k for r in rows for k, v in r.items() if k != 'step' and isinstance(v, (int, float))})
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
  os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
  fig.savefig(path, dpi=110, bbox_inches='tight')
  plt.close(fig)
  return path


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


def _save_to(fig, path):
  os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
  fig.savefig(path, dpi=110, bbox_inches='tight')
  plt.close(fig)
  return path


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
