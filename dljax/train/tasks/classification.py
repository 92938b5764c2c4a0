"""Supervised prediction: multiclass softmax, binary logistic / hinge / square losses, regression.

Optional, for images: config.augment and data.normalize (dljax.train.transforms: augmentation in
the train step from the step's key, per-channel statistics of the training split kept in
state.extra and applied in train and eval), eval.tta_views K (test/accuracy_tta: softmax averaged over the image
and K - 1 augmented views), optim.trainable (a regex: only matching parameters are updated),
optim.layer_decay (layer-wise learning-rate decay for fine-tuning Transformers); both through the
task kit's optimizer factory (dljax.train.kit.make_optimizer), as for every task.
"""
import jax
import jax.numpy as jnp
import optax

from dljax import models
from dljax.data import augment
from dljax.errors import ConfigError
from dljax.train import kit, transforms
from dljax.train.tasks.base import Task


def _signed(y):
  return 2.0 * y - 1.0  # {0, 1} -> {-1, +1}


# loss(score or logits, y) per example, y in {0..K-1} (softmax), {0, 1} (binary) or real (mse)
LOSSES = {
    'softmax': optax.softmax_cross_entropy_with_integer_labels,  # -log softmax(f(x))_y
    'logistic': lambda s, y: optax.sigmoid_binary_cross_entropy(s, y.astype(s.dtype)),  # -log s(+-f)
    'hinge': lambda s, y: jnp.maximum(0.0, 1.0 - _signed(y) * s),  # max(0, 1 - y f(x)), y in +-1
    'square': lambda s, y: (s - _signed(y)) ** 2,  # linear regression used as a classifier
    'mse': lambda s, y: (s - y) ** 2,  # regression
}


