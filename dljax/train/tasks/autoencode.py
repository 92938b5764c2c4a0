r"""Autoencoding: reconstruct the input through a code (dljax.models.autoencoders); labels unused.

  objective   mean_b [ (1/D) ||x_b - g(f(x~_b))||^2 ] + lambda Omega   (Omega: the model's penalty)
              x~ = x (plain, sparse, contractive AE) or x + sigma eps with noise_std = sigma > 0
              (denoising AE: the target stays the clean x; eps drawn from the step's key)
  test/mse    per-pixel mean squared error of the CLEAN input's reconstruction (comparable with
              PCA's per-pixel MSE at the same k)
  test/loss   test/mse + lambda Omega (the objective without noise); chooses best/ on val/loss
  test/psnr   mean over images of 10 log10(1 / MSE_i), r clipped to [0, 1] (for [0, 1] images)
"""
import os

import jax
import jax.numpy as jnp
import numpy as np

from dljax import data as data_lib, models
from dljax.models import autoencoders
from dljax.train import kit
from dljax.train.tasks.base import SPLITS, Task, check_model


class Autoencode(Task):
  """f(x) = r ~ x with the mean squared error plus the model's penalty omega."""

  best_metric = 'loss'
  best_mode = 'min'

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    self.model = models.build(config.model)
    self.sigma = config.get('noise_std', 0.0)

  @classmethod
  def load_data(cls, config) -> dict:
    """Checks the code size against the input size D before any data is read or compiled."""
    info = data_lib.info(config.data)
    check_model(config, info)
    model = models.build(config.model)
    if info.shape:
      autoencoders.check_sizes(model.latent_dim, int(np.prod(info.shape)), model.overcomplete)
    return {split: data_lib.load_split(config.data, split) for split in SPLITS}

  def init(self, rng, batch):
    return kit.init_single(self.model, rng, (batch['x'],), self.config.optim, self.total_steps)

  def reconstruct(self, params, x, weights_B=None):
    """(r in the shape of x, the code h B x k, lambda Omega)."""
    return self.model.apply({'params': params}, x, weights_B)

  def train_step(self, state, batch, rng):
    net = state.nets['model']
    x = batch['x']
    x_in = x + self.sigma * jax.random.normal(rng, x.shape, x.dtype) if self.sigma else x

    def objective(params):
      r, _, omega = self.reconstruct(params, x_in)
      mse = jnp.mean((r - x) ** 2)  # mean over the batch and the D pixels
      return mse + omega, (mse, omega)

    net, (mse, omega), metrics = kit.gradient_step(net, objective, has_aux=True)
    metrics['train/mse'] = mse
    metrics['train/penalty'] = omega
    return state.replace(nets={'model': net}), metrics

  def eval_step(self, state, batch):
    x, mask_B = batch['x'], batch['mask'].astype(jnp.float32)
    r, _, omega = self.reconstruct(state.nets['model'].params, x, mask_B)
    axes = tuple(range(1, x.ndim))
    mse_B = jnp.mean((r - x) ** 2, axis=axes)
    mse_clip_B = jnp.mean((jnp.clip(r, 0.0, 1.0) - x) ** 2, axis=axes)
    psnr_B = 10.0 * jnp.log10(1.0 / jnp.maximum(mse_clip_B, 1e-10))
    count = jnp.sum(mask_B)
    return {'mse': jnp.sum(mse_B * mask_B), 'psnr': jnp.sum(psnr_B * mask_B),
            'penalty': omega * count, 'count': count}

  def summarize(self, sums):
    n = sums['count']
    mse, penalty = float(sums['mse'] / n), float(sums['penalty'] / n)
    return {'test/loss': mse + penalty, 'test/mse': mse, 'test/penalty': penalty,
            'test/psnr': float(sums['psnr'] / n)}

  # --- task functions for evaluators (dljax/eval) -------------------------------------------------
  def predict(self, state, x):
    """The reconstruction r = g(f(x)) in the shape of x."""
    return self.reconstruct(state.nets['model'].params, x)[0]

  def features(self, state, x):
    """The code h = f(x), B x k."""
    return self.reconstruct(state.nets['model'].params, x)[1]

  def plots(self, state, workdir, data):
    x = data['test']['x'][:8]
    if x.ndim != 4:  # images only
      return
    from dljax import viz  # pylint: disable=g-import-not-at-top
    r = np.asarray(jax.jit(lambda v: self.predict(state, v))(x))
    viz.image_rows({'input': x, 'reconstruction': np.clip(r, 0, 1)},
                   os.path.join(workdir, 'plots', 'reconstructions.png'),
                   vranges={'input': (0, 1), 'reconstruction': (0, 1)})
