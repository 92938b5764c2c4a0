"""Pretext tasks (seed 000 A62, seed 002 §1.26): labels made from the image itself.

Rotation prediction (Gidaris et al. 2018, RotNet). Each image x is shown in its four rotations
rot90(x, r), r in {0, 1, 2, 3}, and the network classifies r from h = f(rot90(x, r)):
  L = -(1/4) sum_r log softmax(W f(rot90(x, r)) + b)_r
Clothes have a canonical orientation (shoes point left, shirts stand upright), so solving this
needs the object's shape.

Context prediction (Doersch et al. 2015). A 3 x 3 grid of p x p patches with gaps g between them;
the network sees the centre patch and one of its 8 neighbours (r ~ U{0..7}) and classifies r from
[f(centre); f(neighbour)] (the 8-way classification of the notes). Each patch is jittered by up to
the slack H - (3p + 2g) pixels so that edge continuity across the gap is no shortcut.

Inpainting (Pathak et al. 2016's centre region) stands in for colourisation: Fashion-MNIST is grey,
there is no colour to predict (seed 000 A62's colourisation needs colour images). The central
s x s square is zeroed and a linear map of h = f(x with the hole) regresses its pixels
(model.num_outputs = s * s * C): L = mean over the hole of (x_hat - x)^2. A linear decoder keeps
the burden on the encoder (Pathak et al. use a deconvolution decoder and an adversarial term).

Downstream, `features` is f on the whole image (the encoder ends in a global average pool, so it
takes any input size). Reported: test/loss, and test/accuracy of the pretext classification.
"""
import jax
import jax.numpy as jnp
import optax

from dljax.errors import ConfigError
from dljax.train.tasks.contrastive import SSLPretrain

NEIGHBOURS = ((0, 0), (0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1), (2, 2))  # grid (row, col)


def rotations(x_BxHxWxC):
  """The four rotations, 4 x B x H x W x C: rotations(x)[r] = rot90(x, r) (counter-clockwise)."""
  return jnp.stack([jnp.rot90(x_BxHxWxC, r, axes=(1, 2)) for r in range(4)])


class Rotation(SSLPretrain):
  """4-way rotation classification on h (model.num_outputs = 4)."""

  best_metric = 'accuracy'
  best_mode = 'max'
  needs_augment = False
  eval_metrics = ('accuracy',)

  @classmethod
  def check_config(cls, config):
    super().check_config(config)
    if config.model.get('num_outputs', 0) != 4:
      raise ConfigError('rotation prediction classifies 4 rotations: set '
                        '--config.model.num_outputs=4.')

  def objective(self, params, extra, batch, rng, step):
    x = batch['x'] if self.augment is None else self.augment(rng, batch['x'])
    b = x.shape[0]
    x_4B = rotations(x).reshape((4 * b,) + x.shape[1:])
    r_4B = jnp.repeat(jnp.arange(4), b)
    logits = self.apply(params, x_4B, method=lambda m, v: m.classify(m.features_of(v)))
    loss_4B = optax.softmax_cross_entropy_with_integer_labels(logits, r_4B)
    correct_4B = (jnp.argmax(logits, -1) == r_4B).astype(jnp.float32)
    return loss_4B.reshape(4, b).mean(0), {'accuracy': correct_4B.mean()}, None


def context_pairs(rng, x_BxHxWxC, patch: int, gap: int):
  """(centre B x p x p x C, neighbour B x p x p x C, position r_B in 0..7) of the 3 x 3 grid."""
  b, h, w, _ = x_BxHxWxC.shape
  slack_h, slack_w = h - (3 * patch + 2 * gap), w - (3 * patch + 2 * gap)
  k_r, k_j = jax.random.split(rng)
  r_B = jax.random.randint(k_r, (b,), 0, 8)
  jitter_Bx2x2 = jax.random.randint(k_j, (b, 2, 2), 0,
                                    jnp.broadcast_to(jnp.array([slack_h, slack_w]) + 1, (b, 2, 2)))
  cells = jnp.asarray(NEIGHBOURS)

  def crop(img, cell, jit):
    top = cell[0] * (patch + gap) + jit[0]
    left = cell[1] * (patch + gap) + jit[1]
    return jax.lax.dynamic_slice(img, (top, left, 0), (patch, patch, img.shape[-1]))

  centre = jax.vmap(crop)(x_BxHxWxC, jnp.ones((b, 2), jnp.int32), jitter_Bx2x2[:, 0])
  neighbour = jax.vmap(crop)(x_BxHxWxC, cells[r_B], jitter_Bx2x2[:, 1])
  return centre, neighbour, r_B


