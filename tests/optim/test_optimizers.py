"""The from-scratch optimizers against optax's built-ins and hand-rolled numpy loops."""
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
import pytest
from jax.flatten_util import ravel_pytree

from dljax import optim
from dljax.optim import optimizers, schedules

jax.config.update('jax_numpy_rank_promotion', 'raise')
jax.config.update('jax_enable_x64', False)

N_STEPS = 100
LR = 0.05
WD = 0.1


def mlp_problem():
  """A tiny 2-layer MLP regression in float32: params {'w1': (3, 8), 'w2': (8,)}, fixed data."""
  kx, k1, k2 = jax.random.split(jax.random.key(0), 3)
  x = jax.random.normal(kx, (32, 3))
  y = jnp.sin(x[:, 0]) + 0.5 * x[:, 1]
  params = {'w1': 0.5 * jax.random.normal(k1, (3, 8)), 'w2': 0.5 * jax.random.normal(k2, (8,))}

  def loss(p):
    return jnp.mean((jnp.tanh(x @ p['w1']) @ p['w2'] - y)**2)

  return loss, params


def quadratic_problem():
  """f(w) = sum(a w^2 / 2 - b w) over two leaves; its gradient a w - b is easy to write in numpy."""
  a = {'u': jnp.array([1.0, 2.0, 0.5]), 'v': jnp.array([[3.0, 0.2], [1.0, 1.5]])}
  b = {'u': jnp.array([1.0, -1.0, 0.5]), 'v': jnp.array([[0.3, 2.0], [-0.5, 1.0]])}
  params = {'u': jnp.array([2.0, 1.0, -1.0]), 'v': jnp.array([[-1.0, 0.5], [2.0, 0.0]])}

  def loss(p):
    terms = jax.tree.map(lambda a, b, w: jnp.sum(0.5 * a * w**2 - b * w), a, b, p)
    return sum(jax.tree.leaves(terms))

  flat = lambda tree: np.asarray(ravel_pytree(tree)[0], np.float64)
  np_grad = lambda w: flat(a) * w - flat(b)
  return loss, params, np_grad


def trajectory(opt, loss, params, n_steps=N_STEPS, jit=True):
  """The params after each of `n_steps` optimizer steps, as an (n_steps, n_params) array."""

  def step(params, state):
    updates, state = opt.update(jax.grad(loss)(params), state, params)
    return optax.apply_updates(params, updates), state

  step = jax.jit(step) if jit else step
  state = opt.init(params)
  rows = []
  for _ in range(n_steps):
    params, state = step(params, state)
    rows.append(ravel_pytree(params)[0])
  return np.stack(rows)


# name -> (ours, optax's), each a function of the learning rate.
OPTAX_COUNTERPARTS = {
    'sgd': (optimizers.sgd, optax.sgd),
    'momentum': (lambda lr: optimizers.momentum(lr, beta=0.9),
                 lambda lr: optax.sgd(lr, momentum=0.9)),
    'nesterov': (lambda lr: optimizers.momentum(lr, beta=0.9, nesterov=True),
                 lambda lr: optax.sgd(lr, momentum=0.9, nesterov=True)),
    'rmsprop': (lambda lr: optimizers.rmsprop(lr, decay=0.9, eps=1e-8),
                lambda lr: optax.rmsprop(lr, decay=0.9, eps=1e-8)),
    'adam': (optimizers.adam, optax.adam),
    'adamw': (lambda lr: optimizers.adamw(lr, weight_decay=WD),
              lambda lr: optax.adamw(lr, weight_decay=WD)),
}


@pytest.mark.parametrize('name', OPTAX_COUNTERPARTS)
def test_matches_optax_at_every_step(name):
  ours, theirs = OPTAX_COUNTERPARTS[name]
  loss, params = mlp_problem()
  np.testing.assert_allclose(trajectory(ours(LR), loss, params),
                             trajectory(theirs(LR), loss, params), rtol=0, atol=1e-6)


# Where the learning rate changes, the notes' momentum (m = beta m + eta_t g) differs
# from optax's (m = beta m + g, step eta_t m), so those two are checked against numpy below.
@pytest.mark.parametrize('name', ['sgd', 'rmsprop', 'adam', 'adamw'])
def test_matches_optax_with_a_schedule(name):
  ours, theirs = OPTAX_COUNTERPARTS[name]
  lr = schedules.warmup_cosine(LR, warmup_steps=10, total_steps=N_STEPS, end_lr=0.001)
  loss, params = mlp_problem()
  np.testing.assert_allclose(trajectory(ours(lr), loss, params),
                             trajectory(theirs(lr), loss, params), rtol=0, atol=1e-6)


def numpy_momentum(w, grad, lrs, beta, nesterov):
  """m_{t+1} = beta m_t + eta_t g_t ; w_{t+1} = w_t - m_{t+1} (or - (beta m_{t+1} + eta_t g_t))."""
  m, rows = np.zeros_like(w), []
  for eta in lrs:
    g = grad(w)
    m = beta * m + eta * g
    w = w - (beta * m + eta * g if nesterov else m)
    rows.append(w)
  return np.stack(rows)


