r"""Graphs as padded arrays (no jraph): the karate club, stochastic block models, small generated
graphs for graph classification, the graph Laplacian, spectral methods, label propagation and
DeepWalk / Node2Vec random walks. Everything here is numpy on the host; the message passing on
these arrays is in dljax.models.gnn (`jax.ops.segment_sum`).

A graph is a dict of arrays (one graph; a batch of graphs has a leading axis G):
  x          float32 [N, F]   node features (one-hot identity features: F = N)
  senders    int32 [E]        edge e goes senders[e] -> receivers[e]; an undirected edge is stored
  receivers  int32 [E]        in both directions; padding edges have edge_mask 0 (they point at 0)
  edge_mask  float32 [E]
  weights    float32 [E]      edge weights (1 for an unweighted graph, 0 on padding)
  node_mask  float32 [N]      1 for a real node, 0 for padding
  neighbours int32 [N, Dmax]  padded neighbour lists (GraphSAGE's neighbourhood sampling)
  degree     int32 [N]        number of neighbours (the real part of each neighbours row)
  y          int32 [N]        node labels (node classification) or [] graph label
Node classification adds the split's node mask `mask` [N] (train / validation / test nodes).

Graph facts (seed 003 §1.8, with the catalog's errata):
  A_ij = 1 for an edge i -> j; out-degree d_out(i) = sum_j A_ij = the number of edges FROM i, in-degree
  d_in(j) = sum_i A_ij = the number of edges TO j (the notes have the two swapped).
  L = D - A (D = diag(d_out)) has zero row sums; for an undirected graph it is symmetric and positive
  SEMI-definite (x^T L x = 1/2 sum_ij A_ij (x_i - x_j)^2 >= 0; the notes say "positive definite"),
  and the multiplicity of its eigenvalue 0 is the number of connected components.

Spectral methods: the Fiedler vector (eigenvector of the second-smallest eigenvalue of L) splits the
graph by its sign; Laplacian eigenmaps embed node i as (v_2(i), ..., v_{k+1}(i)), the minimiser of
tr(P^T L P) with P^T P = I and P^T 1 = 0. Label propagation (Zhu, Ghahramani & Lafferty 2003): the
harmonic function f_U = (D_UU - A_UU)^{-1} A_UL f_L, one column per class, argmax.

Random walks: DeepWalk (Perozzi et al. 2014) steps to a uniform neighbour; Node2Vec (Grover &
Leskovec 2016) steps from v (having come from t) to x with unnormalised probability
  alpha_pq(t, x) * w_vx,   alpha = 1/p if x = t,  1 if x is a neighbour of t,  1/q otherwise
(p: return parameter, q: in-out parameter; p = q = 1 is DeepWalk).
"""
import networkx as nx
import numpy as np

from dljax.errors import DataError

KARATE_CLUBS = ('Mr. Hi', 'Officer')


# --- graph construction --------------------------------------------------------------------------


def karate_club(weighted: bool = False):
  """(adjacency [34, 34] float64, labels [34] int32: 0 = Mr. Hi's club, 1 = the Officer's).

  networkx's Zachary karate club (34 nodes, 78 edges, `club` attribute); weighted=True uses the
  interaction counts of Zachary's second matrix (networkx's `weight` attribute)."""
  g = nx.karate_club_graph()
  a = nx.to_numpy_array(g, nodelist=range(34), weight='weight' if weighted else None)
  y = np.array([KARATE_CLUBS.index(g.nodes[i]['club']) for i in range(34)], np.int32)
  return a, y


def sbm(sizes, p_in: float, p_out: float, seed: int):
  """(adjacency [N, N], labels [N]) of a stochastic block model: an edge inside a block with
  probability p_in, between blocks with p_out (networkx.stochastic_block_model, seeded)."""
  k = len(sizes)
  probs = [[p_in if i == j else p_out for j in range(k)] for i in range(k)]
  g = nx.stochastic_block_model(list(sizes), probs, seed=seed)
  a = nx.to_numpy_array(g, nodelist=range(sum(sizes)))
  y = np.repeat(np.arange(k), sizes).astype(np.int32)
  return a, y


def sbm_probabilities(n: int, k: int, avg_degree: float, snr: float):
  """(p_in, p_out) of a k-block SBM with n nodes, mean degree c and signal-to-noise ratio
  snr = (c_in - c_out)^2 / (k (c_in + (k - 1) c_out)) (c = n p): snr > 1 is above the
  Kesten-Stigum threshold, where spectral methods start to beat chance (Decelle et al. 2011)."""
  # c = (c_in + (k-1) c_out) / k;  c_in - c_out = sqrt(snr k c k) = k sqrt(snr c)
  delta = k * np.sqrt(snr * avg_degree)
  c_out = avg_degree - delta / k
  c_in = c_out + delta
  if c_out < 0:
    raise DataError(f'snr={snr} is too large for mean degree {avg_degree} with {k} blocks; lower it.')
  return c_in / n, c_out / n


