r"""Graph neural networks on padded arrays (dljax.data.graphs: x, senders, receivers, edge_mask,
node_mask, neighbours, degree), message passing with `jax.ops.segment_sum` (seed 003 §1.8).

With Â = A + I (self-loops) and D̂ = D + I:
  mean GCN     H = σ(D̂⁻¹ Â X W)                   h_i = (x_i + Σ_{j∈N(i)} x_j) / (d_i + 1)  ("N̂X")
  Kipf GCN     H = σ(D̂^{-1/2} Â D̂^{-1/2} X W)     h_i = Σ_{j∈N(i)∪{i}} x_j / sqrt((d_i+1)(d_j+1))
  GraphSAGE    h_i' = σ(W [h_i ‖ AGG_{j∈S(i)} σ(Q h_j)]),  AGG = mean or max over S(i), a sample of
               k neighbours drawn with replacement at every training step (Hamilton et al. 2017; the
               notes' formula is garbled: catalog erratum); evaluation uses the full neighbourhood
  GAT          z_i = W h_i,  e_ij = LeakyReLU_0.2(a_dst·z_i + a_src·z_j),
               α_ij = softmax_{j∈N(i)∪{i}} e_ij,  h_i' = σ(Σ_j α_ij z_j)  per head, heads concatenated
               (the last layer averages them) (Veličković et al. 2018; the notes' "GraphSAT")
  readout      h_G = mean / sum / max_{i∈G} h_i over the real nodes (graph-level pooling)

`GNN` stacks len(hidden) such layers and ends with a linear read-out: logistic regression on the
node embeddings h^L (node classification) or on the pooled h_G (readout != 'none'). Kipf's
karate-club architecture of the notes is layer='kipf', hidden=(4, 2), act='tanh': weights [34, 4]
then [4, 2], then logistic regression on the 2-D embeddings.

A batch of graphs (leading axis G on every array) is processed graph by graph with jax.vmap of the
pure propagation functions; the dense maps (W, Q, a) act on every node at once.
"""
import flax.linen as nn
import jax
import jax.numpy as jnp

from dljax.errors import ConfigError

LAYERS = ('mean', 'kipf', 'sage_mean', 'sage_max', 'gat')
READOUTS = ('none', 'mean', 'sum', 'max')
ACTS = {'relu': nn.relu, 'tanh': jnp.tanh, 'elu': nn.elu, 'identity': lambda v: v}


def _batched(g, fn, *args):
  """fn on one graph or vmapped over the leading graph axis of a batch (node_mask [G, N])."""
  return jax.vmap(fn)(*args) if g['node_mask'].ndim == 2 else fn(*args)


def degree(graph_or_receivers, edge_mask_E=None, num_nodes=None):
  """d_i = Σ_{e: receivers[e] = i} edge_mask[e]: the number of neighbours sending into node i."""
  if isinstance(graph_or_receivers, dict):
    g = graph_or_receivers
    return degree(g['receivers'], g['edge_mask'], g['x'].shape[-2])
  return jax.ops.segment_sum(edge_mask_E, graph_or_receivers, num_nodes)


def propagate_sum(x_NxF, senders_E, receivers_E, coef_E):
  """m_i = Σ_{e: j -> i} coef_e x_j  (= (C ⊙ A)^T X with the edge coefficients as a matrix)."""
  return jax.ops.segment_sum(coef_E[:, None] * x_NxF[senders_E], receivers_E, x_NxF.shape[0])


def mean_propagate(x_NxF, senders_E, receivers_E, edge_mask_E):
  """D̂⁻¹ Â X: the mean of x over the node and its neighbours."""
  d_hat_N = 1.0 + degree(receivers_E, edge_mask_E, x_NxF.shape[0])
  return (x_NxF + propagate_sum(x_NxF, senders_E, receivers_E, edge_mask_E)) / d_hat_N[:, None]


def kipf_propagate(x_NxF, senders_E, receivers_E, edge_mask_E):
  """D̂^{-1/2} Â D̂^{-1/2} X: self term x_i / d̂_i plus Σ_j x_j / sqrt(d̂_i d̂_j)."""
  s_N = jax.lax.rsqrt(1.0 + degree(receivers_E, edge_mask_E, x_NxF.shape[0]))
  coef_E = edge_mask_E * s_N[senders_E] * s_N[receivers_E]
  return s_N[:, None] ** 2 * x_NxF + propagate_sum(x_NxF, senders_E, receivers_E, coef_E)


def segment_aggregate(m_NxF, senders_E, receivers_E, edge_mask_E, how: str):
  """Mean or max of m_j over the neighbours j of every node (0 for a node without neighbours)."""
  n = m_NxF.shape[0]
  if how == 'mean':
    d_N = degree(receivers_E, edge_mask_E, n)
    return propagate_sum(m_NxF, senders_E, receivers_E, edge_mask_E) / jnp.maximum(d_N, 1.0)[:, None]
  msg_ExF = jnp.where(edge_mask_E[:, None] > 0, m_NxF[senders_E], -jnp.inf)
  out = jax.ops.segment_max(msg_ExF, receivers_E, n)
  return jnp.where(jnp.isfinite(out), out, 0.0)


