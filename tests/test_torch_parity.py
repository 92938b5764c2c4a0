"""The PyTorch twins of experiments/tools/torch_models.py compute the same functions as the flax models.

1. Forward, float32: with the flax init copied in, the twin's eval-mode logits equal flax's
   (atol 1e-4).
2. One Adam step: dljax's Classification task (its own train_step; dropout 0, constant lr 1e-3) and
   torch.optim.Adam with cross-entropy, on the same batch, reach the same params (atol 1e-5); the
   gradients are compared too (relative to the layer's largest gradient).

Why these tolerances. At t = 1 Adam's bias corrections cancel and w1 = w0 - lr g / (|g| + eps):
every coordinate moves by ~lr = 1e-3 in the direction of sign(g), whatever |g| is. A layout or
formula error therefore moves params by ~1e-3 (100x the 1e-5 tolerance), while float rounding of g
changes the step only through sign flips of gradients within rounding of zero (bounded by
lr |dg| / eps). Gradients are compared with atol = 1e-4 x the layer's max |g| (float32 sums of a
few thousand products).

The CNN's step is compared in float64 (both frameworks). In float32 its max pooling is not robust:
the two frameworks' convolutions round differently (~1e-7), so a pooling window whose two largest
values are within a few ulps (measured: 2 of 200k windows at batch 16, gap 3.6e-7) can pick a
different argmax, which moves that gradient to the neighbouring pixel: conv gradients then differ by
~1e-4 and one coordinate's sign flips, i.e. a 2e-3 param difference that says nothing about the
twin. In float64 the rounding (~1e-16) is far below any such gap; test 1 covers the float32 forward.
"""
import jax

jax.config.update('jax_numpy_rank_promotion', 'raise')

import ml_collections  # pylint: disable=g-import-not-at-top,wrong-import-position
import numpy as np  # pylint: disable=wrong-import-position
import pytest  # pylint: disable=wrong-import-position
import torch  # pylint: disable=wrong-import-position
from torch.nn import functional as F  # pylint: disable=wrong-import-position

from configs import common  # pylint: disable=wrong-import-position
from dljax.train import tasks  # pylint: disable=wrong-import-position
from experiments.tools import torch_models  # pylint: disable=wrong-import-position

LR = 1e-3
BATCH = 16

# name -> (model config, per-example input shape, dtype of the Adam-step comparison);
# dropout 0 so that a train step is deterministic
CASES = {
    'mlp': (dict(name='mlp', hidden=(64, 32), act='relu', dropout=0.0), (28, 28, 1), np.float32),
    'cnn': (dict(name='cnn', features=(32, 64), dense=1024, dropout=0.0), (28, 28, 1), np.float64),
    'cnn1d': (dict(name='cnn1d', channels=25), (40,), np.float32),
    'mlp_resid': (dict(name='mlp_resid', width=100), (40,), np.float32),
}


def _task(model_cfg):
  config = common.base('cpu', name='parity', task='classification')
  config.model = ml_collections.ConfigDict(model_cfg)
  config.optim.name, config.optim.lr = 'adam', LR
  config.optim.schedule = common.schedule('constant')
  return tasks.TASKS['classification'](config, total_steps=10)


def _setup(name, dtype=np.float32):
  """(task, train state, twin with the flax init, x, y); call inside jax.enable_x64 for float64."""
  model_cfg, shape, _ = CASES[name]
  rng = np.random.default_rng(0)
  x = rng.uniform(size=(BATCH, *shape)).astype(dtype)
  y = rng.integers(0, 10, size=BATCH).astype(np.int32)
  task = _task(model_cfg)
  state = jax.jit(task.init)(jax.random.PRNGKey(0), {'x': x, 'y': y})
  twin = torch_models.from_flax(task.model, shape)
  torch_models.load_flax_params(twin, jax.device_get(state.nets['model'].params))
  if dtype == np.float64:  # flax keeps float32 params (param_dtype): cast them and Adam's m, v
    state = jax.tree.map(
        lambda a: a.astype(np.float64) if jax.numpy.issubdtype(a.dtype, np.floating) else a, state)
    twin = twin.double()
  return task, state, twin, x, y


def _num_flax_params(params):
  return sum(int(np.size(p)) for p in jax.tree.leaves(params))


@pytest.fixture(autouse=True)
def _torch_settings():
  torch.manual_seed(0)
  threads = torch.get_num_threads()
  torch.set_num_threads(1)  # small problems; also fixes the summation order
  yield
  torch.set_num_threads(threads)


@pytest.mark.parametrize('name', sorted(CASES))
def test_forward_matches(name):
  task, state, twin, x, _ = _setup(name)
  params = state.nets['model'].params
  assert _num_flax_params(params) == torch_models.num_params(twin)
  flax_out = np.asarray(jax.jit(lambda p, x: task.model.apply({'params': p}, x))(params, x))
  with torch.no_grad():
    torch_out = twin.eval()(torch.from_numpy(x)).numpy()
  assert flax_out.shape == torch_out.shape == (BATCH, 10)
  np.testing.assert_allclose(torch_out, flax_out, rtol=0, atol=1e-4)


@pytest.mark.parametrize('name', sorted(CASES))
def test_one_adam_step_matches(name):
  dtype = CASES[name][2]
  with jax.enable_x64(dtype == np.float64):
    task, state, twin, x, y = _setup(name, dtype)
    params0 = jax.device_get(state.nets['model'].params)
    # dljax: the Classification task's own train step (loss, grads, Adam update)
    batch, rng = {'x': x, 'y': y}, jax.random.PRNGKey(1)

    def step_and_grads(state):  # one compilation for both
      net = state.nets['model']
      grads = jax.grad(lambda p: task.objective(p, net, batch, rng)[0])(net.params)
      return task.train_step(state, batch, rng), grads

    (new_state, metrics), flax_grads = jax.device_get(jax.jit(step_and_grads)(state))
    flax_new = new_state.nets['model'].params
  assert jax.tree.leaves(flax_new)[0].dtype == dtype

  # torch: the same loss (mean softmax cross-entropy) and Adam (b1 0.9, b2 0.999, eps 1e-8)
  twin.train()
  opt = torch.optim.Adam(twin.parameters(), lr=LR, betas=(0.9, 0.999), eps=1e-8)
  opt.zero_grad()
  loss = F.cross_entropy(twin(torch.from_numpy(x)), torch.from_numpy(y).long())
  loss.backward()
  torch_grads = {n: {'kernel': torch_models.flax_kernel(m.weight.grad.numpy()),
                     'bias': m.bias.grad.numpy()} for n, m in twin.flax_order()}
  opt.step()
  torch_new = torch_models.to_flax_params(twin)

  np.testing.assert_allclose(loss.item(), float(metrics['train/loss']), rtol=1e-5)
  for layer in flax_grads:
    for leaf in ('kernel', 'bias'):
      g_flax, g_torch = flax_grads[layer][leaf], torch_grads[layer][leaf]
      np.testing.assert_allclose(g_torch, g_flax, rtol=0, atol=1e-4 * np.abs(g_flax).max() + 1e-9,
                                 err_msg=f'{name} grad {layer}/{leaf}')
      moved = np.abs(flax_new[layer][leaf] - params0[layer][leaf]).max()
      assert moved > 0.5 * LR, f'{name} {layer}/{leaf} did not take a step'
      np.testing.assert_allclose(torch_new[layer][leaf], flax_new[layer][leaf], rtol=0, atol=1e-5,
                                 err_msg=f'{name} params {layer}/{leaf} after one Adam step')
