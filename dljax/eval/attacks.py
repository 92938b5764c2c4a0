r"""Adversarial attacks (seed 002 §2.23, seed 003 §2.8, seed 000 M68-M74) as pure, batched, jittable
functions of a classifier's logits f(x) = logits_fn(x_BxD...) -> B x K. Every example of the batch is
attacked at once (the loss is a sum of per-example losses, so one jax.grad gives every example's
input gradient); every adversarial input is clipped to the valid pixel range [lo, hi].

Threat model: x_adv = x + delta with ||delta||_p <= eps (p = inf or 2), lo <= x_adv <= hi.

  noise      x + n, n ~ U[-eps, eps] per pixel (l_inf; the notes' epsilon noising attack), or a
             uniformly random direction of norm eps (l_2): the budget without the gradient.
  fgsm       x + eps sign(grad_x l(x, y))                       (Goodfellow; l_2: eps g / ||g||_2)
  ifgsm      T steps of size alpha = eps / T, projected, no random start        (Kurakin)
  mifgsm     ifgsm with momentum g <- mu g + grad / ||grad||_1, step alpha sign(g)  (Dong)
  pgd        x~ = x + U[-eps, eps] (random start), then T steps
               x~ <- Proj_{B(x, eps) and [lo, hi]}(x~ + alpha sign(grad l(x~)))
             The projection is of the TOTAL perturbation x~ - x onto the eps-ball around x (the
             catalog's erratum E3: the notes clip only the step delta around a random start x + n,
             so ||x_PGD - x||_inf can reach 2 eps), then onto the pixel range. With R restarts the
             worst case per example is kept (the first restart that misclassifies it).
  ascent     the notes' plain gradient attack (seed 004 §2.3, seed 003 §2.8 "x~ <- x + eps grad"):
             un-normalised gradient ascent on the loss, projected onto the l_2 ball.
  cw_l2      Carlini-Wagner L2: min_u ||u - x||_2^2 + c max(m(u), -kappa) over u = lo + (hi - lo)
             (tanh(w) + 1)/2, with the margin m(u) = f_y(u) - max_{i != y} f_i(u) (untargeted) or
             m(u) = max_{i != t} f_i(u) - f_t(u) (targeted at t): positive while the attack has not
             succeeded. (The notes print d(u) = f_t(u) - f_c(u), whose sign is wrong for the stated
             intent "non-zero if u does not have the target label".) Binary search on c per example.
  boundary   Brendel et al.'s decision-based attack: only argmax f(x) is queried. Start from a
             misclassified uniform-noise image, then repeatedly step along a random direction on
             the sphere around x and towards x, keeping a candidate only if it stays misclassified.
             Queries are counted per example.

Targeted attacks (targeted=True, y = the target class) descend the loss of the target instead of
ascending the loss of the true class. `loss='margin'` uses the logit margin (CW's loss) instead of
the cross-entropy: it does not saturate where softmax probabilities are 0/1 (defensive distillation).
"""
import functools

import jax
import jax.numpy as jnp
import optax

from dljax.errors import ConfigError

NORMS = ('linf', 'l2')
ATTACKS = ('noise', 'fgsm', 'ifgsm', 'mifgsm', 'pgd', 'ascent', 'cw_l2', 'boundary')
LOSSES = ('ce', 'margin')


def check(eps=0.0, norm='linf', loss='ce', steps=1):
  """ConfigError for a negative budget, an unsupported norm or loss, or no steps."""
  if not isinstance(eps, (int, float)) or isinstance(eps, bool) or eps < 0:
    raise ConfigError(f'eps={eps!r} must be a number >= 0 (the radius of the l_p ball).')
  if norm not in NORMS:
    raise ConfigError(f'norm={norm!r} is not supported; use one of {NORMS}.')
  if loss not in LOSSES:
    raise ConfigError(f'loss={loss!r} is unknown; use one of {LOSSES}.')
  if not isinstance(steps, int) or steps < 1:
    raise ConfigError(f'steps={steps!r} must be a positive integer.')


