r"""Attributions: which input features a classifier's decision rests on (seed 001 §2, c45-c47;
seed 003 §2.12, c25). One interface for every dljax classifier:

  explain(f, x_BxD..., method, target_B=None, **options) -> attribution, the shape of x

where f(x) -> logits B x K is a pure function of raw inputs (for a run: lambda x: task.predict(
state, x)); `explain` is traceable (jit it with the state as an argument), batched over B. With
S_c(x) the logit of the target class c (the predicted class unless target_B is given):

  saliency              |dS_c/dx|                                  (Simonyan et al. 2014)
  gradient              dS_c/dx (signed)
  grad_x_input          x * dS_c/dx: the first-order Taylor term of S_c around 0
  smoothgrad            mean_n dS_c/dx (x + e_n), e_n ~ N(0, (sigma (max x - min x))^2)
  integrated_gradients  (x - x') * int_0^1 dS_c/dx (x' + a (x - x')) da, baseline x' (0);
                        completeness: sum_i IG_i = S_c(x) - S_c(x'); the integral by the midpoint
                        Riemann rule or by Gauss-Legendre with `steps` nodes
  guided_backprop       dS_c/dx with every ReLU's backward pass replaced by g * 1[a > 0] * 1[g > 0]
                        (a custom VJP: only positive gradients flow back through positive units)
  gradcam               relu(sum_k alpha_k A_k), alpha_k = mean_ij dS_c/dA_kij, A = the last 4-D
                        (B x H x W x K) module output, upsampled to the input (Selvaraju et al.)
  cam                   relu(sum_k w_kc A_k) for a global-average-pool + linear head
                        S_c = sum_k w_kc mean_ij A_kij + b_c (Zhou et al. 2016); Grad-CAM equals
                        it up to the factor 1/(HW) on such a head
  occlusion             S_c(x) - S_c(x with a patch set to the baseline), averaged over the
                        patches (size `patch`, stride `stride`) that cover each pixel
  lime                  a weighted ridge fit of S_c on binary masks z of square patches
                        (superpixels), x(z) = z * x + (1 - z) * x', weights exp(-d(z, 1)^2 /
                        width^2) with the cosine distance d; the `top_k` patches with the largest
                        |coefficient| are refitted alone (K-Lasso's sparse explanation)
  lrp_epsilon           layer-wise relevance propagation, R_j = a_j sum_k w_jk R_k / (z_k + eps
                        sign z_k) through every nn.Dense / nn.Conv, R passed unchanged through
                        ReLU and max-pooling (Bach et al. 2015); written as x * a modified gradient
  lrp_zplus             the z+ rule R_j = a_j sum_k w+_jk R_k / sum_j a_j w+_jk in every layer;
                        conserves relevance exactly: sum_i R_i = S_c(x) (for inputs >= 0)

Backward methods (one or a few gradient passes) against forward ones (occlusion, LIME: many forward
passes), their cost and agreement, are compared in experiments/interpretability/attributions.py.
Activation maximisation (`activation_maximisation`) and the faithfulness curves (`deletion_curve`)
are below too. As an evaluator (config.evals.<name> = dict(type='attribution', ...)) it reports,
per method, deletion / insertion AUCs, IG's completeness error and LRP's conservation error.
"""
import contextlib
import math

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from dljax.errors import ConfigError
from dljax.eval import common

GRADIENT_METHODS = ('saliency', 'gradient', 'grad_x_input', 'smoothgrad', 'integrated_gradients',
                    'guided_backprop', 'gradcam', 'lrp_epsilon', 'lrp_zplus')
FORWARD_METHODS = ('occlusion', 'lime', 'cam')
METHODS = GRADIENT_METHODS + FORWARD_METHODS
IG_RULES = ('riemann', 'gauss_legendre')
DEFAULTS = dict(steps=32, rule='riemann', samples=32, sigma=0.15, patch=4, stride=2, baseline=0.0,
                lime_samples=500, lime_width=0.25, lime_ridge=1.0, top_k=10, eps=0.01, seed=0)


# --- the target logit -----------------------------------------------------------------------------
def _targets(f, x, target_B, num_classes=None):
  logits = f(x)
  if target_B is None:
    return logits, jnp.argmax(logits, -1)
  return logits, jnp.asarray(target_B, jnp.int32)