def sample_neighbours(rng, degree_N, num_slots: int, k: int):
  """[N, k] slot indices into each node's neighbour list, uniform with replacement (GraphSAGE)."""
  u_NxK = jax.random.uniform(rng, (degree_N.shape[0], k))
  return jnp.minimum(jnp.floor(u_NxK * degree_N[:, None]).astype(jnp.int32), num_slots - 1)


def sampled_aggregate(m_NxF, neighbours_NxD, degree_N, slots_NxK, how: str):
  """Mean or max of m_j over the sampled neighbours S(i) (0 for a node without neighbours)."""
  j_NxK = jnp.take_along_axis(neighbours_NxD, slots_NxK, axis=1)
  m_NxKxF = m_NxF[j_NxK]
  agg = m_NxKxF.mean(axis=1) if how == 'mean' else m_NxKxF.max(axis=1)
  return jnp.where(degree_N[:, None] > 0, agg, 0.0)


def segment_softmax(logits_ExH, receivers_E, mask_E, num_nodes: int):
  """α_e = exp(l_e) / Σ_{e': receivers[e'] = receivers[e]} exp(l_e') over the real edges."""
  logits_ExH = jnp.where(mask_E[:, None] > 0, logits_ExH, -jnp.inf)
  top_NxH = jax.ops.segment_max(logits_ExH, receivers_E, num_nodes)
  top_NxH = jnp.where(jnp.isfinite(top_NxH), top_NxH, 0.0)
  w_ExH = jnp.exp(logits_ExH - jax.lax.stop_gradient(top_NxH)[receivers_E]) * mask_E[:, None]
  z_NxH = jax.ops.segment_sum(w_ExH, receivers_E, num_nodes)
  return w_ExH / jnp.maximum(z_NxH[receivers_E], 1e-30)


def with_self_loops(senders_E, receivers_E, edge_mask_E, node_mask_N):
  """The edge list of Â = A + I: the edges, then i -> i for every real node."""
  loops = jnp.arange(node_mask_N.shape[0], dtype=senders_E.dtype)
  return (jnp.concatenate([senders_E, loops]), jnp.concatenate([receivers_E, loops]),
          jnp.concatenate([edge_mask_E, node_mask_N]))


def gat_attention(e_dst_NxH, e_src_NxH, senders_E, receivers_E, edge_mask_E, node_mask_N):
  """α over the edges of Â (edges then self-loops): [E + N, H]."""
  s, r, m = with_self_loops(senders_E, receivers_E, edge_mask_E, node_mask_N)
  logits = nn.leaky_relu(e_dst_NxH[r] + e_src_NxH[s], negative_slope=0.2)
  return segment_softmax(logits, r, m, e_dst_NxH.shape[0])


def gat_propagate(z_NxHxF, alpha_ExH, senders_E, receivers_E, edge_mask_E, node_mask_N):
  s, r, _ = with_self_loops(senders_E, receivers_E, edge_mask_E, node_mask_N)
  return jax.ops.segment_sum(alpha_ExH[..., None] * z_NxHxF[s], r, z_NxHxF.shape[0])


def readout(h_NxF, node_mask_N, how: str):
  """h_G: mean, sum or max of h_i over the real nodes (the last axis but one)."""
  m = node_mask_N[..., None]
  if how == 'sum':
    return (h_NxF * m).sum(-2)
  if how == 'mean':
    return (h_NxF * m).sum(-2) / jnp.maximum(m.sum(-2), 1.0)
  if how == 'max':
    return jnp.where(m > 0, h_NxF, -jnp.inf).max(-2)
  raise ConfigError(f'readout {how!r} is unknown; use one of {READOUTS[1:]}.')


class GCNLayer(nn.Module):
  """H' = D̂⁻¹ Â X W (norm='mean') or D̂^{-1/2} Â D̂^{-1/2} X W (norm='kipf'), before σ."""
  features: int
  norm: str = 'kipf'

  @nn.compact
  def __call__(self, x_NxF, g):
    xw = nn.Dense(self.features, name='w')(x_NxF)   # X W first: fewer columns to propagate
    fn = mean_propagate if self.norm == 'mean' else kipf_propagate
    return _batched(g, fn, xw, g['senders'], g['receivers'], g['edge_mask'])