def check_edges(senders, receivers, num_nodes: int):
  """Raises DataError for node indices outside [0, num_nodes)."""
  for name, idx in (('senders', senders), ('receivers', receivers)):
    idx = np.asarray(idx)
    if idx.size and (idx.min() < 0 or idx.max() >= num_nodes):
      raise DataError(f'{name} hold node index {int(idx.min() if idx.min() < 0 else idx.max())} '
                      f'outside [0, {num_nodes}); fix the edge list or num_nodes.')


def to_arrays(adjacency, features=None, labels=None, max_nodes: int = 0, max_edges: int = 0,
              max_degree: int = 0) -> dict:
  """The padded-array form of a graph (module docstring) from a dense adjacency (A_ij: edge i -> j
  with weight A_ij). features default to one-hot identity features; max_* pad (0: no padding)."""
  a = np.asarray(adjacency, np.float64)
  n = a.shape[0]
  nn_ = max(max_nodes, n)
  senders, receivers = np.nonzero(a)
  e = len(senders)
  ne = max(max_edges, e)
  if n > nn_ or e > ne:
    raise DataError(f'a graph of {n} nodes / {e} edges does not fit max_nodes={max_nodes} / '
                    f'max_edges={max_edges}.')
  out = {'senders': np.zeros(ne, np.int32), 'receivers': np.zeros(ne, np.int32),
         'edge_mask': np.zeros(ne, np.float32), 'weights': np.zeros(ne, np.float32),
         'node_mask': np.zeros(nn_, np.float32)}
  out['senders'][:e], out['receivers'][:e] = senders, receivers
  out['edge_mask'][:e] = 1.0
  out['weights'][:e] = a[senders, receivers]
  out['node_mask'][:n] = 1.0
  x = np.eye(n, dtype=np.float32) if features is None else np.asarray(features, np.float32)
  out['x'] = np.zeros((nn_,) + x.shape[1:], np.float32)
  out['x'][:n] = x
  # neighbours of i: the senders of the edges into i (= the receivers of edges out of i if symmetric)
  deg = np.array([np.count_nonzero(a[:, i]) for i in range(n)] + [0] * (nn_ - n), np.int32)
  dmax = max(max_degree, int(deg.max()) if len(deg) else 1, 1)
  nbr = np.zeros((nn_, dmax), np.int32)
  for i in range(n):
    js = np.nonzero(a[:, i])[0]
    nbr[i, :len(js)] = js
  out['neighbours'], out['degree'] = nbr, deg
  if labels is not None:
    out['y'] = np.asarray(labels, np.int32)
  return out


def dense_adjacency(graph: dict) -> np.ndarray:
  """A [N, N] with A_ij = weight of the edge i -> j (inverse of to_arrays; padding dropped)."""
  n = len(graph['node_mask'])
  a = np.zeros((n, n))
  m = graph['edge_mask'] > 0
  np.add.at(a, (graph['senders'][m], graph['receivers'][m]), graph['weights'][m])
  return a


# --- Laplacian and spectral methods ---------------------------------------------------------------


def degrees(adjacency):
  """(out-degree [N] = row sums: edges FROM each node, in-degree [N] = column sums: edges TO it)."""
  a = np.asarray(adjacency, np.float64)
  return a.sum(axis=1), a.sum(axis=0)


def laplacian(adjacency, degree: str = 'out'):
  """L = D - A with D = diag(out-degree) (zero row sums) or diag(in-degree) (zero column sums)."""
  d_out, d_in = degrees(adjacency)
  d = {'out': d_out, 'in': d_in}[degree]
  return np.diag(d) - np.asarray(adjacency, np.float64)


def components(adjacency, tol: float = 1e-8) -> int:
  """The multiplicity of eigenvalue 0 of L of an undirected graph = its connected components."""
  lam = np.linalg.eigvalsh(laplacian(adjacency))
  return int(np.sum(np.abs(lam) < tol * max(1.0, np.abs(lam).max())))


def _check_connected(adjacency, method: str):
  if components(adjacency) != 1:
    raise DataError(f'{method} needs a connected graph (its Laplacian has {components(adjacency)} '
                    'zero eigenvalues); run it on each connected component.')


def fiedler_vector(adjacency):
  """The eigenvector of L's second-smallest eigenvalue (sign fixed: node 0 positive)."""
  _check_connected(adjacency, 'the Fiedler vector')
  _, v = np.linalg.eigh(laplacian(adjacency))
  f = v[:, 1]
  return f if f[0] >= 0 else -f


