"""Recurrent models: parity with flax's and torch's cells (copied weights), nn.scan = python loop,
bidirectional = forward + reversed backward, TCN causality and receptive field, golden counts."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
import flax.linen as nn

from configs.sequence import mnist1d_rnn
from dljax import data as data_lib, models
from dljax.eval import gradients
from dljax.models import rnn
from dljax.errors import ConfigError

jax.config.update('jax_numpy_rank_promotion', 'raise')

B, T, D, H = 3, 6, 4, 5


def inputs(seed=0, shape=(B, T, D)):
  return jax.random.normal(jax.random.PRNGKey(seed), shape)


def init_cell(cell, carry, x_BxD, seed=1):
  return cell.init(jax.random.PRNGKey(seed), carry, x_BxD)['params']


def close(a, b, atol=1e-5):
  np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=atol, rtol=1e-5)


# ---------------------------------------------------------------- flax cells, weights copied to ours

def lstm_from_flax(p):
  """flax LSTMCell params (ii..io: x kernels; hi..ho: h kernels + biases) -> our one affine map."""
  gates = 'figo'  # our order: forget, input, candidate, output
  kernel = jnp.concatenate([jnp.concatenate([p[f'i{g}']['kernel'] for g in gates], 1),
                            jnp.concatenate([p[f'h{g}']['kernel'] for g in gates], 1)], 0)
  bias = jnp.concatenate([p[f'h{g}']['bias'] for g in gates])
  return {'affine': {'kernel': kernel, 'bias': bias}}


def gru_from_flax(p):
  kernel = jnp.concatenate([jnp.concatenate([p['ir']['kernel'], p['iz']['kernel']], 1),
                            jnp.concatenate([p['hr']['kernel'], p['hz']['kernel']], 1)], 0)
  return {'gates': {'kernel': kernel, 'bias': jnp.concatenate([p['ir']['bias'], p['iz']['bias']])},
          'xn': p['in'], 'hn': p['hn']}


@pytest.mark.parametrize('flax_cls', [nn.LSTMCell, nn.OptimizedLSTMCell])
def test_lstm_cell_matches_flax_with_copied_weights(flax_cls):
  x = inputs()[:, 0]
  carry = (inputs(2, (B, H)), inputs(3, (B, H)))
  theirs = flax_cls(features=H)
  p = init_cell(theirs, carry, x)
  p = jax.tree.map(lambda a: a + 0.1 * jax.random.normal(jax.random.PRNGKey(4), a.shape), p)  # nonzero biases
  (c_ref, h_ref), y_ref = theirs.apply({'params': p}, carry, x)
  (c, h), y = rnn.LSTMCell(H).apply({'params': lstm_from_flax(p)}, carry, x)
  close(c, c_ref)
  close(h, h_ref)
  close(y, y_ref)


def test_gru_cell_matches_flax_with_copied_weights():
  x, h0 = inputs()[:, 0], inputs(2, (B, H))
  theirs = nn.GRUCell(features=H)
  p = init_cell(theirs, h0, x)
  p = jax.tree.map(lambda a: a + 0.1 * jax.random.normal(jax.random.PRNGKey(4), a.shape), p)
  h_ref, _ = theirs.apply({'params': p}, h0, x)
  h, y = rnn.GRUCell(H).apply({'params': gru_from_flax(p)}, h0, x)
  close(h, h_ref)
  close(y, h_ref)


# --------------------------------------------------- torch.nn.LSTM / GRU / RNN, weights copied to ours

def t2j(t):
  return jnp.asarray(t.detach().numpy())


def torch_direction(module, suffix=''):
  g = lambda name: t2j(getattr(module, f'{name}_l0{suffix}'))  # pylint: disable=unnecessary-lambda-assignment
  return g('weight_ih'), g('weight_hh'), g('bias_ih'), g('bias_hh')


def ours_from_torch(kind, w_ih, w_hh, b_ih, b_hh):
  """torch's two maps W_ih x + b_ih + W_hh h + b_hh -> our cell params (the mapping under test)."""
  H = w_hh.shape[1]  # pylint: disable=invalid-name
  if kind == 'rnn':
    return {'i2h': {'kernel': jnp.concatenate([w_ih, w_hh], 1).T, 'bias': b_ih + b_hh}}
  if kind == 'lstm':  # torch stacks (i, f, g, o); ours is (f, i, g, o)
    order = jnp.concatenate([jnp.arange(H, 2 * H), jnp.arange(H), jnp.arange(2 * H, 4 * H)])
    kernel = jnp.concatenate([w_ih, w_hh], 1).T[:, order]
    return {'affine': {'kernel': kernel, 'bias': (b_ih + b_hh)[order]}}
  # gru: (r, z) into one map; the candidate keeps b_hn inside r * (W_hn h + b_hn)
  return {'gates': {'kernel': jnp.concatenate([w_ih[:2 * H], w_hh[:2 * H]], 1).T,
                    'bias': b_ih[:2 * H] + b_hh[:2 * H]},
          'xn': {'kernel': w_ih[2 * H:].T, 'bias': b_ih[2 * H:]},
          'hn': {'kernel': w_hh[2 * H:].T, 'bias': b_hh[2 * H:]}}


