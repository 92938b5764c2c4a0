r"""Graph Laplacian facts, spectral clustering, Laplacian eigenmaps and label propagation on the
karate club and on the SBM of configs/graphs/sbm_gnn.py (seed 003 §1.8; no training, no runs).

  python -m experiments.study graphs/spectral --workdir=runs/spectral [--publish]

Table:
  laplacian     on the karate club: smallest eigenvalue of L = D - A (>= 0 up to rounding: PSD, not
                PD as the notes say), the max |row sum|, the number of zero eigenvalues (1) and, on
                the karate club plus a disjoint triangle, 2 (= the components); on a directed 3-cycle
                plus one edge, out-degree = row sums = edges FROM a node, in-degree = column sums
  fiedler       sign of the Fiedler vector vs the clubs: unweighted / weighted (Zachary's
                interaction counts) / Newman's leading modularity eigenvector (REFERENCES.md §9:
                32/34, 33/34, 33/34)
  label_prop    harmonic function from nodes 0 and 33: correct of the 32 others (31 = 96.9 %) and
                accuracy on the 24 test nodes of configs/graphs/karate_gcn.py; on the SBM, from
                the 15 labelled nodes of configs/graphs/sbm_gnn.py, on its 225 test nodes
  eigenmaps     Laplacian eigenmaps (k = classes dims) + logistic regression on the same labelled
                nodes, test accuracy (karate and SBM)
Plots: spectral_karate.png (the Fiedler vector per node, coloured by club; the 2-D eigenmap),
spectral_sbm.png (the SBM's 2-D eigenmap).
"""
import numpy as np

from configs.graphs import karate_gcn, sbm_gnn
from dljax.data import graphs
from dljax.data.datasets import graphs as graph_data
from dljax.eval import graphs as graph_eval
from experiments.tools import study_utils


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset)
  return []


def laplacian_facts() -> dict:
  a, _ = graphs.karate_club()
  lam = np.linalg.eigvalsh(graphs.laplacian(a))
  tri = np.ones((3, 3)) - np.eye(3)
  union = np.block([[a, np.zeros((34, 3))], [np.zeros((3, 34)), tri]])
  directed = np.zeros((3, 3))
  for i, j in ((0, 1), (1, 2), (2, 0), (0, 2)):  # a directed 3-cycle plus the edge 0 -> 2
    directed[i, j] = 1.0
  d_out, d_in = graphs.degrees(directed)
  return {'min_eigenvalue': float(lam.min()),
          'max_abs_row_sum': float(np.abs(graphs.laplacian(a).sum(1)).max()),
          'zero_eigenvalues_karate': graphs.components(a),
          'zero_eigenvalues_karate_plus_triangle': graphs.components(union),
          'directed_out_degree': d_out.tolist(), 'directed_in_degree': d_in.tolist(),
          'directed_L_out_row_sums': graphs.laplacian(directed, 'out').sum(1).tolist(),
          'directed_L_in_column_sums': graphs.laplacian(directed, 'in').sum(0).tolist()}


def _lp_accuracy(a, y, split) -> float:
  f = graphs.label_propagation(a, split['train'], y[split['train']], int(y.max()) + 1)
  return float(np.mean(f.argmax(1)[split['test']] == y[split['test']]))


def _eigenmap_accuracy(a, y, split, dim) -> float:
  emb = graphs.laplacian_eigenmaps(a, dim)
  n = len(y)
  return graph_eval.probe_accuracy(emb, y, graphs.mask_of(split['train'], n),
                                   graphs.mask_of(split['test'], n))


def compute() -> dict:
  a, y = graphs.karate_club()
  aw, _ = graphs.karate_club(weighted=True)
  fied, fied_w = graphs.fiedler_vector(a), graphs.fiedler_vector(aw)
  newman = graphs.modularity_leading_eigenvector(a)
  f = graphs.label_propagation(a, [0, 33], y[[0, 33]], 2)
  others = np.arange(1, 33)
  k_data = karate_gcn.get_config('cpu').data
  _, _, k_split = graph_data.graph_and_split(k_data)
  s_data = sbm_gnn.get_config('cpu').data
  sa, sy, s_split = graph_data.graph_and_split(s_data)
  table = {
      'laplacian': laplacian_facts(),
      'fiedler': {'unweighted_correct': int(round(34 * graphs.sign_split_accuracy(fied, y))),
                  'weighted_correct': int(round(34 * graphs.sign_split_accuracy(fied_w, y))),
                  'newman_correct': int(round(34 * graphs.sign_split_accuracy(newman, y))),
                  'of': 34},
      'label_prop': {'karate_0_33_correct_of_32': int(np.sum(f[others].argmax(1) == y[others])),
                     'karate_0_33_accuracy': float(np.mean(f[others].argmax(1) == y[others])),
                     'karate_test_accuracy': _lp_accuracy(a, y, k_split),
                     'sbm_test_accuracy': _lp_accuracy(sa, sy, s_split)},
      'eigenmaps': {'karate_test_accuracy': _eigenmap_accuracy(a, y, k_split, 2),
                    'sbm_test_accuracy': _eigenmap_accuracy(sa, sy, s_split,
                                                            len(s_data.sizes))},
  }
  arrays = {'karate': (a, y, fied), 'sbm': (sa, sy, s_split)}
  return table, arrays


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  del summaries
  study_utils.check_preset(preset)
  table, arrays = compute()
  plot(arrays, out)
  return table


def plot(arrays: dict, out: str):
  from dljax import viz  # pylint: disable=g-import-not-at-top  (first: selects matplotlib's Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  a, y, fied = arrays['karate']
  fig, axes = plt.subplots(1, 2, figsize=(10, 4))
  axes[0].bar(np.arange(34), fied, color=np.where(y == 0, 'tab:blue', 'tab:red'))
  axes[0].axhline(0, color='k', lw=0.5)
  axes[0].set_xlabel('node')
  axes[0].set_ylabel('Fiedler vector v_2(i)')
  wrong = np.nonzero((fied < 0).astype(int) != y)[0]
  axes[0].set_title(f'sign split vs clubs (blue Mr. Hi, red Officer): wrong {wrong.tolist()}',
                    fontsize=9)
  xy = graphs.laplacian_eigenmaps(a, 2)
  axes[1].scatter(xy[:, 0], xy[:, 1], c=y, cmap='coolwarm', s=30, edgecolors='k', linewidths=0.3)
  for i, (u, v) in enumerate(xy):
    axes[1].annotate(str(i), (u, v), fontsize=6, xytext=(2, 2), textcoords='offset points')
  axes[1].set_title('Laplacian eigenmap (v_2, v_3) of the karate club', fontsize=9)
  viz._write(fig, f'{out}/spectral_karate.png')  # pylint: disable=protected-access
  sa, sy, split = arrays['sbm']
  graph_eval.plot_embeddings(graphs.laplacian_eigenmaps(sa, 2), sy, f'{out}/spectral_sbm.png',
                             'SBM (3 x 100 nodes, snr 3): Laplacian eigenmap (v_2, v_3)',
                             marked=graphs.mask_of(split['train'], len(sy)))
