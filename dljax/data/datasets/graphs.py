"""Graph datasets (dljax.data.graphs), made in memory from networkx: kind 'graph'.

  karate_club   Zachary's karate club (networkx, 34 nodes, 78 edges, one-hot features), labels =
                the two clubs after the split. Node classification: train nodes data.train_nodes
                (default (0, 33), the two leaders), validation data.num_val (8) seeded nodes of the
                other 32, test the remaining 24. data.weighted=True: Zachary's interaction counts.
  sbm           a stochastic block model with data.sizes blocks, mean degree data.avg_degree and
                signal-to-noise ratio data.snr (dljax.data.graphs.sbm_probabilities; > 1 is above the
                Kesten-Stigum threshold), drawn with data.graph_seed, one-hot features; train =
                data.per_class nodes of each block, validation data.num_val, test the rest.
  graph_shapes  graph classification: random trees / cycles / cycles with 2 / 4 chords of
                data.min_nodes..data.max_nodes nodes with one-hot degree features, padded; train
                data.num_train graphs, validation data.num_val, test data.num_test (separate seeds).

load(cfg, split) of a node-classification graph gives the whole graph (dljax.data.graphs arrays)
with 'mask' = the split's node mask and 'train_mask'; all splits share the graph (transductive).
The node split is drawn with data.split_seed (fixed by the data, not by the run's seed).
"""
import numpy as np

from dljax.data import graphs, splits
from dljax.errors import DataError

NAMES = ('karate_club', 'sbm', 'graph_shapes')
KIND = 'graph'
NODE_DATASETS = ('karate_club', 'sbm')


def graph_and_split(data_cfg):
  """(adjacency, labels, {'train', 'validation', 'test'} node indices) of a node dataset."""
  name = data_cfg.name
  if name == 'karate_club':
    a, y = graphs.karate_club(data_cfg.get('weighted', False))
    train = tuple(data_cfg.get('train_nodes', (0, 33)))
    split = graphs.node_split(y, 0, data_cfg.get('num_val', 8), data_cfg.get('split_seed', 0),
                              fixed_train=train)
  elif name == 'sbm':
    sizes = tuple(data_cfg.get('sizes', (100, 100, 100)))
    p_in, p_out = graphs.sbm_probabilities(sum(sizes), len(sizes), data_cfg.get('avg_degree', 10.0),
                                           data_cfg.get('snr', 3.0))
    a, y = graphs.sbm(sizes, p_in, p_out, data_cfg.get('graph_seed', 0))
    split = graphs.node_split(y, data_cfg.get('per_class', 5), data_cfg.get('num_val', 60),
                              data_cfg.get('split_seed', 0))
  else:
    raise DataError(f'{name} is not a node-classification graph; use one of {NODE_DATASETS}.')
  return a, y, split


def load(data_cfg, split):
  splits.check_split(data_cfg.name, split)
  if data_cfg.name == 'graph_shapes':
    seed = {'train': 0, 'validation': 1, 'test': 2}[split] + 10 * data_cfg.get('data_seed', 0)
    num = data_cfg.get({'train': 'num_train', 'validation': 'num_val', 'test': 'num_test'}[split],
                       {'train': 600, 'validation': 150, 'test': 300}[split])
    return graphs.shape_graphs(num, data_cfg.get('min_nodes', 8), data_cfg.get('max_nodes', 16),
                               seed)
  a, y, index = graph_and_split(data_cfg)
  g = graphs.to_arrays(a, labels=y)
  g['mask'] = graphs.mask_of(index[split], len(y))
  g['train_mask'] = graphs.mask_of(index['train'], len(y))
  return g


def info(data_cfg):
  name = data_cfg.name
  if name == 'graph_shapes':
    return splits.Info('graph', shape=(graphs.MAX_DEGREE_FEATURE + 1,), num_classes=len(graphs.SHAPE_CLASSES),
                       class_names=graphs.SHAPE_CLASSES, description='graph classification')
  n = 34 if name == 'karate_club' else int(np.sum(data_cfg.get('sizes', (100, 100, 100))))
  k = 2 if name == 'karate_club' else len(data_cfg.get('sizes', (100, 100, 100)))
  return splits.Info('graph', shape=(n,), num_classes=k, description='node classification')
