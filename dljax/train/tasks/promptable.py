r"""Promptable segmentation (SAM, seed 001 §1.17, c42-c43): a prompt (point or box) on an image ->
M masks and M predicted IoUs (dljax.models.sam.SAM), on data of kind 'prompted'
(dljax.data.datasets.shapes_prompts).

  per-mask loss   L_m = BCE(sigmoid(f_m), y) + Dice(sigmoid(f_m), y),   f_m the logits of mask m,
                  BCE averaged over pixels, Dice = 1 - (2 sum p y + 1) / (sum p + sum y + 1)
  min-over-masks  L_mask = min_m L_m: only the mask with the lowest loss gets a gradient (the
                  notes: "loss function and backpropagation is calculated as the lowest of the
                  three losses"); with M = 1 it is the single-mask baseline's plain loss
  IoU head        L_iou = mean_m (s_m - IoU(f_m > 0, y))^2, the target IoU held constant (no
                  gradient into the masks): s_m regresses the actual IoU of EVERY mask
  objective       L = L_mask + promptable.iou_weight L_iou   (iou_weight default 1)

Mask IoU, not box IoU (the erratum of seed 001 c43: the notes take the IoU of the two masks'
bounding boxes): IoU(A, B) = |A and B| / |A or B| over pixels, 1 when both are empty.
Evaluation (means over prompts; best/ chosen on val/iou):
  test/iou            IoU of the mask the IoU head picks (argmax_m s_m) with the target
  test/iou_oracle     max_m IoU of the M masks with the target (SAM's "oracle" best-of-M)
  test/iou_first      IoU of mask 1 alone
  test/iou_head_mae   mean_m |s_m - IoU_m|
  test/box_iou        box IoU of the picked mask and the target (the notes' definition; >= it need
                      not be, but it ignores the shapes' outlines: reported to show the gap)
  test/*_ambiguous    the same on the prompts that can mean several masks (a point inside a nested
                      group), and test/coverage_ambiguous: mean over the valid masks v of max_m
                      IoU(mask m, v) -- whether the M masks hold every reading, not only the target
Plots: prompts, the M masks with their predicted IoU, and the target (plots/promptable.png).
"""
import os

import jax
import jax.numpy as jnp
import numpy as np
import optax

from dljax import data as data_lib, models
from dljax.data.datasets import shapes_prompts as prompts_data
from dljax.errors import ConfigError, DataError
from dljax.models import sam as sam_lib
from dljax.train import kit
from dljax.train.tasks.base import SPLITS, Task


def defaults(config) -> dict:
  p = dict(iou_weight=1.0)
  p.update(dict(config.get('promptable', {})))
  return p


def mask_iou(pred_BxHxW, true_BxHxW):
  """|A and B| / |A or B| per example over boolean masks (1 where both are empty): mask IoU."""
  a, b = pred_BxHxW.astype(bool), true_BxHxW.astype(bool)
  inter = jnp.sum(a & b, axis=(-2, -1))
  union = jnp.sum(a | b, axis=(-2, -1))
  return jnp.where(union > 0, inter / jnp.maximum(union, 1), 1.0)


def bounding_box(m_BxHxW):
  """(row0, col0, row1, col1) of each mask's bounding box (half-open; zeros for an empty mask)."""
  m = m_BxHxW.astype(bool)
  h, w = m.shape[-2:]
  rows, cols = jnp.any(m, -1), jnp.any(m, -2)
  r0 = jnp.argmax(rows, -1)
  r1 = h - jnp.argmax(rows[..., ::-1], -1)
  c0 = jnp.argmax(cols, -1)
  c1 = w - jnp.argmax(cols[..., ::-1], -1)
  empty = ~jnp.any(rows, -1)
  return tuple(jnp.where(empty, 0, v) for v in (r0, c0, r1, c1))


def box_iou(pred_BxHxW, true_BxHxW):
  """IoU of the two masks' bounding boxes (the notes' definition, c43); 1 when both are empty."""
  a, b = bounding_box(pred_BxHxW), bounding_box(true_BxHxW)
  area = lambda r0, c0, r1, c1: (r1 - r0) * (c1 - c0)  # pylint: disable=unnecessary-lambda-assignment
  ih = jnp.maximum(jnp.minimum(a[2], b[2]) - jnp.maximum(a[0], b[0]), 0)
  iw = jnp.maximum(jnp.minimum(a[3], b[3]) - jnp.maximum(a[1], b[1]), 0)
  inter = ih * iw
  union = area(*a) + area(*b) - inter
  return jnp.where(union > 0, inter / jnp.maximum(union, 1), 1.0)