TORCH = {'rnn': torch.nn.RNN, 'lstm': torch.nn.LSTM, 'gru': torch.nn.GRU}


@pytest.mark.parametrize('kind', ['rnn', 'lstm', 'gru'])
def test_sequence_matches_torch_with_copied_weights(kind):
  torch.manual_seed(0)
  theirs = TORCH[kind](D, H, batch_first=True)
  x = np.array(inputs())
  with torch.no_grad():
    y_ref, state = theirs(torch.from_numpy(x))
  params = {'cell': ours_from_torch(kind, *torch_direction(theirs))}
  carry, y = rnn.Recurrent(kind, H).apply({'params': params}, jnp.asarray(x))
  close(y, t2j(y_ref))
  if kind == 'lstm':
    h_n, c_n = state
    close(carry[0], t2j(c_n)[0])
    close(carry[1], t2j(h_n)[0])
  else:
    close(carry, t2j(state)[0])


def test_reference_bidirectional_gru_matches_torch_mnist1d_gru():
  """MNIST-1D's reference model: torch.nn.GRU(1, 6, bidirectional) outputs flattened into a Linear."""
  torch.manual_seed(0)
  gru, linear = torch.nn.GRU(1, 6, batch_first=True, bidirectional=True), torch.nn.Linear(480, 10)
  x = np.array(inputs(0, (2, 40)))
  with torch.no_grad():
    y, _ = gru(torch.from_numpy(x)[..., None])
    logits_ref = linear(y.reshape(2, -1))
  config = mnist1d_rnn.get_config('smoke')
  model = models.build(config.model)
  layer = {'forward': {'cell': ours_from_torch('gru', *torch_direction(gru))},
           'backward': {'cell': ours_from_torch('gru', *torch_direction(gru, '_reverse'))}}
  params = {'rnn': {'layer_0': layer},
            'head': {'kernel': t2j(linear.weight).T, 'bias': t2j(linear.bias)}}
  close(model.apply({'params': params}, jnp.asarray(x)), t2j(logits_ref), atol=1e-4)


# ----------------------------------------------------------------------- scan, bidirectional, stacking

@pytest.mark.parametrize('kind', ['rnn', 'lstm', 'gru'])
def test_scan_equals_python_loop_and_unroll_changes_nothing(kind):
  x = inputs()
  model = rnn.Recurrent(kind, H)
  params = model.init(jax.random.PRNGKey(1), x)['params']
  carry, y = model.apply({'params': params}, x)
  cell = rnn.CELLS[kind](H)
  carry_loop, y_loop = rnn.unroll_loop(cell, params['cell'], cell.zero_carry(B, H), x)
  close(y, y_loop)
  jax.tree.map(close, carry, carry_loop)
  _, y_unrolled = rnn.Recurrent(kind, H, unroll=4).apply({'params': params}, x)
  close(y, y_unrolled)