def numpy_rmsprop_norm(w, grad, lrs, decay, eps):
  """d_t = a d_{t-1} + (1-a) ||g_t||^2 ; w_{t+1} = w_t - eta_t g_t / sqrt(d_t + eps)."""
  d, rows = 0.0, []
  for eta in lrs:
    g = grad(w)
    d = decay * d + (1 - decay) * np.sum(g**2)
    w = w - eta * g / np.sqrt(d + eps)
    rows.append(w)
  return np.stack(rows)


def numpy_adam_nobc(w, grad, lrs, b1, b2, eps):
  """Adam without bias correction: w_t = w_{t-1} - eta_t m_t / (sqrt(v_t) + eps)."""
  m, v, rows = np.zeros_like(w), np.zeros_like(w), []
  for eta in lrs:
    g = grad(w)
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g**2
    w = w - eta * m / (np.sqrt(v) + eps)
    rows.append(w)
  return np.stack(rows)


NUMPY_REFERENCES = {
    'momentum': (lambda lr: optimizers.momentum(lr, beta=0.9),
                 lambda w, g, lrs: numpy_momentum(w, g, lrs, beta=0.9, nesterov=False)),
    'nesterov': (lambda lr: optimizers.momentum(lr, beta=0.9, nesterov=True),
                 lambda w, g, lrs: numpy_momentum(w, g, lrs, beta=0.9, nesterov=True)),
    'rmsprop_norm': (lambda lr: optimizers.rmsprop_norm(lr, decay=0.9, eps=1e-8),
                     lambda w, g, lrs: numpy_rmsprop_norm(w, g, lrs, decay=0.9, eps=1e-8)),
    'adam_nobc': (lambda lr: optimizers.adam(lr, bias_correction=False),
                  lambda w, g, lrs: numpy_adam_nobc(w, g, lrs, b1=0.9, b2=0.999, eps=1e-8)),
}


@pytest.mark.parametrize('with_schedule', [False, True])
@pytest.mark.parametrize('name', NUMPY_REFERENCES)
def test_matches_numpy_reference(name, with_schedule):
  ours, reference = NUMPY_REFERENCES[name]
  lr = schedules.cosine_warm_restarts(LR, period=20, t_mult=2) if with_schedule else LR
  lrs = [float(lr(t)) if with_schedule else lr for t in range(N_STEPS)]
  loss, params, np_grad = quadratic_problem()
  w0 = np.asarray(ravel_pytree(params)[0], np.float64)
  # float32 (ours) against float64 (numpy): allow float32 rounding, relative to |w| ~ 1.
  np.testing.assert_allclose(trajectory(ours(lr), loss, params), reference(w0, np_grad, lrs),
                             rtol=0, atol=1e-5)


ALL_OURS = {**{k: v[0] for k, v in OPTAX_COUNTERPARTS.items()},
            **{k: v[0] for k, v in NUMPY_REFERENCES.items()}}


@pytest.mark.parametrize('name', ALL_OURS)
def test_jitted_update_matches_eager_update(name):
  # Compared step by step from the same state: whole jitted and eager trajectories of
  # Adam/RMSProp drift apart, as XLA's fused multiply-adds round the last bit differently
  # and these adaptive steps amplify 1-ulp differences. rtol 1e-4, not 1e-6: Adam's
  # 1 - b2^t cancels in float32 (b2 = 0.999 carries ~1e-5 relative error into it), and
  # jit and eager evaluate b2^t with different kernels.
  loss, params = mlp_problem()
  opt = ALL_OURS[name](LR)
  jitted_update = jax.jit(opt.update)
  state = opt.init(params)
  for _ in range(20):
    grads = jax.grad(loss)(params)
    updates, next_state = opt.update(grads, state, params)
    jitted_updates, jitted_state = jitted_update(grads, state, params)
    for ours, expected in [(jitted_updates, updates), (jitted_state, next_state)]:
      np.testing.assert_allclose(ravel_pytree(ours)[0], ravel_pytree(expected)[0],
                                 rtol=1e-4, atol=1e-7)
    params, state = optax.apply_updates(params, updates), next_state


def random_tree(key):
  k1, k2 = jax.random.split(key)
  return {'u': jax.random.normal(k1, (3,)), 'v': jax.random.normal(k2, (2, 2))}


def test_rmsprop_norm_update_is_parallel_to_the_gradient():
  decay, eps, eta = 0.9, 1e-8, 0.1
  opt = optimizers.rmsprop_norm(eta, decay=decay, eps=eps)
  state, d = opt.init(random_tree(jax.random.key(0))), 0.0
  for key in jax.random.split(jax.random.key(1), 5):
    g = random_tree(key)
    updates, state = opt.update(g, state)
    flat_g, flat_u = np.asarray(ravel_pytree(g)[0]), np.asarray(ravel_pytree(updates)[0])
    d = decay * d + (1 - decay) * np.sum(flat_g.astype(np.float64)**2)
    # u = -c g with one scalar c = eta / sqrt(d_t + eps) for every coordinate of every leaf
    np.testing.assert_allclose(flat_u / flat_g, -eta / np.sqrt(d + eps), rtol=1e-5)


