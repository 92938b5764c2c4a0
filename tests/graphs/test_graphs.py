"""Graphs (F16): Laplacian facts, spectral and label-propagation numbers, message passing against
dense matrices, GAT attention, GraphSAGE aggregation, readouts, random-walk statistics, bad input
and a small learning test."""
import jax
import jax.numpy as jnp
import networkx as nx
import numpy as np
import optax
import pytest

from dljax import models
from dljax.data import graphs
from dljax.errors import ConfigError, DataError
from dljax.models import gnn


def _random_graph(n=9, p=0.35, seed=0, directed=False, pad_edges=4):
  rng = np.random.default_rng(seed)
  a = (rng.random((n, n)) < p).astype(float)
  np.fill_diagonal(a, 0)
  if not directed:
    a = np.triu(a, 1)
    a = a + a.T
  g = graphs.to_arrays(a, rng.normal(size=(n, 5)).astype(np.float32),
                       max_edges=int(a.astype(bool).sum()) + pad_edges)
  return a, {k: jnp.asarray(v) for k, v in g.items()}


# --- Laplacian facts (with the catalog's errata) ----------------------------------------------------


def test_laplacian_is_psd_with_zero_row_sums_and_one_zero_per_component():
  a, _ = graphs.karate_club()
  lap = graphs.laplacian(a)
  lam = np.linalg.eigvalsh(lap)
  assert lam.min() > -1e-10                            # positive SEMI-definite
  assert abs(lam[0]) < 1e-10                           # ... and not definite: L 1 = 0
  np.testing.assert_allclose(lap.sum(1), 0, atol=1e-12)
  np.testing.assert_allclose(lap, lap.T)
  x = np.random.default_rng(0).normal(size=34)         # x^T L x = 1/2 sum A_ij (x_i - x_j)^2
  assert x @ lap @ x == pytest.approx(0.5 * np.sum(a * (x[:, None] - x[None]) ** 2))
  tri = np.ones((3, 3)) - np.eye(3)
  union = np.block([[a, np.zeros((34, 3))], [np.zeros((3, 34)), tri]])
  assert graphs.components(a) == 1 and graphs.components(union) == 2
  assert graphs.components(np.zeros((4, 4))) == 4


def test_out_degree_counts_edges_from_a_node_in_degree_edges_to_it():
  g = nx.DiGraph([(0, 1), (0, 2), (1, 2), (2, 0), (3, 0)])
  a = nx.to_numpy_array(g, nodelist=range(4))
  d_out, d_in = graphs.degrees(a)
  assert d_out.tolist() == [g.out_degree(i) for i in range(4)] == [2, 1, 1, 1]
  assert d_in.tolist() == [g.in_degree(i) for i in range(4)] == [2, 1, 2, 0]
  np.testing.assert_allclose(graphs.laplacian(a, 'out').sum(1), 0)
  np.testing.assert_allclose(graphs.laplacian(a, 'in').sum(0), 0)


def test_karate_spectral_and_label_propagation_numbers():
  a, y = graphs.karate_club()
  aw, _ = graphs.karate_club(weighted=True)
  assert a.sum() == 2 * 78 and np.bincount(y).tolist() == [17, 17]
  assert 34 * graphs.sign_split_accuracy(graphs.fiedler_vector(a), y) == pytest.approx(32)
  assert 34 * graphs.sign_split_accuracy(graphs.fiedler_vector(aw), y) == pytest.approx(33)
  assert 34 * graphs.sign_split_accuracy(graphs.modularity_leading_eigenvector(a), y) == \
      pytest.approx(33)
  f = graphs.label_propagation(a, [0, 33], y[[0, 33]], 2)
  assert np.sum(f[1:33].argmax(1) == y[1:33]) == 31           # 96.9 %
  # the harmonic function is the fixed point of averaging over the neighbours
  p = a / a.sum(1, keepdims=True)
  np.testing.assert_allclose(f[1:33], (p @ f)[1:33], atol=1e-10)
  fied = graphs.fiedler_vector(a)                         # orthogonal to 1, Rayleigh quotient = λ2
  assert abs(fied.sum()) < 1e-8
  assert fied @ graphs.laplacian(a) @ fied == pytest.approx(np.linalg.eigvalsh(graphs.laplacian(a))[1])


# --- message passing against dense matrices ---------------------------------------------------------


@pytest.mark.parametrize('directed', [False, True])
def test_segment_sum_message_passing_equals_dense(directed):
  a, g = _random_graph(directed=directed)
  x = np.asarray(g['x'], np.float64)
  out = gnn.propagate_sum(g['x'], g['senders'], g['receivers'], g['edge_mask'])
  np.testing.assert_allclose(out, a.T @ x, rtol=1e-5, atol=1e-5)   # m_i = sum_{j -> i} x_j
  np.testing.assert_allclose(gnn.degree(g), a.sum(0))
  assert np.allclose(graphs.dense_adjacency({k: np.asarray(v) for k, v in g.items()}), a)


