r"""Two-player training: a generator G against a discriminator / critic D, with the objective named by
config.gan.loss (d = D's output on real x, f = D's output on G(z); means over the batch):

  'ns'        D: -[log s(d) + log(1 - s(f))]         G: -log s(f)   (non-saturating; Goodfellow 2014)
  'minimax'   D: as 'ns'                             G: log(1 - s(f))   (saturates when D wins)
  'wgan'      D: f - d, weights clipped to [-c, c]   G: -f   (Arjovsky et al. 2017; gan.clip = c)
  'wgan_gp'   D: f - d + lambda (||grad_x^ D(x^)||_2 - 1)^2, x^ = e x + (1 - e) G(z), e ~ U(0, 1)
              G: -f   (Gulrajani et al. 2017; gan.gp_weight = lambda)
  'hinge'     D: relu(1 - d) + relu(1 + f)          G: -f   (SN-GAN with model.d_norm='spectral')
  'f_kl', 'f_rkl', 'f_pearson', 'f_js'   f-GAN (Nowozin et al. 2016) with V = D's output and the
              output activation g_f:  D: -[g_f(d) - f*(g_f(f))]    G: -g_f(f)
  'mmd'       MMD-GAN (Li et al. 2017): the unbiased MMD^2 with a mixture of Gaussian kernels on D's
              features h(x), h(G(z)); D maximises it (weights clipped to [-c, c]), G minimises it
Each step makes gan.d_steps (n_critic) discriminator updates, each on fresh noise, then one generator
update; G uses config.optim and D config.optim_d. Noise: model.noise='normal' (N(0, I)) or 'uniform'
(U(-1, 1), Goodfellow 2014). With model.num_classes the GAN is conditional (G(z, y), D(x, y); the
projection discriminator), y drawn from the batch's labels.
BatchNorm statistics (DCGAN) and spectral-norm vectors (SN-GAN) are each net's model_state: D's are
updated by its own steps only, G's by its own step only (the fakes of D's step do not move them).

Tasks: 'gan' (2-D toys: modes covered and the share of high-quality samples) and 'image_gan'
(Fashion-MNIST: FD / KID / precision / recall in the pinned classifier's features,
dljax.eval.sample_quality; best/ chosen on val/fd).
"""
import os

import jax
import jax.numpy as jnp
import numpy as np
import optax

from dljax.data import toys
from dljax.errors import ConfigError
from dljax.eval import sample_quality
from dljax.models import gan
from dljax.train import kit
from dljax.train.state import ModelState, TrainState
from dljax.train.tasks.base import Task

LOSSES = ('ns', 'minimax', 'wgan', 'wgan_gp', 'hinge', 'f_kl', 'f_rkl', 'f_pearson', 'f_js', 'mmd')
# f-GAN: (output activation g_f(v), convex conjugate f*(t)) of Nowozin et al. 2016, table 2
F_GAN = {
    'f_kl': (lambda v: v, lambda t: jnp.exp(t - 1.0)),
    'f_rkl': (lambda v: -jnp.exp(-v), lambda t: -1.0 - jnp.log(-t)),
    'f_pearson': (lambda v: v, lambda t: 0.25 * t ** 2 + t),
    'f_js': (lambda v: jnp.log(2.0) - jax.nn.softplus(-v), lambda t: -jnp.log(2.0 - jnp.exp(t))),
}


def defaults(config) -> dict:
  g = dict(loss='ns', d_steps=config.train.get('d_steps', 1), clip=0.01, gp_weight=10.0,
           mmd_sigmas=(1.0, 2.0, 4.0, 8.0, 16.0), eval_samples=2000, feature_net='cnn')
  g.update(dict(config.get('gan', {})))
  return g


# --- the objectives (pure functions of D's outputs; tested against their formulas) ----------------
def d_loss_fn(loss: str, d_real, d_fake):
  if loss in ('ns', 'minimax'):  # -[log D(x) + log(1 - D(G(z)))]
    return jnp.mean(jax.nn.softplus(-d_real)) + jnp.mean(jax.nn.softplus(d_fake))
  if loss in ('wgan', 'wgan_gp'):  # E D(G(z)) - E D(x)
    return jnp.mean(d_fake) - jnp.mean(d_real)
  if loss == 'hinge':
    return jnp.mean(jax.nn.relu(1.0 - d_real)) + jnp.mean(jax.nn.relu(1.0 + d_fake))
  act, conj = F_GAN[loss]
  return -(jnp.mean(act(d_real)) - jnp.mean(conj(act(d_fake))))


