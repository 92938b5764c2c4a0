"""What the GAN demo studies (experiments/gan/*.py, F10 rows 22-30) share: a full-batch Adam fit
in one jitted scan, a Glorot-initialised MLP, the Fashion-MNIST arrays, and plot set-up."""
import functools

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax

from experiments.tools import study_utils

LOG2 = float(np.log(2.0))


def check(preset: str, presets: dict) -> dict:
  """The preset's parameters; an unknown preset raises ValueError naming the known ones."""
  study_utils.check_preset(preset, tuple(presets))
  return presets[preset]


class GlorotMLP(nn.Module):
  """z -> [Dense(width) -> act] x depth -> Dense(out): Glorot-uniform weights, zero biases (the
  Keras defaults of the seed's untrained generator, seed 004 E1)."""
  width: int = 100
  depth: int = 12
  out: int = 2
  act: str = 'relu'

  @nn.compact
  def __call__(self, z_BxD):
    sigma = {'relu': nn.relu, 'tanh': jnp.tanh, 'leaky_relu': nn.leaky_relu}[self.act]
    h = z_BxD
    for _ in range(self.depth):
      h = sigma(nn.Dense(self.width, kernel_init=nn.initializers.glorot_uniform())(h))
    return nn.Dense(self.out, kernel_init=nn.initializers.glorot_uniform())(h)


@functools.partial(jax.jit, static_argnums=(0, 2, 3))
def adam_fit(loss, params, steps: int, lr: float, key=None):
  """Minimises loss(params, key_t) by full-batch Adam for `steps` steps in one scan, with
  key_t = fold_in(key, t) (None: loss(params, None)). Returns (params, losses_T)."""
  tx = optax.adam(lr)

  def step(carry, t):
    p, s = carry
    k = None if key is None else jax.random.fold_in(key, t)
    value, g = jax.value_and_grad(loss)(p, k)
    u, s = tx.update(g, s, p)
    return (optax.apply_updates(p, u), s), value
  (params, _), losses = jax.lax.scan(step, (params, tx.init(params)), jnp.arange(steps))
  return params, losses


def fashion_mnist(split: str = 'train', n: int = None, seed: int = 0):
  """(images_NxHxWx1 float32 in [0, 1], labels_N): the local Fashion-MNIST IDX files ('train' is
  the 60,000 training images, 'test' the 10,000), `n` of them drawn without replacement."""
  from dljax import settings  # pylint: disable=g-import-not-at-top
  from dljax.data import builders  # pylint: disable=g-import-not-at-top
  images, labels = builders.fashion_mnist_arrays(settings.fashion_mnist_dir(), split)
  if n is not None:
    idx = np.random.default_rng(seed).choice(len(images), n, replace=False)
    images, labels = images[idx], labels[idx]
  return (np.asarray(images, np.float32) / 255.0).reshape(-1, 28, 28, 1), np.asarray(labels)


def pyplot():
  """matplotlib.pyplot with the Agg backend selected (dljax.viz), and viz's PNG writer."""
  from dljax import viz  # pylint: disable=g-import-not-at-top
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  return plt, viz._write  # pylint: disable=protected-access
