"""Self-supervised networks: an encoder f, a projection head g, a predictor q and a pretext head.

  h = f(x)            the representation used downstream (linear probe, k-NN): a small convnet
                      (images B x H x W x C, 2-D convs; or sequences B x L, 1-D convs) ending in a
                      global average pool, B x D
  z = g(h)            the projection on which the loss is computed (SimCLR's "projection head"),
                      an MLP D -> hidden -> proj_dim; for DINO, the K prototype scores
  p = q(z)            BYOL's predictor, an MLP proj_dim -> pred_hidden -> proj_dim (pred_hidden > 0)
  logits = W h + b    a pretext classifier on h (rotation: 4 classes), num_outputs > 0
  logits = W [h1;h2]  context prediction: the 8 relative positions of two patches (pair_outputs > 0)

`__call__` returns the dict of the parts the network has; `features` is f alone (the task function
of the probe evaluators). Chen et al. 2020 (SimCLR) show that f, not g, is the better
representation: the probes read h.
"""
import flax.linen as nn
import jax.numpy as jnp


class ConvEncoder(nn.Module):
  """relu(conv3x3) blocks with a 2x downsampling after every block but the last, then the global
  average pool: B x H x W x C -> B x features[-1] (or B x L -> B x features[-1] for sequences)."""
  features: tuple = (32, 64, 128)

  @nn.compact
  def __call__(self, x):
    h = x[..., None] if x.ndim == 2 else x  # a sequence B x L: one input channel
    window = (3,) * (h.ndim - 2)
    for i, f in enumerate(self.features):
      h = nn.relu(nn.Conv(f, window, padding='SAME')(h))
      if i < len(self.features) - 1:
        h = nn.avg_pool(h, (2,) * (h.ndim - 2), strides=(2,) * (h.ndim - 2), padding='SAME')
    return h.mean(axis=tuple(range(1, h.ndim - 1)))  # global average pool -> B x D


class MLPHead(nn.Module):
  """Dense(hidden) -> relu -> Dense(out): the projection head g and the predictor q."""
  hidden: int
  out: int

  @nn.compact
  def __call__(self, h):
    return nn.Dense(self.out)(nn.relu(nn.Dense(self.hidden)(h)))


class SSLNet(nn.Module):
  """Encoder f plus the heads a method needs (module docstring)."""
  features: tuple = (32, 64, 128)
  proj_hidden: int = 256
  proj_dim: int = 64    # 0: no projection head (z = h)
  pred_hidden: int = 0  # > 0: BYOL's predictor q
  num_outputs: int = 0  # > 0: a classifier on h (rotation prediction)
  pair_outputs: int = 0  # > 0: a classifier on [h1; h2] (context prediction: 8)

  def setup(self):
    self.encoder = ConvEncoder(self.features)
    self.projector = MLPHead(self.proj_hidden, self.proj_dim) if self.proj_dim else None
    self.predictor = (MLPHead(self.pred_hidden, self.proj_dim or self.features[-1])
                      if self.pred_hidden else None)
    self.head = nn.Dense(self.num_outputs) if self.num_outputs else None
    self.pair_head = (MLPHead(2 * self.features[-1], self.pair_outputs) if self.pair_outputs
                      else None)

  def features_of(self, x):
    """f(x): the representation B x D."""
    return self.encoder(x)

  def project(self, h):
    return self.projector(h) if self.projector is not None else h

  def predict_z(self, z):
    return self.predictor(z)

  def classify(self, h):
    return self.head(h)

  def classify_pair(self, h1, h2):
    return self.pair_head(jnp.concatenate([h1, h2], axis=-1))

  def __call__(self, x, train: bool = False):
    del train
    h = self.encoder(x)
    out = {'h': h, 'z': self.project(h)}
    if self.predictor is not None:
      out['p'] = self.predictor(out['z'])
    if self.head is not None:
      out['logits'] = self.head(h)
    if self.pair_head is not None:
      out['pair_logits'] = self.pair_head(jnp.concatenate([h, h], axis=-1))
    return out
