"""Contrastive self-supervised learning: InfoNCE, SimCLR, MoCo, and the Siamese energy-based model.

InfoNCE as the notes write it (seed 002 §2.20), for a query z and candidates z_1..z_K of which z_+
is the "similar" one, with a temperature tau > 0:
  L(z) = -log [ exp(z^T z_+ / tau) / sum_{i=1}^K exp(z^T z_i / tau) ]
i.e. the cross-entropy of softmax(z^T z_i / tau) over the K candidates with the label "+"
(`info_nce`). The methods differ only in where the candidates come from:

  SimCLR (Chen et al. 2020)  two augmentations v1, v2 of each of B images; z = g(f(v)) / ||g(f(v))||;
                             each of the 2B views has the other view of its image as z_+ and the
                             other 2B - 2 views as negatives (in-batch; NT-Xent, `nt_xent`)
  MoCo (He et al. 2020)      query q = g(f(v1)) from the online weights theta, key k_+ = g(f(v2))
                             from the momentum encoder xi <- m xi + (1 - m) theta (no gradient), and
                             the K previous keys in a FIFO queue as negatives. After the step the
                             batch's keys are enqueued and the oldest B dequeued (`enqueue`)
  Siamese EBM (siamese)      the energy E(x1, x2) = ||h1 - h2||^2 of two views' normalised
                             codes: with positives only (loss = E) every input maps to the same point
                             (collapse); a margin on negatives max(0, m - E(x, x-))^2 fixes it
                             (Hadsell et al. 2006), and the triplet loss (Dor et al. 2018's thematic
                             similarity: positives share a class) max(0, E(a, p) - E(a, n) + m)

Every view is an augmentation from dljax.data.augment (config.augment); the step's randomness is
fold_in(key, step). The momentum encoder, the queue and its pointer live in TrainState.extra and are
checkpointed with the state. Downstream, `features` (f, the encoder's pooled output h) is what the
probe evaluators read; `embed` (z) is what the collapse monitor reads.

Config: model = SSLNet (dljax.models.ssl), augment = dict(...), ssl.temperature tau,
moco: ssl.momentum m, ssl.queue K (a multiple of the batch size); siamese: ssl.loss in
('positive', 'margin', 'triplet'), ssl.margin.
Reported: test/loss (the objective on fixed views of the test images; with in-batch negatives it
depends on the evaluation batch size), test/alignment (mean ||z1 - z2||^2 of the two views).
"""
import jax
import jax.numpy as jnp

from dljax import models
from dljax.data import augment as augment_lib
from dljax.errors import ConfigError
from dljax.train import kit
from dljax.train.state import ModelState, TrainState
from dljax.train.tasks.base import Task
from dljax.train.tasks.ema import ema_update

EVAL_VIEW_SEED = 4321
NEG_INF = -1e9


def normalize(z_BxD, eps: float = 1e-8):
  return z_BxD / jnp.sqrt(jnp.sum(z_BxD ** 2, -1, keepdims=True) + eps)


def info_nce(z_BxD, candidates_KxD, positive_B, temperature: float, exclude_BxK=None):
  """Per-example InfoNCE: -log exp(z^T z_+ / tau) / sum_i exp(z^T z_i / tau) (module docstring).

  positive_B: the index of z_+ among the K candidates; exclude_BxK: candidates left out of the sum
  (SimCLR's query itself)."""
  logits_BxK = z_BxD @ candidates_KxD.T / temperature
  if exclude_BxK is not None:
    logits_BxK = jnp.where(exclude_BxK, NEG_INF, logits_BxK)
  return info_nce_logits(logits_BxK, positive_B)


def info_nce_logits(logits_BxK, positive_B):
  """-log softmax(logits)[+]: the cross-entropy over the candidates' similarities."""
  log_z_B = jax.nn.logsumexp(logits_BxK, axis=-1)
  return log_z_B - jnp.take_along_axis(logits_BxK, positive_B[:, None], axis=-1)[:, 0]