# --- losses and gradients ---------------------------------------------------------------------------
def margin_B(logits_BxK, y_B):
  """f_y - max_{i != y} f_i per example: > 0 while the example is classified as y."""
  k = logits_BxK.shape[-1]
  onehot_BxK = jax.nn.one_hot(y_B, k, dtype=bool)
  true_B = jnp.sum(jnp.where(onehot_BxK, logits_BxK, 0.0), -1)
  other_B = jnp.max(jnp.where(onehot_BxK, -jnp.inf, logits_BxK), -1)
  return true_B - other_B


def loss_B(logits_BxK, y_B, loss='ce'):
  """The per-example loss an untargeted attack ascends: cross-entropy or the negative margin."""
  if loss == 'ce':
    return optax.softmax_cross_entropy_with_integer_labels(logits_BxK, y_B)
  return -margin_B(logits_BxK, y_B)


def input_grad(logits_fn, x, y_B, loss='ce', targeted=False):
  """d l(f(x_b), y_b) / d x_b for every example (one backward pass of the summed loss); for a
  targeted attack the gradient of -l(f(x), target), so that every attack ascends."""
  sign = -1.0 if targeted else 1.0
  return jax.grad(lambda x: sign * jnp.sum(loss_B(logits_fn(x), y_B, loss)))(x)


def _norm_B(v, p):
  flat = v.reshape(v.shape[0], -1)
  if p == 2:
    return jnp.sqrt(jnp.sum(flat ** 2, -1))
  if p == 1:
    return jnp.sum(jnp.abs(flat), -1)
  return jnp.max(jnp.abs(flat), -1)


def _per_example(v_B, like):
  return v_B.reshape((-1,) + (1,) * (like.ndim - 1))


def direction(g, norm):
  """The steepest-ascent unit step of the norm: sign(g) for l_inf, g / ||g||_2 for l_2."""
  if norm == 'linf':
    return jnp.sign(g)
  return g / _per_example(jnp.maximum(_norm_B(g, 2), 1e-12), g)


# --- projection (erratum E3) ------------------------------------------------------------------------
def project(x_adv, x, eps, norm, lo=0.0, hi=1.0):
  """Proj onto {x + delta : ||delta||_p <= eps} of the total perturbation x_adv - x, then onto the
  pixel range [lo, hi]. (Clipping to [lo, hi] after the l_inf clip keeps ||delta||_inf <= eps; for
  l_2 it can only shrink ||delta||_2, since each coordinate moves towards x's.)"""
  delta = x_adv - x
  if norm == 'linf':
    delta = jnp.clip(delta, -eps, eps)
  else:
    n_B = _norm_B(delta, 2)
    delta = delta * _per_example(jnp.minimum(1.0, eps / jnp.maximum(n_B, 1e-12)), delta)
  return jnp.clip(x + delta, lo, hi)


def random_in_ball(key, x, eps, norm):
  """A random perturbation in the ball: U[-eps, eps] per pixel (l_inf), or a uniformly random
  direction times eps u^(1/D) (uniform in the l_2 ball)."""
  if norm == 'linf':
    return jax.random.uniform(key, x.shape, x.dtype, -eps, eps)
  k1, k2 = jax.random.split(key)
  g = jax.random.normal(k1, x.shape, x.dtype)
  d = x[0].size
  r_B = eps * jax.random.uniform(k2, (x.shape[0],), x.dtype) ** (1.0 / d)
  return direction(g, 'l2') * _per_example(r_B, x)


# --- attacks ---------------------------------------------------------------------------------------
def noise(key, x, eps, norm='linf', lo=0.0, hi=1.0):
  """The budget without the gradient: U[-eps, eps] per pixel (l_inf), or a random direction of norm
  exactly eps (l_2); clipped to [lo, hi]."""
  if norm == 'linf':
    n = jax.random.uniform(key, x.shape, x.dtype, -eps, eps)
  else:
    n = eps * direction(jax.random.normal(key, x.shape, x.dtype), 'l2')
  return jnp.clip(x + n, lo, hi)