def g_loss_fn(loss: str, d_fake):
  if loss == 'ns':
    return jnp.mean(jax.nn.softplus(-d_fake))  # -log D(G(z))
  if loss == 'minimax':
    return -jnp.mean(jax.nn.softplus(d_fake))  # log(1 - D(G(z)))
  if loss in ('wgan', 'wgan_gp', 'hinge'):
    return -jnp.mean(d_fake)
  return -jnp.mean(F_GAN[loss][0](d_fake))


def gradient_penalty(critic, x_real, x_fake, eps_B):
  """E (||grad_x^ critic(x^)||_2 - 1)^2 at x^ = eps x + (1 - eps) x_fake (one eps per example)."""
  eps = eps_B.reshape((-1,) + (1,) * (x_real.ndim - 1))
  x_hat = eps * x_real + (1.0 - eps) * x_fake
  grads = jax.grad(lambda x: jnp.sum(critic(x)))(x_hat)
  norms = jnp.sqrt(jnp.sum(grads.reshape(grads.shape[0], -1) ** 2, -1) + 1e-12)
  return jnp.mean((norms - 1.0) ** 2)


def mmd2(a_NxD, b_MxD, sigmas):
  """Unbiased MMD^2 with k(a, b) = sum_s exp(-||a - b||^2 / (2 s^2))."""
  def k(x, y):
    d2 = jnp.sum(x ** 2, 1)[:, None] + jnp.sum(y ** 2, 1)[None] - 2 * x @ y.T
    return sum(jnp.exp(-d2 / (2.0 * s ** 2)) for s in sigmas)
  n, m = a_NxD.shape[0], b_MxD.shape[0]
  kaa, kbb = k(a_NxD, a_NxD), k(b_MxD, b_MxD)
  return ((jnp.sum(kaa) - jnp.trace(kaa)) / (n * (n - 1)) + (jnp.sum(kbb) - jnp.trace(kbb))
          / (m * (m - 1)) - 2 * jnp.mean(k(a_NxD, b_MxD)))


def build_networks(m, out_dim: int, out_shape=()):
  """(G, D) of config.model (dljax.models.gan)."""
  g = gan.Generator(hidden=tuple(m.get('g_hidden', (128, 128))), out_dim=out_dim,
                    arch=m.get('g_arch', 'mlp'), out_shape=tuple(out_shape),
                    channels=tuple(m.get('g_channels', (128, 64))),
                    num_classes=m.get('num_classes', 0), attention=m.get('attention', False))
  d = gan.Discriminator(hidden=tuple(m.get('d_hidden', (128, 128))), arch=m.get('d_arch', 'mlp'),
                        channels=tuple(m.get('d_channels', (64, 128))),
                        norm=m.get('d_norm', 'none'), num_classes=m.get('num_classes', 0),
                        attention=m.get('attention', False))
  return g, d


