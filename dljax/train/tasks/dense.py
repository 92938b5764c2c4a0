"""Dense (per-pixel) prediction with an image-to-image network such as the U-Net.

  denoise:  x~ = x + sigma eps, eps ~ N(0, I) drawn from the step's key;  loss = mean (f(x~) - x)^2
            test/psnr = mean over test images of 10 log10(1 / MSE_i), MSE_i over the pixels of
            image i with f(x~) clipped to [0, 1] (the peak value of [0, 1] images is 1)
  segment:  per-pixel softmax cross-entropy; test/iou = mean over classes c of
            |pred = c and true = c| / |pred = c or true = c| (counted over the whole test set),
            test/pixel_accuracy = fraction of pixels whose argmax class is right

Both reuse the classifier's state, prediction and optimizer step (BatchNorm statistics threaded);
they declare their loss and model-selection metric as class attributes.
"""
import os

import jax
import jax.numpy as jnp
import numpy as np

from dljax.train.tasks.classification import Classification


def psnr(pred_BxHxWxC, clean_BxHxWxC):
  """Per-image PSNR in dB for images in [0, 1]: 10 log10(1 / MSE_i), the prediction clipped first."""
  mse = jnp.mean((jnp.clip(pred_BxHxWxC, 0.0, 1.0) - clean_BxHxWxC) ** 2, axis=(1, 2, 3))
  return 10.0 * jnp.log10(1.0 / jnp.maximum(mse, 1e-10))


class Denoise(Classification):
  """f(x + sigma eps) -> x with the mean squared error; the labels are not used."""

  fixed_loss = 'mse'
  best_metric = 'psnr'
  best_mode = 'max'

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    self.sigma = config.get('noise_std', 0.3)
    self._test_noise = None

  def add_noise(self, rng, x):
    return x + self.sigma * jax.random.normal(rng, x.shape, x.dtype)  # x~ = x + sigma eps

  def train_step(self, state, batch, rng):
    k_noise, k_model = jax.random.split(rng)
    noisy = self.add_noise(k_noise, batch['x'])
    return super().train_step(state, {'x': noisy, 'y': batch['x']}, k_model)

  def noisy_test(self, x):
    """The test images with one fixed noise draw (seeded), so every evaluation sees the same inputs."""
    if self._test_noise is None or self._test_noise.shape != x.shape:
      rng = np.random.default_rng([self.config.seed, 1])
      self._test_noise = (self.sigma * rng.standard_normal(x.shape)).astype(x.dtype)
    return x + self._test_noise

  def evaluate(self, state, arrays, eval_fn, put_batch):
    return super().evaluate(state, {'x': arrays['x'], 'x_noisy': self.noisy_test(arrays['x'])},
                            eval_fn, put_batch)

  def eval_step(self, state, batch):
    out, _ = self.forward(state.nets['model'], batch['x_noisy'])
    mask = batch['mask'].astype(jnp.float32)
    mse = jnp.mean((out - batch['x']) ** 2, axis=(1, 2, 3))
    return {'loss': jnp.sum(mse * mask), 'psnr': jnp.sum(psnr(out, batch['x']) * mask),
            'psnr_noisy': jnp.sum(psnr(batch['x_noisy'], batch['x']) * mask),
            'count': jnp.sum(mask)}

  def summarize(self, sums):
    n = sums['count']
    return {'test/loss': float(sums['loss'] / n), 'test/psnr': float(sums['psnr'] / n),
            'test/psnr_noisy': float(sums['psnr_noisy'] / n)}

  def plots(self, state, workdir, data):
    from dljax import viz  # pylint: disable=g-import-not-at-top
    x = data['test']['x'][:8]
    noisy = self.noisy_test(data['test']['x'])[:8]
    denoised = np.asarray(jax.jit(lambda v: self.forward(state.nets['model'], v)[0])(noisy))
    viz.image_rows({f'noisy (sigma {self.sigma})': noisy, 'denoised': np.clip(denoised, 0, 1),
                    'clean': x}, os.path.join(workdir, 'plots', 'denoising.png'),
                   vranges={k: (0, 1) for k in (f'noisy (sigma {self.sigma})', 'denoised', 'clean')})


class Segment(Classification):
  """Per-pixel classes: logits B x H x W x K against masks B x H x W (softmax cross-entropy)."""

  best_metric = 'iou'
  best_mode = 'max'

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    self.class_names = tuple(config.get('class_names', ()))

  def eval_step(self, state, batch):
    out, _ = self.forward(state.nets['model'], batch['x'])
    k = out.shape[-1]
    mask_B = batch['mask'].astype(jnp.float32)
    mask_Bx1x1x1 = mask_B[:, None, None, None]
    pred = jax.nn.one_hot(out.argmax(-1), k) * mask_Bx1x1x1
    true = jax.nn.one_hot(batch['y'], k) * mask_Bx1x1x1
    inter_K = jnp.sum(pred * true, axis=(0, 1, 2))
    union_K = jnp.sum(pred + true, axis=(0, 1, 2)) - inter_K
    loss_B = jnp.mean(self.loss_fn(out, batch['y']), axis=(1, 2))
    pixels = jnp.sum(mask_B) * out.shape[1] * out.shape[2]
    return {'loss': jnp.sum(loss_B * mask_B), 'count': jnp.sum(mask_B), 'inter': inter_K,
            'union': union_K, 'correct_pixels': jnp.sum(inter_K), 'pixels': pixels}

  def summarize(self, sums):
    present = sums['union'] > 0
    iou_K = np.where(present, sums['inter'] / np.maximum(sums['union'], 1), np.nan)
    metrics = {'test/loss': float(sums['loss'] / sums['count']),
               'test/iou': float(np.nanmean(iou_K)),
               'test/pixel_accuracy': float(sums['correct_pixels'] / sums['pixels'])}
    for name, value in zip(self.class_names, iou_K):
      if np.isfinite(value):
        metrics[f'test/iou_{name}'] = float(value)
    return metrics

  def plots(self, state, workdir, data):
    from dljax import viz  # pylint: disable=g-import-not-at-top
    x, y = data['test']['x'][:8], data['test']['y'][:8]
    out = jax.jit(lambda v: self.forward(state.nets['model'], v)[0])(x)
    k = out.shape[-1]
    viz.image_rows({'image': x, 'mask': y, 'prediction': np.asarray(out.argmax(-1))},
                   os.path.join(workdir, 'plots', 'segmentation.png'),
                   cmaps={'mask': 'viridis', 'prediction': 'viridis'},
                   vranges={'image': (0, 1), 'mask': (0, k - 1), 'prediction': (0, k - 1)},
                   title='classes: ' + ', '.join(f'{i} {n}' for i, n in enumerate(self.class_names)))
