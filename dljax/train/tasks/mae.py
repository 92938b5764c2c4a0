"""Masked-autoencoder pretraining (He et al. 2022): reconstruct the masked patches' pixels.

The loss is the model's per-example mean squared error on the masked patches only; the mask is a
fresh random 75 % of the patches per example at every step (rng stream 'masking'). Evaluation uses a
fixed masking key, so test/loss is comparable between evaluations and runs.
"""
import os

import jax
import jax.numpy as jnp
import numpy as np

from dljax import models
from dljax.models.vit import patchify, unpatchify
from dljax.train import kit
from dljax.train.tasks.base import Task

EVAL_MASK_SEED = 1234


class MAEPretrain(Task):
  """Self-supervised: labels are ignored; test/loss is the masked-patch reconstruction error."""

  best_metric = 'loss'
  best_mode = 'min'

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    self.model = models.build(config.model)

  def init(self, rng, batch):
    return kit.init_single(self.model, rng, (batch['x'],), self.config.optim, self.total_steps,
                           rng_names=('params', 'masking'))

  def reconstruct(self, params, x, rng, train=False):
    """(pred B x N x P*P*C, mask B x N, per-example loss B)."""
    pred, mask = self.model.apply({'params': params}, x, train=train, rngs={'masking': rng})
    return pred, mask, self.model.loss(pred, mask, x)

  def train_step(self, state, batch, rng):
    net = state.nets['model']

    def objective(params):
      return self.reconstruct(params, batch['x'], rng, train=True)[2].mean()

    net, _, metrics = kit.gradient_step(net, objective)
    return state.replace(nets={'model': net}), metrics

  def eval_step(self, state, batch):
    rng = jax.random.PRNGKey(EVAL_MASK_SEED)
    loss = self.reconstruct(state.nets['model'].params, batch['x'], rng)[2]
    mask = batch['mask'].astype(jnp.float32)
    return {'loss': jnp.sum(loss * mask), 'count': jnp.sum(mask)}

  def summarize(self, sums):
    return {'test/loss': float(sums['loss'] / sums['count'])}

  def plots(self, state, workdir, data, n=10):
    """Test images: original, the visible 25 % (masked patches grey), the reconstruction with the
    visible patches pasted back in (de-normalised per patch when norm_pix_loss)."""
    from dljax import viz  # pylint: disable=g-import-not-at-top
    x = jnp.asarray(data['test']['x'][:n])
    pred, mask, _ = jax.jit(lambda x: self.reconstruct(
        state.nets['model'].params, x, jax.random.PRNGKey(EVAL_MASK_SEED)))(x)
    m = self.model
    patches = patchify(x, m.patch)
    if m.norm_pix_loss:  # undo the per-patch normalisation with the true patches' statistics
      pred = pred * jnp.sqrt(patches.var(-1, keepdims=True) + 1e-6) + patches.mean(-1, keepdims=True)
    grid_hw = (x.shape[1] // m.patch, x.shape[2] // m.patch)
    keep_BxNx1 = (1.0 - mask)[:, :, None]
    visible = unpatchify(patches * keep_BxNx1 + 0.5 * (1.0 - keep_BxNx1), grid_hw, m.patch, x.shape[-1])
    pasted = unpatchify(patches * keep_BxNx1 + pred * (1.0 - keep_BxNx1), grid_hw, m.patch, x.shape[-1])
    viz.image_rows({'original': np.asarray(x), f'visible {1 - m.mask_ratio:.0%}': np.asarray(visible),
                    'reconstruction': np.clip(np.asarray(pasted), 0.0, 1.0)},
                   os.path.join(workdir, 'plots', 'mae_reconstruction.png'),
                   vranges={'original': (0, 1), 'reconstruction': (0, 1)},
                   title='MAE on test images (masked patches predicted)')
