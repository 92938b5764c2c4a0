"""Attribution methods (dljax.eval.attribution) on small random models: their defining identities
(IG completeness, LRP conservation, Grad-CAM = CAM on a GAP-linear head, guided ReLU's VJP), an
oracle for LIME's ridge (scikit-learn), batching/jit, and the one-clear-error inputs."""
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from sklearn.linear_model import Ridge

from dljax.errors import ConfigError
from dljax.eval import attribution as A
from dljax.models.cnn import CNN, GapCNN


@pytest.fixture(scope='module')
def gap():
  model = GapCNN(features=(4, 8), num_outputs=3)
  x = jax.random.uniform(jax.random.PRNGKey(1), (3, 12, 12, 1))
  params = model.init(jax.random.PRNGKey(0), x)
  return (lambda z: model.apply(params, z)), x


class BiasFreeMLP(nn.Module):
  @nn.compact
  def __call__(self, x):
    h = nn.relu(nn.Dense(16, use_bias=False)(x.reshape(x.shape[0], -1)))
    h = nn.relu(nn.Dense(16, use_bias=False)(h))
    return nn.Dense(4, use_bias=False)(h)


def test_integrated_gradients_completeness_shrinks_with_steps():
  w1 = jax.random.normal(jax.random.PRNGKey(6), (36, 32)) * 0.8
  w2 = jax.random.normal(jax.random.PRNGKey(7), (32, 3))
  f = lambda z: jnp.tanh(z.reshape(z.shape[0], -1) @ w1) ** 2 @ w2  # curved along the path
  x = jax.random.uniform(jax.random.PRNGKey(8), (4, 6, 6, 1))
  c = jnp.argmax(f(x), -1)
  errs = {}
  for rule in A.IG_RULES:
    errs[rule] = [float(A.completeness_error(f, x, A.explain(
        f, x, 'integrated_gradients', c, steps=s, rule=rule), c).mean()) for s in (2, 8, 64)]
    assert errs[rule][0] > errs[rule][1] > errs[rule][2], errs
    assert errs[rule][2] < 3e-3 * errs[rule][0], errs
  assert errs['gauss_legendre'][1] < errs['riemann'][1]  # higher order on a smooth integrand


def test_lrp_zplus_conserves_relevance(gap):
  f, x = gap  # x >= 0: every layer's input is non-negative
  c = jnp.argmax(f(x), -1)
  r = A.explain(f, x, 'lrp_zplus', c)
  s = jnp.take_along_axis(f(x), c[:, None], -1)[:, 0]
  np.testing.assert_allclose(r.reshape(3, -1).sum(-1), s, rtol=1e-4, atol=1e-5)


def test_lrp_epsilon_conserves_without_biases_and_absorbs_with_eps():
  model = BiasFreeMLP()
  x = jax.random.normal(jax.random.PRNGKey(2), (5, 6))
  params = model.init(jax.random.PRNGKey(3), x)
  f = lambda z: model.apply(params, z)
  c = jnp.argmax(f(x), -1)
  s = jnp.take_along_axis(f(x), c[:, None], -1)[:, 0]
  r = A.explain(f, x, 'lrp_epsilon', c, eps=1e-9)
  np.testing.assert_allclose(r.sum(-1), s, rtol=1e-4)
  np.testing.assert_allclose(r, x * jax.grad(lambda z: f(z)[jnp.arange(5), c].sum())(x),
                             rtol=1e-4, atol=1e-6)  # LRP-0 = gradient x input on ReLU nets
  r_big = A.explain(f, x, 'lrp_epsilon', c, eps=1.0)
  assert np.all(np.abs(r_big.sum(-1)) < np.abs(s))  # epsilon absorbs relevance


def test_gradcam_equals_cam_on_gap_linear_head(gap):
  f, x = gap
  c = jnp.argmax(f(x), -1)
  grad_cam = A.gradcam_maps(f, x, c)
  cam = A.cam_maps(f, x, c)
  hw = grad_cam.shape[1] * grad_cam.shape[2]
  assert float(cam.max()) > 0
  np.testing.assert_allclose(grad_cam * hw, cam, rtol=1e-4, atol=1e-6)
  np.testing.assert_allclose(A.explain(f, x, 'gradcam', c) * hw, A.explain(f, x, 'cam', c),
                             rtol=1e-4, atol=1e-6)


def test_guided_relu_vjp_zeroes_negative_gradients():
  a = jnp.array([-1.0, 2.0, 3.0, -4.0, 0.5])
  g = jnp.array([1.0, -1.0, 2.0, 3.0, 0.0])
  out, vjp = jax.vjp(A.guided_relu, a)
  np.testing.assert_allclose(out, jnp.maximum(a, 0))
  np.testing.assert_allclose(vjp(g)[0], [0.0, 0.0, 2.0, 0.0, 0.0])
  assert nn.relu is jax.nn.relu  # the swap is undone