def mask_losses(logits_BxMxHxW, y_BxHxW):
  """L_m = BCE + Dice of every mask against the target, B x M."""
  y = y_BxHxW[:, None].astype(logits_BxMxHxW.dtype)
  bce = jnp.mean(optax.sigmoid_binary_cross_entropy(logits_BxMxHxW, y), axis=(-2, -1))
  p = jax.nn.sigmoid(logits_BxMxHxW)
  dice = 1.0 - (2.0 * jnp.sum(p * y, (-2, -1)) + 1.0) / (jnp.sum(p, (-2, -1)) + jnp.sum(y, (-2, -1))
                                                         + 1.0)
  return bce + dice


def min_over_masks(losses_BxM):
  """(min_m L_m per example, argmin m): the gradient reaches only the argmin mask."""
  best_B = jnp.argmin(losses_BxM, axis=-1)
  return jnp.take_along_axis(losses_BxM, best_B[:, None], -1)[:, 0], best_B


def iou_targets(logits_BxMxHxW, y_BxHxW):
  """IoU(f_m > 0, y) of every mask, B x M, as constants (the IoU head's regression targets)."""
  pred = jax.lax.stop_gradient(logits_BxMxHxW) > 0
  return mask_iou(pred, y_BxHxW[:, None])


class PromptableSegment(Task):
  """SAM-style training: min-over-masks loss + IoU-prediction head."""

  best_metric = 'iou'
  best_mode = 'max'

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    self.model = models.build(config.model)
    self.p = defaults(config)

  @classmethod
  def check_config(cls, config):
    model = models.build(config.model)
    kit.check_optimizer(config.optim)
    if not isinstance(model, sam_lib.SAM):
      raise ConfigError(f"task 'promptable_segment' trains model.name='sam', not "
                        f'{config.model.name!r}.')
    model.check()
    if defaults(config)['iou_weight'] < 0:
      raise ConfigError('promptable.iou_weight must be >= 0 (the IoU head loss weight).')

  @classmethod
  def load_data(cls, config) -> dict:
    info = data_lib.info(config.data)
    if info.kind != 'prompted':
      raise ConfigError(f"task 'promptable_segment' reads a prompted dataset (shapes_prompts), not "
                        f'data.name={config.data.name!r} (kind {info.kind!r}).')
    size = models.build(config.model).image_size
    if tuple(info.shape[:2]) != (size, size):
      raise ConfigError(f'model.image_size={size} does not match {config.data.name} '
                        f'({info.shape[0]}); set --config.model.image_size={info.shape[0]}.')
    data = {split: data_lib.load(config.data, split) for split in SPLITS}
    for split, arrays in data.items():
      check_prompts(arrays['x'], arrays['points'], arrays['labels'], f'{config.data.name} {split}')
    return data

  def init(self, rng, batch):
    return kit.init_single(self.model, rng, (batch['x'], batch['points'], batch['labels']),
                           self.config.optim, self.total_steps, rng_names=('params',))

  def apply(self, params, batch):
    return self.model.apply({'params': params}, batch['x'], batch['points'], batch['labels'])

  def train_step(self, state, batch, rng):
    del rng  # the step is deterministic given the batch
    w = self.p['iou_weight']

    def objective(params):
      logits, iou_pred = self.apply(params, batch)
      loss_B, best_B = min_over_masks(mask_losses(logits, batch['y']))
      iou_BxM = iou_targets(logits, batch['y'])
      iou_loss = jnp.mean((iou_pred - iou_BxM) ** 2)
      mask_loss = jnp.mean(loss_B)
      return mask_loss + w * iou_loss, (mask_loss, iou_loss, iou_BxM, best_B)

    net, (mask_loss, iou_loss, iou_BxM, best_B), metrics = kit.gradient_step(
        state.nets['model'], objective, has_aux=True)
    metrics.update({'train/mask_loss': mask_loss, 'train/iou_loss': iou_loss,
                    'train/iou_oracle': jnp.mean(jnp.max(iou_BxM, -1))})
    for m in range(self.model.num_masks):  # how often each mask is the best one
      metrics[f'train/best_is_mask{m + 1}'] = jnp.mean(best_B == m)
    return state.replace(nets={'model': net}), metrics

  def eval_step(self, state, batch):
    logits, iou_pred = self.apply(state.nets['model'].params, batch)
    mask = batch['mask'].astype(jnp.float32)
    amb = mask * (batch['ambiguous'] > 0)
    y = batch['y']
    pred_BxMxHxW = logits > 0
    iou_BxM = mask_iou(pred_BxMxHxW, y[:, None])
    pick_B = jnp.argmax(iou_pred, -1)
    picked = jnp.take_along_axis(pred_BxMxHxW, pick_B[:, None, None, None], 1)[:, 0]
    iou_pick = jnp.take_along_axis(iou_BxM, pick_B[:, None], -1)[:, 0]
    oracle = jnp.max(iou_BxM, -1)
    # coverage: each valid reading v -> its best mask; averaged over the num_valid readings
    valid_BxV = jnp.arange(batch['valid'].shape[1])[None] < batch['num_valid'][:, None]
    iou_BxVxM = mask_iou(pred_BxMxHxW[:, None], batch['valid'][:, :, None])
    cover_B = jnp.sum(jnp.max(iou_BxVxM, -1) * valid_BxV, -1) / batch['num_valid']
    loss_B, _ = min_over_masks(mask_losses(logits, y))
    s = lambda v, m=mask: jnp.sum(v * m)  # pylint: disable=unnecessary-lambda-assignment
    return {'count': jnp.sum(mask), 'count_ambiguous': jnp.sum(amb), 'loss': s(loss_B),
            'iou': s(iou_pick), 'iou_oracle': s(oracle), 'iou_first': s(iou_BxM[:, 0]),
            'iou_head_mae': s(jnp.mean(jnp.abs(iou_pred - iou_BxM), -1)),
            'box_iou': s(box_iou(picked, y)),
            'iou_ambiguous': s(iou_pick, amb), 'iou_oracle_ambiguous': s(oracle, amb),
            'coverage_ambiguous': s(cover_B, amb)}

  def summarize(self, sums):
    n, na = float(sums['count']), float(sums['count_ambiguous'])
    out = {}
    for k, v in sums.items():
      if k.startswith('count'):
        continue
      denom = na if k.endswith('_ambiguous') else n
      if denom:
        out[f'test/{k}'] = float(v) / denom
    return out

  # --- task functions for studies and evaluators ---------------------------------------------------
  def predict(self, state, batch):
    """(mask logits B x M x H x W, predicted IoU B x M) of a batch {'x', 'points', 'labels'}."""
    return self.apply(state.nets['model'].params, batch)

  def encode(self, state, x):
    """The image embedding, B x N x D (computed once per image for many prompts)."""
    return self.model.apply({'params': state.nets['model'].params}, x, method=sam_lib.SAM.encode)

  def decode(self, state, e, x, points, labels):
    return self.model.apply({'params': state.nets['model'].params}, e, x, points, labels,
                            method=sam_lib.SAM.decode)

  def plots(self, state, workdir, data):
    test = data['test']
    order = np.argsort(-np.asarray(test['num_valid']), kind='stable')[:6]  # ambiguous ones first
    batch = {k: np.asarray(test[k])[order] for k in ('x', 'points', 'labels', 'y')}
    logits, iou_pred = jax.jit(self.predict)(state, batch)
    plot_prompts(batch, np.asarray(logits), np.asarray(iou_pred),
                 os.path.join(workdir, 'plots', 'promptable.png'),
                 title=f'{self.config.name}: prompt, masks with predicted IoU s_m, target')


