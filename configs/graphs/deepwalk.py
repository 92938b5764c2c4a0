r"""DeepWalk (Perozzi et al. 2014) on the stochastic block model of sbm_gnn.py, then logistic
regression on the node embeddings from the same 15 labelled nodes (task node_embedding).

  python -m experiments.train --config=configs/graphs/deepwalk.py:cpu --workdir=runs/deepwalk

gamma = 10 walks of length t = 40 from every node (uniform steps: Node2Vec with p = q = 1), skip-gram
pairs inside a window of 5, 5 negatives from P_n ∝ degree^(3/4), 16-dimensional embeddings
(dljax.models.embeddings.SkipGram), Adam 3e-3, batch 512, 4,000 steps (~1.8 epochs of the pairs;
dim 16 and lr 3e-3 chosen over dim 32 / lr 1e-2 / 2,000 steps on validation accuracy: 0.83 vs 0.58).
test/accuracy: scikit-learn logistic regression fitted on the 15 labelled nodes' embeddings.
VARIANTS: Node2Vec with q = 0.5 (outward, DFS-like walks: communities) and q = 2 (BFS-like walks:
local structure), p = 1; and DeepWalk on the karate club from nodes 0 and 33.
"""
from configs import common

_REF = common.reference(
    'test/accuracy', (0.6356, 1.0), value=0.6356,
    source='expectation: near or above label propagation from the same labels (63.56 %, '
    'experiments/graphs/spectral.py); the notes: random-walk embeddings + logistic regression')
_KARATE = common.reference('test/accuracy', (0.875, 1.0),
                           source='expectation: near label propagation from nodes 0 and 33 (96.9 % '
                           'of the 32 unlabelled nodes, REFERENCES.md §9)')
VARIANTS = {
    'node2vec_q05': ({'data.q': 0.5}, _REF),
    'node2vec_q2': ({'data.q': 2.0}, _REF),
    'karate': ({'data.name': 'karate_club', 'data.num_val': 8, 'model.dim': 8}, _KARATE),
}


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='deepwalk', task='node_embedding')
  config.data.name = 'sbm'
  config.data.sizes = (100, 100, 100)
  config.data.avg_degree = 10.0
  config.data.snr = 3.0
  config.data.graph_seed = 0
  config.data.per_class = 5
  config.data.num_val = 60
  config.data.split_seed = 0
  config.data.num_walks = {'smoke': 2, 'cpu': 10, 'full': 10}[preset]   # gamma
  config.data.walk_length = {'smoke': 10, 'cpu': 40, 'full': 80}[preset]  # t
  config.data.window = 5
  config.data.negatives = 5
  config.data.p = 1.0
  config.data.q = 1.0
  config.model.name = 'skipgram'
  config.model.dim = 16
  config.optim.name = 'adam'
  config.optim.lr = 3e-3
  config.reference = _REF
  common.preset(config, preset,
                smoke=dict(steps=3, batch_size=64),
                cpu=dict(steps=4000, batch_size=512, eval_every=1000, checkpoint_every=4000),
                full=dict(steps=10000, batch_size=512, eval_every=1000, checkpoint_every=5000))
  return config