class GAN(Task):
  """Generator vs discriminator on a 2-D toy; evaluated by mode coverage and sample quality."""

  best_metric = 'high_quality'
  best_mode = 'max'

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    m = config.model
    self.latent_dim = m.latent_dim
    self.noise_kind = m.get('noise', 'normal')
    self.num_classes = m.get('num_classes', 0)
    self.g = defaults(config)
    self.generator, self.discriminator = build_networks(m, 2, self.out_shape())

  def out_shape(self):
    return ()

  @classmethod
  def check_config(cls, config):
    """model.latent_dim (and the networks of dljax.models.gan); optim (G) and optim_d (D);
    gan.loss, gan.d_steps >= 1."""
    if 'latent_dim' not in config.model:
      raise ConfigError(f'the GAN needs model.latent_dim (see configs/gan/gan_mog.py).')
    if 'optim_d' not in config:
      raise ConfigError("the GAN needs the discriminator's optimizer config.optim_d (e.g. a copy "
                        'of config.optim).')
    kit.check_optimizer(config.optim, 'optim')
    kit.check_optimizer(config.optim_d, 'optim_d')
    g = defaults(config)
    if g['loss'] not in LOSSES:
      raise ConfigError(f'gan.loss={g["loss"]!r} is unknown; use one of {LOSSES}.')
    if g['d_steps'] < 1:
      raise ConfigError(f'gan.d_steps={g["d_steps"]} must be >= 1 (D updates per G update).')
    if config.model.get('noise', 'normal') not in ('normal', 'uniform'):
      raise ConfigError("model.noise must be 'normal' or 'uniform'.")
    if g['loss'] == 'hinge' and config.model.get('d_norm', 'none') == 'batch':
      raise ConfigError("gan.loss='hinge' is SN-GAN's: use model.d_norm='spectral', not 'batch'.")
    if g['loss'] == 'wgan_gp' and config.model.get('d_norm', 'none') == 'batch':
      raise ConfigError("WGAN-GP's penalty is per example: BatchNorm couples the batch; use "
                        "model.d_norm='none' or 'layer'.")

  def noise(self, rng, n):
    if self.noise_kind == 'uniform':
      return jax.random.uniform(rng, (n, self.latent_dim), minval=-1.0, maxval=1.0)
    return jax.random.normal(rng, (n, self.latent_dim))  # z ~ N(0, I)

  def labels(self, batch):
    return batch['y'] if self.num_classes else None

  def init(self, rng, batch):
    k_g, k_d, k_rest = jax.random.split(rng, 3)
    n = batch['x'].shape[0]
    y = jnp.zeros((n,), jnp.int32) if self.num_classes else None
    g_vars = self.generator.init(k_g, jnp.zeros((n, self.latent_dim)), y)
    d_vars = self.discriminator.init(k_d, jnp.zeros_like(batch['x']), y)
    nets = {'generator': ModelState.create(g_vars, kit.make_optimizer(self.config.optim,
                                                                      self.total_steps)),
            'discriminator': ModelState.create(d_vars, kit.make_optimizer(self.config.optim_d,
                                                                          self.total_steps))}
    return TrainState(step=0, rng=k_rest, nets=nets)

  # --- the two networks in training mode (mutable collections threaded through) -----------------
  def gen(self, g_params, g_state, z, y):
    """(G(z, y), G's updated collections) in training mode."""
    if not g_state:
      return self.generator.apply({'params': g_params}, z, y, train=True), g_state
    return self.generator.apply({'params': g_params, **g_state}, z, y, train=True,
                                mutable=list(g_state))

  def disc(self, d_params, d_state, x, y, features=False):
    """(D(x, y) [and h], D's updated collections) in training mode."""
    if not d_state:
      return self.discriminator.apply({'params': d_params}, x, y, train=True,
                                      features=features), d_state
    return self.discriminator.apply({'params': d_params, **d_state}, x, y, train=True,
                                    features=features, mutable=list(d_state))

  def d_loss(self, d_params, d_state, x_real, y, x_fake, rng):
    loss = self.g['loss']
    if loss == 'mmd':
      (_, h_real), d_state = self.disc(d_params, d_state, x_real, y, features=True)
      (_, h_fake), d_state = self.disc(d_params, d_state, x_fake, y, features=True)
      return -mmd2(h_real, h_fake, self.g['mmd_sigmas']), (0.0, 0.0, d_state)
    real, d_state = self.disc(d_params, d_state, x_real, y)
    fake, d_state = self.disc(d_params, d_state, x_fake, y)
    total = d_loss_fn(loss, real, fake)
    if loss == 'wgan_gp':
      critic = lambda x: self.disc(d_params, d_state, x, y)[0]  # pylint: disable=unnecessary-lambda-assignment
      eps = jax.random.uniform(rng, (x_real.shape[0],))
      total = total + self.g['gp_weight'] * gradient_penalty(critic, x_real, x_fake, eps)
    return total, (real, fake, d_state)

  def g_loss(self, g_params, g_state, d_params, d_state, z, y, x_real):
    x_fake, g_state = self.gen(g_params, g_state, z, y)
    if self.g['loss'] == 'mmd':
      (_, h_real), _ = self.disc(d_params, d_state, x_real, y, features=True)
      (_, h_fake), _ = self.disc(d_params, d_state, x_fake, y, features=True)
      return mmd2(h_real, h_fake, self.g['mmd_sigmas']), g_state
    fake, _ = self.disc(d_params, d_state, x_fake, y)  # D's statistics move in D's steps only
    return g_loss_fn(self.g['loss'], fake), g_state

  def train_step(self, state, batch, rng):
    g, d = state.nets['generator'], state.nets['discriminator']
    x_real, y = batch['x'], self.labels(batch)
    n = x_real.shape[0]
    keys = jax.random.split(rng, self.g['d_steps'] + 1)
    clip = self.g['loss'] in ('wgan', 'mmd')
    for k in keys[:-1]:
      k_z, k_gp = jax.random.split(k)
      x_fake, _ = self.gen(g.params, g.model_state, self.noise(k_z, n), y)
      x_fake = jax.lax.stop_gradient(x_fake)
      (loss_d, (real, fake, d_state)), grads = jax.value_and_grad(self.d_loss, has_aux=True)(
          d.params, d.model_state, x_real, y, x_fake, k_gp)
      d = d.apply_gradients(grads, d_state)
      if clip:  # the WGAN's Lipschitz constraint by weight clipping
        d = d.replace(params=jax.tree.map(lambda w: jnp.clip(w, -self.g['clip'], self.g['clip']),
                                          d.params))
    (loss_g, g_state), grads_g = jax.value_and_grad(self.g_loss, has_aux=True)(
        g.params, g.model_state, d.params, d.model_state, self.noise(keys[-1], n), y, x_real)
    g = g.apply_gradients(grads_g, g_state)
    metrics = {'train/loss': loss_d + loss_g, 'train/d_loss': loss_d, 'train/g_loss': loss_g}
    if self.g['loss'] != 'mmd':
      metrics.update({'train/d_real': jnp.mean(jax.nn.sigmoid(real)),
                      'train/d_fake': jnp.mean(jax.nn.sigmoid(fake)),
                      'train/critic_gap': jnp.mean(real) - jnp.mean(fake),
                      # D's accuracy on this batch (real scored > 0, fake < 0): 50 % = chance
                      'train/d_acc': 0.5 * (jnp.mean(real > 0) + jnp.mean(fake < 0))})
    for path, sigma in gan.spectral_sigmas(d.model_state).items():
      metrics[f'train/sigma/{path}'] = sigma  # sigma_max of each SN layer by power iteration
    return state.replace(nets={'generator': g, 'discriminator': d}), metrics

  # --- task functions -------------------------------------------------------------------------------
  def generate(self, state, z, y=None):
    g = state.nets['generator']
    return self.generator.apply(g.variables(), z, y, train=False)

  def sample(self, state, rng, n):
    """n samples G(z[, y]), z from the prior (y uniform over the classes), drawn from rng, eval mode."""
    k_z, k_y = jax.random.split(rng)
    y = jax.random.randint(k_y, (n,), 0, self.num_classes) if self.num_classes else None
    return self.generate(state, self.noise(k_z, n), y)

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


