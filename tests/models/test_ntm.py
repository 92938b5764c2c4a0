"""Neural Turing Machine: each addressing step (content, interpolation, shift, sharpening), the
erase/add write and the read; scan = stepping the cell by hand; golden parameter counts."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from configs.memory import ntm_copy
from dljax import models
from dljax.models import ntm

B, N, M = 2, 6, 4


def memory(seed=0):
  return jax.random.normal(jax.random.PRNGKey(seed), (B, N, M))


def close(a, b, atol=1e-5):
  np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=atol, rtol=1e-5)


def test_content_weights_sum_to_one_and_peak_at_the_matching_row():
  mem = memory()
  key = mem[:, 3] * 2.0            # same direction as row 3: cosine similarity 1
  w = ntm.content_weights(mem, key, jnp.full((B,), 10.0))
  close(w.sum(-1), jnp.ones(B))
  assert (np.argmax(w, -1) == 3).all()
  w0 = ntm.content_weights(mem, key, jnp.zeros(B))   # beta = 0: uniform
  close(w0, jnp.full((B, N), 1.0 / N))


def test_content_weights_have_finite_gradients_for_a_zero_key():
  grad = jax.grad(lambda k: ntm.content_weights(memory(), k, jnp.ones(B))[:, 0].sum())(
      jnp.zeros((B, M)))
  assert np.isfinite(np.asarray(grad)).all()


def test_interpolation_gate():
  w_c, w_prev = jax.nn.softmax(memory()[..., 0]), jax.nn.one_hot(jnp.array([1, 4]), N)
  close(ntm.interpolate(w_c, w_prev, jnp.ones(B)), w_c)
  close(ntm.interpolate(w_c, w_prev, jnp.zeros(B)), w_prev)
  close(ntm.interpolate(w_c, w_prev, jnp.full((B,), 0.25)), 0.25 * w_c + 0.75 * w_prev)


def test_shift_by_plus_one_rotates_circularly():
  w = jax.nn.one_hot(jnp.array([2, N - 1]), N)
  plus_one = jnp.tile(jnp.array([[0.0, 0.0, 1.0]]), (B, 1))      # s over (-1, 0, +1)
  close(ntm.shift(w, plus_one), jax.nn.one_hot(jnp.array([3, 0]), N))   # N-1 wraps to 0
  minus_one = jnp.tile(jnp.array([[1.0, 0.0, 0.0]]), (B, 1))
  close(ntm.shift(w, minus_one), jax.nn.one_hot(jnp.array([1, N - 2]), N))
  soft = jax.nn.softmax(memory()[..., 1])
  close(ntm.shift(soft, jnp.tile(jnp.array([[0.0, 1.0, 0.0]]), (B, 1))), soft)  # no shift
  blur = jnp.tile(jnp.array([[0.25, 0.5, 0.25]]), (B, 1))
  close(ntm.shift(w, blur).sum(-1), jnp.ones(B))                   # a convolution keeps the sum


def test_sharpening():
  w = jax.nn.softmax(memory()[..., 2])
  close(ntm.sharpen(w, jnp.ones(B)), w)                           # gamma = 1: unchanged
  close(ntm.sharpen(w, jnp.full((B,), 2.0)), w ** 2 / (w ** 2).sum(-1, keepdims=True))
  close(ntm.sharpen(w, jnp.full((B,), 500.0)), jax.nn.one_hot(jnp.argmax(w, -1), N), atol=1e-4)


def test_erase_and_add_write_one_row_only():
  mem = memory()
  w = jax.nn.one_hot(jnp.array([1, 5]), N)
  erased = ntm.write(mem, w, jnp.ones((B, M)), jnp.zeros((B, M)))
  close(erased[0, 1], jnp.zeros(M))
  close(erased[1, 5], jnp.zeros(M))
  keep = np.ones((B, N), bool)
  keep[0, 1] = keep[1, 5] = False
  close(np.asarray(erased)[keep], np.asarray(mem)[keep])          # every other row untouched
  a = jnp.arange(B * M, dtype=jnp.float32).reshape(B, M)
  written = ntm.write(mem, w, jnp.ones((B, M)), a)
  close(ntm.read(written, w), a)                                  # read back what was written
  half = ntm.write(mem, w, jnp.full((B, M), 0.5), jnp.zeros((B, M)))
  close(half[0, 1], 0.5 * mem[0, 1])


def test_read_is_the_weighted_sum_of_rows():
  mem, w = memory(), jax.nn.softmax(memory(1)[..., 0])
  close(ntm.read(mem, w), np.einsum('bn,bnm->bm', w, mem))


def small_ntm():
  return ntm.NTM(num_outputs=3, hidden=8, mem_size=N, mem_width=M, num_reads=2, num_writes=1)


def test_scan_equals_stepping_the_cell_and_weightings_are_distributions():
  model = small_ntm()
  x = jax.random.bernoulli(jax.random.PRNGKey(2), 0.5, (B, 5, 3)).astype(jnp.float32)
  params = model.init(jax.random.PRNGKey(0), x)['params']
  logits, read_w, write_w = model.apply({'params': params}, x, method=ntm.NTM.weightings)
  assert logits.shape == (B, 5, 3) and read_w.shape == (B, 5, 2, N) and write_w.shape == (B, 5, 1, N)
  close(read_w.sum(-1), jnp.ones((B, 5, 2)))
  close(write_w.sum(-1), jnp.ones((B, 5, 1)))
  cell = ntm.NTMCell(8, N, M, 3, num_reads=2, num_writes=1)
  carry, ys = cell.initial_carry(B), []
  for t in range(5):
    carry, (y, _, _) = cell.apply({'params': params['cell']}, carry, x[:, t])
    ys.append(y)
  close(jnp.stack(ys, 1), logits)


def n_params(config, d_in):
  shapes = jax.eval_shape(models.build(config.model).init, jax.random.PRNGKey(0),
                          jnp.zeros((1, 3, d_in)))
  return sum(int(np.prod(p.shape)) for p in jax.tree.leaves(shapes['params']))


@pytest.mark.parametrize('name', ['ntm', 'lstm'])
def test_golden_parameter_counts_of_ntm_copy(name):
  config = ntm_copy.get_config('cpu')
  config.model.name = name
  d_in, k, h, m = ntm_copy.BITS + 2, ntm_copy.BITS + 1, 100, 20
  expected = {
      # controller LSTM on [x; r]; write head: k, beta, g, s(3), gamma, e, a; read head: k..gamma;
      # output layer on [h; r]
      'ntm': ((d_in + m + h) * 4 * h + 4 * h) + (h * (3 * m + 6) + 3 * m + 6)
             + (h * (m + 6) + m + 6) + ((h + m) * k + k),
      'lstm': (d_in + 256) * 1024 + 1024 + 256 * k + k}[name]
  assert n_params(config, d_in) == expected == {'ntm': 62781, 'lstm': 275721}[name]