@pytest.mark.parametrize('reverse', [False, True])
def test_hoisted_lstm_equals_the_scanned_cell_in_values_and_gradients(reverse):
  """The fast LSTM (input projections before the loop) is the teaching form with the same params."""
  x = inputs()
  fast, teaching = (rnn.Recurrent('lstm', H, reverse=reverse, impl=impl) for impl in ('fast', 'cell'))
  params = teaching.init(jax.random.PRNGKey(1), x)['params']
  assert (jax.tree.map(jnp.shape, fast.init(jax.random.PRNGKey(1), x)['params'])
          == jax.tree.map(jnp.shape, params))  # one checkpoint serves both forms
  jax.tree.map(close, fast.apply({'params': params}, x), teaching.apply({'params': params}, x))

  def loss(model):
    return lambda p, x: jnp.sum(jnp.sin(model.apply({'params': p}, x)[1]))
  g_fast = jax.grad(loss(fast), argnums=(0, 1))(params, x)
  g_teaching = jax.grad(loss(teaching), argnums=(0, 1))(params, x)
  jax.tree.map(lambda a, b: close(a, b, atol=1e-5), g_fast, g_teaching)


def test_unknown_recurrent_impl_is_refused():
  with pytest.raises(ConfigError, match="impl='cudnn'"):
    rnn.Recurrent('lstm', H, impl='cudnn').init(jax.random.PRNGKey(0), inputs())


def test_bidirectional_is_forward_concat_reversed_backward():
  x = inputs()
  model = rnn.Bidirectional('gru', H)
  params = model.init(jax.random.PRNGKey(1), x)['params']
  _, y = model.apply({'params': params}, x)
  _, y_f = rnn.Recurrent('gru', H).apply({'params': params['forward']}, x)
  # the backward half is a forward recurrence over the reversed sequence, then reversed back
  _, y_b = rnn.Recurrent('gru', H).apply({'params': params['backward']}, x[:, ::-1])
  assert y.shape == (B, T, 2 * H)
  close(y, jnp.concatenate([y_f, y_b[:, ::-1]], -1))
  assert not np.allclose(y[..., :H], y[..., H:])  # two different recurrences


def test_stacked_layers_feed_each_other():
  x = inputs()
  model = rnn.StackedRNN('lstm', H, layers=2)
  params = model.init(jax.random.PRNGKey(1), x)['params']
  carries, y = model.apply({'params': params}, x)
  _, y0 = rnn.Recurrent('lstm', H).apply({'params': params['layer_0']}, x)
  _, y1 = rnn.Recurrent('lstm', H).apply({'params': params['layer_1']}, y0)
  close(y, y1)
  assert len(carries) == 2


def test_lstm_forget_bias_initialises_only_the_forget_block():
  x = inputs()[:, 0]
  bias = init_cell(rnn.LSTMCell(H, forget_bias=1.0), rnn.LSTMCell.zero_carry(B, H), x)['affine']['bias']
  np.testing.assert_array_equal(bias, np.r_[np.ones(H), np.zeros(3 * H)])


def test_vanilla_cell_i2o_reads_the_concatenation():
  x, h0 = inputs()[:, 0], inputs(2, (B, H))
  cell = rnn.RNNCell(H, num_outputs=7)
  p = init_cell(cell, h0, x)
  h, y = cell.apply({'params': p}, h0, x)
  xh = jnp.concatenate([x, h0], -1)
  close(h, jnp.tanh(xh @ p['i2h']['kernel'] + p['i2h']['bias'][None]))
  close(y, xh @ p['i2o']['kernel'] + p['i2o']['bias'][None])


# ------------------------------------------------------------------------------------------------ TCN

@pytest.mark.parametrize('kernel, layers', [(2, 3), (3, 2)])
def test_tcn_is_causal_with_receptive_field_1_plus_k_minus_1_times_2L_minus_1(kernel, layers):
  length = 20
  tcn = rnn.TCN(channels=4, kernel=kernel, layers=layers, act='tanh')  # tanh' > 0: exact support
  x = inputs(0, (1, length, 2))
  params = tcn.init(jax.random.PRNGKey(1), x)
  t = length - 3
  jac = jax.jit(jax.jacrev(lambda x: tcn.apply(params, x)[0, t].sum()))(x)[0]  # d y[t] / d x[s]
  depends = np.abs(np.asarray(jac)).sum(-1) > 0
  rf = 1 + (kernel - 1) * (2 ** layers - 1)
  assert tcn.receptive_field() == rf
  np.testing.assert_array_equal(np.flatnonzero(depends), np.arange(t - rf + 1, t + 1))
  # changing the future never changes earlier outputs
  x2 = x.at[:, t + 1:].set(100.0)
  close(tcn.apply(params, x2)[:, :t + 1], tcn.apply(params, x)[:, :t + 1])


# ------------------------------------------------------------------- configs, counts, data, diagnostics