def laplacian_eigenmaps(adjacency, dim: int = 2, normalised: bool = False):
  """N x dim embedding P = eigenvectors 2..dim+1 of L (min tr(P^T L P), P^T P = I, P^T 1 = 0); with
  normalised=True those of the generalised problem L v = lambda D v (Belkin & Niyogi 2003)."""
  _check_connected(adjacency, 'Laplacian eigenmaps')
  lap = laplacian(adjacency)
  if normalised:
    d = np.asarray(adjacency).sum(1)
    s = 1.0 / np.sqrt(d)
    _, v = np.linalg.eigh(s[:, None] * lap * s[None, :])
    return (s[:, None] * v)[:, 1:dim + 1]
  _, v = np.linalg.eigh(lap)
  return v[:, 1:dim + 1]


def modularity_leading_eigenvector(adjacency):
  """Newman (2006): the leading eigenvector of B = A - d d^T / (2m)."""
  a = np.asarray(adjacency, np.float64)
  d = a.sum(1)
  _, v = np.linalg.eigh(a - np.outer(d, d) / d.sum())
  f = v[:, -1]
  return f if f[0] >= 0 else -f


def sign_split_accuracy(vector, labels) -> float:
  """Fraction of nodes whose sign class (vector >= 0) matches labels, under the better of the two
  namings of the two sides."""
  pred = (np.asarray(vector) < 0).astype(int)
  acc = float(np.mean(pred == np.asarray(labels)))
  return max(acc, 1.0 - acc)


def label_propagation(adjacency, labelled, labels_L, num_classes: int):
  """Harmonic function (Zhu et al. 2003): scores [N, C] with f_L = one-hot labels and
  f_U = (D_UU - A_UU)^{-1} A_UL f_L (each unlabelled node the weighted mean of its neighbours)."""
  a = np.asarray(adjacency, np.float64)
  n = a.shape[0]
  labelled = np.asarray(labelled)
  unl = np.setdiff1d(np.arange(n), labelled)
  f = np.zeros((n, num_classes))
  f[labelled, np.asarray(labels_L)] = 1.0
  lap = laplacian(a)
  try:
    f[unl] = np.linalg.solve(lap[np.ix_(unl, unl)], a[np.ix_(unl, labelled)] @ f[labelled])
  except np.linalg.LinAlgError as e:
    raise DataError('label propagation needs every connected component to hold a labelled node.'
                    ) from e
  return f


# --- splits ----------------------------------------------------------------------------------------


def node_split(labels, per_class: int, num_val: int, seed: int, fixed_train=None) -> dict:
  """{'train', 'validation', 'test'}: node-index arrays. train = `fixed_train` or `per_class`
  random nodes of each class; validation = num_val of the rest; test = everything else."""
  y = np.asarray(labels)
  rng = np.random.default_rng([seed, 16])
  if fixed_train is not None:
    train = np.asarray(fixed_train)
  else:
    train = np.concatenate([rng.choice(np.nonzero(y == c)[0], per_class, replace=False)
                            for c in np.unique(y)])
  rest = rng.permutation(np.setdiff1d(np.arange(len(y)), train))
  if not 0 < num_val < len(rest):
    raise DataError(f'cannot hold out {num_val} validation nodes of the {len(rest)} unlabelled ones.')
  return {'train': np.sort(train), 'validation': np.sort(rest[:num_val]),
          'test': np.sort(rest[num_val:])}


def mask_of(index, n: int) -> np.ndarray:
  m = np.zeros(n, np.float32)
  m[np.asarray(index)] = 1.0
  return m


# --- random walks -----------------------------------------------------------------------------------


def node2vec_transition(adjacency, prev: int, cur: int, p: float, q: float) -> np.ndarray:
  """P(next = x | cur, prev) [N] of Node2Vec's second-order walk (prev < 0: first step, ∝ w_cur,x)."""
  a = np.asarray(adjacency, np.float64)
  w = a[cur].copy()
  if prev >= 0:
    alpha = np.where(a[prev] > 0, 1.0, 1.0 / q)
    alpha[prev] = 1.0 / p
    w = w * alpha
  return w / w.sum()