def fgsm(logits_fn, x, y_B, eps, norm='linf', lo=0.0, hi=1.0, targeted=False, loss='ce'):
  """x + eps sign(grad_x l(f(x), y)) (l_inf), x + eps g / ||g||_2 (l_2); targeted: descends the
  target's loss. One gradient, clipped to [lo, hi]."""
  g = input_grad(logits_fn, x, y_B, loss, targeted)
  return jnp.clip(x + eps * direction(g, norm), lo, hi)


def pgd(logits_fn, x, y_B, key, eps, norm='linf', steps=10, step_size=None, restarts=1,
        random_start=True, momentum=0.0, targeted=False, loss='ce', lo=0.0, hi=1.0,
        rule='steepest'):
  """Projected gradient ascent on the loss (see the module docstring); returns x_adv.

  step_size: alpha (default 2.5 eps / steps, Madry et al.); momentum mu > 0: MI-FGSM's
  g <- mu g + grad / ||grad||_1; rule='raw': step alpha * grad (un-normalised gradient ascent).
  With restarts R > 1, each example keeps the first restart that fools the model (untargeted:
  argmax != y; targeted: argmax == target), else the last one.
  """
  alpha = 2.5 * eps / steps if step_size is None else step_size

  def succeeded(x_adv):
    pred_B = jnp.argmax(logits_fn(x_adv), -1)
    return (pred_B == y_B) if targeted else (pred_B != y_B)

  def one_restart(key):
    x0 = project(x + random_in_ball(key, x, eps, norm), x, eps, norm, lo, hi) if random_start else x

    def step(_, carry):
      x_adv, g_acc = carry
      g = input_grad(logits_fn, x_adv, y_B, loss, targeted)
      if momentum:
        g_acc = momentum * g_acc + g / _per_example(jnp.maximum(_norm_B(g, 1), 1e-12), g)
        g = g_acc
      move = g if rule == 'raw' else direction(g, norm)
      return project(x_adv + alpha * move, x, eps, norm, lo, hi), g_acc
    x_adv, _ = jax.lax.fori_loop(0, steps, step, (x0, jnp.zeros_like(x)))
    return x_adv

  best = one_restart(jax.random.fold_in(key, 0))
  for r in range(1, restarts):
    done_B = succeeded(best)
    cand = one_restart(jax.random.fold_in(key, r))
    best = jnp.where(_per_example(done_B, x), best, cand)
  return best


def ifgsm(logits_fn, x, y_B, eps, steps=10, norm='linf', **kw):
  """Iterative FGSM (basic iterative method): pgd without random start, alpha = eps / steps."""
  return pgd(logits_fn, x, y_B, jax.random.key(0), eps, norm, steps, eps / steps,
             random_start=False, **kw)


def mifgsm(logits_fn, x, y_B, eps, steps=10, norm='linf', momentum=1.0, **kw):
  """Momentum iterative FGSM (Dong et al. 2018): ifgsm on the accumulated L1-normalised gradient."""
  return pgd(logits_fn, x, y_B, jax.random.key(0), eps, norm, steps, eps / steps,
             random_start=False, momentum=momentum, **kw)


