"""optim.l1 (seed 003 §2.5): the classification objective adds lambda sum |theta| and its
subgradient lambda sign(theta) (0 where theta = 0), next to optim.l2's lambda ||theta||^2."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from configs.basics import logistic
from dljax.train.tasks.classification import Classification

jax.config.update('jax_numpy_rank_promotion', 'raise')


def _task_and_batch(l1=0.0, l2=0.0):
  kx, ky = jax.random.split(jax.random.PRNGKey(0))
  x = jax.random.normal(kx, (32, 2))
  y = jax.random.bernoulli(ky, 0.5, (32,)).astype(jnp.int32)
  config = logistic.get_config('smoke')
  config.optim.update(l1=l1, l2=l2)
  task = Classification(config, total_steps=1)
  batch = {'x': x, 'y': y}
  return task, batch, task.init(jax.random.PRNGKey(1), batch).nets['model']


def _objective(task, net, batch):
  return lambda p: task.objective(p, net, batch, jax.random.PRNGKey(2))[0]


def test_default_config_has_no_l1():
  assert logistic.get_config('smoke').optim.l1 == 0.0


@pytest.mark.parametrize('lam', [1e-3, 0.5])
def test_penalty_value_and_subgradient(lam):
  task0, batch, net = _task_and_batch()
  task1, _, _ = _task_and_batch(l1=lam)
  params = jax.tree.map(lambda p: p + 0.3, net.params)  # every theta away from 0
  theta = jnp.concatenate([p.ravel() for p in jax.tree.leaves(params)])
  plain, penalised = _objective(task0, net, batch), _objective(task1, net, batch)
  np.testing.assert_allclose(penalised(params) - plain(params), lam * jnp.abs(theta).sum(),
                             rtol=1e-5)
  g0, g1 = jax.grad(plain)(params), jax.grad(penalised)(params)
  for a, b, p in zip(jax.tree.leaves(g0), jax.tree.leaves(g1), jax.tree.leaves(params)):
    np.testing.assert_allclose(b - a, lam * jnp.sign(p), rtol=1e-5, atol=1e-7)


def test_subgradient_is_zero_at_zero_and_l1_adds_to_l2():
  """At theta = 0 the penalty adds the subgradient 0 (in [-lambda, lambda]); with both penalties
  the gradient is the data term + 2 lambda_2 theta + lambda_1 sign(theta)."""
  task0, batch, net = _task_and_batch()
  params = jax.tree.map(jnp.zeros_like, net.params)
  task1, _, _ = _task_and_batch(l1=0.2)
  for a, b in zip(jax.tree.leaves(jax.grad(_objective(task0, net, batch))(params)),
                  jax.tree.leaves(jax.grad(_objective(task1, net, batch))(params))):
    np.testing.assert_allclose(a, b, atol=1e-7)
  task_both, _, _ = _task_and_batch(l1=0.2, l2=0.1)
  params = jax.tree.map(lambda p: p - 0.4, net.params)
  g0 = jax.grad(_objective(task0, net, batch))(params)
  g = jax.grad(_objective(task_both, net, batch))(params)
  for a, b, p in zip(jax.tree.leaves(g0), jax.tree.leaves(g), jax.tree.leaves(params)):
    np.testing.assert_allclose(b - a, 2 * 0.1 * p + 0.2 * jnp.sign(p), rtol=1e-5, atol=1e-7)
