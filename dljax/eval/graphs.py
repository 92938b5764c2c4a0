"""Node-embedding evaluation and graph plots (dljax.data.graphs arrays).

  probe_accuracy(emb_NxD, y_N, train_mask, eval_mask)   logistic regression (scikit-learn, L2, C=1)
      fitted on the train nodes' embeddings, accuracy on the eval nodes: the notes' "logistic
      regression on graph embeddings" for DeepWalk / Node2Vec / spectral embeddings
  plot_embeddings(emb, y, path, title, marked)          2-D scatter (first two coordinates, or PCA)
  plot_attention(graph, alpha, y, path, title)          GAT coefficients: the α matrix (nodes sorted
      by label) and, for graphs up to 60 nodes, the graph drawn with edge widths ∝ α
"""
import numpy as np


def probe_accuracy(emb_NxD, y_N, train_mask_N, eval_mask_N) -> float:
  from sklearn.linear_model import LogisticRegression  # pylint: disable=g-import-not-at-top
  emb = np.asarray(emb_NxD, np.float64)
  emb = (emb - emb.mean(0)) / (emb.std(0) + 1e-8)
  tr, ev = np.asarray(train_mask_N) > 0, np.asarray(eval_mask_N) > 0
  y = np.asarray(y_N)
  if len(np.unique(y[tr])) < 2:
    return float(np.mean(y[ev] == y[tr][0]))
  clf = LogisticRegression(C=1.0, max_iter=2000).fit(emb[tr], y[tr])
  return float(np.mean(clf.predict(emb[ev]) == y[ev]))


def project_2d(emb_NxD) -> np.ndarray:
  emb = np.asarray(emb_NxD, np.float64)
  if emb.shape[1] <= 2:
    return emb if emb.shape[1] == 2 else np.concatenate([emb, np.zeros_like(emb)], 1)
  c = emb - emb.mean(0)
  _, _, vt = np.linalg.svd(c, full_matrices=False)
  return c @ vt[:2].T


def plot_embeddings(emb_NxD, y_N, path: str, title: str, marked=None) -> str:
  """Nodes in 2-D coloured by label; `marked` nodes (e.g. the labelled ones) circled."""
  from dljax import viz  # pylint: disable=g-import-not-at-top  (first: selects matplotlib's Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  xy = project_2d(emb_NxD)
  y = np.asarray(y_N)
  fig, ax = plt.subplots(figsize=(4.6, 4.2))
  ax.scatter(xy[:, 0], xy[:, 1], c=y, cmap='coolwarm' if y.max() <= 1 else 'tab10', s=28,
             edgecolors='k', linewidths=0.3)
  if marked is not None:
    m = np.asarray(marked) > 0
    ax.scatter(xy[m, 0], xy[m, 1], s=140, facecolors='none', edgecolors='k', linewidths=1.4,
               label='labelled')
    ax.legend(fontsize=8)
  if len(y) <= 40:
    for i, (u, v) in enumerate(xy):
      ax.annotate(str(i), (u, v), fontsize=6, xytext=(2, 2), textcoords='offset points')
  ax.set_title(title, fontsize=9)
  return viz._write(fig, path)  # pylint: disable=protected-access


def attention_matrix(graph: dict, alpha_ExH) -> np.ndarray:
  """[N, N] with entry (i, j) = α_ij (mean over heads) over the edges of Â = A + I."""
  n = len(graph['node_mask'])
  s = np.concatenate([graph['senders'], np.arange(n)])
  r = np.concatenate([graph['receivers'], np.arange(n)])
  m = np.concatenate([graph['edge_mask'], graph['node_mask']]) > 0
  mat = np.zeros((n, n))
  np.add.at(mat, (r[m], s[m]), np.asarray(alpha_ExH).mean(-1)[m])
  return mat


def plot_attention(graph: dict, alpha_ExH, y_N, path: str, title: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  mat = attention_matrix(graph, alpha_ExH)
  order = np.argsort(np.asarray(y_N), kind='stable')
  n = len(order)
  draw = n <= 60
  fig, axes = plt.subplots(1, 2 if draw else 1, figsize=(10 if draw else 5, 4.4), squeeze=False)
  im = axes[0, 0].imshow(mat[np.ix_(order, order)], cmap='viridis')
  axes[0, 0].set_title('α_ij (row i attends to j; nodes sorted by label)', fontsize=8)
  fig.colorbar(im, ax=axes[0, 0], fraction=0.046)
  if draw:
    import networkx as nx  # pylint: disable=g-import-not-at-top
    g = nx.Graph()
    g.add_nodes_from(range(n))
    edges = [(i, j) for i in range(n) for j in range(i + 1, n) if mat[i, j] > 0 or mat[j, i] > 0]
    g.add_edges_from(edges)
    pos = nx.spring_layout(g, seed=0)
    widths = [3.0 * (mat[i, j] + mat[j, i]) for i, j in edges]
    ax = axes[0, 1]
    nx.draw_networkx_edges(g, pos, ax=ax, width=widths, alpha=0.6)
    nx.draw_networkx_nodes(g, pos, ax=ax, node_color=np.asarray(y_N), cmap='coolwarm', node_size=90,
                           edgecolors='k', linewidths=0.3)
    nx.draw_networkx_labels(g, pos, ax=ax, font_size=6)
    ax.set_title('edge width ∝ α_ij + α_ji', fontsize=8)
    ax.axis('off')
  fig.suptitle(title, fontsize=9)
  return viz._write(fig, path)  # pylint: disable=protected-access