def _check_target(target_B, num_classes, batch):
  """ConfigError for a concrete target outside [0, K) or of the wrong length."""
  if target_B is None or isinstance(target_B, jax.core.Tracer):
    return
  t = np.asarray(target_B)
  if t.shape != (batch,):
    raise ConfigError(f'target has shape {t.shape}; give one class per example, shape ({batch},).')
  if t.size and (t.min() < 0 or t.max() >= num_classes):
    raise ConfigError(f'target class {int(t.max() if t.max() >= num_classes else t.min())} is out '
                      f'of range: the model has {num_classes} classes (0..{num_classes - 1}).')


def _score(f, c_B):
  """x -> sum_b S_{c_b}(x_b): its gradient is the per-example gradient of each target logit."""
  return lambda x: jnp.sum(jnp.take_along_axis(f(x), c_B[:, None], -1))


def _grad(f, x, c_B):
  return jax.grad(_score(f, c_B))(x)


# --- ReLU swap (guided backprop) ------------------------------------------------------------------
@jax.custom_vjp
def guided_relu(a):
  """max(a, 0) whose backward pass lets only positive gradients through positive units."""
  return jnp.maximum(a, 0)


def _guided_fwd(a):
  return jnp.maximum(a, 0), a


def _guided_bwd(a, g):
  return (g * (a > 0) * (g > 0),)


guided_relu.defvjp(_guided_fwd, _guided_bwd)


@contextlib.contextmanager
def _relu_as(fn):
  """While tracing, nn.relu / jax.nn.relu (looked up at call time by dljax's models) is `fn`."""
  saved = (nn.relu, jax.nn.relu)
  nn.relu = jax.nn.relu = fn
  try:
    yield
  finally:
    nn.relu, jax.nn.relu = saved


# --- feature maps (CAM, Grad-CAM) -----------------------------------------------------------------
def _is_map(out):
  return getattr(out, 'ndim', None) == 4 and hasattr(out, 'dtype')


def _with_map(f, x, replace=None):
  """(logits, A): A = the output of the last module call that returns a 4-D B x H x W x K array;
  with `replace`, that output is replaced (so that the logits are a function of A)."""
  count = {'n': 0}
  seen = []

  def find(next_fn, args, kwargs, context):
    out = next_fn(*args, **kwargs)
    if context.method_name == '__call__' and _is_map(out):
      seen.append(out)
    return out

  with nn.intercept_methods(find):
    f(x)  # traced, not eval_shape: a cached trace of f would bypass the interceptor
  if not seen:
    raise ConfigError('cam / gradcam need a convolutional model: no module returns a 4-D '
                      'B x H x W x K feature map; use saliency, occlusion or lime instead.')
  last = len(seen) - 1
  captured = {}

  def swap(next_fn, args, kwargs, context):
    out = next_fn(*args, **kwargs)
    if context.method_name == '__call__' and _is_map(out):
      if count['n'] == last:
        captured['A'] = out
        if replace is not None:
          out = replace
      count['n'] += 1
    return out

  count['n'] = 0
  with nn.intercept_methods(swap):
    logits = f(x)
  return logits, captured['A']


def _upsample(map_BxHxW, shape):
  """Bilinear resize of a B x h x w map to the input's spatial size (B x H x W x 1 broadcast to C)."""
  b, h, w = shape[0], shape[1], shape[2]
  up = jax.image.resize(map_BxHxW, (b, h, w), 'bilinear')
  return jnp.broadcast_to(up[..., None], shape)


def gradcam_maps(f, x, c_B):
  """relu(sum_k alpha_k A_k) at the feature map's resolution, alpha_k = mean_ij dS_c/dA_kij."""
  _, a = _with_map(f, x)
  grad_a = jax.grad(lambda a_: _score(lambda _x: _with_map(f, x, replace=a_)[0], c_B)(x))(a)
  alpha_BxK = grad_a.mean((1, 2))
  return jax.nn.relu(jnp.einsum('bhwk,bk->bhw', a, alpha_BxK))


def _linear_head(f, x):
  """(A, w_KxC) of a global-average-pool + linear head, checked: the last nn.Dense must receive
  mean_ij A and produce the logits."""
  seen = []

  def record(next_fn, args, kwargs, context):
    out = next_fn(*args, **kwargs)
    if isinstance(context.module, nn.Dense) and context.method_name == '__call__':
      seen.append((args[0], out, context.module.variables['params']['kernel']))
    return out

  with nn.intercept_methods(record):
    logits, a = _with_map(f, x)
  if not seen or seen[-1][1] is not logits or seen[-1][0].shape != (a.shape[0], a.shape[-1]):
    raise ConfigError('cam needs a global-average-pool + linear head (logits = Dense(mean_ij A)); '
                      'this model has another head: use gradcam, which needs only gradients.')
  return a, seen[-1][2]


