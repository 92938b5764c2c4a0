"""Logistic regression (seed 003, l.168-220): the analytic gradient, the binary losses at hand-computed
points, and ||w|| -> infinity on separable data unless lambda ||w||^2 is added."""
import math
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from configs.basics import logistic
from dljax.train import loop, writers
from dljax.train.tasks.classification import LOSSES, Classification
from experiments import study
from experiments.basics import logistic_norm

jax.config.update('jax_numpy_rank_promotion', 'raise')


def random_problem(n=32, d=3, seed=0):
  kx, ky, kw, kb = jax.random.split(jax.random.PRNGKey(seed), 4)
  x = jax.random.normal(kx, (n, d))
  y = jax.random.bernoulli(ky, 0.5, (n,)).astype(jnp.int32)
  return x, y, jax.random.normal(kw, (d,)), jax.random.normal(kb, ())


def analytic_grad(x, y, w, b):
  """For L(w, b) = sum_i -[y_i log h(x_i) + (1 - y_i) log(1 - h(x_i))], h(x) = s(w.x + b):
  dL/dw = sum_i x_i (h(x_i) - y_i), dL/db = sum_i (h(x_i) - y_i)."""
  r = jax.nn.sigmoid(x @ w + b) - y
  return x.T @ r, r.sum()


def test_analytic_gradient_equals_jax_grad_of_the_summed_logistic_loss():
  x, y, w, b = random_problem()
  summed = lambda w, b: LOSSES['logistic'](x @ w + b, y).sum()  # pylint: disable=unnecessary-lambda-assignment
  gw, gb = jax.grad(summed, argnums=(0, 1))(w, b)
  aw, ab = analytic_grad(x, y, w, b)
  np.testing.assert_allclose(gw, aw, rtol=1e-5, atol=1e-5)
  np.testing.assert_allclose(gb, ab, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('l2', [0.0, 0.1])
def test_task_objective_is_the_mean_loss_plus_l2(l2):
  """Classification.objective = (1/n) sum_i loss_i + lambda ||theta||^2 (theta = kernel and bias):
  n (grad - 2 lambda theta) is the analytic summed gradient."""
  x, y, _, _ = random_problem(d=2)
  config = logistic.get_config('smoke')
  config.optim.l2 = l2
  task = Classification(config, total_steps=1)
  batch = {'x': x, 'y': y}
  net = task.init(jax.random.PRNGKey(1), batch).nets['model']
  grads = jax.grad(lambda p: task.objective(p, net, batch, jax.random.PRNGKey(2))[0])(net.params)
  kernel, bias = net.params['Dense_0']['kernel'], net.params['Dense_0']['bias']
  aw, ab = analytic_grad(x, y, kernel[:, 0], bias[0])
  n = x.shape[0]
  np.testing.assert_allclose(n * (grads['Dense_0']['kernel'][:, 0] - 2 * l2 * kernel[:, 0]), aw,
                             rtol=1e-4, atol=1e-5)
  np.testing.assert_allclose(n * (grads['Dense_0']['bias'][0] - 2 * l2 * bias[0]), ab,
                             rtol=1e-4, atol=1e-5)


# (score f(x), label y in {0, 1}, expected loss); s = 2y - 1
HAND = {
    'logistic': [(0.0, 1, math.log(2)), (0.0, 0, math.log(2)), (2.0, 1, math.log(1 + math.exp(-2))),
                 (2.0, 0, math.log(1 + math.exp(2))), (-1.0, 0, math.log(1 + math.exp(-1)))],
    'hinge': [(0.5, 1, 0.5), (2.0, 1, 0.0), (0.5, 0, 1.5), (-3.0, 0, 0.0), (1.0, 1, 0.0),
              (-1.0, 1, 2.0)],
    'square': [(0.5, 1, 0.25), (0.5, 0, 2.25), (-1.0, 0, 0.0), (3.0, 1, 4.0), (0.0, 1, 1.0)],
}


@pytest.mark.parametrize('name', sorted(HAND))
def test_losses_at_hand_computed_points(name):
  f, y, expected = map(np.array, zip(*HAND[name]))
  got = LOSSES[name](jnp.asarray(f, jnp.float32), jnp.asarray(y, jnp.int32))
  np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


def norms(config, workdir):
  loop.train_and_evaluate(config, str(workdir), overwrite=True, progress=False)
  return {r['step']: r['train/param_norm'] for r in writers.read_metrics(str(workdir))
          if 'train/param_norm' in r}


@pytest.mark.parametrize('l2', [0.0, 1e-2])
def test_norm_keeps_growing_without_l2_and_is_bounded_with_it(tmp_path, l2):
  """With normalised steps (RMSProp) the unpenalised norm grows about linearly: ||w|| at step 2k is
  more than 1.5 x ||w|| at step k. With lambda = 1e-2 it settles, below sqrt(log 2 / lambda) (at
  the minimiser lambda ||w||^2 <= objective(0) = log 2)."""
  config = logistic.get_config('smoke')
  config.optim.update(name='rmsprop', lr=0.05, l2=l2)
  config.train.update(steps=200, eval_every=200, checkpoint_every=200, log_every=10)
  n = norms(config, tmp_path)
  k = 100
  if l2 == 0:
    assert n[2 * k] > 1.5 * n[k]
  else:
    assert max(v for s, v in n.items() if s >= k) < 1.2 * n[k]  # measured 1.05
    assert max(n.values()) < math.sqrt(math.log(2) / l2)


def test_logistic_norm_study_plain_sgd(tmp_path):
  """experiments/basics/logistic_norm.py through the study runner (smoke: plain SGD, 1000 steps):
  without L2, ||w|| grows like log t, gaining a roughly constant amount at every doubling of the
  step count; with L2 it levels off."""
  result = study.run_study('basics/logistic_norm', str(tmp_path), preset='smoke',
                           log=lambda *_: None)
  assert os.path.exists(tmp_path / 'report' / 'logistic_norm.png')
  free, penalised = (dict(logistic_norm.norms(str(tmp_path / logistic_norm.run_name(lam))))
                     for lam in logistic_norm.LAMBDAS)
  for k in (125, 250, 500):
    assert free[2 * k] - free[k] > 0.25
  # last doubling: +0.78 without the penalty, +0.03 with it (measured)
  assert abs(penalised[1000] - penalised[500]) < 0.2 * (free[1000] - free[500])
  assert max(penalised.values()) < math.sqrt(math.log(2) / 1e-2)
  assert free[1000] > 1.2 * penalised[1000]
  table = result['report']
  assert table['lambda=0']['norm']['1000'] == pytest.approx(free[1000])
  assert table['lambda=0.01']['bound'] == pytest.approx(math.sqrt(math.log(2) / 1e-2))
  with pytest.raises(ValueError, match='preset'):
    list(logistic_norm.runs('gpu', str(tmp_path)))
