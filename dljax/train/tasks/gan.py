"""Two-player training: a GAN on a 2-D mixture of Gaussians (Goodfellow et al. 2014).

  D maximises  E_x log D(x) + E_z log(1 - D(G(z)))
  G maximises  E_z log D(G(z))        (the non-saturating generator loss of the paper)

Each step makes `d_steps` discriminator updates, then one generator update, each with its own
optimizer (config.optim for G, config.optim_d for D, both built by dljax.train.kit.make_optimizer,
so clipping, weight decay and freezing apply to either): the loop sees one pure `train_step` like
any other task's.
"""
import jax
import jax.numpy as jnp
import numpy as np
import optax

from dljax.data import toys
from dljax.errors import ConfigError
from dljax.models import gan
from dljax.train import kit
from dljax.train.state import ModelState, TrainState
from dljax.train.tasks.base import Task


def _bce(logits, target):
  return optax.sigmoid_binary_cross_entropy(logits, jnp.full_like(logits, target)).mean()


class GAN(Task):
  """Generator vs discriminator; evaluated by mode coverage and sample quality."""

  best_metric = 'high_quality'
  best_mode = 'max'

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    m = config.model
    self.latent_dim = m.latent_dim
    self.generator = gan.Generator(hidden=tuple(m.g_hidden), out_dim=2)
    self.discriminator = gan.Discriminator(hidden=tuple(m.d_hidden))
    self.d_steps = config.train.get('d_steps', 1)

  @classmethod
  def check_config(cls, config):
    """model.latent_dim, g_hidden and d_hidden (the MLPs of dljax.models.gan); optim (G) and
    optim_d (D)."""
    for key in ('latent_dim', 'g_hidden', 'd_hidden'):
      if key not in config.model:
        raise ConfigError(f'the GAN needs model.{key} (see configs/gan/gan_mog.py).')
    if 'optim_d' not in config:
      raise ConfigError("the GAN needs the discriminator's optimizer config.optim_d (e.g. a copy "
                        'of config.optim).')
    kit.check_optimizer(config.optim, 'optim')
    kit.check_optimizer(config.optim_d, 'optim_d')

  def noise(self, rng, n):
    return jax.random.normal(rng, (n, self.latent_dim))  # z ~ N(0, I)

  def init(self, rng, batch):
    k_g, k_d, k_rest = jax.random.split(rng, 3)
    n = batch['x'].shape[0]
    g_vars = self.generator.init(k_g, jnp.zeros((n, self.latent_dim)))
    d_vars = self.discriminator.init(k_d, jnp.zeros((n, 2)))
    nets = {'generator': ModelState.create(g_vars, kit.make_optimizer(self.config.optim,
                                                                      self.total_steps)),
            'discriminator': ModelState.create(d_vars, kit.make_optimizer(self.config.optim_d,
                                                                          self.total_steps))}
    return TrainState(step=0, rng=k_rest, nets=nets)

  def d_loss(self, d_params, g_params, x_real, z):
    x_fake = self.generator.apply({'params': g_params}, z)
    real = self.discriminator.apply({'params': d_params}, x_real)
    fake = self.discriminator.apply({'params': d_params}, x_fake)
    # -[log D(x) + log(1 - D(G(z)))]
    return _bce(real, 1.0) + _bce(fake, 0.0), (jax.nn.sigmoid(real).mean(), jax.nn.sigmoid(fake).mean())

  def g_loss(self, g_params, d_params, z):
    fake = self.discriminator.apply({'params': d_params}, self.generator.apply({'params': g_params}, z))
    return _bce(fake, 1.0)  # -log D(G(z))

  def train_step(self, state, batch, rng):
    g, d = state.nets['generator'], state.nets['discriminator']
    n = batch['x'].shape[0]
    keys = jax.random.split(rng, self.d_steps + 1)
    for k in keys[:-1]:
      (loss_d, (d_real, d_fake)), grads = jax.value_and_grad(self.d_loss, has_aux=True)(
          d.params, g.params, batch['x'], self.noise(k, n))
      d = d.apply_gradients(grads)
    loss_g, grads_g = jax.value_and_grad(self.g_loss)(g.params, d.params, self.noise(keys[-1], n))
    g = g.apply_gradients(grads_g)
    metrics = {'train/loss': loss_d + loss_g, 'train/d_loss': loss_d, 'train/g_loss': loss_g,
               'train/d_real': d_real, 'train/d_fake': d_fake}
    return state.replace(nets={'generator': g, 'discriminator': d}), metrics

  def sample(self, state, rng, n):
    """n samples G(z), z ~ N(0, I) drawn from rng (the task function evaluators call)."""
    return self.generator.apply({'params': state.nets['generator'].params}, self.noise(rng, n))

  def samples(self, state, n, seed=0):
    return np.asarray(jax.jit(self.sample, static_argnums=2)(state, jax.random.PRNGKey(seed), n))

  def evaluate(self, state, arrays, eval_fn, put_batch):
    """Fraction of samples within 3 std of a mode ('high quality') and the modes that get >= 1 %."""
    del eval_fn, put_batch
    centres, std = toys.mode_centres(self.config.data.name.removeprefix('toy_'))
    x = self.samples(state, len(arrays['x']))
    dist = np.linalg.norm(x[:, None, :] - centres[None], axis=-1)
    good = dist.min(1) < 3 * std
    counts = np.bincount(dist.argmin(1)[good], minlength=len(centres))
    return {'test/high_quality': float(good.mean()),
            'test/modes': float((counts >= 0.01 * len(x)).sum())}

  def plots(self, state, workdir, data):
    from dljax import viz  # pylint: disable=g-import-not-at-top
    viz.gan_samples(data['test']['x'], self.samples(state, 2000), workdir)