def cam_maps(f, x, c_B):
  """relu(sum_k w_kc A_k) at the feature map's resolution."""
  a, w_KxC = _linear_head(f, x)
  return jax.nn.relu(jnp.einsum('bhwk,kb->bhw', a, w_KxC[:, c_B]))


# --- LRP as a modified gradient -------------------------------------------------------------------
def _lrp_interceptor(rule: str, eps: float):
  """Replaces each nn.Dense / nn.Conv output z = W a + b by a surrogate with the same value whose
  backward pass maps G_z to W^T (G_z * z / (z + eps sign z)) (epsilon rule) or W+^T (G_z * z /
  z+), z+ = W+ a (z+ rule); with ReLU and max-pooling's ordinary gradients, R = x * G is LRP."""
  busy = {'on': False}

  def icpt(next_fn, args, kwargs, context):
    if busy['on'] or context.method_name != '__call__' or not isinstance(
        context.module, (nn.Dense, nn.Conv)):
      return next_fn(*args, **kwargs)
    z = next_fn(*args, **kwargs)
    z_sg = jax.lax.stop_gradient(z)
    if rule == 'epsilon':
      denom = z_sg + eps * jnp.where(z_sg >= 0, 1.0, -1.0)
      return z_sg + (z - z_sg) * jax.lax.stop_gradient(z_sg / denom)
    params = dict(context.module.variables['params'])
    params['kernel'] = jnp.maximum(params['kernel'], 0)
    if 'bias' in params:
      params['bias'] = jnp.zeros_like(params['bias'])
    busy['on'] = True
    try:
      zp = context.module.clone(parent=None).apply({'params': params}, *args, **kwargs)
    finally:
      busy['on'] = False
    zp_sg = jax.lax.stop_gradient(zp)
    safe = jnp.where(zp_sg > 0, zp_sg, 1.0)
    return z_sg + (zp - zp_sg) * jax.lax.stop_gradient(jnp.where(zp_sg > 0, z_sg / safe, 0.0))
  return icpt


def lrp(f, x, c_B, rule: str = 'epsilon', eps: float = 0.01):
  with nn.intercept_methods(_lrp_interceptor(rule, eps)):
    g = jax.grad(_score(f, c_B))(x)
  return x * g


# --- integrated gradients -------------------------------------------------------------------------
def ig_nodes(steps: int, rule: str):
  """(alphas, weights) of the quadrature of int_0^1 on `steps` nodes."""
  if rule == 'riemann':  # midpoint rule
    return (np.arange(steps) + 0.5) / steps, np.full(steps, 1.0 / steps)
  if rule == 'gauss_legendre':
    t, w = np.polynomial.legendre.leggauss(steps)
    return (t + 1) / 2, w / 2
  raise ConfigError(f'rule={rule!r} is unknown; use one of {IG_RULES}.')


def integrated_gradients(f, x, c_B, steps=32, rule='riemann', baseline=0.0):
  x0 = jnp.full_like(x, baseline)
  alphas, weights = ig_nodes(steps, rule)

  def body(total, aw):
    a, w = aw
    return total + w * _grad(f, x0 + a * (x - x0), c_B), None
  total, _ = jax.lax.scan(body, jnp.zeros_like(x), (jnp.asarray(alphas, x.dtype),
                                                    jnp.asarray(weights, x.dtype)))
  return (x - x0) * total


def completeness_error(f, x, attribution, c_B, baseline=0.0):
  """|sum_i IG_i - (S_c(x) - S_c(x'))| per example."""
  s = lambda z: jnp.take_along_axis(f(z), c_B[:, None], -1)[:, 0]
  total = attribution.reshape(x.shape[0], -1).sum(-1)
  return jnp.abs(total - (s(x) - s(jnp.full_like(x, baseline))))


