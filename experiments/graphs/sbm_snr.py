r"""Semi-supervised node classification on stochastic block models across the Kesten-Stigum
threshold: GCN vs DeepWalk + logistic regression vs Laplacian eigenmaps + logistic regression vs
label propagation, all from the same 15 labelled nodes (5 per block), on one plot.

  python -m experiments.study graphs/sbm_snr --workdir=runs/sbm_snr [--seeds=3] [--publish]

The graph of configs/graphs/sbm_gnn.py (3 x 100 nodes, mean degree 10) at signal-to-noise ratios
snr = (c_in - c_out)^2 / (k (c_in + (k-1) c_out)) in SNRS; snr = 1 is the Kesten-Stigum threshold
below which no method beats chance on a large graph (Decelle et al. 2011), above it spectral methods
recover the blocks. Runs: gcn_snr<s> (configs/graphs/sbm_gnn.py, Kipf GCN) and deepwalk_snr<s>
(configs/graphs/deepwalk.py) per snr; the report adds label propagation and eigenmaps (no training,
deterministic) and plots sbm_snr.png: test accuracy against snr, chance at 1/3, the threshold at 1.
cpu: 5 snr values x 2 runs (about 10-20 s each on 2 cores); smoke: 1 snr value, 3-step runs.
"""
import numpy as np

from configs.graphs import deepwalk, sbm_gnn
from dljax.data import graphs
from dljax.data.datasets import graphs as graph_data
from dljax.eval import graphs as graph_eval
from experiments.tools import study_utils

SEEDS = 3
SNRS = {'smoke': (3.0,), 'cpu': (0.5, 1.0, 2.0, 4.0, 8.0)}


def _name(method, snr):
  return f'{method}_snr{snr:g}'


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset)
  for snr in SNRS[preset]:
    for method, module in (('gcn', sbm_gnn), ('deepwalk', deepwalk)):
      config = module.get_config(preset)
      config.name = _name(method, snr)
      config.data.snr = snr
      yield config.name, config


def baselines(snr: float) -> dict:
  """Label propagation and eigenmaps + logistic regression on the test nodes at this snr."""
  data = sbm_gnn.get_config('cpu').data
  data.snr = snr
  a, y, split = graph_data.graph_and_split(data)
  n = len(y)
  f = graphs.label_propagation(a, split['train'], y[split['train']], 3)
  out = {'label_propagation': float(np.mean(f.argmax(1)[split['test']] == y[split['test']]))}
  if graphs.components(a) == 1:
    out['eigenmaps'] = graph_eval.probe_accuracy(
        graphs.laplacian_eigenmaps(a, 3), y, graphs.mask_of(split['train'], n),
        graphs.mask_of(split['test'], n))
  return out


def _acc(summary):
  seeds = summary.get('seeds', [summary])
  vals = [s['final']['test/accuracy'] for s in seeds]
  return float(np.mean(vals)), float(np.std(vals, ddof=1)) if len(vals) > 1 else 0.0


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  study_utils.check_preset(preset)
  table = {}
  for snr in SNRS[preset]:
    row = baselines(snr)
    for method in ('gcn', 'deepwalk'):
      s = summaries.get(_name(method, snr))
      if s is not None:
        row[method], row[method + '_std'] = _acc(s)
    table[f'{snr:g}'] = row
  plot(table, f'{out}/sbm_snr.png')
  return table


def plot(table: dict, path: str):
  from dljax import viz  # pylint: disable=g-import-not-at-top  (first: selects matplotlib's Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  snrs = [float(s) for s in table]
  fig, ax = plt.subplots(figsize=(6, 4))
  for method, style in (('gcn', 'o-'), ('deepwalk', 's-'), ('eigenmaps', '^--'),
                        ('label_propagation', 'v:')):
    ys = [table[k].get(method, np.nan) for k in table]
    err = [table[k].get(method + '_std', 0.0) for k in table]
    ax.errorbar(snrs, ys, yerr=err, fmt=style, capsize=3, label=method)
  ax.axhline(1 / 3, color='grey', lw=0.8, ls='--', label='chance')
  ax.axvline(1.0, color='k', lw=0.8, label='Kesten-Stigum snr = 1')
  ax.set_xscale('log')
  ax.set_xlabel('signal-to-noise ratio (c_in - c_out)^2 / (k (c_in + (k-1) c_out))')
  ax.set_ylabel('test accuracy (15 labelled nodes)')
  ax.set_title('SBM 3 x 100, mean degree 10', fontsize=9)
  ax.legend(fontsize=8)
  return viz._write(fig, path)  # pylint: disable=protected-access