class Classification(Task):
  """f(x) -> prediction; the loss is `config.loss` (default softmax cross-entropy)."""

  fixed_loss = None  # a subclass that always trains with one loss names it here (Denoise: 'mse')

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    self.model = models.build(config.model)
    self.loss_name = self.fixed_loss or config.get('loss', 'softmax')
    self.loss_fn = LOSSES[self.loss_name]
    self.l2 = config.optim.get('l2', 0.0)
    self.aux_weight = config.get('aux_weight', 0.3)  # GoogLeNet's weight of each auxiliary loss
    self.transform = transforms.InputTransform(config)  # augmentation + normalisation
    eval_cfg = config.get('eval', None) or {}
    self.tta_views = int(eval_cfg.get('tta_views', 0) or 0)
    tta_spec = eval_cfg.get('tta_augment', None) or augment.geometric(config.get('augment', None))
    self.tta_augment = augment.build(tta_spec, where='eval.tta_augment')
    if self.tta_views > 1 and (self.tta_augment is None or self.loss_name != 'softmax'):
      raise ConfigError(f'eval.tta_views={self.tta_views} needs a softmax classifier and views: set '
                        'eval.tta_augment=dict(shift=2, ...) or geometric ops in config.augment.')

  @property
  def best_metric(self):  # a regression (mse) is chosen by its loss
    return 'test/loss' if self.loss_name == 'mse' else 'test/accuracy'

  @property
  def best_mode(self):
    return 'min' if self.loss_name == 'mse' else 'max'

  def prepare(self, train):
    self.transform.prepare(train)  # per-channel mean/std of the training split, computed once

  def init(self, rng, batch):
    return kit.init_single(self.model, rng, (batch['x'],), self.config.optim, self.total_steps,
                           extra=self.transform.state_extra(), train=False)

  def inputs(self, state, x, rng=None):
    """The network's input: augment(x) in training (rng given), then (x - mean_c) / std_c."""
    return self.transform(state.extra, x, rng)

  def predict(self, net, x, train=False, rng=None):
    """Returns (outputs, updated mutable collections); in training these include what the model
    sowed into 'intermediates' (e.g. Inception's auxiliary logits)."""
    mutable = [*net.model_state, 'intermediates'] if train else False
    out = self.model.apply(net.variables(), x, train=train, rngs={'dropout': rng} if train else None,
                           mutable=mutable)
    return out if mutable else (out, net.model_state)

  def objective(self, params, net, batch, rng):
    """Mean loss over the batch + the L2 penalty lambda ||w||^2 (if optim.l2 > 0) + aux_weight times
    the mean loss of each auxiliary head the model sowed as 'aux_logits' in training (GoogLeNet)."""
    out, model_state = self.predict(net.replace(params=params), batch['x'], train=True, rng=rng)
    model_state = dict(model_state)
    aux_logits = model_state.pop('intermediates', {}).get('aux_logits', ())
    loss = self.loss_fn(out, batch['y']).mean()
    aux = sum(self.loss_fn(a, batch['y']).mean() for a in aux_logits)
    penalty = self.l2 * sum(jnp.sum(w ** 2) for w in jax.tree.leaves(params)) if self.l2 else 0.0
    return loss + self.aux_weight * aux + penalty, (loss, out, model_state)

  def correct(self, out, y):
    if self.loss_name == 'softmax':
      return (out.argmax(-1) == y).astype(jnp.float32)
    return ((out > 0) == (y > 0)).astype(jnp.float32)

  def train_step(self, state, batch, rng):
    net = state.nets['model']
    if self.transform.active:
      batch = dict(batch, x=self.inputs(state, batch['x'], jax.random.fold_in(rng, 1)))

    def loss_fn(params):
      objective, (loss, out, model_state) = self.objective(params, net, batch, rng)
      return objective, ((loss, out), model_state)
    net, (loss, out), metrics = kit.gradient_step(net, loss_fn, has_aux=True,
                                                  model_state_in_aux=True)
    metrics['train/loss'] = loss  # the data term (without the L2 penalty and auxiliary heads)
    if self.loss_name != 'mse':
      metrics['train/accuracy'] = self.correct(out, batch['y']).mean()
    return state.replace(nets={'model': net}), metrics

  def eval_step(self, state, batch):
    out, _ = self.predict(state.nets['model'], self.inputs(state, batch['x']))
    mask = batch['mask'].astype(jnp.float32)
    sums = {'loss': jnp.sum(self.loss_fn(out, batch['y']) * mask), 'count': jnp.sum(mask)}
    if self.loss_name != 'mse':
      sums['correct'] = jnp.sum(self.correct(out, batch['y']) * mask)
    if self.tta_views:
      sums['correct_tta'] = jnp.sum(self.correct(self.tta_probs(state, batch['x']), batch['y']) * mask)
    return sums

  def tta_probs(self, state, x):
    """Test-time augmentation: (1/K) sum_v softmax(f(view_v(x))), view 0 = x itself; the views
    are fixed (drawn from the config's seed), the same at every evaluation."""
    rng = jax.random.PRNGKey(self.config.seed)
    views = augment.tta_views(self.tta_augment, x, self.tta_views, rng)
    probs = [jax.nn.softmax(self.predict(state.nets['model'], self.inputs(state, v))[0])
             for v in views]
    return sum(probs) / len(probs)

  def summarize(self, sums):
    metrics = {'test/loss': float(sums['loss'] / sums['count'])}
    if 'correct' in sums:
      metrics['test/accuracy'] = float(sums['correct'] / sums['count'])
    if 'correct_tta' in sums:
      metrics['test/accuracy_tta'] = float(sums['correct_tta'] / sums['count'])
    return metrics

  def plots(self, state, workdir, data):
    from dljax import viz  # pylint: disable=g-import-not-at-top
    x = data['test']['x']
    if x.ndim == 2 and x.shape[1] == 2:
      net = state.nets['model']
      predict = jax.jit(lambda x: self.predict(net, x)[0])
      viz.decision_boundary(predict, data['test'], workdir, binary=self.loss_name != 'softmax')