# --- forward methods ------------------------------------------------------------------------------
def _patch_masks(shape, patch: int, stride: int):
  """P x H x W masks, 1 inside each square patch (positions every `stride`, covering the image)."""
  h, w = shape[1], shape[2]
  ys = list(range(0, max(h - patch, 0) + 1, stride))
  xs = list(range(0, max(w - patch, 0) + 1, stride))
  if ys[-1] + patch < h:
    ys.append(h - patch)
  if xs[-1] + patch < w:
    xs.append(w - patch)
  masks = np.zeros((len(ys) * len(xs), h, w), np.float32)
  for i, (y0, x0) in enumerate((a, b) for a in ys for b in xs):
    masks[i, y0:y0 + patch, x0:x0 + patch] = 1
  return masks


def occlusion(f, x, c_B, patch=4, stride=2, baseline=0.0):
  masks_PxHxW = jnp.asarray(_patch_masks(x.shape, patch, stride))
  s = lambda z: jnp.take_along_axis(f(z), c_B[:, None], -1)[:, 0]
  full_B = s(x)
  extra = (1,) * (x.ndim - 3)

  def one(mask_HxW):
    m = mask_HxW.reshape((1,) + mask_HxW.shape + extra)
    return full_B - s(x * (1 - m) + baseline * m)
  drops_PxB = jax.lax.map(one, masks_PxHxW)
  heat_BxHxW = jnp.einsum('pb,phw->bhw', drops_PxB, masks_PxHxW)
  counts_HxW = jnp.maximum(masks_PxHxW.sum(0), 1)
  return jnp.broadcast_to((heat_BxHxW / counts_HxW[None]).reshape(heat_BxHxW.shape + extra), x.shape)


def segments(shape, patch: int):
  """S x H x W indicator masks of non-overlapping square patches (LIME's superpixels)."""
  return _patch_masks(shape, patch, patch)


def weighted_ridge(z_NxS, y_N, w_N, lam: float, keep_S=None):
  """argmin_b,c sum_n w_n (y_n - c - z_n . b)^2 + lam |b|^2 (intercept unpenalised), the
  coefficients outside `keep_S` forced to 0. Closed form on weighted-centred data, as
  sklearn.linear_model.Ridge(alpha=lam).fit(z, y, sample_weight=w)."""
  w = w_N / w_N.sum()
  zc = z_NxS - (w @ z_NxS)[None, :]
  yc = y_N - w @ y_N
  s = z_NxS.shape[1]
  keep = jnp.ones(s) if keep_S is None else keep_S
  a = (zc * w_N[:, None]).T @ zc * keep[:, None] * keep[None, :] + jnp.diag(lam + (1 - keep))
  b = jnp.linalg.solve(a, (zc * w_N[:, None]).T @ yc * keep)
  return b * keep


def lime_weights(f, x_1, c, rng, patch=4, samples=500, width=0.25, lam=1.0, top_k=10,
                 baseline=0.0):
  """The S per-patch coefficients of LIME for one image x (1 x H x W x C) and class c."""
  seg_SxHxW = jnp.asarray(segments(x_1.shape, patch))
  s = seg_SxHxW.shape[0]
  z_NxS = (jax.random.uniform(rng, (samples, s)) < 0.5).astype(x_1.dtype)
  z_NxS = z_NxS.at[0].set(1.0)  # the image itself
  mask_NxHxW = jnp.einsum('ns,shw->nhw', z_NxS, seg_SxHxW)
  m = mask_NxHxW.reshape(mask_NxHxW.shape + (1,) * (x_1.ndim - 3))
  xs = x_1 * m + baseline * (1 - m)
  y_N = jax.nn.softmax(f(xs))[:, c]
  cos = z_NxS.sum(1) / (jnp.sqrt(z_NxS.sum(1)) * math.sqrt(s) + 1e-12)
  w_N = jnp.exp(-((1 - cos) ** 2) / width ** 2)
  b = weighted_ridge(z_NxS, y_N, w_N, lam)
  if top_k and top_k < s:
    keep = jnp.zeros(s).at[jnp.argsort(-jnp.abs(b))[:top_k]].set(1.0)
    b = weighted_ridge(z_NxS, y_N, w_N, lam, keep)
  return b, seg_SxHxW


def lime(f, x, c_B, rng, **kw):
  def one(x_i, c_i, r):
    b, seg = lime_weights(f, x_i[None], c_i, r, **kw)
    return jnp.einsum('s,shw->hw', b, seg)
  maps_BxHxW = jax.lax.map(lambda a: one(*a), (x, c_B, jax.random.split(rng, x.shape[0])))
  return jnp.broadcast_to(maps_BxHxW.reshape(maps_BxHxW.shape + (1,) * (x.ndim - 3)), x.shape)


