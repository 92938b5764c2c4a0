"""Supervised prediction: multiclass softmax, binary logistic / hinge / square losses, multilabel
(one logistic loss per label), regression.

Optional, for images: config.augment and data.normalize (dljax.train.transforms: augmentation in
the train step from the step's key, per-channel statistics of the training split kept in
state.extra and applied in train and eval), optim.trainable (a regex: only matching parameters are
updated), optim.layer_decay (layer-wise learning-rate decay for fine-tuning Transformers); both
through the task kit's optimizer factory (dljax.train.kit.make_optimizer), as for every task.
Evaluators (dljax/eval) call predict(state, x) -> logits and features(state, x) -> penultimate
embeddings; test-time augmentation is the evaluator `tta` (config.evals.tta = dict(type='tta', ...)).
config.mix = dict(kind='mixup' | 'cutmix', alpha=...) (softmax only) mixes each training batch with
a permutation of itself and mixes the two losses (dljax.data.augment.mix).

config.class_weights (absent or None: off) weights each example's loss by its class, for imbalanced
data: a tuple (w_0, ..., w_{K-1}) of positive numbers, or 'balanced' = sklearn's inverse frequency
w_c = n / (K n_c) computed once from the TRAINING labels (n examples, n_c of class c, K classes).
The data term becomes L = (1/B) sum_i w_{y_i} l(f(x_i), y_i), the plain mean loss when every
w_c = 1; with 'balanced' weights the mean weight over the training set is 1, so the loss scale (and
the learning rate) stay those of the plain loss. Only the training objective is weighted: test/loss
and val/loss stay the plain cross-entropy. For losses with class labels (softmax, logistic, hinge,
square; y in 0..K-1 or {0, 1}).
"""
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax

from dljax import data as data_lib, models
from dljax.data import augment
from dljax.errors import ConfigError
from dljax.train import kit, transforms
from dljax.train.tasks.base import Task


def _signed(y):
  return 2.0 * y - 1.0  # {0, 1} -> {-1, +1}


def _multilabel(s_BxL, y_BxL):
  """L independent yes/no questions: sum_l -[y_l log s(f_l) + (1 - y_l) log(1 - s(f_l))]."""
  return optax.sigmoid_binary_cross_entropy(s_BxL, y_BxL.astype(s_BxL.dtype)).sum(-1)


# loss(score or logits, y) per example, y in {0..K-1} (softmax), {0, 1} (binary), {0, 1}^L
# (multilabel: one score per label) or real (mse)
LOSSES = {
    'softmax': optax.softmax_cross_entropy_with_integer_labels,  # -log softmax(f(x))_y
    'logistic': lambda s, y: optax.sigmoid_binary_cross_entropy(s, y.astype(s.dtype)),  # -log s(+-f)
    'hinge': lambda s, y: jnp.maximum(0.0, 1.0 - _signed(y) * s),  # max(0, 1 - y f(x)), y in +-1
    'square': lambda s, y: (s - _signed(y)) ** 2,  # linear regression used as a classifier
  'multilabel': _multilabel,  # per-label sigmoid cross-entropy, summed over the L labels
    'mse': lambda s, y: (s - y) ** 2,  # regression
}
WEIGHTABLE = ('softmax', 'logistic', 'hinge', 'square')  # losses with one class label per example


def balanced_class_weights(y_N, num_classes: int) -> np.ndarray:
  """w_c = n / (K n_c): sklearn's compute_class_weight('balanced'); sum_i w_{y_i} = n."""
  y_N = np.asarray(y_N).astype(np.int64)
  n_K = np.bincount(y_N, minlength=num_classes)[:num_classes]
  if np.any(n_K == 0) or y_N.max(initial=0) >= num_classes:
    raise ConfigError(f"class_weights='balanced': the training labels count {n_K.tolist()} examples "
                      f'per class of {num_classes}; every class needs at least one training example '
                      '(or give config.class_weights as a tuple).')
  return (len(y_N) / (num_classes * n_K)).astype(np.float32)


def check_class_weights(config):
  """ConfigError naming the fix for a config.class_weights that is neither None, 'balanced' nor a
  tuple of positive finite numbers, or that is set for a loss without class labels."""
  w = config.get('class_weights', None)
  if w is None:
    return
  loss = config.get('loss', 'softmax')
  if loss not in WEIGHTABLE:
    raise ConfigError(f'config.class_weights weights losses with one class label per example '
                      f'({list(WEIGHTABLE)}); loss={loss!r} has none: remove config.class_weights.')
  if isinstance(w, str):
    if w != 'balanced':
      raise ConfigError(f"config.class_weights={w!r}; use 'balanced' or a tuple of K positive "
                        'weights.')
    return
  values = np.asarray(w, np.float64) if isinstance(w, (tuple, list)) else np.zeros(0)
  if values.ndim != 1 or len(values) < 2 or not np.all(np.isfinite(values)) or np.any(values <= 0):
    raise ConfigError(f"config.class_weights={w!r}; give 'balanced' or a tuple of K >= 2 positive "
                      'finite weights, one per class.')