@pytest.mark.parametrize('name, count', [
    ('gru', 5_110),   # 2 x (6 x 12 + 12 + 2 (1 x 6 + 6) + 6 x 6 + 6) + 480 x 10 + 10; torch 5,134
    ('lstm', 5_194),  # 2 x ((1 + 6) x 24 + 24) + 4,810
    ('rnn', 4_906),   # 2 x ((1 + 6) x 6 + 6) + 4,810
    ('tcn', 3_402),   # (3 x 1 x 16 + 16) + (1 x 16 + 16) skip + 4 x (3 x 16 x 16 + 16) + (16 x 10 + 10)
    ('unshared', 11_690),  # 40 x ((16 + 1) x 16 + 16) + 16 x 10 + 10
])
def test_mnist1d_sequence_models_golden_counts(name, count):
  config = mnist1d_rnn.get_config('smoke')
  config.model.name = name
  model = models.build(config.model)
  x = jnp.zeros((2, 40))
  shapes = jax.eval_shape(model.init, jax.random.PRNGKey(0), x)['params']
  assert sum(int(np.prod(s.shape)) for s in jax.tree.leaves(shapes)) == count
  assert jax.eval_shape(model.apply, {'params': shapes}, x).shape == (2, 10)


@pytest.mark.parametrize('key, value', [('body', 'transformer'), ('readout', 'mean')])
def test_bad_sequence_model_config_is_one_config_error_before_compiling(key, value):
  from dljax.errors import ConfigError  # pylint: disable=g-import-not-at-top
  from dljax.train import config_check  # pylint: disable=g-import-not-at-top
  config = mnist1d_rnn.get_config('smoke')
  config.model.gru[key] = value
  with pytest.raises(ConfigError, match=f'{key}={value!r}'):
    config_check.validate(config)


def test_shuffle_positions_is_one_fixed_permutation_for_every_example_and_split():
  x = np.arange(12, dtype=np.float32).reshape(3, 4) + 100 * np.arange(3, dtype=np.float32)[:, None]
  s = data_lib.shuffle_positions(x, seed=0)
  perm = np.random.default_rng(0).permutation(4)
  np.testing.assert_array_equal(s, x[:, perm])
  assert not np.array_equal(s, x)
  np.testing.assert_array_equal(data_lib.shuffle_positions(x[:1], seed=0), s[:1])  # same for any split
  from ml_collections import ConfigDict  # pylint: disable=g-import-not-at-top
  plain = data_lib.load_split(ConfigDict(dict(name='mnist1d', test_limit=50)), 'test')
  shuffled = data_lib.load_split(ConfigDict(dict(name='mnist1d', test_limit=50,
                                                 shuffle_positions=True, shuffle_seed=3)), 'test')
  np.testing.assert_array_equal(shuffled['x'], plain['x'][:, np.random.default_rng(3).permutation(40)])
  np.testing.assert_array_equal(shuffled['y'], plain['y'])


def test_hidden_state_grads_of_a_linear_rnn_are_powers_of_the_recurrent_matrix():
  # act='identity': h_t = W_x x_t + W_h h_t-1 + b, so for L = sum(h_T), dL/dh_t = (W_h^T)^(T-t) 1
  x = inputs()
  cell = rnn.RNNCell(H, act='identity')
  p = init_cell(cell, jnp.zeros((B, H)), x[:, 0])
  norms = gradients.hidden_state_grad_norms(cell, p, jnp.zeros((B, H)), x, jnp.sum)
  w_h = np.asarray(p['i2h']['kernel'][D:], np.float64)  # rows of the h_t-1 part of [x; h]
  expected = [np.linalg.norm(np.linalg.matrix_power(w_h, T - 1 - t) @ np.ones(H)) for t in range(T)]
  close(norms, np.asarray(expected), atol=1e-4)


def test_unshared_net_gives_each_position_its_own_layer():
  model = rnn.UnsharedDeepNet(hidden=4, num_outputs=3)
  x = inputs(0, (2, 5))
  params = model.init(jax.random.PRNGKey(1), x)['params']
  assert sorted(params) == ['head'] + [f'layer_{t}' for t in range(5)]
  assert params['layer_0']['kernel'].shape == (4 + 1, 4)  # [a^(0) = 0; x[0]]
  assert model.apply({'params': params}, x).shape == (2, 3)