def cw_l2(logits_fn, x, y_B, steps=100, search_steps=5, c0=1.0, lr=0.01, kappa=0.0,
          targeted=False, lo=0.0, hi=1.0):
  """Carlini-Wagner L2 (see the module docstring). Adam on w with u = lo + (hi - lo)(tanh w + 1)/2;
  per-example binary search on c (c doubles while the attack fails, halves towards the last failing
  c once it succeeds). Returns (x_adv, l2_B): the smallest successful perturbation found per
  example (x itself and l2 = inf where every c failed)."""
  b = x.shape[0]
  scale = (hi - lo) / 2.0

  def to_x(w):
    return lo + scale * (jnp.tanh(w) + 1.0)

  def atanh_x(x):
    return jnp.arctanh(jnp.clip((x - lo) / scale - 1.0, -1 + 1e-6, 1 - 1e-6))

  def adv_margin_B(logits_BxK):  # > 0 while the attack has not succeeded (erratum: sign fixed)
    m = -margin_B(logits_BxK, y_B) if targeted else margin_B(logits_BxK, y_B)
    return m

  opt = optax.adam(lr)

  def objective(w, c_B):
    u = to_x(w)
    d2_B = jnp.sum(((u - x) ** 2).reshape(b, -1), -1)
    f_B = jnp.maximum(adv_margin_B(logits_fn(u)), -kappa)
    return jnp.sum(d2_B + c_B * f_B)

  def attack(c_B):
    w0 = atanh_x(x)

    def step(_, carry):
      w, state, best_x, best_d = carry
      g = jax.grad(objective)(w, c_B)
      upd, state = opt.update(g, state, w)
      w = optax.apply_updates(w, upd)
      u = to_x(w)
      d_B = _norm_B(u - x, 2)
      ok_B = adv_margin_B(logits_fn(u)) < 0
      better_B = ok_B & (d_B < best_d)
      return (w, state, jnp.where(_per_example(better_B, x), u, best_x),
              jnp.where(better_B, d_B, best_d))
    init = (w0, opt.init(w0), x, jnp.full((b,), jnp.inf))
    _, _, best_x, best_d = jax.lax.fori_loop(0, steps, step, init)
    return best_x, best_d

  c_B, lo_c, hi_c = jnp.full((b,), c0), jnp.zeros((b,)), jnp.full((b,), jnp.inf)
  best_x, best_d = x, jnp.full((b,), jnp.inf)
  for _ in range(search_steps):
    cand_x, cand_d = attack(c_B)
    ok_B = jnp.isfinite(cand_d)
    better_B = cand_d < best_d
    best_x = jnp.where(_per_example(better_B, x), cand_x, best_x)
    best_d = jnp.minimum(best_d, cand_d)
    hi_c = jnp.where(ok_B, jnp.minimum(hi_c, c_B), hi_c)
    lo_c = jnp.where(ok_B, lo_c, jnp.maximum(lo_c, c_B))
    c_B = jnp.where(jnp.isfinite(hi_c), (lo_c + hi_c) / 2.0, c_B * 10.0)
  return best_x, best_d


def boundary(predict_fn, x, y_B, key, steps=500, init_tries=20, spherical=0.1, towards=0.1,
             lo=0.0, hi=1.0):
  """The boundary attack (decision-based): only labels predict_fn(x) -> B are read.

  Start: the first of `init_tries` uniform-noise images that is not classified y (per example);
  then per step one query: candidate = x_adv + spherical * d * eta (eta a random unit direction
  orthogonal to x - x_adv, d = ||x - x_adv||_2), moved a fraction `towards` of the way to x; kept
  if still misclassified. Step sizes adapt per example (x1.05 on success, x0.95 on failure).
  Returns (x_adv, l2_B, queries_B): l2 = inf where no misclassified start was found."""
  b = x.shape[0]
  k_init, k_walk = jax.random.split(key)
  found_B, start = jnp.zeros((b,), bool), x
  queries_B = jnp.zeros((b,), jnp.int32)
  for t in range(init_tries):
    cand = jax.random.uniform(jax.random.fold_in(k_init, t), x.shape, x.dtype, lo, hi)
    ok_B = (predict_fn(cand) != y_B) & ~found_B
    queries_B = queries_B + (~found_B).astype(jnp.int32)
    start = jnp.where(_per_example(ok_B, x), cand, start)
    found_B = found_B | ok_B

  def step(carry, key):
    x_adv, sph_B, tow_B, q_B = carry
    diff = x - x_adv
    d_B = _norm_B(diff, 2)
    eta = jax.random.normal(key, x.shape, x.dtype)
    unit = diff / _per_example(jnp.maximum(d_B, 1e-12), x)
    eta = eta - unit * _per_example(jnp.sum((eta * unit).reshape(b, -1), -1), x)  # orthogonal
    eta = direction(eta, 'l2')
    cand = x_adv + _per_example(sph_B * d_B, x) * eta
    cand = cand + _per_example(tow_B, x) * (x - cand)
    cand = jnp.clip(cand, lo, hi)
    ok_B = (predict_fn(cand) != y_B) & found_B
    x_adv = jnp.where(_per_example(ok_B, x), cand, x_adv)
    sph_B = jnp.clip(jnp.where(ok_B, sph_B * 1.05, sph_B * 0.95), 1e-3, 1.0)
    tow_B = jnp.clip(jnp.where(ok_B, tow_B * 1.05, tow_B * 0.95), 1e-4, 0.5)
    return (x_adv, sph_B, tow_B, q_B + found_B.astype(jnp.int32)), None
  init = (start, jnp.full((b,), spherical), jnp.full((b,), towards), queries_B)
  (x_adv, _, _, queries_B), _ = jax.lax.scan(step, init, jax.random.split(k_walk, steps))
  l2_B = jnp.where(found_B, _norm_B(x_adv - x, 2), jnp.inf)
  return x_adv, l2_B, queries_B