class SAGELayer(nn.Module):
  """h_i' = W [h_i ‖ AGG_{j∈S(i)} σ(Q h_j)], before σ; S(i) sampled when sample_size > 0 and
  training (the 'sample' rng stream), else all neighbours."""
  features: int
  aggregator: str = 'mean'
  sample_size: int = 0

  @nn.compact
  def __call__(self, h_NxF, g, train: bool = False):
    m = nn.relu(nn.Dense(self.features, name='q')(h_NxF))          # σ(Q h_j)
    if train and self.sample_size:
      if 'neighbours' not in g:
        raise ConfigError('GraphSAGE sampling (model.sample_size > 0) needs the neighbour table '
                          "'neighbours' in the graph; set --config.model.sample_size=0.")
      rng = self.make_rng('sample')
      slots = sample_neighbours(rng, g['degree'].reshape(-1), g['neighbours'].shape[-1],
                                self.sample_size).reshape(g['degree'].shape + (self.sample_size,))
      agg = _batched(g, lambda a, b, c, d: sampled_aggregate(a, b, c, d, self.aggregator), m,
                     g['neighbours'], g['degree'], slots)
    else:
      agg = _batched(g, lambda a, b, c, d: segment_aggregate(a, b, c, d, self.aggregator), m,
                     g['senders'], g['receivers'], g['edge_mask'])
    return nn.Dense(self.features, name='w')(jnp.concatenate([h_NxF, agg], -1))  # W [h_i ‖ agg]


class GATLayer(nn.Module):
  """Per head: z = W h, α = softmax_j LeakyReLU(a_dst·z_i + a_src·z_j), h_i' = Σ_j α_ij z_j
  (before σ); heads concatenated (concat=True) or averaged. Returns (h', α [.., E + N, H])."""
  features: int
  heads: int = 1
  concat: bool = True

  @nn.compact
  def __call__(self, h_NxF, g):
    z = nn.Dense(self.heads * self.features, use_bias=False, name='w')(h_NxF)
    z_NxHxF = z.reshape(z.shape[:-1] + (self.heads, self.features))
    init = nn.initializers.glorot_uniform()
    a_src_HxF = self.param('a_src', init, (self.heads, self.features))
    a_dst_HxF = self.param('a_dst', init, (self.heads, self.features))
    e_src = jnp.einsum('...hf,hf->...h', z_NxHxF, a_src_HxF)
    e_dst = jnp.einsum('...hf,hf->...h', z_NxHxF, a_dst_HxF)
    edges = (g['senders'], g['receivers'], g['edge_mask'], g['node_mask'])
    alpha = _batched(g, gat_attention, e_dst, e_src, *edges)
    out = _batched(g, gat_propagate, z_NxHxF, alpha, *edges)
    out = out.reshape(out.shape[:-2] + (-1,)) if self.concat else out.mean(-2)
    bias = self.param('bias', nn.initializers.zeros, (out.shape[-1],))
    return out + bias.reshape((1,) * (out.ndim - 1) + (-1,)), alpha


class GNN(nn.Module):
  """len(hidden) graph layers of one kind (LAYERS), each followed by act (and dropout), then a
  linear read-out of the node embeddings (logistic regression) or of the pooled graph embedding.

  __call__(graph, train) -> (logits [.., N, C] or [G, C], aux) with aux['embeddings'] = h^L and,
  for GAT, aux['attention'] = the α of every layer ([.., E + N, heads]; edges then self-loops)."""
  num_classes: int
  hidden: tuple = (16,)
  layer: str = 'kipf'
  act: str = 'relu'
  dropout: float = 0.0
  heads: int = 1
  sample_size: int = 0
  readout: str = 'none'

  def __post_init__(self):
    if self.layer not in LAYERS:
      raise ConfigError(f'model.layer={self.layer!r} is unknown; use one of {LAYERS}.')
    if self.readout not in READOUTS:
      raise ConfigError(f'model.readout={self.readout!r} is unknown; use one of {READOUTS}.')
    if self.act not in ACTS:
      raise ConfigError(f'model.act={self.act!r} is unknown; use one of {sorted(ACTS)}.')
    if not self.hidden:
      raise ConfigError('model.hidden is empty; give at least one graph layer, e.g. (16,).')
    super().__post_init__()

  @nn.compact
  def __call__(self, g, train: bool = False):
    act = ACTS[self.act]
    h = g['x']
    attention = []
    for i, width in enumerate(self.hidden):
      h = nn.Dropout(self.dropout, deterministic=not train)(h) if self.dropout else h
      if self.layer in ('mean', 'kipf'):
        h = GCNLayer(width, self.layer, name=f'layer{i}')(h, g)
      elif self.layer.startswith('sage'):
        h = SAGELayer(width, self.layer[5:], self.sample_size, name=f'layer{i}')(h, g, train)
      else:
        last = i == len(self.hidden) - 1
        h, alpha = GATLayer(width, self.heads, concat=not last, name=f'layer{i}')(h, g)
        attention.append(alpha)
      h = act(h)
    aux = {'embeddings': h}
    if attention:
      aux['attention'] = attention
    if self.readout != 'none':
      h = readout(h, g['node_mask'], self.readout)
      aux['graph_embeddings'] = h
    logits = nn.Dense(self.num_classes, name='logistic')(h)
    return logits, aux