def nt_xent(z1_BxD, z2_BxD, temperature: float):
  """SimCLR's loss: InfoNCE over the 2B normalised views, z_+ = the other view of the same image,
  the query itself excluded; per view (2B)."""
  b = z1_BxD.shape[0]
  z_2BxD = normalize(jnp.concatenate([z1_BxD, z2_BxD], axis=0))
  positive = (jnp.arange(2 * b) + b) % (2 * b)
  return info_nce(z_2BxD, z_2BxD, positive, temperature, exclude_BxK=jnp.eye(2 * b, dtype=bool))


def enqueue(queue_KxD, ptr, keys_BxD):
  """MoCo's FIFO: the B new keys overwrite the B oldest (rows ptr..ptr+B-1); ptr <- (ptr + B) mod K.
  K must be a multiple of B (checked in the config), so a batch never wraps around."""
  queue_KxD = jax.lax.dynamic_update_slice(queue_KxD, keys_BxD.astype(queue_KxD.dtype), (ptr, 0))
  return queue_KxD, (ptr + keys_BxD.shape[0]) % queue_KxD.shape[0]


def check_temperature(config, key: str = 'temperature'):
  tau = config.get('ssl', {}).get(key, None)
  if tau is None or not tau > 0:
    raise ConfigError(f'ssl.{key}={tau!r} must be > 0 (the softmax temperature tau of '
                      f'exp(z^T z_i / tau)); e.g. --config.ssl.{key}=0.5.')


def check_decay(config, key: str):
  decay = config.get('ssl', {}).get(key, None)
  if decay is None or not 0.0 <= decay <= 1.0:
    raise ConfigError(f'ssl.{key}={decay!r} must be in [0, 1] (the EMA decay of '
                      f'xi <- tau xi + (1 - tau) theta); e.g. --config.ssl.{key}=0.99.')


class SSLPretrain(Task):
  """What every self-supervised task shares: one SSLNet, augmented views, `features`/`embed`, and a
  generic step: loss on the params (with the state's extra), then `after_step` (EMA, queue...).

  Subclasses define objective(params, extra, x, rng) -> (loss_B per example, metrics dict, aux)
  and, if they carry state, init_extra(params, batch) and after_step(state, net, aux)."""

  best_metric = 'loss'
  best_mode = 'min'
  needs_augment = True

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    self.model = models.build(config.model)
    self.augment = augment_lib.build(config.get('augment', None))
    self.ssl = config.get('ssl', {})

  @classmethod
  def check_config(cls, config):
    super().check_config(config)
    if cls.needs_augment and augment_lib.build(config.get('augment', None)) is None:
      raise ConfigError(f'task {config.task} compares two augmented views; set config.augment, '
                        "e.g. config.augment = dict(flip=True, shift=3, contrast=0.4).")

  def init_extra(self, params, batch):
    del params, batch
    return None

  def init(self, rng, batch):
    """kit.init_single's state, with model.init compiled (eager convolutions are slow)."""
    k_params, rest = jax.random.split(rng)
    variables = jax.jit(lambda k, x: self.model.init({'params': k}, x))(k_params, batch['x'][:2])
    net = ModelState.create(variables, kit.make_optimizer(self.config.optim, self.total_steps))
    return TrainState(step=0, rng=rest, nets={'model': net},
                      extra=self.init_extra(net.params, batch))

  def apply(self, params, *inputs, **kwargs):
    return self.model.apply({'params': params}, *inputs, **kwargs)

  def views(self, rng, x):
    k1, k2 = jax.random.split(rng)
    return self.augment(k1, x), self.augment(k2, x)

  def objective(self, params, extra, batch, rng, step):
    raise NotImplementedError

  def after_step(self, state, net, aux):
    del net, aux
    return state.extra

  def train_step(self, state, batch, rng):
    def loss_fn(params):
      loss_B, metrics, aux = self.objective(params, state.extra, batch, rng, state.step)
      return loss_B.mean(), (metrics, aux)

    net, (metrics, aux), out = kit.gradient_step(state.nets['model'], loss_fn, has_aux=True)
    out.update({f'train/{k}': v for k, v in metrics.items()})
    return state.replace(nets={'model': net}, extra=self.after_step(state, net, aux)), out

  def eval_step(self, state, batch):
    rng = jax.random.PRNGKey(EVAL_VIEW_SEED)
    loss_B, metrics, _ = self.objective(state.nets['model'].params, state.extra, batch, rng,
                                        self.total_steps)
    mask = batch['mask'].astype(jnp.float32)
    out = {'loss': jnp.sum(loss_B * mask), 'count': jnp.sum(mask)}
    out.update({k: v * jnp.sum(mask) for k, v in metrics.items() if k in self.eval_metrics})
    return out

  eval_metrics = ('alignment',)

  def summarize(self, sums):
    n = sums['count']
    return {f'test/{k}': float(v / n) for k, v in sums.items() if k != 'count'}

  # task functions of the evaluators (dljax.eval.probe, dljax.eval.collapse)
  def features(self, state, x):
    """h = f(x), the encoder's pooled output B x D."""
    return self.apply(state.nets['model'].params, x, method=type(self.model).features_of)

  def embed(self, state, x):
    """z = g(f(x)), the output the loss sees B x d."""
    return self.apply(state.nets['model'].params, x)['z']


