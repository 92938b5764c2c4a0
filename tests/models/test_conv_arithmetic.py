"""Conv arithmetic: output sizes of conv / pool / transposed conv against the layers themselves, and
the parameter counts of fully connected vs locally connected vs convolutional layers."""
import itertools

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import torch

from dljax.models import conv_arithmetic as ca


def _shape(fn, *shapes):
  return jax.eval_shape(fn, *[jax.ShapeDtypeStruct(s, jnp.float32) for s in shapes]).shape


def _n_params(module, x_shape):
  variables = jax.eval_shape(module.init, jax.random.PRNGKey(0), jnp.zeros(x_shape))
  return sum(int(np.prod(p.shape)) for p in jax.tree.leaves(variables['params']))


GRID = list(itertools.product((5, 8, 13), (1, 2, 3, 5), (1, 2, 3), (0, 1, 2), (1, 2)))  # n k s p d


def test_conv_size_formula_against_lax_and_torch():
  checked = 0
  for n, k, s, p, d in GRID:
    expected = ca.conv_size(n, k, s, p, d)
    if expected < 1:
      continue
    got = _shape(lambda x, w, s=s, p=p, d=d: jax.lax.conv_general_dilated(
        x, w, (s, s), ((p, p), (p, p)), rhs_dilation=(d, d),
        dimension_numbers=('NHWC', 'HWIO', 'NHWC')), (1, n, n, 1), (k, k, 1, 1))
    assert got == (1, expected, expected, 1), (n, k, s, p, d)
    torch_conv = torch.nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
    assert torch_conv(torch.zeros(1, 1, n, n)).shape[-1] == expected, (n, k, s, p, d)
    checked += 1
  assert checked > 100


def test_pool_size_is_the_conv_formula():
  for n, k, s, p, _ in GRID:
    if p > k // 2 or ca.conv_size(n, k, s, p) < 1:  # torch allows padding up to half the window
      continue
    expected = ca.conv_size(n, k, s, p)
    got = _shape(lambda x, k=k, s=s, p=p: nn.max_pool(x, (k, k), (s, s), ((p, p), (p, p))),
                 (1, n, n, 1))
    assert got == (1, expected, expected, 1), (n, k, s, p)
    assert torch.nn.functional.avg_pool2d(torch.zeros(1, 1, n, n), k, s, p).shape[-1] == expected


def test_transposed_size_inverts_the_conv_size():
  """A stride-s conv maps n -> m; the transposed conv with the same k, s, p, d maps m back to n
  when output_padding = (n + 2p - d(k - 1) - 1) mod s (the sizes a strided conv merges)."""
  for n, k, s, p, d in GRID:
    m = ca.conv_size(n, k, s, p, d)
    if m < 1:
      continue
    op = (n + 2 * p - d * (k - 1) - 1) % s
    assert ca.transposed_conv_size(m, k, s, p, d, op) == n, (n, k, s, p, d)
    torch_t = torch.nn.ConvTranspose2d(1, 1, k, stride=s, padding=p, dilation=d,
                                       output_padding=op) if op < max(s, d) else None
    if torch_t is not None:
      assert torch_t(torch.zeros(1, 1, m, m)).shape[-1] == n


def test_fc_vs_locally_connected_vs_conv_parameters():
  """One 10x10x3 -> 8x8x16 layer (3x3 filters, VALID): unshared filters cost H'W' times a conv's."""
  h = w = 10
  c_in, c_out, k = 3, 16, 3
  h_out = ca.conv_size(h, k)
  fc = _n_params(nn.Dense(h_out * h_out * c_out), (1, h * w * c_in))
  local = _n_params(nn.ConvLocal(c_out, (k, k), padding='VALID'), (1, h, w, c_in))
  conv = _n_params(nn.Conv(c_out, (k, k), padding='VALID'), (1, h, w, c_in))
  assert fc == ca.fc_params(h, w, c_in, h_out, h_out, c_out) == 300 * 1024 + 1024
  assert local == ca.locally_connected_params(k, c_in, h_out, h_out, c_out) == 64 * (27 * 16 + 16)
  assert conv == ca.conv_params(k, c_in, c_out) == 27 * 16 + 16
  assert fc > local > conv and local == h_out * h_out * conv


def test_two_3x3_vs_one_5x5():
  """Same 5x5 receptive field; 2 * 9 C^2 = 18 C^2 weights against 25 C^2 (no biases)."""
  c = 8
  two = nn.Sequential([nn.Conv(c, (3, 3), padding='VALID', use_bias=False),
                       nn.Conv(c, (3, 3), padding='VALID', use_bias=False)])
  one = nn.Conv(c, (5, 5), padding='VALID', use_bias=False)
  assert _n_params(two, (1, 9, 9, c)) == 18 * c * c == 2 * ca.conv_params(3, c, c, bias=False)
  assert _n_params(one, (1, 9, 9, c)) == 25 * c * c == ca.conv_params(5, c, c, bias=False)
  # receptive field: the output pixel at the centre depends on exactly the 5x5 input window
  x = jnp.zeros((1, 9, 9, c))
  for model in (two, one):
    variables = model.init(jax.random.PRNGKey(0), x)
    out_shape = model.apply(variables, x).shape
    centre = out_shape[1] // 2
    grad = jax.grad(lambda v, m=model, p=variables, i=centre: m.apply(p, v)[0, i, i].sum())(x)
    rows, cols = np.nonzero(np.abs(np.asarray(grad)).sum(axis=(0, 3)))
    assert (rows.max() - rows.min() + 1, cols.max() - cols.min() + 1) == (5, 5)