def check_prompts(x_BxHxWx1, points_BxPx2, labels_BxP, where: str = 'batch'):
  """DataError for a prompt that cannot be read: a label outside 0..3, a point outside the image,
  a box whose corners are not top-left < bottom-right, or an example without any prompt point."""
  points, labels = np.asarray(points_BxPx2), np.asarray(labels_BxP)
  h, w = np.asarray(x_BxHxWx1).shape[1:3]
  if points.ndim != 3 or points.shape[-1] != 2 or labels.shape != points.shape[:2]:
    raise DataError(f'{where}: prompts must be points B x P x 2 (row, col) with labels B x P; got '
                    f'{points.shape} and {labels.shape}.')
  if labels.size and (labels.min() < 0 or labels.max() >= sam_lib.NUM_LABELS):
    raise DataError(f'{where}: prompt labels must be 0 (padding), 1 (point), 2 / 3 (box corners); '
                    f'got {sorted(set(labels.ravel().tolist()))}.')
  real = labels > 0
  outside = real & ((points[..., 0] < 0) | (points[..., 0] > h) | (points[..., 1] < 0)
                    | (points[..., 1] > w))
  if outside.any():
    i = int(np.argwhere(outside)[0][0])
    raise DataError(f'{where}: example {i} has a prompt point {points[i].tolist()} outside the '
                    f'{h} x {w} image; points are (row, col) pixel coordinates in [0, {h}] x [0, {w}].')
  if not real.any(-1).all():
    i = int(np.argwhere(~real.any(-1))[0][0])
    raise DataError(f'{where}: example {i} has no prompt (every label is 0 = padding).')
  tl, br = labels == prompts_data.BOX_TL, labels == prompts_data.BOX_BR
  both = tl.any(-1) & br.any(-1)
  if (tl.any(-1) != br.any(-1)).any():
    raise DataError(f'{where}: a box prompt needs both corners (labels 2 and 3).')
  if both.any():
    p_tl = np.where(tl[..., None], points, 0).sum(1)
    p_br = np.where(br[..., None], points, 0).sum(1)
    bad = both & ((p_tl >= p_br).any(-1))
    if bad.any():
      i = int(np.argwhere(bad)[0][0])
      raise DataError(f'{where}: example {i} has a box with top-left {p_tl[i].tolist()} not above '
                      f'and left of bottom-right {p_br[i].tolist()}.')


