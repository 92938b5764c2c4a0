r"""Denoising diffusion (DDPM, dljax.models.diffusion) on 8-bit images scaled to [-1, 1].

  train loss  E_{t ~ U{1..T}, eps ~ N(0, I)} ||target - net(x_t, t)||^2 (mean over pixels), x_t =
              sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps; the target is eps (Ho et al.'s L_simple; the
              catalog's erratum: not the image), x_0 or the posterior mean mu~_t (the x_{t-1} mean):
              config.diffusion.param
  test/loss   the same loss at a fixed draw of (t, eps) per image (chooses nothing)
  test/eps_mse ||eps - eps_hat||^2 per pixel whatever the parameterisation (comparable across them)
  test/bpd    the variational bound L_T + sum_{t>=2} L_{t-1} + L_0 (nats per image) / (D ln 2): an
              upper bound on -log2 P(x) per dimension of the 8-bit data (L_0: the discretised
              Gaussian decoder). The sum over t is estimated without bias from diffusion.vlb_t
              stratified steps per image, (T / K) sum_k L(t_k), t_k uniform in the k-th of K equal
              strata; chooses best/ on val/bpd
Evaluation draws its noise from a fixed key. Task functions: sample (config.diffusion.sampler:
'ancestral' = T DDPM steps, 'ddim' = diffusion.sample_steps DDIM steps with diffusion.eta), images
in [0, 1]; plots/samples.png shows both samplers.
"""
import math
import os

import jax
import jax.numpy as jnp
import numpy as np

from dljax import data as data_lib, models
from dljax.errors import ConfigError
from dljax.models import diffusion as dm
from dljax.train import kit
from dljax.train.tasks.base import SPLITS, Task

SAMPLERS = ('ancestral', 'ddim')


def defaults(config):
  d = dict(steps=1000, schedule='linear', beta_1=1e-4, beta_T=0.02, param='eps', vlb_t=8,
           sampler='ancestral', sample_steps=50, eta=0.0)
  d.update(dict(config.get('diffusion', {})))
  return d