# --- gradient obfuscation (seed 000 M73) and its BPDA break ----------------------------------------
def quantize(x, levels=8, bpda=False):
  """round(x (L - 1)) / (L - 1): a non-differentiable input quantisation defence (its gradient is 0
  almost everywhere, so gradient attacks see nothing). With bpda=True the backward pass is the
  identity (Athalye et al.'s Backward Pass Differentiable Approximation), which breaks it."""
  q = jnp.round(x * (levels - 1)) / (levels - 1)
  if bpda:
    return x + jax.lax.stop_gradient(q - x)
  return q


# --- one entry point for evaluators ----------------------------------------------------------------
def run(name, logits_fn, x, y_B, key, eps, norm='linf', steps=10, restarts=1, targeted=False,
        loss='ce', lo=0.0, hi=1.0, step_size=None):
  """x_adv of attack `name` (ATTACKS) at budget eps; cw_l2 and boundary return their minimal
  perturbation, set back to x where it is larger than eps (l_2), so that accuracy at eps is
  'no adversarial example within eps was found'."""
  if name not in ATTACKS:
    raise ConfigError(f'attack={name!r} is unknown; use one of {ATTACKS}.')
  if name == 'noise':
    return noise(key, x, eps, norm, lo, hi)
  if name == 'fgsm':
    return fgsm(logits_fn, x, y_B, eps, norm, lo, hi, targeted, loss)
  if name == 'ifgsm':
    return ifgsm(logits_fn, x, y_B, eps, steps, norm, targeted=targeted, loss=loss, lo=lo, hi=hi)
  if name == 'mifgsm':
    return mifgsm(logits_fn, x, y_B, eps, steps, norm, targeted=targeted, loss=loss, lo=lo, hi=hi)
  if name == 'pgd':
    return pgd(logits_fn, x, y_B, key, eps, norm, steps, step_size, restarts, True, 0.0, targeted,
               loss, lo, hi)
  if name == 'ascent':
    return pgd(logits_fn, x, y_B, key, eps, 'l2', steps, step_size or 1.0, 1, False, 0.0,
               targeted, loss, lo, hi, rule='raw')
  if name == 'cw_l2':
    x_adv, d_B = cw_l2(logits_fn, x, y_B, steps=steps, targeted=targeted, lo=lo, hi=hi)
  else:
    x_adv, d_B, _ = boundary(lambda u: jnp.argmax(logits_fn(u), -1), x, y_B, key, steps=steps,
                             lo=lo, hi=hi)
  return jnp.where(_per_example(d_B <= eps, x), x_adv, x)


@functools.partial(jax.jit, static_argnums=(0,))
def accuracy(logits_fn, x, y_B):
  return jnp.mean((jnp.argmax(logits_fn(x), -1) == y_B).astype(jnp.float32))