def test_gcn_normalisations_equal_dense_numpy():
  a, g = _random_graph()
  x = np.asarray(g['x'], np.float64)
  a_hat = a + np.eye(len(a))
  d_hat = a_hat.sum(1)
  mean = gnn.mean_propagate(g['x'], g['senders'], g['receivers'], g['edge_mask'])
  np.testing.assert_allclose(mean, np.diag(1 / d_hat) @ a_hat @ x, rtol=1e-5, atol=1e-5)
  kipf = gnn.kipf_propagate(g['x'], g['senders'], g['receivers'], g['edge_mask'])
  s = np.diag(d_hat ** -0.5)
  np.testing.assert_allclose(kipf, s @ a_hat @ s @ x, rtol=1e-5, atol=1e-5)
  # the layer: D̂^{-1/2} Â D̂^{-1/2} X W + b
  layer = gnn.GCNLayer(3, 'kipf')
  v = layer.init(jax.random.PRNGKey(0), g['x'], g)
  w, b = (np.asarray(v['params']['w'][k], np.float64) for k in ('kernel', 'bias'))
  np.testing.assert_allclose(layer.apply(v, g['x'], g), s @ a_hat @ s @ x @ w + b, rtol=1e-4,
                             atol=1e-4)


def test_gat_attention_rows_sum_to_one_over_the_neighbourhood():
  a, g = _random_graph(seed=3)
  layer = gnn.GATLayer(4, heads=3)
  v = layer.init(jax.random.PRNGKey(1), g['x'], g)
  h, alpha = layer.apply(v, g['x'], g)
  assert h.shape == (9, 12) and alpha.shape == (int(g['senders'].shape[0]) + 9, 3)
  n = 9
  r = np.concatenate([np.asarray(g['receivers']), np.arange(n)])
  m = np.concatenate([np.asarray(g['edge_mask']), np.ones(n)])
  sums = np.zeros((n, 3))
  np.add.at(sums, r, np.asarray(alpha))
  np.testing.assert_allclose(sums, 1.0, rtol=1e-5)
  assert np.all(np.asarray(alpha)[m == 0] == 0)                 # padding edges get no attention
  # against a dense masked softmax of LeakyReLU(a_dst z_i + a_src z_j)
  p = v['params']
  z = (np.asarray(g['x']) @ np.asarray(p['w']['kernel'])).reshape(n, 3, 4)
  e_src = np.einsum('nhf,hf->nh', z, np.asarray(p['a_src']))
  e_dst = np.einsum('nhf,hf->nh', z, np.asarray(p['a_dst']))
  logit = e_dst[:, None] + e_src[None]                           # [i, j, h]
  logit = np.where(logit > 0, logit, 0.2 * logit)
  allowed = (a.T + np.eye(n)) > 0                                # j -> i edges and self-loops
  logit = np.where(allowed[..., None], logit, -np.inf)
  dense = np.exp(logit - logit.max(1, keepdims=True))
  dense /= dense.sum(1, keepdims=True)
  want = np.einsum('ijh,jhf->ihf', dense, z).reshape(n, 12) + np.asarray(p['bias'])
  np.testing.assert_allclose(h, want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('how', ['mean', 'max'])
def test_sage_aggregators_equal_dense_and_sampling_draws_neighbours(how):
  a, g = _random_graph(seed=5)
  x = np.asarray(g['x'])
  agg = gnn.segment_aggregate(g['x'], g['senders'], g['receivers'], g['edge_mask'], how)
  for i in range(9):
    nb = np.nonzero(a[:, i])[0]
    want = 0 if len(nb) == 0 else (x[nb].mean(0) if how == 'mean' else x[nb].max(0))
    np.testing.assert_allclose(agg[i], want, rtol=1e-5, atol=1e-6)
  slots = gnn.sample_neighbours(jax.random.PRNGKey(0), g['degree'], g['neighbours'].shape[1], 4000)
  j = np.take_along_axis(np.asarray(g['neighbours']), np.asarray(slots), axis=1)
  for i in range(9):
    nb = set(np.nonzero(a[:, i])[0])
    if nb:
      assert set(j[i]) == nb                                     # only (and all) neighbours
  sampled = gnn.sampled_aggregate(g['x'], g['neighbours'], g['degree'], slots, how)
  np.testing.assert_allclose(sampled, agg, atol=0.1 if how == 'mean' else 1e-6)


@pytest.mark.parametrize('layer', gnn.LAYERS)
def test_every_layer_is_permutation_equivariant_and_batches(layer):
  a, g = _random_graph(seed=7, pad_edges=0)
  model = gnn.GNN(num_classes=3, hidden=(6, 5), layer=layer, heads=2)
  v = model.init(jax.random.PRNGKey(0), g)
  out, _ = model.apply(v, g)
  perm = np.random.default_rng(1).permutation(9)
  gp = graphs.to_arrays(a[np.ix_(perm, perm)], np.asarray(g['x'])[perm])
  out_p, _ = model.apply(v, {k: jnp.asarray(val) for k, val in gp.items()})
  np.testing.assert_allclose(out_p, np.asarray(out)[perm], rtol=1e-4, atol=1e-5)
  # a batch of two graphs (leading axis) = each graph alone
  both = {k: jnp.stack([g[k], jnp.asarray(gp[k])]) for k in g}
  out_b, _ = model.apply(v, both)
  np.testing.assert_allclose(out_b[0], out, rtol=1e-4, atol=1e-5)
  np.testing.assert_allclose(out_b[1], out_p, rtol=1e-4, atol=1e-5)


def test_readouts_ignore_padding():
  h = jnp.asarray([[1.0, -2.0], [3.0, 5.0], [100.0, 100.0]])
  mask = jnp.asarray([1.0, 1.0, 0.0])
  np.testing.assert_allclose(gnn.readout(h, mask, 'sum'), [4, 3])
  np.testing.assert_allclose(gnn.readout(h, mask, 'mean'), [2, 1.5])
  np.testing.assert_allclose(gnn.readout(h, mask, 'max'), [3, 5])


def test_kipf_karate_model_has_the_notes_shapes():
  model = models.build(_cfg(name='gnn', num_classes=2, layer='kipf', hidden=(4, 2), act='tanh'))
  a, y = graphs.karate_club()
  g = {k: jnp.asarray(v) for k, v in graphs.to_arrays(a, labels=y).items()}
  p = model.init(jax.random.PRNGKey(0), g)['params']
  assert p['layer0']['w']['kernel'].shape == (34, 4) and p['layer1']['w']['kernel'].shape == (4, 2)
  assert sum(v.size for v in jax.tree.leaves(p)) == 34 * 4 + 4 + 4 * 2 + 2 + 2 * 2 + 2  # 156


def _cfg(**kw):
  import ml_collections  # pylint: disable=g-import-not-at-top
  return ml_collections.ConfigDict(kw)


def test_gcn_learns_the_karate_club_from_two_labels():
  a, y = graphs.karate_club()
  g = {k: jnp.asarray(v) for k, v in graphs.to_arrays(a, labels=y).items()}
  model = gnn.GNN(2, (4, 2), 'kipf', act='tanh')
  params = model.init(jax.random.PRNGKey(0), g)['params']
  tx = optax.adam(1e-2)
  state = tx.init(params)
  mask = jnp.zeros(34).at[jnp.array([0, 33])].set(1.0)

  @jax.jit
  def step(params, state):
    def loss(p):
      ce = optax.softmax_cross_entropy_with_integer_labels(model.apply({'params': p}, g)[0], g['y'])
      return jnp.sum(ce * mask) / 2
    grads = jax.grad(loss)(params)
    updates, state = tx.update(grads, state)
    return optax.apply_updates(params, updates), state
  for _ in range(200):
    params, state = step(params, state)
  pred = model.apply({'params': params}, g)[0].argmax(-1)
  assert np.mean(np.asarray(pred)[1:33] == y[1:33]) >= 0.85


# --- random walks ----------------------------------------------------------------------------------


def test_node2vec_with_p_q_one_is_deepwalk():
  a, _ = graphs.karate_club()
  for prev, cur in ((-1, 0), (1, 0), (0, 2), (32, 33)):
    np.testing.assert_allclose(graphs.node2vec_transition(a, prev, cur, 1.0, 1.0),
                               a[cur] / a[cur].sum())
  p = graphs.node2vec_transition(a, 1, 0, 0.5, 2.0)           # alpha: 1/p back, 1 near, 1/q far
  w = a[0] * np.where(a[1] > 0, 1.0, 0.5)
  w[1] = 2.0
  np.testing.assert_allclose(p, w / w.sum())


@pytest.mark.parametrize('p,q', [(1.0, 1.0), (0.25, 4.0), (4.0, 0.25)])
def test_biased_walk_frequencies_match_the_transition_probabilities(p, q):
  a, _ = graphs.karate_club()
  g = graphs.to_arrays(a)
  walks = graphs.random_walks(g, 5000, 3, p, q, seed=1)      # 5000 walks from every node
  assert np.all(a[walks[:, :-1], walks[:, 1:]] > 0)           # every step follows an edge
  first = walks[:, 0] == 0
  np.testing.assert_allclose(np.bincount(walks[first, 1], minlength=34) / first.sum(),
                             a[0] / a[0].sum(), atol=0.03)
  sel = first & (walks[:, 1] == 1)                            # came 0 -> 1: the next step
  freq = np.bincount(walks[sel, 2], minlength=34) / sel.sum()
  np.testing.assert_allclose(freq, graphs.node2vec_transition(a, 0, 1, p, q), atol=0.08)
  # same seed, same walks
  np.testing.assert_array_equal(walks[:50], graphs.random_walks(g, 5000, 3, p, q, seed=1)[:50])


def test_skipgram_pairs_stay_inside_the_window():
  walks = np.array([[0, 1, 2, 3], [4, 5, 6, 7]])
  pairs = graphs.skipgram_pairs(walks, 2)
  got = set(zip(pairs['center'].tolist(), pairs['context'].tolist()))
  assert (0, 2) in got and (2, 0) in got and (0, 3) not in got and (3, 4) not in got
  assert len(pairs['center']) == 2 * 2 * (3 + 2)


# --- bad input ---------------------------------------------------------------------------------------


def test_bad_graphs_are_refused_with_one_clear_error():
  with pytest.raises(DataError, match='outside'):
    graphs.check_edges([0, 1, 5], [1, 2, 0], num_nodes=5)
  two = np.zeros((4, 4))
  two[0, 1] = two[1, 0] = two[2, 3] = two[3, 2] = 1
  with pytest.raises(DataError, match='connected'):
    graphs.fiedler_vector(two)
  with pytest.raises(DataError, match='p, q|> 0'):
    graphs.random_walks(graphs.to_arrays(two), 1, 3, p=0.0)
  with pytest.raises(DataError, match='labelled node'):
    graphs.label_propagation(two, [0], [0], 2)
  with pytest.raises(ConfigError, match='model.layer'):
    gnn.GNN(2, layer='graphsat')
  with pytest.raises(ConfigError, match='readout'):
    gnn.GNN(2, readout='median')


def test_graph_shapes_are_padded_and_labelled_in_turn():
  d = graphs.shape_graphs(8, 8, 12, seed=0)
  assert d['x'].shape == (8, 12, 6) and d['y'].tolist() == [0, 1, 2, 3, 0, 1, 2, 3]
  edges = d['edge_mask'].sum(1) / 2
  nodes = d['node_mask'].sum(1)
  np.testing.assert_allclose(edges - nodes, [-1, 0, 2, 4] * 2)   # tree, cycle, +2, +4 chords


# --- registry, tasks and studies ---------------------------------------------------------------------


def test_karate_registry_entry_splits_the_nodes():
  from dljax import data as data_lib  # pylint: disable=g-import-not-at-top
  from tests.helpers import load_config  # pylint: disable=g-import-not-at-top
  c = load_config('configs/graphs/karate_gcn.py', 'cpu')
  masks = {s: data_lib.load(c.data, s)['mask'] for s in ('train', 'validation', 'test')}
  assert [int(m.sum()) for m in masks.values()] == [2, 8, 24]
  np.testing.assert_array_equal(sum(masks.values()), np.ones(34))    # a partition of the nodes
  assert np.nonzero(masks['train'])[0].tolist() == [0, 33]
  assert data_lib.info(c.data).num_classes == 2


def test_tasks_refuse_the_wrong_data_or_model():
  from dljax.train import tasks  # pylint: disable=g-import-not-at-top
  from tests.helpers import load_config  # pylint: disable=g-import-not-at-top
  c = load_config('configs/graphs/karate_gcn.py', 'smoke')
  c.data.name = 'graph_shapes'
  with pytest.raises(ConfigError, match='node classification'):
    tasks.TASKS['node_classification'].load_data(c)
  c = load_config('configs/graphs/graph_pooling.py', 'smoke', **{'model.readout': 'none'})
  with pytest.raises(ConfigError, match='readout'):
    tasks.TASKS['graph_classification'].check_config(c)
  c = load_config('configs/graphs/deepwalk.py', 'smoke', **{'data.q': 0.0})
  with pytest.raises(ConfigError, match='p, q > 0'):
    tasks.TASKS['node_embedding'].check_config(c)


def test_snr_study_runs_are_the_configs_with_the_snr():
  from configs.graphs import deepwalk, sbm_gnn  # pylint: disable=g-import-not-at-top
  from experiments.graphs import sbm_snr  # pylint: disable=g-import-not-at-top
  runs = dict(sbm_snr.runs('cpu', '/unused'))
  assert list(runs)[:2] == ['gcn_snr0.5', 'deepwalk_snr0.5'] and len(runs) == 10
  want = sbm_gnn.get_config('cpu')
  want.name, want.data.snr = 'gcn_snr4', 4.0
  assert runs['gcn_snr4'].to_dict() == want.to_dict()
  want = deepwalk.get_config('cpu')
  want.name, want.data.snr = 'deepwalk_snr8', 8.0
  assert runs['deepwalk_snr8'].to_dict() == want.to_dict()