# --- the interface --------------------------------------------------------------------------------
def explain(f, x, method: str, target_B=None, rng=None, **options):
  """Attribution of `method` (module docstring) for f(x) -> logits: the shape of x."""
  if method not in METHODS:
    raise ConfigError(f'method={method!r} is unknown; use one of {list(METHODS)}.')
  opts = dict(DEFAULTS)
  unknown = sorted(set(options) - set(opts))
  if unknown:
    raise ConfigError(f'{unknown[0]} is not an option of explain; it takes {sorted(opts)}.')
  opts.update(options)
  if method in ('cam', 'gradcam', 'occlusion', 'lime') and x.ndim != 4:
    raise ConfigError(f'{method} works on images B x H x W x C; x has shape {x.shape}: use '
                      'saliency, grad_x_input, integrated_gradients or lrp_* for vectors.')
  num_classes = jax.eval_shape(lambda z: f(z), x).shape[-1]  # pylint: disable=unnecessary-lambda
  _check_target(target_B, num_classes, x.shape[0])
  _, c_B = _targets(f, x, target_B)
  rng = jax.random.PRNGKey(opts['seed']) if rng is None else rng
  if method == 'saliency':
    return jnp.abs(_grad(f, x, c_B))
  if method == 'gradient':
    return _grad(f, x, c_B)
  if method == 'grad_x_input':
    return x * _grad(f, x, c_B)
  if method == 'smoothgrad':
    scale = opts['sigma'] * (x.max() - x.min())
    noise = jax.random.normal(rng, (opts['samples'],) + x.shape, x.dtype) * scale
    return jax.lax.map(lambda e: _grad(f, x + e, c_B), noise).mean(0)
  if method == 'integrated_gradients':
    return integrated_gradients(f, x, c_B, opts['steps'], opts['rule'], opts['baseline'])
  if method == 'guided_backprop':
    with _relu_as(guided_relu):
      return _grad(f, x, c_B)
  if method == 'gradcam':
    return _upsample(gradcam_maps(f, x, c_B), x.shape)
  if method == 'cam':
    return _upsample(cam_maps(f, x, c_B), x.shape)
  if method == 'occlusion':
    return occlusion(f, x, c_B, opts['patch'], opts['stride'], opts['baseline'])
  if method == 'lime':
    return lime(f, x, c_B, rng, patch=opts['patch'], samples=opts['lime_samples'],
                width=opts['lime_width'], lam=opts['lime_ridge'], top_k=opts['top_k'],
                baseline=opts['baseline'])
  if method == 'lrp_epsilon':
    return lrp(f, x, c_B, 'epsilon', opts['eps'])
  return lrp(f, x, c_B, 'zplus')


# --- faithfulness: deletion / insertion -----------------------------------------------------------
def deletion_curve(f, x, attribution, c_B, fractions=11, insertion=False, baseline=0.0):
  """p(c | x_k) where x_k has the top k/(fractions-1) of the pixels (ranked by the attribution
  summed over channels) set to the baseline (deletion) or, from the baseline, restored
  (insertion). Returns B x fractions; the area under it (mean) is the score: low for deletion,
  high for insertion, is faithful."""
  b = x.shape[0]
  score_BxP = attribution.reshape(b, x.shape[1] * x.shape[2], -1).sum(-1)
  rank_BxP = jnp.argsort(jnp.argsort(-score_BxP, -1), -1)  # 0 = most important
  npix = score_BxP.shape[1]

  def at(frac):
    top = (rank_BxP < jnp.round(frac * npix)).reshape((b,) + x.shape[1:3] + (1,) * (x.ndim - 3))
    z = jnp.where(top, x, baseline) if insertion else jnp.where(top, baseline, x)
    return jnp.take_along_axis(jax.nn.softmax(f(z)), c_B[:, None], -1)[:, 0]
  return jax.lax.map(at, jnp.linspace(0, 1, fractions)).T


