r"""Maximum likelihood of a normalising flow (dljax.models.flows): minimise -log p(x) per example.

  train loss  -mean_b [log N(f(x_b); 0, I) + log |det df/dx_b|]   (nats per example)
  vectors     (the 2-D toys, model 'flow2d') x as the data holds it; test/nll in nats per point
  images      (model 'realnvp') 8-bit pixels k = 255 x are dequantised, y = (k + u) / 256 (uniform
              dequantisation: u ~ U(0, 1)^D fresh at every step, a fixed u at evaluation); the flow's
              density on [0, 1)^D gives a lower bound on the discrete model's log-likelihood,
              log P(k) >= E_u log p(y) - D log 256, so
              test/bpd = (test/nll + D log 256) / (D ln 2) bits per 8-bit dimension (an upper bound)
Chooses best/ on val/nll. Task functions: sample (x = f^{-1}(z), z ~ N(0, I), images in [0, 1]) and
log_prob (log p(x) in nats on the dequantised scale for images).
"""
import math
import os

import jax
import jax.numpy as jnp
import numpy as np

from dljax import data as data_lib, models
from dljax.errors import ConfigError
from dljax.models import flows
from dljax.train import kit
from dljax.train.tasks.base import SPLITS, Task


class FlowTask(Task):
  """Maximum likelihood of a Flow2D (vectors) or a RealNVP (images)."""

  best_metric = 'nll'
  best_mode = 'min'

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    self.model = models.build(config.model)
    self.image = isinstance(self.model, flows.RealNVP)

  @classmethod
  def check_config(cls, config):
    """model is 'flow2d' or 'realnvp' (a RealNVP's squeezes must fit its input_shape), optim."""
    model = models.build(config.model)
    kit.check_optimizer(config.optim)
    if not isinstance(model, (flows.Flow2D, flows.RealNVP)):
      raise ConfigError(f"task 'flow' needs model.name='flow2d' or 'realnvp', not "
                        f'{config.model.name!r}.')
    if isinstance(model, flows.RealNVP):
      flows.check_multiscale(model.input_shape, model.scales)

  @classmethod
  def load_data(cls, config) -> dict:
    info = data_lib.info(config.data)
    model = models.build(config.model)
    kit.check_input_shape(model, info, config.data.name)
    if isinstance(model, flows.RealNVP):
      flows.check_multiscale(tuple(info.shape), model.scales)
    return {split: data_lib.load_split(config.data, split) for split in SPLITS}

  def observe(self, x, rng=None):
    """Images: y = (k + u) / 256 with k = round(255 x) (rng=None: the evaluation's fixed u);
    vectors: x."""
    if not self.image:
      return x
    u = jax.random.uniform(jax.random.PRNGKey(1) if rng is None else rng, x.shape, x.dtype)
    return (jnp.round(x * 255.0) + u) / 256.0

  def init(self, rng, batch):
    return kit.init_single(self.model, rng, (self.observe(batch['x']),), self.config.optim,
                           self.total_steps)

  def train_step(self, state, batch, rng):
    net = state.nets['model']
    x = self.observe(batch['x'], rng)

    def objective(params):
      return -jnp.mean(flows.log_prob(self.model, params, x))

    net, _, metrics = kit.gradient_step(net, objective)
    if self.image:
      metrics['train/bpd'] = self.bpd(metrics['train/loss'])
    return state.replace(nets={'model': net}), metrics

  def bpd(self, nll):
    d = self.model.data_dim()
    return (nll + d * math.log(256.0)) / (d * math.log(2.0))

  def eval_step(self, state, batch):
    mask_B = batch['mask'].astype(jnp.float32)
    nll_B = -flows.log_prob(self.model, state.nets['model'].params, self.observe(batch['x']))
    return {'nll': jnp.sum(nll_B * mask_B), 'count': jnp.sum(mask_B)}

  def summarize(self, sums):
    out = {'test/nll': float(sums['nll'] / sums['count'])}
    if self.image:
      out['test/bpd'] = float(self.bpd(out['test/nll']))
    return out

  # --- task functions for evaluators ----------------------------------------------------------------
  def sample(self, state, rng, n):
    """n samples x = f^{-1}(z), z ~ N(0, I) (images clipped to [0, 1])."""
    x = flows.sample(self.model, state.nets['model'].params, rng, n)
    return jnp.clip(x, 0.0, 1.0) if self.image else x

  def log_prob(self, state, x):
    return flows.log_prob(self.model, state.nets['model'].params, self.observe(x))

  def plots(self, state, workdir, data):
    folder = os.path.join(workdir, 'plots')
    if self.image:
      from dljax import viz  # pylint: disable=g-import-not-at-top
      s = np.asarray(jax.jit(self.sample, static_argnums=2)(state, jax.random.PRNGKey(0), 32))
      viz.image_rows({f'samples {i + 1}': s[8 * i:8 * i + 8] for i in range(4)},
                     os.path.join(folder, 'samples.png'), vranges={f'samples {i + 1}': (0, 1)
                                                                   for i in range(4)})
    elif self.model.data_dim() == 2:
      density_plot(self, state, data['test']['x'], os.path.join(folder, 'density.png'))


def density_plot(task, state, x_test, path, grid: int = 120, title: str = None):
  """Three panels of a 2-D flow: the test points, the learned density p(x) = N(f(x)) |det df/dx|
  on a grid, and a regular grid of z lines mapped to data space by f^{-1} (how the flow bends space)
  with samples."""
  from dljax import viz  # pylint: disable=g-import-not-at-top
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  params = state.nets['model'].params
  lo, hi = np.percentile(x_test, 0.5, axis=0), np.percentile(x_test, 99.5, axis=0)
  pad = 0.25 * (hi - lo)
  lo, hi = lo - pad, hi + pad
  gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], grid), np.linspace(lo[1], hi[1], grid))
  pts = np.stack([gx.ravel(), gy.ravel()], -1).astype(np.float32)
  logp = np.asarray(jax.jit(lambda p, v: flows.log_prob(task.model, p, v))(params, pts))
  inverse = jax.jit(lambda p, z: task.model.apply({'params': p}, z, method=task.model.inverse))
  fig, axes = plt.subplots(1, 3, figsize=(15, 4.8))
  axes[0].scatter(x_test[:, 0], x_test[:, 1], s=2, c='k')
  axes[0].set_title('test data')
  axes[1].imshow(np.exp(logp).reshape(grid, grid), origin='lower', extent=(lo[0], hi[0], lo[1], hi[1]),
                 aspect='auto', cmap='viridis')
  axes[1].set_title('learned density p(x) = N(f(x); 0, I) |det df/dx|')
  lines = np.linspace(-3, 3, 13, dtype=np.float32)
  dense = np.linspace(-3, 3, 200, dtype=np.float32)
  for v in lines:
    for z in (np.stack([np.full_like(dense, v), dense], -1), np.stack([dense, np.full_like(dense, v)], -1)):
      xl = np.asarray(inverse(params, z))
      axes[2].plot(xl[:, 0], xl[:, 1], lw=0.6, color='tab:blue')
  xs = np.asarray(jax.jit(task.sample, static_argnums=2)(state, jax.random.PRNGKey(0), 1000))
  axes[2].scatter(xs[:, 0], xs[:, 1], s=2, c='tab:red')
  axes[2].set_xlim(lo[0], hi[0])
  axes[2].set_ylim(lo[1], hi[1])
  axes[2].set_title('f^{-1} of the z grid lines (blue) and samples (red)')
  if title:
    fig.suptitle(title)
  fig.tight_layout()
  return viz._write(fig, path)  # pylint: disable=protected-access
