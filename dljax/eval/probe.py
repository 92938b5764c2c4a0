"""Linear probe and k-NN accuracy of a frozen encoder with a label sweep, and the baselines it must
beat (REFERENCES.md §13; seed 000 A63: "build a simple classifier, linear layer").

  config.evals.probe = dict(type='probe', labels=(10, 100, 1000, 0), knn=20, baselines=True,
                            supervised=10)

For every n in `labels` (labelled training images per class, drawn with a seeded permutation of
the training split; 0 = all of them):
  linear_<n>         a multinomial logistic regression on h = features(x) (standardised with the
                     whole training split's statistics: unlabelled data is free), full-batch Adam;
                     its L2 weight from `l2` chosen on validation accuracy, test accuracy reported
  knn_<n>            majority vote of the k = min(knn, n) nearest labelled codes (cosine distance)
With baselines=True, the same two probes on
  random_linear_<n>  the same encoder at a random initialisation (the task's init, another key):
                     what the architecture alone gives
  pixel_linear_<n>   the raw pixels
and with supervised = s > 0, `supervised_<s>`: the same encoder and a linear head trained end to end
from random initialisation on the same s images per class (with the task's augmentation if it
has one), early-stopped on validation accuracy (the UvA SimCLR tutorial's comparison).
Metric names carry n ('all' for 0). Every choice (L2 weight, stopping step) is made on validation.
"""
import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax

from dljax import optim
from dljax.errors import ConfigError
from dljax.eval import common
from dljax.eval.ae_codes import knn_accuracy

TEST_METRICS = True  # every number is a test-split accuracy; every choice is made on validation
PARAMS = dict(labels=(10, 100, 1000, 0), knn=20, baselines=True, supervised=0,
              supervised_steps=300, steps=300, lr=0.01, l2=(1e-4, 1e-3, 1e-2), seed=0,
              batch_size=1000)
REQUIRES = ('features',)


def check(task, cfg):
  labels = tuple(cfg.labels)
  if not labels or any(int(n) != n or n < 0 for n in labels):
    raise ConfigError(f'labels={labels} must be labelled examples per class: integers >= 0 '
                      '(0 = all).')
  if cfg.knn < 1 or cfg.steps < 1 or not tuple(cfg.l2):
    raise ConfigError(f'knn={cfg.knn} and steps={cfg.steps} must be >= 1 and l2 non-empty.')
  if cfg.supervised and not callable(getattr(task, 'init', None)):
    raise ConfigError('supervised > 0 trains the task\'s encoder from its init; set supervised=0.')


def name(n: int) -> str:
  return 'all' if n == 0 else str(n)


def subset(y_N, per_class: int, seed: int):
  """Indices of the first `per_class` examples of each class in a seeded permutation (all: 0)."""
  order = np.random.RandomState(seed).permutation(len(y_N))
  if per_class == 0:
    return np.sort(order)
  keep = []
  for c in np.unique(y_N):
    keep.extend(order[y_N[order] == c][:per_class])
  return np.sort(np.asarray(keep))


def encode(fn, state, x, batch_size: int):
  return np.concatenate([np.asarray(fn(state, jnp.asarray(x[i:i + batch_size])))
                         for i in range(0, len(x), batch_size)]).astype(np.float32)


def fit_logistic(h_NxD, y_N, num_classes: int, l2s, steps: int, lr: float):
  """Multinomial logistic regressions, one per L2 weight (vmapped), full batch, Adam:
  min_W,b mean_n CE(W h_n + b, y_n) + l2 ||W||^2. Returns (W LxDxC, b LxC)."""
  return _fit_logistic(jnp.asarray(h_NxD), jnp.asarray(y_N), jnp.asarray(l2s, jnp.float32),
                       num_classes=num_classes, steps=steps, lr=float(lr))


@functools.partial(jax.jit, static_argnames=('num_classes', 'steps', 'lr'))
def _fit_logistic(h, y, l2s, *, num_classes, steps, lr):
  # the data are arguments, not constants of the trace: no constant folding of large arrays, and
  # one compilation per (shape, num_classes, steps, lr)
  tx = optax.adam(lr)

  def one(l2):
    params = (jnp.zeros((h.shape[1], num_classes)), jnp.zeros((num_classes,)))

    def loss(p):
      logits = h @ p[0] + p[1][None]
      return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean() + l2 * jnp.sum(p[0] ** 2)
    return optim.minimize(loss, params, tx, steps)

  return jax.vmap(one)(l2s)


def linear_probe(train, val, test, num_classes, cfg) -> float:
  """Test accuracy of the logistic regression whose L2 weight has the best validation accuracy.
  train/val/test: (h, y) with h standardised."""
  w, b = fit_logistic(train[0], train[1], num_classes, tuple(cfg.l2), cfg.steps, cfg.lr)
  acc = lambda h, y: np.mean(np.argmax(np.einsum('nd,ldc->lnc', h, np.asarray(w))
                                       + np.asarray(b)[:, None], -1) == y[None], axis=1)
  best = int(np.argmax(acc(*val)))
  return float(acc(*test)[best])