def alignment(z1_BxD, z2_BxD):
  """mean ||z1 - z2||^2 of the normalised views (Wang & Isola 2020's alignment)."""
  return jnp.mean(jnp.sum((normalize(z1_BxD) - normalize(z2_BxD)) ** 2, -1))


class SimCLR(SSLPretrain):
  """NT-Xent on two augmented views, in-batch negatives (module docstring)."""

  @classmethod
  def check_config(cls, config):
    check_temperature(config)
    super().check_config(config)

  def objective(self, params, extra, batch, rng, step):
    v1, v2 = self.views(rng, batch['x'])
    b = v1.shape[0]
    z = self.apply(params, jnp.concatenate([v1, v2], axis=0))['z']
    z1, z2 = z[:b], z[b:]
    loss_2B = nt_xent(z1, z2, self.ssl.temperature)
    loss_B = 0.5 * (loss_2B[:b] + loss_2B[b:])  # per image: mean of its two views' losses
    return loss_B, {'alignment': alignment(z1, z2)}, None


class MoCo(SSLPretrain):
  """InfoNCE of a query against its momentum-encoded key and a queue of K old keys."""

  @classmethod
  def check_config(cls, config):
    check_temperature(config)
    check_decay(config, 'momentum')
    super().check_config(config)
    k, b = config.ssl.get('queue', 0), config.data.batch_size
    if not k or k % b:
      raise ConfigError(f'ssl.queue={k} must be a positive multiple of data.batch_size={b} (the '
                        'queue is filled one whole batch at a time); e.g. '
                        f'--config.ssl.queue={16 * b}.')

  def init_extra(self, params, batch):
    d = self.model.proj_dim or self.model.features[-1]
    queue = normalize(jax.random.normal(jax.random.PRNGKey(0), (self.ssl.queue, d)))
    return {'key_params': jax.tree.map(jnp.copy, params), 'queue': queue,
            'ptr': jnp.zeros((), jnp.int32)}

  def objective(self, params, extra, batch, rng, step):
    v1, v2 = self.views(rng, batch['x'])
    q_BxD = normalize(self.apply(params, v1)['z'])
    k_BxD = jax.lax.stop_gradient(normalize(self.apply(extra['key_params'], v2)['z']))
    pos_Bx1 = jnp.sum(q_BxD * k_BxD, -1, keepdims=True)
    neg_BxK = q_BxD @ extra['queue'].T
    logits = jnp.concatenate([pos_Bx1, neg_BxK], axis=-1) / self.ssl.temperature
    loss_B = info_nce_logits(logits, jnp.zeros(q_BxD.shape[0], jnp.int32))  # z_+ = the key
    return loss_B, {'alignment': alignment(q_BxD, k_BxD)}, k_BxD

  def after_step(self, state, net, keys_BxD):
    extra = state.extra
    queue, ptr = enqueue(extra['queue'], extra['ptr'], keys_BxD)
    key_params = ema_update(extra['key_params'], net.params, self.ssl.momentum)
    return {'key_params': key_params, 'queue': queue, 'ptr': ptr}


