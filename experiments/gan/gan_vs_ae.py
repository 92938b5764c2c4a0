r"""GANs are autoencoders turned inside out (F10 row 30; seed 004 l.740 and its concept 31: "GANs
have the data space as the inside of the network, and VAEs [autoencoders] have it as the
outside").

  python -m experiments.study gan/gan_vs_ae --workdir=runs/gan_gan_vs_ae [--preset=cpu] [--publish]

Side by side on the ring of 8 Gaussians (radius 2, std 0.2), 2-D latents, all nets 2-128-128-2 ReLU
MLPs (the discriminator 2-128-128-1), Adam (lr 1e-3, b1 = 0.5), batch 256, fixed parameters:
- autoencoder:  x -> Enc -> z -> Dec -> x'   (data at both ends, the latent inside), trained on
  ||Dec(Enc(x)) - x||^2.
- GAN:          z -> G -> x -> D -> real?    (the latent at the ends, the data inside), trained by
  alternating one D step (BCE) and one G step (non-saturating -log D(G(z))), z ~ N(0, I_2); then an
  encoder E that inverts G, trained on ||E(G(z)) - z||^2: the composite E o G is an autoencoder of
  the LATENT space whose bottleneck is the data space.
Reported: the autoencoder's reconstruction error on data, and the share of its "samples" Dec(z),
z ~ N(0, I), that land within 3 std (0.6) of a mode (its codes are not N(0, I): it cannot sample);
the GAN's share of such high-quality samples and its modes covered (>= 1 % of the samples within
0.6 of the centre), the R^2 with which E recovers z from G(z) (1 - E||E(G(z)) - z||^2 / E||z||^2),
and G(E(x)) - x on real data (the GAN used the other way round). Plot gan_vs_ae.png. No runs.
"""
import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax

from dljax.models.mlp import MLP
from experiments.gan import _gandemo

PRESETS = {'smoke': dict(steps=30, n_eval=500), 'cpu': dict(steps=4000, n_eval=10_000)}
BATCH, RADIUS, MODE_STD, MODES = 256, 2.0, 0.2, 8
HIDDEN = (128, 128)


def centers():
  a = 2 * np.pi * np.arange(MODES) / MODES
  return RADIUS * np.stack([np.cos(a), np.sin(a)], 1).astype(np.float32)


def sample_ring(key, n):
  k1, k2 = jax.random.split(key)
  c = jnp.asarray(centers())[jax.random.randint(k1, (n,), 0, MODES)]
  return c + MODE_STD * jax.random.normal(k2, (n, 2))


def mode_stats(x_Nx2) -> dict:
  """Share of samples within 3 std of a centre, and the modes that hold >= 1 % of the samples."""
  d = np.linalg.norm(np.asarray(x_Nx2)[:, None] - centers()[None], axis=-1)
  near, which = d.min(1) < 3 * MODE_STD, d.argmin(1)
  counts = np.bincount(which[near], minlength=MODES)
  return {'high_quality_share': float(near.mean()),
          'modes_covered': int(np.sum(counts >= 0.01 * len(x_Nx2)))}


def net(out):
  return MLP(hidden=HIDDEN, num_outputs=out, act='relu', init_scheme='he')


def train_ae(steps, key):
  enc, dec = net(2), net(2)
  k1, k2, k3 = jax.random.split(key, 3)
  params = {'enc': enc.init(k1, jnp.zeros((1, 2))), 'dec': dec.init(k2, jnp.zeros((1, 2)))}

  def loss(p, k):
    x = sample_ring(k, BATCH)
    return jnp.mean(jnp.sum((dec.apply(p['dec'], enc.apply(p['enc'], x)) - x) ** 2, 1))
  params, _ = _gandemo.adam_fit(loss, params, steps, 1e-3, k3)
  return (functools.partial(enc.apply, params['enc']), functools.partial(dec.apply, params['dec']))


@functools.partial(jax.jit, static_argnums=(0,))
def _gan(steps, key):
  g, d = net(2), net(1)
  kg, kd, kt = jax.random.split(key, 3)
  pg, pd = g.init(kg, jnp.zeros((1, 2))), d.init(kd, jnp.zeros((1, 2)))
  tx = optax.adam(1e-3, b1=0.5)

  def d_loss(pd, pg, k):
    kx, kz = jax.random.split(k)
    fake = g.apply(pg, jax.random.normal(kz, (BATCH, 2)))
    real = sample_ring(kx, BATCH)
    # BCE: -log D(x) - log(1 - D(G(z))), D = sigmoid(logit)
    return -jnp.mean(jax.nn.log_sigmoid(d.apply(pd, real))) - jnp.mean(
        jax.nn.log_sigmoid(-d.apply(pd, fake)))

  def g_loss(pg, pd, k):
    fake = g.apply(pg, jax.random.normal(k, (BATCH, 2)))
    return -jnp.mean(jax.nn.log_sigmoid(d.apply(pd, fake)))  # non-saturating: -log D(G(z))

  def step(carry, t):
    pg, pd, sg, sd = carry
    k = jax.random.fold_in(kt, t)
    k_d, k_g = jax.random.split(k)
    u, sd = tx.update(jax.grad(d_loss)(pd, pg, k_d), sd, pd)  # D step, G frozen
    pd = optax.apply_updates(pd, u)
    u, sg = tx.update(jax.grad(g_loss)(pg, pd, k_g), sg, pg)  # G step, D frozen
    return (optax.apply_updates(pg, u), pd, sg, sd), None
  (pg, pd, _, _), _ = jax.lax.scan(step, (pg, pd, tx.init(pg), tx.init(pd)), jnp.arange(steps))
  return pg