class Classification(Task):
  """f(x) -> prediction; the loss is `config.loss` (default softmax cross-entropy)."""

  fixed_loss = None  # a subclass that always trains with one loss names it here (Denoise: 'mse')

  @classmethod
  def check_config(cls, config):
    super().check_config(config)
    check_class_weights(config)

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    self.model = models.build(config.model)
    self.loss_name = self.fixed_loss or config.get('loss', 'softmax')
    self.loss_fn = LOSSES[self.loss_name]
    self.l2 = config.optim.get('l2', 0.0)
    self.l1 = config.optim.get('l1', 0.0)
    self.aux_weight = config.get('aux_weight', 0.3)  # GoogLeNet's weight of each auxiliary loss
    self.transform = transforms.InputTransform(config)  # augmentation + normalisation
    self.mix = augment.check_mix(config.get('mix', None), 'config.mix')  # (kind, alpha) or None
    if self.mix and self.loss_name != 'softmax':
      raise ConfigError(f"config.mix needs loss='softmax' (it mixes class labels); this task's "
                        f'loss is {self.loss_name!r}: remove config.mix.')
    if config.get('class_weights', None) is not None and type(self) is not Classification:
      raise ConfigError(f'config.class_weights is applied by task classification only; '
                        f'{type(self).__name__} would ignore it: remove config.class_weights.')
    check_class_weights(config)
    self.class_weights_K = None  # set by prepare() when config.class_weights is given
    if (config.get('eval', None) or {}).get('tta_views', None):
      raise ConfigError("eval.tta_views moved to an evaluator: set config.evals.tta = dict(type='tta', "
                        'views=K, augment=dict(...)) instead of eval.tta_views / eval.tta_augment.')

  @property
  def best_metric(self):  # a regression (mse) is chosen by its loss
    return 'loss' if self.loss_name == 'mse' else 'accuracy'

  @property
  def best_mode(self):
    return 'min' if self.loss_name == 'mse' else 'max'

  def prepare(self, train):
    self.transform.prepare(train)  # per-channel mean/std of the training split, computed once
    w = self.config.get('class_weights', None)
    if w is None:
      return
    k = data_lib.info(self.config.data).num_classes if self.loss_name == 'softmax' else 2
    if isinstance(w, str):  # 'balanced': from the training labels, once
      self.class_weights_K = balanced_class_weights(train['y'], k)
    else:
      if len(w) != k:
        raise ConfigError(f'config.class_weights has {len(w)} weights; {self.config.data.name} has '
                          f'{k} classes: give one weight per class.')
      self.class_weights_K = np.asarray(w, np.float32)

  def example_loss(self, out, y):
    """Per-example loss l(f(x_i), y_i), times w_{y_i} when config.class_weights is set."""
    loss_B = self.loss_fn(out, y)
    if self.class_weights_K is None:
      return loss_B
    return jnp.asarray(self.class_weights_K)[y.astype(jnp.int32)] * loss_B

  def init(self, rng, batch):
    return kit.init_single(self.model, rng, (batch['x'],), self.config.optim, self.total_steps,
                           extra=self.transform.state_extra(), train=False)

  def inputs(self, state, x, rng=None):
    """The network's input: augment(x) in training (rng given), then (x - mean_c) / std_c."""
    return self.transform(state.extra, x, rng)

  def forward(self, net, x, train=False, rng=None):
    """Returns (outputs, updated mutable collections); in training these include what the model
    sowed into 'intermediates' (e.g. Inception's auxiliary logits)."""
    mutable = [*net.model_state, 'intermediates'] if train else False
    out = self.model.apply(net.variables(), x, train=train, rngs={'dropout': rng} if train else None,
                           mutable=mutable)
    return out if mutable else (out, net.model_state)

  def objective(self, params, net, batch, rng):
    """Mean loss over the batch + the L2 penalty lambda ||w||^2 (if optim.l2 > 0) + the L1 penalty
    lambda ||w||_1 = lambda sum |w| (if optim.l1 > 0; its subgradient lambda sign(w), 0 at w = 0,
    drives weights to zero) + aux_weight times the mean loss of each auxiliary head the model sowed
    as 'aux_logits' in training (GoogLeNet). Both penalties cover every parameter, biases too."""
    out, model_state = self.forward(net.replace(params=params), batch['x'], train=True, rng=rng)
    model_state = dict(model_state)
    aux_logits = model_state.pop('intermediates', {}).get('aux_logits', ())
    loss = self.example_loss(out, batch['y']).mean()  # (class-weighted if config.class_weights)
    if 'lam' in batch:  # mixup / cutmix: lam l(f(x~), y) + (1 - lam) l(f(x~), y_pi)
      loss = batch['lam'] * loss + (1 - batch['lam']) * self.example_loss(out, batch['y_mix']).mean()
    aux = sum(self.example_loss(a, batch['y']).mean() for a in aux_logits)
    penalty = self.l2 * sum(jnp.sum(w ** 2) for w in jax.tree.leaves(params)) if self.l2 else 0.0
    if self.l1:  # |w| written w sign(w) with sign(w) held constant: the subgradient is sign(w),
      # 0 at w = 0 (jax.grad of jnp.abs gives 1 there, pushing an exact zero away from 0)
      penalty += self.l1 * sum(jnp.sum(w * jax.lax.stop_gradient(jnp.sign(w)))
                               for w in jax.tree.leaves(params))
    return loss + self.aux_weight * aux + penalty, (loss, out, model_state)

  def correct(self, out, y):
    """Per example: 1 if right. Multilabel: the share of the L labels that are right (Hamming
    accuracy); `exact` (every label right) is counted apart in eval_step."""
    if self.loss_name == 'softmax':
      return (out.argmax(-1) == y).astype(jnp.float32)
    if self.loss_name == 'multilabel':
      return ((out > 0) == (y > 0)).astype(jnp.float32).mean(-1)
    return ((out > 0) == (y > 0)).astype(jnp.float32)

  def train_step(self, state, batch, rng):
    net = state.nets['model']
    if self.transform.active:
      batch = dict(batch, x=self.inputs(state, batch['x'], jax.random.fold_in(rng, 1)))
    if self.mix:
      x, perm_B, lam = augment.mix(jax.random.fold_in(rng, 2), batch['x'], *self.mix)
      batch = dict(batch, x=x, y_mix=batch['y'][perm_B], lam=lam)

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
    out, _ = self.forward(state.nets['model'], self.inputs(state, batch['x']))
    mask = batch['mask'].astype(jnp.float32)
    sums = {'loss': jnp.sum(self.loss_fn(out, batch['y']) * mask), 'count': jnp.sum(mask)}
    if self.loss_name != 'mse':
      sums['correct'] = jnp.sum(self.correct(out, batch['y']) * mask)
    if self.loss_name == 'multilabel':  # subset accuracy, and the counts behind micro-F1
      hit_BxL, pred_BxL = (out > 0) == (batch['y'] > 0), (out > 0).astype(jnp.float32)
      true_BxL = (batch['y'] > 0).astype(jnp.float32)
      sums['exact'] = jnp.sum(jnp.all(hit_BxL, -1) * mask)
      sums['tp'] = jnp.sum(pred_BxL * true_BxL * mask[:, None])
      sums['fp'] = jnp.sum(pred_BxL * (1 - true_BxL) * mask[:, None])
      sums['fn'] = jnp.sum((1 - pred_BxL) * true_BxL * mask[:, None])
    return sums

  # --- task functions for evaluators (dljax/eval) -------------------------------------------------
  def predict(self, state, x):
    """f(x): the logits (or scores) of raw inputs x, normalised as in training, in eval mode."""
    return self.forward(state.nets['model'], self.inputs(state, x))[0]

  def features(self, state, x):
    """The penultimate embeddings B x D: the model's `features` method if it has one, else the
    input of its last nn.Dense when that layer's output is the model's output (the linear head)."""
    net = state.nets['model']
    x = self.inputs(state, x)
    if callable(getattr(type(self.model), 'features', None)):  # (CNN's `features` is a field)
      return self.model.apply(net.variables(), x, method=type(self.model).features)
    seen = []

    def record(next_fn, args, kwargs, context):
      out = next_fn(*args, **kwargs)
      if isinstance(context.module, nn.Dense) and context.method_name == '__call__':
        seen.append((args[0], out))
      return out

    with nn.intercept_methods(record):
      logits = self.model.apply(net.variables(), x, train=False)
    if not seen or seen[-1][1] is not logits:
      raise ConfigError(f'model {type(self.model).__name__} does not end in a linear head '
                        '(nn.Dense), so it has no penultimate features; give it a `features(x)` '
                        'method returning B x D embeddings, or use an evaluator that needs only '
                        'predict.')
    return seen[-1][0].reshape(x.shape[0], -1)

  def summarize(self, sums):
    metrics = {'test/loss': float(sums['loss'] / sums['count'])}
    if 'correct' in sums:
      metrics['test/accuracy'] = float(sums['correct'] / sums['count'])
    if 'exact' in sums:  # multilabel
      metrics['test/exact_match'] = float(sums['exact'] / sums['count'])
      tp, fp, fn = (float(sums[k]) for k in ('tp', 'fp', 'fn'))
      metrics['test/micro_f1'] = 2 * tp / max(2 * tp + fp + fn, 1.0)
    return metrics

  def plots(self, state, workdir, data):
    from dljax import viz  # pylint: disable=g-import-not-at-top
    x = data['test']['x']
    if x.ndim == 2 and x.shape[1] == 2:
      net = state.nets['model']
      predict = jax.jit(lambda x: self.forward(net, x)[0])
      viz.decision_boundary(predict, data['test'], workdir, binary=self.loss_name != 'softmax')