def draw_prompt(ax, points_Px2, labels_P):
  """A star for a point, a rectangle for a box (points are (row, col); imshow pixel (i, j) spans
  [j - 0.5, j + 0.5])."""
  import matplotlib.patches as patches  # pylint: disable=g-import-not-at-top
  pts = np.asarray(points_Px2) - 0.5
  labels = np.asarray(labels_P)
  if (labels == prompts_data.BOX_TL).any():
    (r0, c0) = pts[labels == prompts_data.BOX_TL][0]
    (r1, c1) = pts[labels == prompts_data.BOX_BR][0]
    ax.add_patch(patches.Rectangle((c0, r0), c1 - c0, r1 - r0, fill=False, color='lime', lw=1.5))
  for (r, c), lab in zip(pts, labels):
    if lab == prompts_data.POINT:
      ax.plot(c, r, marker='*', color='lime', markersize=10, markeredgecolor='k')


def plot_prompts(batch, logits_BxMxHxW, iou_pred_BxM, path: str, title: str = None):
  """One row per example: the image with its prompt, each mask with its predicted IoU s_m and its
  actual IoU with the target, then the target."""
  from dljax import viz  # pylint: disable=g-import-not-at-top,unused-import  (selects Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  b, m = logits_BxMxHxW.shape[:2]
  actual = np.asarray(mask_iou(logits_BxMxHxW > 0, np.asarray(batch['y'])[:, None]))
  fig, axes = plt.subplots(b, m + 2, figsize=(1.6 * (m + 2), 1.7 * b), squeeze=False)
  for i in range(b):
    axes[i, 0].imshow(batch['x'][i, ..., 0], cmap='gray', vmin=0, vmax=1)
    draw_prompt(axes[i, 0], batch['points'][i], batch['labels'][i])
    for j in range(m):
      axes[i, 1 + j].imshow(logits_BxMxHxW[i, j] > 0, cmap='viridis', vmin=0, vmax=1)
      axes[i, 1 + j].set_title(f's={iou_pred_BxM[i, j]:.2f} iou={actual[i, j]:.2f}', fontsize=7)
    axes[i, m + 1].imshow(batch['y'][i], cmap='viridis', vmin=0, vmax=1)
    for ax in axes[i]:
      ax.set_xticks([])
      ax.set_yticks([])
  axes[0, 0].set_title('prompt', fontsize=7)
  axes[0, m + 1].set_title('target', fontsize=7)
  if title:
    fig.suptitle(title, fontsize=8)
  fig.tight_layout()
  os.makedirs(os.path.dirname(path), exist_ok=True)
  fig.savefig(path, dpi=110)
  plt.close(fig)
  return path