def train_gan_and_inverse(steps, key):
  g, e = net(2), net(2)
  k1, k2, k3 = jax.random.split(key, 3)
  pg = _gan(steps, k1)
  gen = functools.partial(g.apply, pg)

  def loss(pe, k):
    z = jax.random.normal(k, (BATCH, 2))
    return jnp.mean(jnp.sum((e.apply(pe, gen(z)) - z) ** 2, 1))  # ||E(G(z)) - z||^2
  pe, _ = _gandemo.adam_fit(loss, e.init(k2, jnp.zeros((1, 2))), steps, 1e-3, k3)
  return gen, functools.partial(e.apply, pe)


def runs(preset: str, workdir: str):
  del workdir
  _gandemo.check(preset, PRESETS)
  return iter(())


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  del summaries
  cfg = _gandemo.check(preset, PRESETS)
  key = jax.random.PRNGKey(0)
  k_ae, k_gan, k_x, k_z = jax.random.split(key, 4)
  enc, dec = train_ae(cfg['steps'], k_ae)
  gen, inv = train_gan_and_inverse(cfg['steps'], k_gan)
  x = sample_ring(k_x, cfg['n_eval'])
  z = jax.random.normal(k_z, (cfg['n_eval'], 2))
  ae_samples, gan_samples = dec(z), gen(z)
  z_hat = inv(gan_samples)
  table = {
      'autoencoder': {
          'reconstruction_error': float(jnp.mean(jnp.linalg.norm(dec(enc(x)) - x, axis=1))),
          **{f'prior_samples_{k}': v for k, v in mode_stats(ae_samples).items()},
          'code_mean_norm': float(jnp.linalg.norm(enc(x).mean(0))),
          'code_std': float(enc(x).std(0).mean())},
      'gan': {
          **{f'samples_{k}': v for k, v in mode_stats(gan_samples).items()},
          'latent_recovery_r2': float(1 - jnp.mean(jnp.sum((z_hat - z) ** 2, 1)) /
                                      jnp.mean(jnp.sum(z ** 2, 1))),
          'data_reconstruction_error_g_of_e': float(
              jnp.mean(jnp.linalg.norm(gen(inv(x)) - x, axis=1)))}}
  plot(x, z, enc, ae_samples, gan_samples, z_hat, f'{out}/gan_vs_ae.png')
  return table


def plot(x, z, enc, ae_samples, gan_samples, z_hat, path: str) -> str:
  plt, write = _gandemo.pyplot()
  x, z = np.asarray(x), np.asarray(z)
  angle_x = np.arctan2(x[:, 1], x[:, 0])
  angle_z = np.arctan2(z[:, 1], z[:, 0])
  codes = np.asarray(enc(jnp.asarray(x)))
  fig, axes = plt.subplots(2, 3, figsize=(13, 8.4))
  panels = (
      (axes[0, 0], x, angle_x, 'AE input x (data: outside)'),
      (axes[0, 1], codes, angle_x, 'AE codes Enc(x) (latent: inside)'),
      (axes[0, 2], np.asarray(ae_samples), angle_z, 'AE "samples" Dec(z), z ~ N(0, I)'),
      (axes[1, 0], z, angle_z, 'GAN input z ~ N(0, I) (latent: outside)'),
      (axes[1, 1], np.asarray(gan_samples), angle_z, 'GAN G(z) (data: inside, judged by D)'),
      (axes[1, 2], np.asarray(z_hat), angle_z, 'E(G(z)): an encoder inverts G'))
  for ax, pts, c, title in panels:
    ax.scatter(pts[:3000, 0], pts[:3000, 1], c=c[:3000], cmap='hsv', s=2)
    ax.set_title(title, fontsize=9)
    ax.set_aspect('equal', adjustable='datalim')
  for ax in (axes[0, 2], axes[1, 1]):
    ax.scatter(*centers().T, marker='x', c='k', s=30)
  fig.suptitle('colour: angle of x (top, first two panels) or of z (the others)', fontsize=9)
  fig.tight_layout()
  return write(fig, path)