# --- activation maximisation ----------------------------------------------------------------------
def activation_maximisation(f, shape, classes_B, steps=200, lr=0.05, l2=1e-3, tv=1e-2, jitter=1,
                            rng=None, value_range=(0.0, 1.0)):
  """argmax_x S_c(x) - l2 |x|^2 - tv TV(x) by gradient ascent from a grey image, with random
  jitter (roll by up to `jitter` pixels) each step and the pixels clipped to `value_range`.
  TV(x) = sum |x_{i+1,j} - x_ij| + |x_{i,j+1} - x_ij|. Returns (images, p(c | image))."""
  rng = jax.random.PRNGKey(0) if rng is None else rng
  c_B = jnp.asarray(classes_B, jnp.int32)
  x0 = jnp.full((len(classes_B),) + tuple(shape), sum(value_range) / 2, jnp.float32)

  def objective(x, shift):
    xs = jnp.roll(x, shift, axis=(1, 2))
    s = jnp.take_along_axis(f(xs), c_B[:, None], -1).sum()
    tv_term = jnp.abs(jnp.diff(x, axis=1)).sum() + jnp.abs(jnp.diff(x, axis=2)).sum()
    return s - l2 * jnp.sum(x ** 2) - tv * tv_term

  def step(x, r):
    shift = jax.random.randint(r, (2,), -jitter, jitter + 1)
    g = jax.grad(objective)(x, (shift[0], shift[1]))
    x = x + lr * g / (jnp.sqrt(jnp.mean(g ** 2)) + 1e-8)
    return jnp.clip(x, *value_range), None
  x, _ = jax.lax.scan(step, x0, jax.random.split(rng, steps))
  return x, jnp.take_along_axis(jax.nn.softmax(f(x)), c_B[:, None], -1)[:, 0]


# --- the evaluator --------------------------------------------------------------------------------
PARAMS = dict(methods=('saliency', 'integrated_gradients', 'lrp_epsilon', 'occlusion'),
              split='test', examples=64, steps=32, rule='riemann', fractions=11)
REQUIRES = ('predict',)


def check(task, cfg):
  methods = tuple(cfg.methods)
  bad = [m for m in methods if m not in METHODS]
  if bad:
    raise ConfigError(f'methods: {bad[0]!r} is unknown; use some of {list(METHODS)}.')
  if getattr(task, 'loss_name', 'softmax') != 'softmax':
    raise ConfigError('attributions explain a softmax classifier (task=classification, '
                      "loss='softmax'); remove the evaluator.")
  if cfg.rule not in IG_RULES:
    raise ConfigError(f'rule={cfg.rule!r} is unknown; use one of {IG_RULES}.')
  for key in ('examples', 'steps', 'fractions'):
    v = cfg[key]
    if not isinstance(v, int) or isinstance(v, bool) or v < (2 if key == 'fractions' else 1):
      raise ConfigError(f'{key}={v!r} must be a positive integer.')


def evaluate(task, state, data, cfg):
  """Per method: deletion and insertion AUC of p(c | x) on the first `examples` images of the split
  (c = the predicted class); integrated_gradients: its mean completeness error |sum IG - (S_c(x) -
  S_c(0))| relative to mean |S_c(x) - S_c(0)|; lrp_*: the conservation error |sum R - S_c(x)| /
  |S_c(x)| (0 for z+, the biases' share for epsilon)."""
  arrays = common.split(data, cfg.split, 'attribution')
  x = jnp.asarray(arrays['x'][:cfg.examples])
  out = {}
  for method in cfg.methods:
    def run(state, x, method=method):
      f = lambda z: task.predict(state, z)
      c = jnp.argmax(f(x), -1)
      attr = explain(f, x, method, c, steps=cfg.steps, rule=cfg.rule)
      del_auc = deletion_curve(f, x, attr, c, cfg.fractions).mean()
      ins_auc = deletion_curve(f, x, attr, c, cfg.fractions, insertion=True).mean()
      s = jnp.take_along_axis(f(x), c[:, None], -1)[:, 0]
      total = attr.reshape(x.shape[0], -1).sum(-1)
      extra = {}
      if method == 'integrated_gradients':
        s0 = jnp.take_along_axis(f(jnp.zeros_like(x)), c[:, None], -1)[:, 0]
        extra['completeness_error'] = jnp.abs(total - (s - s0)).mean() / jnp.abs(s - s0).mean()
      if method.startswith('lrp'):
        extra['conservation_error'] = (jnp.abs(total - s) / jnp.abs(s)).mean()
      return dict(deletion_auc=del_auc, insertion_auc=ins_auc, **extra)
    fn = common.cached(task, ('attribution', method, cfg.steps, cfg.rule, cfg.fractions),
                       lambda run=run: jax.jit(run))
    for k, v in jax.device_get(fn(state, x)).items():
      out[f'{method}_{k}'] = float(v)
  return out