def random_walks(graph: dict, num_walks: int, length: int, p: float = 1.0, q: float = 1.0,
                 seed: int = 0) -> np.ndarray:
  """[num_walks * N, length] int32 walks, `num_walks` from every node (gamma walks per node of
  length t), all walks advanced together (vectorised numpy). p = q = 1: DeepWalk's uniform walks
  (weighted by the edge weights); otherwise Node2Vec's biased walks (module docstring)."""
  if p <= 0 or q <= 0:
    raise DataError(f'node2vec p={p}, q={q}: both must be > 0.')
  nbr, deg = graph['neighbours'], graph['degree']
  n = int(graph['node_mask'].sum())
  if np.any(deg[:n] == 0):
    raise DataError('random walks need every node to have a neighbour (an isolated node cannot '
                    'step); remove isolated nodes.')
  a = dense_adjacency(graph)
  w_nbr = np.take_along_axis(a.T, nbr, axis=1) * (np.arange(nbr.shape[1])[None] < deg[:, None])
  rng = np.random.default_rng([seed, 2016])
  walks = np.zeros((num_walks * n, length), np.int32)
  walks[:, 0] = np.tile(np.arange(n), num_walks)
  prev = np.full(len(walks), -1)
  for t in range(1, length):
    cur = walks[:, t - 1]
    cand, w = nbr[cur], w_nbr[cur].copy()                              # [W, Dmax]
    if (p != 1.0 or q != 1.0) and t > 1:
      back = cand == prev[:, None]
      near = a[prev[:, None], cand] > 0
      w *= np.where(back, 1.0 / p, np.where(near, 1.0, 1.0 / q))
    c = np.cumsum(w, axis=1)
    u = rng.random(len(walks))[:, None] * c[:, -1:]
    pick = np.minimum((c <= u).sum(axis=1), nbr.shape[1] - 1)
    walks[:, t] = cand[np.arange(len(walks)), pick]
    prev = cur
  return walks


def skipgram_pairs(walks, window: int) -> dict:
  """{'center', 'context'} int32: every ordered pair at distance 1..window inside a walk."""
  centers, contexts = [], []
  for d in range(1, window + 1):
    centers += [walks[:, :-d].ravel(), walks[:, d:].ravel()]
    contexts += [walks[:, d:].ravel(), walks[:, :-d].ravel()]
  return {'center': np.concatenate(centers).astype(np.int32),
          'context': np.concatenate(contexts).astype(np.int32)}


# --- graph classification ----------------------------------------------------------------------------

SHAPE_CLASSES = ('tree', 'cycle', 'cycle_2_chords', 'cycle_4_chords')
MAX_DEGREE_FEATURE = 5


def shape_graph(kind: str, n: int, rng) -> np.ndarray:
  """A random tree, a cycle, or a cycle with 2 or 4 random chords, on n nodes (relabelled at random)."""
  if kind == 'tree':
    g = nx.random_labeled_tree(n, seed=int(rng.integers(2 ** 31)))
  elif kind.startswith('cycle'):
    g = nx.cycle_graph(n)
    chords = 0 if kind == 'cycle' else int(kind.split('_')[1])
    while g.number_of_edges() < n + chords:
      i, j = (int(v) for v in rng.choice(n, 2, replace=False))
      if not g.has_edge(i, j):
        g.add_edge(i, j)
  else:
    raise DataError(f'graph kind {kind!r} is unknown; use one of {SHAPE_CLASSES}.')
  perm = rng.permutation(n)
  a = nx.to_numpy_array(g, nodelist=range(n))
  return a[np.ix_(perm, perm)]


def degree_features(adjacency) -> np.ndarray:
  """[N, MAX_DEGREE_FEATURE + 1] one-hot of min(degree, MAX_DEGREE_FEATURE)."""
  d = np.minimum(np.asarray(adjacency).sum(1).astype(int), MAX_DEGREE_FEATURE)
  return np.eye(MAX_DEGREE_FEATURE + 1, dtype=np.float32)[d]


def shape_graphs(num: int, min_nodes: int, max_nodes: int, seed: int) -> dict:
  """`num` padded graphs (module docstring, leading axis G) of the SHAPE_CLASSES in turn, with
  one-hot degree features and y the class. The classes differ in how many nodes of each degree
  they have: a tree has leaves, a cycle only degree 2, chords add 2 or 4 endpoints of degree >= 3,
  so the COUNT of such nodes (sum readout) separates 2 from 4 chords, their fraction (mean) only
  partly (4 of 16 nodes = 2 of 8), their presence (max) not at all."""
  rng = np.random.default_rng([seed, 9])
  max_edges = 2 * (max_nodes + 4)
  items = []
  for i in range(num):
    c = i % len(SHAPE_CLASSES)
    n = int(rng.integers(min_nodes, max_nodes + 1))
    a = shape_graph(SHAPE_CLASSES[c], n, rng)
    g = to_arrays(a, degree_features(a), None, max_nodes, max_edges, max_degree=max_nodes)
    g['y'] = np.int32(c)
    items.append(g)
  return {k: np.stack([g[k] for g in items]) for k in items[0]}