def test_adam_bias_correction_at_early_steps():
  """With a constant gradient g: m_t = (1 - b1^t) g is biased towards 0, and
  uncorrected / corrected step = (1 - b1^t) / sqrt(1 - b2^t) (Kingma & Ba, sec. 3).

  With the default b2 = 0.999 >> b1 the uncorrected early steps are LARGER
  (3.16x at t = 1, as the Adam paper warns); with b2 = b1 they are smaller.
  """
  g = {'u': jnp.array([0.5, -2.0, 1.0]), 'v': jnp.array([[1.0, -0.1], [3.0, 0.2]])}
  t = np.arange(1, 51)

  def step_lengths(b1, b2, bias_correction):
    opt = optimizers.adam(1.0, b1=b1, b2=b2, eps=0.0, bias_correction=bias_correction)
    state, lengths = opt.init(g), []
    for _ in t:
      updates, state = opt.update(g, state)
      lengths.append(float(optax.tree.norm(updates)))
    return np.array(lengths), state

  first_step_ratio = {}
  for b1, b2 in [(0.9, 0.999), (0.9, 0.9)]:
    raw, state = step_lengths(b1, b2, bias_correction=False)
    corrected, _ = step_lengths(b1, b2, bias_correction=True)
    np.testing.assert_allclose(raw / corrected, (1 - b1**t) / np.sqrt(1 - b2**t), rtol=1e-4)
    np.testing.assert_allclose(ravel_pytree(state.m)[0], (1 - b1**50) * ravel_pytree(g)[0],
                               rtol=1e-5)
    first_step_ratio[b2] = raw[0] / corrected[0]
  assert first_step_ratio[0.999] > 3 and first_step_ratio[0.9] < 1


def test_decoupled_weight_decay_needs_params():
  opt = optimizers.decoupled_weight_decay(0.1, LR)
  with pytest.raises(ValueError, match='params'):
    opt.update({'w': jnp.ones(2)}, opt.init(None))


def config(**fields):
  return ml_collections.ConfigDict(fields)


@pytest.mark.parametrize('name', optim.OPTIMIZER_NAMES)
def test_get_optimizer_builds_each_name(name):
  direct = {**ALL_OURS, 'adamw': lambda lr: optimizers.adamw(lr, weight_decay=WD)}[name]
  loss, params = mlp_problem()
  built = optim.get_optimizer(config(name=name, lr=LR, weight_decay=WD if name == 'adamw' else 0.0),
                              total_steps=N_STEPS)
  np.testing.assert_allclose(trajectory(built, loss, params, n_steps=10),
                             trajectory(direct(LR), loss, params, n_steps=10), rtol=0, atol=1e-6)


def test_get_optimizer_with_schedule_clipping_and_weight_decay():
  cfg = config(name='momentum', lr=LR, momentum=0.8, weight_decay=WD, grad_clip_norm=0.5,
               schedule=config(name='step', step_size=30, gamma=0.5))
  lr = optax.exponential_decay(LR, transition_steps=30, decay_rate=0.5, staircase=True)
  # momentum + lr-scaled decoupled decay == SGD with momentum on g + lambda w, for a constant
  # lr; the step schedule makes the two forms differ, so compare with our own chain.
  expected = optax.chain(optax.clip_by_global_norm(0.5), optimizers.momentum(lr, beta=0.8),
                         optimizers.decoupled_weight_decay(WD, lr))
  loss, params = mlp_problem()
  np.testing.assert_allclose(trajectory(optim.get_optimizer(cfg, N_STEPS), loss, params),
                             trajectory(expected, loss, params), rtol=0, atol=1e-6)


def test_get_optimizer_adamw_with_warmup_cosine_matches_optax():
  cfg = config(name='adamw', lr=LR, b1=0.8, b2=0.99, eps=1e-7, weight_decay=WD,
               schedule=config(name='warmup_cosine', warmup_steps=10, end_lr=0.0))
  lr = optax.warmup_cosine_decay_schedule(0.0, LR, warmup_steps=10, decay_steps=N_STEPS)
  expected = optax.adamw(lr, b1=0.8, b2=0.99, eps=1e-7, weight_decay=WD)
  loss, params = mlp_problem()
  np.testing.assert_allclose(trajectory(optim.get_optimizer(cfg, N_STEPS), loss, params),
                             trajectory(expected, loss, params), rtol=0, atol=1e-6)


def test_get_optimizer_rejects_an_unknown_name():
  with pytest.raises(ValueError) as error:
    optim.get_optimizer(config(name='adagrad', lr=LR), total_steps=N_STEPS)
  for name in optim.OPTIMIZER_NAMES:
    assert name in str(error.value)
