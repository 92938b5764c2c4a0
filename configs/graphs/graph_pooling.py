r"""Graph classification with a readout (seed 003 §1.8, "CNN-inspired graph pooling"): random
trees vs cycles vs cycles with 2 vs 4 random chords, 8-16 nodes, one-hot degree features; two Kipf
GCN layers of 32 (ReLU), then h_G = mean_i h_i (model.readout; VARIANTS sum and max), then
logistic regression on h_G (task graph_classification).

  python -m experiments.train --config=configs/graphs/graph_pooling.py:cpu --workdir=runs/pool_mean

600 / 150 / 300 generated train / validation / test graphs (separate seeds), batch 32, Adam 1e-2,
600 steps. 2 vs 4 chords is a COUNT of degree->=3 nodes (a sum readout of the input features would
see it, a mean only partly: 4 of 16 nodes = 2 of 8, a max not at all); after two message-passing
layers every readout solves it (measured: about 98 % each), the layers encode the local structure.
"""
from configs import common

_REF = common.reference('test/accuracy', (0.9, 1.0),
                        source='expectation: the classes differ in their degree histograms, '
                        'which two GCN layers and any readout see')
VARIANTS = {'sum': ({'model.readout': 'sum'}, _REF), 'max': ({'model.readout': 'max'}, _REF)}


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='graph_pooling', task='graph_classification')
  config.data.name = 'graph_shapes'
  config.data.num_train = {'smoke': 64, 'cpu': 600, 'full': 600}[preset]
  config.data.num_val = {'smoke': 30, 'cpu': 150, 'full': 150}[preset]
  config.data.num_test = {'smoke': 30, 'cpu': 300, 'full': 300}[preset]
  config.data.min_nodes = 8
  config.data.max_nodes = 16
  config.model.name = 'gnn'
  config.model.num_classes = 4
  config.model.layer = 'kipf'
  config.model.hidden = (32, 32)
  config.model.act = 'relu'
  config.model.readout = 'mean'
  config.optim.name = 'adam'
  config.optim.lr = 1e-2
  config.reference = _REF
  common.preset(config, preset,
                smoke=dict(steps=3, batch_size=16, eval_batch_size=30),
                cpu=dict(steps=600, batch_size=32, eval_batch_size=150, eval_every=100,
                         checkpoint_every=600),
                full=dict(steps=600, batch_size=32, eval_batch_size=150, eval_every=100,
                          checkpoint_every=600))
  return config