SIAMESE_LOSSES = ('positive', 'margin', 'triplet')


class Siamese(SSLPretrain):
  """The Siamese energy-based model E(x1, x2) = ||z1 - z2||^2 / 2 on normalised codes z (module
  docstring): 'positive' (pull positives only: collapses), 'margin' (+ push negatives beyond the
  margin: the fix), 'triplet' (positives share a Fashion-MNIST class: Dor et al.'s thematic
  similarity with a triplet margin). Negatives: the batch rolled by one (another image)."""

  @classmethod
  def check_config(cls, config):
    loss = config.get('ssl', {}).get('loss', None)
    if loss not in SIAMESE_LOSSES:
      raise ConfigError(f'ssl.loss={loss!r}; use one of {SIAMESE_LOSSES}.')
    if loss != 'positive' and not config.ssl.get('margin', 0) > 0:
      raise ConfigError(f'ssl.margin={config.ssl.get("margin")!r} must be > 0 for ssl.loss={loss!r}.')
    super().check_config(config)

  def objective(self, params, extra, batch, rng, step):
    x, m = batch['x'], self.ssl.get('margin', 0.0)
    if self.ssl.loss == 'triplet':  # anchor, positive = another image of its class, negative
      k1, k2 = jax.random.split(rng)
      pos_idx, neg_idx = _class_partners(k1, batch['y'])
      a = self.augment(k2, x)
      z = normalize(self.apply(params, a)['z'])
      e_pos = 0.5 * jnp.sum((z - z[pos_idx]) ** 2, -1)
      e_neg = 0.5 * jnp.sum((z - z[neg_idx]) ** 2, -1)
      loss_B = jax.nn.relu(e_pos - e_neg + m)
      return loss_B, {'alignment': jnp.mean(2 * e_pos), 'energy_neg': jnp.mean(e_neg)}, None
    v1, v2 = self.views(rng, x)
    z1, z2 = (normalize(self.apply(params, v)['z']) for v in (v1, v2))
    e_pos = 0.5 * jnp.sum((z1 - z2) ** 2, -1)
    e_neg = 0.5 * jnp.sum((z1 - jnp.roll(z2, 1, axis=0)) ** 2, -1)
    loss_B = e_pos if self.ssl.loss == 'positive' else e_pos + jax.nn.relu(m - e_neg) ** 2
    return loss_B, {'alignment': jnp.mean(2 * e_pos), 'energy_neg': jnp.mean(e_neg)}, None

  eval_metrics = ('alignment', 'energy_neg')


def _class_partners(rng, y_B):
  """For each example, the index of a random other example of the same class (itself if none) and
  of a random example of another class (itself if none): the triplet's positive and negative."""
  b = y_B.shape[0]
  u_BxB = jax.random.uniform(rng, (b, b))
  same = (y_B[:, None] == y_B[None, :]) & ~jnp.eye(b, dtype=bool)
  diff = y_B[:, None] != y_B[None, :]
  pos = jnp.where(same.any(1), jnp.argmax(jnp.where(same, u_BxB, -1.0), 1), jnp.arange(b))
  neg = jnp.where(diff.any(1), jnp.argmax(jnp.where(diff, u_BxB, -1.0), 1), jnp.arange(b))
  return pos, neg