def probes(h_by_split: dict, y_by_split: dict, num_classes: int, cfg, prefix: str = '') -> dict:
  """{prefix + 'linear_<n>': acc, prefix + 'knn_<n>': acc} over the label sweep."""
  h_tr = h_by_split['train']
  mean, std = h_tr.mean(0), h_tr.std(0)
  std = std + 1e-3 * std.mean() + 1e-12  # constant inputs (border pixels) stay ~0
  h = {k: (v - mean) / std for k, v in h_by_split.items()}
  unit = {k: v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12) for k, v in h.items()}
  out = {}
  for n in cfg.labels:
    idx = subset(y_by_split['train'], int(n), cfg.seed)
    tr = (h['train'][idx], y_by_split['train'][idx])
    out[f'{prefix}linear_{name(n)}'] = linear_probe(
        tr, (h['validation'], y_by_split['validation']), (h['test'], y_by_split['test']),
        num_classes, cfg)
    k = min(cfg.knn, len(idx))
    out[f'{prefix}knn_{name(n)}'] = knn_accuracy(unit['train'][idx], tr[1], unit['test'],
                                                 y_by_split['test'], k)
  return out


def supervised_baseline(task, data, cfg, num_classes: int) -> float:
  """Test accuracy (at the best validation step) of the task's encoder + a linear head trained
  from random initialisation on `cfg.supervised` labelled images per class."""
  train = data['train']
  idx = subset(np.asarray(train['y']), int(cfg.supervised), cfg.seed)
  x, y = jnp.asarray(train['x'][idx]), jnp.asarray(train['y'][idx])
  state = task.init(jax.random.PRNGKey(cfg.seed + 7), {'x': x[:2], 'y': y[:2]})
  net = state.nets['model']
  dim = task.features(state, x[:1]).shape[-1]
  params = {'encoder': net.params, 'head': (jnp.zeros((dim, num_classes)), jnp.zeros(num_classes))}
  augment = getattr(task, 'augment', None)

  def logits(p, v):
    h = task.features(state.replace(nets={'model': net.replace(params=p['encoder'])}), v)
    return h @ p['head'][0] + p['head'][1][None]

  tx = optax.adam(1e-3)

  @jax.jit
  def step(p, s, k):
    v = x if augment is None else augment(k, x)
    g = jax.grad(lambda q: optax.softmax_cross_entropy_with_integer_labels(logits(q, v), y).mean())(p)
    u, s = tx.update(g, s, p)
    return optax.apply_updates(p, u), s

  predict = jax.jit(lambda p, v: jnp.argmax(logits(p, v), -1))
  accuracy = lambda p, split: float(np.mean(np.concatenate([
      np.asarray(predict(p, jnp.asarray(data[split]['x'][i:i + cfg.batch_size])))
      for i in range(0, len(data[split]['x']), cfg.batch_size)]) == np.asarray(data[split]['y'])))
  s = tx.init(params)
  best = (-1.0, 0.0)
  every = max(cfg.supervised_steps // 10, 1)
  for i in range(1, cfg.supervised_steps + 1):
    params, s = step(params, s, jax.random.PRNGKey(i))
    if i % every == 0 or i == cfg.supervised_steps:
      val = accuracy(params, 'validation')
      if val > best[0]:
        best = (val, accuracy(params, 'test'))
  return best[1]


def evaluate(task, state, data, cfg):
  splits = ('train', 'validation', 'test')
  ys = {s: np.asarray(data[s]['y']) for s in splits}
  num_classes = int(max(y.max() for y in ys.values())) + 1
  fn = common.cached(task, ('probe', 'features'), lambda: jax.jit(task.features))
  h = {s: encode(fn, state, data[s]['x'], cfg.batch_size) for s in splits}
  out = probes(h, ys, num_classes, cfg)
  if cfg.baselines:
    x0 = data['train']['x'][:2]
    random_state = task.init(jax.random.PRNGKey(cfg.seed + 1), {'x': jnp.asarray(x0),
                                                                  'y': jnp.asarray(ys['train'][:2])})
    h_rand = {s: encode(fn, random_state, data[s]['x'], cfg.batch_size) for s in splits}
    out.update(probes(h_rand, ys, num_classes, cfg, prefix='random_'))
    pixels = {s: np.asarray(data[s]['x'], np.float32).reshape(len(ys[s]), -1) for s in splits}
    out.update(probes(pixels, ys, num_classes, cfg, prefix='pixel_'))
  if cfg.supervised:
    out[f'supervised_{cfg.supervised}'] = supervised_baseline(task, data, cfg, num_classes)
  return out