def test_guided_backprop_differs_from_gradient_and_swaps_back(gap):
  f, x = gap
  c = jnp.argmax(f(x), -1)
  guided = A.explain(f, x, 'guided_backprop', c)
  grad = A.explain(f, x, 'gradient', c)
  assert guided.shape == x.shape and not np.allclose(guided, grad)
  np.testing.assert_allclose(A.explain(f, x, 'gradient', c), grad)  # ReLU restored


def test_occluding_an_irrelevant_region_changes_nothing():
  w = jax.random.normal(jax.random.PRNGKey(4), (14 * 12, 3))
  f = lambda z: z[:, :14].reshape(z.shape[0], -1) @ w  # looks at the top half only
  x = jax.random.uniform(jax.random.PRNGKey(5), (2, 28, 12, 1))
  occ = A.explain(f, x, 'occlusion', patch=4, stride=2)
  assert np.all(occ[:, 18:] == 0)  # patches entirely in the bottom half
  assert np.abs(occ[:, :10]).max() > 0


def test_weighted_ridge_matches_sklearn():
  rng = np.random.default_rng(0)
  z = (rng.random((200, 12)) < 0.5).astype(np.float32)
  y = (z @ rng.normal(size=12) + 0.1 * rng.normal(size=200)).astype(np.float32)
  w = rng.random(200).astype(np.float32)
  ours = A.weighted_ridge(jnp.asarray(z), jnp.asarray(y), jnp.asarray(w), 1.0)
  theirs = Ridge(alpha=1.0).fit(z, y, sample_weight=w).coef_
  np.testing.assert_allclose(ours, theirs, rtol=1e-3, atol=1e-4)


def test_lime_finds_the_patch_the_model_reads():
  def f(z):  # class 1's logit grows with the brightness of the patch at rows 4-7, columns 8-11
    s = 8.0 * z[:, 4:8, 8:12].mean((1, 2, 3))
    return jnp.stack([jnp.zeros_like(s), s - 4.0], -1)
  x = jnp.ones((1, 16, 16, 1))
  b, seg = A.lime_weights(f, x, 1, jax.random.PRNGKey(0), patch=4, samples=300, top_k=3)
  top = int(jnp.argmax(b))
  assert float(seg[top, 4:8, 8:12].min()) == 1.0
  assert int((b != 0).sum()) <= 3


def test_every_method_jits_and_batches(gap):
  f, x = gap
  for method in A.METHODS:
    fn = jax.jit(lambda z, m=method: A.explain(f, z, m, samples=4, lime_samples=20, steps=4))
    out = fn(x)
    assert out.shape == x.shape and bool(jnp.all(jnp.isfinite(out))), method
  batched = A.explain(f, x, 'saliency')
  single = jax.vmap(lambda z: A.explain(f, z[None], 'saliency')[0])(x)
  np.testing.assert_allclose(batched, single, rtol=1e-5)


def test_bad_inputs_give_one_clear_error(gap):
  f, x = gap
  with pytest.raises(ConfigError, match='out of range'):
    A.explain(f, x, 'saliency', target_B=np.array([0, 1, 3]))
  with pytest.raises(ConfigError, match='one class per example'):
    A.explain(f, x, 'saliency', target_B=np.array([0, 1]))
  with pytest.raises(ConfigError, match='unknown'):
    A.explain(f, x, 'shap')
  cnn = CNN(features=(4,), dense=8, num_outputs=3)
  p = cnn.init(jax.random.PRNGKey(0), x)
  with pytest.raises(ConfigError, match='global-average-pool'):
    A.explain(lambda z: cnn.apply(p, z), x, 'cam')
  mlp = BiasFreeMLP()
  v = jnp.ones((2, 6))
  pm = mlp.init(jax.random.PRNGKey(0), v)
  with pytest.raises(ConfigError, match='images'):
    A.explain(lambda z: mlp.apply(pm, z), v, 'gradcam')


def test_activation_maximisation_raises_the_class_probability(gap):
  f, _ = gap
  x, p = A.activation_maximisation(f, (12, 12, 1), [0, 1, 2], steps=40, lr=0.1, l2=0.0,
                                            tv=0.0)
  grey = jax.nn.softmax(f(jnp.full((3, 12, 12, 1), 0.5)))[jnp.arange(3), jnp.arange(3)]
  assert x.shape == (3, 12, 12, 1) and float(x.min()) >= 0 and float(x.max()) <= 1
  assert np.all(np.asarray(p) > np.asarray(grey))


def test_deletion_of_the_top_pixels_by_own_logit_gradient(gap):
  f, x = gap
  c = jnp.argmax(f(x), -1)
  curve = A.deletion_curve(f, x, A.explain(f, x, 'saliency', c), c, fractions=5)
  assert curve.shape == (3, 5)
  np.testing.assert_allclose(curve[:, 0], jax.nn.softmax(f(x))[jnp.arange(3), c], rtol=1e-5)