class ContextPrediction(SSLPretrain):
  """8-way relative position of two patches (model.pair_outputs = 8)."""

  best_metric = 'accuracy'
  best_mode = 'max'
  needs_augment = False
  eval_metrics = ('accuracy',)

  @classmethod
  def check_config(cls, config):
    super().check_config(config)
    if config.model.get('pair_outputs', 0) != 8:
      raise ConfigError('context prediction classifies 8 relative positions: set '
                        '--config.model.pair_outputs=8.')
    p, g = config.ssl.get('patch', 0), config.ssl.get('gap', -1)
    if p <= 0 or g < 0:
      raise ConfigError(f'ssl.patch={p} must be > 0 and ssl.gap={g} >= 0 (a 3 x 3 grid of '
                        'patch x patch crops with gaps between them).')

  def objective(self, params, extra, batch, rng, step):
    x = batch['x']
    if 3 * self.ssl.patch + 2 * self.ssl.gap > min(x.shape[1], x.shape[2]):
      raise ConfigError(f'3 ssl.patch + 2 ssl.gap = {3 * self.ssl.patch + 2 * self.ssl.gap} > '
                        f'the image size {x.shape[1:3]}; use smaller patches or gaps.')
    centre, neighbour, r_B = context_pairs(rng, x, self.ssl.patch, self.ssl.gap)
    b = x.shape[0]

    def pair_logits(m, c, n):
      h = m.features_of(jnp.concatenate([c, n], axis=0))
      return m.classify_pair(h[:b], h[b:])

    logits = self.apply(params, centre, neighbour, method=pair_logits)
    loss_B = optax.softmax_cross_entropy_with_integer_labels(logits, r_B)
    return loss_B, {'accuracy': (jnp.argmax(logits, -1) == r_B).astype(jnp.float32).mean()}, None


def central_hole(x_BxHxWxC, size: int):
  """(x with the central size x size square zeroed, the square's pixels B x size*size*C)."""
  _, h, w, c = x_BxHxWxC.shape
  top, left = (h - size) // 2, (w - size) // 2
  square = x_BxHxWxC[:, top:top + size, left:left + size, :]
  holed = x_BxHxWxC.at[:, top:top + size, left:left + size, :].set(0.0)
  return holed, square.reshape(square.shape[0], size * size * c)


class Inpainting(SSLPretrain):
  """Regress the central hole's pixels from the encoding of the rest (model.num_outputs = s*s*C)."""

  needs_augment = False
  eval_metrics = ()

  @classmethod
  def check_config(cls, config):
    super().check_config(config)
    s = config.get('ssl', {}).get('hole', 0)
    if s <= 0 or config.model.get('num_outputs', 0) != s * s:
      raise ConfigError(f'ssl.hole={s} must be > 0 and model.num_outputs={config.model.get("num_outputs")}'
                        f' must be hole * hole (one output per pixel of the hole, grey images); '
                        f'e.g. --config.ssl.hole=10 --config.model.num_outputs=100.')

  def objective(self, params, extra, batch, rng, step):
    x = batch['x'] if self.augment is None else self.augment(rng, batch['x'])
    holed, target_BxP = central_hole(x, self.ssl.hole)
    pred_BxP = self.apply(params, holed, method=lambda m, v: m.classify(m.features_of(v)))
    return jnp.mean((pred_BxP - target_BxP) ** 2, -1), {}, None
