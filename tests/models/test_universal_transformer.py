"""Universal Transformer with ACT: one step when the halting unit says ~1, halting weights sum to 1,
at most max_steps steps, weights tied over depth (parameter count independent of max_steps)."""
import jax
import jax.numpy as jnp
import numpy as np

from configs.memory import ut_act_copy
from dljax import models
from dljax.models.universal_transformer import UniversalTransformer

B, T, D = 2, 5, 3


def x():
  return jax.random.normal(jax.random.PRNGKey(0), (B, T, D))


def ut(**kw):
  return UniversalTransformer(**{**dict(num_outputs=2, d_model=8, num_heads=2, mlp_dim=16,
                                        max_steps=4), **kw})


def run(model, params):
  out, inter = model.apply({'params': params}, x(), mutable=['intermediates'])
  inter = {k: v[0] for k, v in inter['intermediates'].items()}
  return out, inter


def params_of(model):
  return model.init(jax.random.PRNGKey(1), x())['params']


def n_params(p):
  return sum(int(np.prod(a.shape)) for a in jax.tree.leaves(p))


def test_halting_unit_near_one_takes_exactly_one_step():
  model = ut(halt_bias=30.0)
  p = params_of(model)
  out, inter = run(model, p)
  np.testing.assert_array_equal(inter['steps'], np.ones((B, T)))
  np.testing.assert_allclose(inter['ponder_cost'], 2.0)          # N + R = 1 + (1 - 0)
  one_step, _ = run(ut(halt_bias=30.0, max_steps=1), p)           # same (tied) parameters
  np.testing.assert_allclose(out, one_step, atol=1e-5)


def test_halting_weights_sum_to_one_per_position():
  for bias in (-3.0, 0.0, 1.0):
    model = ut(halt_bias=bias)
    _, inter = run(model, params_of(model))
    np.testing.assert_allclose(inter['halting_sum'], 1.0, atol=1e-6)
    assert (inter['steps'] >= 1).all() and (inter['steps'] <= 4).all()
    r = inter['ponder_cost'] - inter['steps']
    assert (r > 0).all() and (r <= 1).all()


def test_a_low_halting_probability_runs_to_max_steps():
  model = ut(halt_bias=-30.0)
  _, inter = run(model, params_of(model))
  np.testing.assert_array_equal(inter['steps'], np.full((B, T), 4.0))
  np.testing.assert_allclose(inter['ponder_cost'], 5.0, atol=1e-5)  # R = 1 - 3 h ~ 1


def test_without_act_every_position_takes_max_steps():
  model = ut(act=False)
  _, inter = run(model, params_of(model))
  np.testing.assert_array_equal(inter['ponder_cost'], np.full((B, T), 4.0))


def test_weights_are_shared_over_depth():
  counts = {s: n_params(params_of(ut(max_steps=s))) for s in (1, 2, 8)}
  assert len(set(counts.values())) == 1
  p = params_of(ut())
  assert set(p) == {'embed', 'block', 'halt', 'ln_out', 'head'}


def test_ponder_cost_has_a_gradient_through_the_remainder():
  model = ut(halt_bias=0.0)
  p = params_of(model)
  g = jax.grad(lambda p: run(model, p)[1]['ponder_cost'].mean())(p)
  assert float(jnp.abs(g['halt']['bias']).sum()) > 0


def test_golden_parameter_count_of_ut_act_copy():
  config = ut_act_copy.get_config('cpu')
  d, f, d_in, k = 64, 128, 10, 9
  block = 2 * (2 * d) + 4 * (d * d + d) + (d * f + f) + (f * d + d)   # 2 LN, q k v o, FFN
  expected = (d_in * d + d) + block + (d + 1) + 2 * d + (d * k + k)
  shapes = jax.eval_shape(models.build(config.model).init, jax.random.PRNGKey(0),
                          jnp.zeros((1, 3, d_in)))
  assert n_params(shapes['params']) == expected == 34954