class ImageGAN(GAN):
  """A GAN on Fashion-MNIST images (28 x 28 x 1 in [0, 1]); evaluated by FD / KID / PRDC / IS."""

  best_metric = 'fd'
  best_mode = 'min'

  def out_shape(self):
    return tuple(self.config.model.get('out_shape', (28, 28, 1)))

  def evaluate(self, state, arrays, eval_fn, put_batch):
    """FD, KID, precision/recall/density/coverage and IS of gan.eval_samples samples against as
    many images of the split, in the pinned feature net's space (sample_quality)."""
    del eval_fn, put_batch
    n = min(self.g['eval_samples'], len(arrays['x']))
    net = sample_quality.feature_net(self.g['feature_net'])
    fake = sample_quality.generate(self, state, n)
    scores = sample_quality.score_images(fake, arrays['x'][:n], net, k=5, kid_subsets=20,
                                         kid_subset_size=min(500, n))
    return {f'test/{k}': v for k, v in scores.items() if k not in ('n', 'feature_sha')}

  def plots(self, state, workdir, data):
    from dljax import viz  # pylint: disable=g-import-not-at-top
    folder = os.path.join(workdir, 'plots')
    x = self.samples(state, 64)
    viz.image_rows({f'G(z) {i}': x[8 * i:8 * i + 8] for i in range(8)},
                   os.path.join(folder, 'samples.png'), vranges={f'G(z) {i}': (0, 1) for i in range(8)})
    if self.num_classes:
      return
    rows = interpolations(self, state, jax.random.PRNGKey(1))
    viz.image_rows(rows, os.path.join(folder, 'interpolations.png'),
                   vranges={k: (0, 1) for k in rows})


def interpolations(task, state, rng, pairs: int = 4, steps: int = 8) -> dict:
  """{row: images}: G((1 - t) z0 + t z1) for t in [0, 1], for `pairs` random pairs (z0, z1)."""
  z = task.noise(rng, 2 * pairs)
  t = jnp.linspace(0.0, 1.0, steps)[:, None]
  out = {}
  for i in range(pairs):
    zs = (1 - t) * z[2 * i][None] + t * z[2 * i + 1][None]
    out[f'z{i}->z{i}\''] = np.asarray(task.generate(state, zs))
  return out