class Diffusion(Task):
  """DDPM training with an eps, x_0 or mean parameterisation of a time-conditioned U-Net."""

  best_metric = 'bpd'
  best_mode = 'min'

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    self.model = models.build(config.model)
    self.d = defaults(config)
    self.sch = dm.make_schedule(dm.betas_for(self.d['schedule'], self.d['steps'], self.d['beta_1'],
                                             self.d['beta_T']))

  @classmethod
  def check_config(cls, config):
    """model is a TimeUNet; diffusion: schedule with every beta in (0, 1), param, sampler,
    sample_steps in [1, T], eta >= 0, vlb_t in [1, T]."""
    model = models.build(config.model)
    kit.check_optimizer(config.optim)
    if not isinstance(model, dm.TimeUNet):
      raise ConfigError(f"task 'diffusion' needs model.name='time_unet', not {config.model.name!r}.")
    d = defaults(config)
    dm.betas_for(d['schedule'], d['steps'], d['beta_1'], d['beta_T'])
    if d['param'] not in dm.PARAMETERISATIONS:
      raise ConfigError(f'diffusion.param={d["param"]!r} is unknown; use one of '
                        f'{dm.PARAMETERISATIONS}.')
    if d['sampler'] not in SAMPLERS:
      raise ConfigError(f'diffusion.sampler={d["sampler"]!r} is unknown; use one of {SAMPLERS}.')
    dm.ddim_timesteps(d['steps'], d['sample_steps'])
    if d['eta'] < 0:
      raise ConfigError(f'diffusion.eta={d["eta"]} must be >= 0 (0: deterministic DDIM).')
    if not 1 <= d['vlb_t'] <= d['steps']:
      raise ConfigError(f'diffusion.vlb_t={d["vlb_t"]} must be in [1, T={d["steps"]}].')

  @classmethod
  def load_data(cls, config) -> dict:
    info = data_lib.info(config.data)
    model = models.build(config.model)
    kit.check_input_shape(model, info, config.data.name)
    return {split: data_lib.load_split(config.data, split) for split in SPLITS}

  @staticmethod
  def to_model(x):
    """8-bit pixels k / 255 in [0, 1] -> x_0 = 2 k / 255 - 1 in [-1, 1]."""
    return jnp.round(x * 255.0) / 127.5 - 1.0

  def apply(self, params, xt, t_B):
    return self.model.apply({'params': params}, xt, t_B)

  def init(self, rng, batch):
    x = batch['x']
    return kit.init_single(self.model, rng, (x, jnp.zeros((x.shape[0],), jnp.int32)),
                           self.config.optim, self.total_steps)

  def loss_terms(self, params, x0, rng):
    """(per-example loss, per-example eps mse) at t ~ U{1..T}, eps ~ N(0, I) drawn from rng."""
    k_t, k_eps = jax.random.split(rng)
    t_B = jax.random.randint(k_t, (x0.shape[0],), 0, self.d['steps'])
    eps = jax.random.normal(k_eps, x0.shape)
    xt = dm.q_sample(self.sch, x0, t_B, eps)
    out = self.apply(params, xt, t_B)
    tgt = dm.target(self.d['param'], self.sch, x0, xt, t_B, eps)
    eps_hat = dm.predictions(self.d['param'], self.sch, out, xt, t_B)[0]
    axes = tuple(range(1, x0.ndim))
    return jnp.mean((tgt - out) ** 2, axes), jnp.mean((eps - eps_hat) ** 2, axes)

  def train_step(self, state, batch, rng):
    net = state.nets['model']
    x0 = self.to_model(batch['x'])

    def objective(params):
      loss_B, eps_B = self.loss_terms(params, x0, rng)
      return jnp.mean(loss_B), jnp.mean(eps_B)

    net, eps_mse, metrics = kit.gradient_step(net, objective, has_aux=True)
    metrics['train/eps_mse'] = eps_mse
    return state.replace(nets={'model': net}), metrics

  def vlb(self, params, x0, rng):
    """The bound's estimate per example in nats: L_T + (T / K) sum_k L(t_k), stratified t_k."""
    steps, k = self.d['steps'], self.d['vlb_t']
    total = dm.prior_kl(self.sch, x0)
    for i in range(k):
      key = jax.random.fold_in(rng, i)
      k_t, k_eps = jax.random.split(key)
      lo, hi = i * steps // k, (i + 1) * steps // k
      t_B = jax.random.randint(k_t, (x0.shape[0],), lo, hi)
      xt = dm.q_sample(self.sch, x0, t_B, jax.random.normal(k_eps, x0.shape))
      term = dm.vlb_term(self.d['param'], self.sch, self.apply(params, xt, t_B), x0, xt, t_B)
      total = total + (hi - lo) * term  # stratum i holds hi - lo steps
    return total

  def eval_step(self, state, batch):
    params = state.nets['model'].params
    x0, mask_B = self.to_model(batch['x']), batch['mask'].astype(jnp.float32)
    key = jax.random.PRNGKey(2)
    loss_B, eps_B = self.loss_terms(params, x0, key)
    vlb_B = self.vlb(params, x0, jax.random.fold_in(key, 1))
    return {'loss': jnp.sum(loss_B * mask_B), 'eps_mse': jnp.sum(eps_B * mask_B),
            'vlb': jnp.sum(vlb_B * mask_B), 'count': jnp.sum(mask_B)}

  def summarize(self, sums):
    n = sums['count']
    d = int(np.prod(self.model.input_shape))
    vlb = float(sums['vlb'] / n)
    return {'test/loss': float(sums['loss'] / n), 'test/eps_mse': float(sums['eps_mse'] / n),
            'test/vlb_nats': vlb, 'test/bpd': vlb / (d * math.log(2.0))}

  # --- task functions for evaluators ----------------------------------------------------------------
  def sample(self, state, rng, n, sampler: str = None):
    """n images in [0, 1] from the reverse process (module docstring: diffusion.sampler)."""
    params = state.nets['model'].params
    shape = (n,) + tuple(self.model.input_shape)
    fn = lambda xt, t_B: self.apply(params, xt, t_B)
    if (sampler or self.d['sampler']) == 'ddim':
      x = dm.ddim_sample(fn, self.d['param'], self.sch, rng, shape, self.d['sample_steps'],
                         self.d['eta'])
    else:
      x = dm.ancestral_sample(fn, self.d['param'], self.sch, rng, shape)
    return jnp.clip((x + 1.0) / 2.0, 0.0, 1.0)

  def sample_grid(self, state, n: int = 16, seed: int = 0):
    """{label: n samples} of both samplers (host arrays)."""
    out = {}
    for sampler, label in (('ancestral', f'DDPM {self.d["steps"]} steps'),
                           ('ddim', f'DDIM {self.d["sample_steps"]} steps, eta={self.d["eta"]}')):
      fn = jax.jit(lambda s, r, sm=sampler: self.sample(s, r, n, sm))
      out[label] = np.asarray(fn(state, jax.random.PRNGKey(seed)))
    return out

  def plots(self, state, workdir, data):
    from dljax import viz  # pylint: disable=g-import-not-at-top
    rows = self.sample_grid(state, 12)
    rows['data'] = np.asarray(data['test']['x'][:12])
    viz.image_rows(rows, os.path.join(workdir, 'plots', 'samples.png'),
                   vranges={k: (0, 1) for k in rows})
