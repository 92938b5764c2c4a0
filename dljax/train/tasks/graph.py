r"""Learning on graphs (seed 003 §1.8): node classification, graph classification and node
embeddings from random walks. Graphs: dljax.data.graphs arrays; models: dljax.models.gnn.GNN and
dljax.models.embeddings.SkipGram.

node_classification  semi-supervised, transductive, full-graph batches: every step sees the whole
    graph (batch_sharding='replicated') and the loss is the cross-entropy over the train nodes only,
        L = -(1/|V_train|) Σ_{i∈V_train} log softmax(f(A, X)_i)_{y_i}  (+ optim.l2 ||w||^2)
    validation / test accuracy on their node masks of the same graph. Plots: the node embeddings
    h^L (2-D, or their PCA), and for GAT the attention coefficients α of the first layer.
graph_classification  one label per graph, a readout pools the node embeddings
    (model.readout = mean / sum / max); mini-batches of padded graphs, cross-entropy.
node_embedding  DeepWalk / Node2Vec: data.num_walks walks of data.walk_length from every node
    (data.p, data.q: Node2Vec's return and in-out parameters; p = q = 1 is DeepWalk), skip-gram
    pairs inside data.window, negative sampling with data.negatives noise nodes drawn inside the
    step from P_n ∝ degree^(3/4) (word2vec's loss, dljax.models.embeddings.sgns_loss). The embedding
    is W_in; test/accuracy is logistic regression on it fitted on the train nodes (eval/graphs.py).
The walks are a function of config.seed (a resumed run regenerates the same walks).
"""
import os

import grain
import jax
import jax.numpy as jnp
import numpy as np
import optax

from dljax import data as data_lib, models
from dljax.data import graphs, pipeline
from dljax.errors import ConfigError
from dljax.eval import graphs as graph_eval
from dljax.models import embeddings as emb
from dljax.train import kit
from dljax.train.tasks.base import SPLITS, Task, check_model


def _check_graph_data(config, want: str):
  info = data_lib.info(config.data)
  if info.kind != 'graph' or info.description != want:
    raise ConfigError(f'task={config.task} reads a {want} graph dataset (karate_club, sbm for '
                      f'nodes; graph_shapes for graphs), not data.name={config.data.name!r}.')
  return info


def _full_graph_iterator(graph: dict):
  """The same full graph at every step, as a checkpointable grain iterator (state: the step)."""
  ds = grain.MapDataset.range(2 ** 62).map(lambda _: graph)
  return iter(ds.to_iter_dataset())


def _rngs(rng):
  dropout, sample = jax.random.split(rng)
  return {'dropout': dropout, 'sample': sample}


def _graph(batch):
  return {k: v for k, v in batch.items() if k not in ('mask', 'train_mask')}


class NodeClassification(Task):
  """A GNN trained on the labelled nodes of one graph (full-graph batches)."""

  best_metric = 'accuracy'
  best_mode = 'max'
  batch_sharding = 'replicated'

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    self.model = models.build(config.model)

  @classmethod
  def check_config(cls, config):
    super().check_config(config)
    if config.model.name != 'gnn':
      raise ConfigError(f'task={config.task} trains model.name=gnn, not {config.model.name!r}.')
    if config.model.get('readout', 'none') != 'none':
      raise ConfigError('node classification reads out every node: set --config.model.readout=none.')

  @classmethod
  def load_data(cls, config):
    check_model(config, _check_graph_data(config, 'node classification'))
    return {split: data_lib.load(config.data, split) for split in SPLITS}

  @classmethod
  def num_train(cls, data):
    return 1  # one full graph per step: an epoch is one step

  @classmethod
  def train_batches(cls, config, data, process_index, process_count):
    del config, process_index, process_count
    return _full_graph_iterator(data['train'])

  def init(self, rng, batch):
    del batch  # the loop's example is cut to two rows; initialise on the real graph
    g = _graph(self.load_data(self.config)['train'])
    return kit.init_single(self.model, rng, (g,), self.config.optim, self.total_steps,
                           rng_names=('params', 'dropout', 'sample'))

  def apply(self, params, batch, rng=None):
    train = rng is not None
    return self.model.apply({'params': params}, _graph(batch), train,
                            rngs=_rngs(rng) if train else None)

  def train_step(self, state, batch, rng):
    mask = batch['mask']

    def objective(params):
      logits, _ = self.apply(params, batch, rng)
      ce = optax.softmax_cross_entropy_with_integer_labels(logits, batch['y'])
      acc = jnp.sum((logits.argmax(-1) == batch['y']) * mask) / jnp.sum(mask)
      l2 = self.config.optim.get('l2', 0.0)
      penalty = l2 * sum(jnp.sum(w ** 2) for w in jax.tree.leaves(params)) if l2 else 0.0
      return jnp.sum(ce * mask) / jnp.sum(mask) + penalty, acc

    net, acc, metrics = kit.gradient_step(state.nets['model'], objective, has_aux=True)
    metrics['train/accuracy'] = acc
    return state.replace(nets={'model': net}), metrics

  def eval_step(self, state, batch):
    logits, _ = self.apply(state.nets['model'].params, batch)
    mask = batch['mask']
    ce = optax.softmax_cross_entropy_with_integer_labels(logits, batch['y'])
    return {'loss': jnp.sum(ce * mask), 'correct': jnp.sum((logits.argmax(-1) == batch['y']) * mask),
            'count': jnp.sum(mask)}

  def summarize(self, sums):
    n = float(sums['count'])
    return {'test/loss': float(sums['loss']) / n, 'test/accuracy': float(sums['correct']) / n}

  def evaluate(self, state, arrays, eval_fn, put_batch):
    return self.summarize(jax.device_get(eval_fn(state, put_batch(arrays))))  # the whole graph

  def predict(self, state, graph):
    return self.apply(state.nets['model'].params, graph)[0]

  def features(self, state, graph):
    return self.apply(state.nets['model'].params, graph)[1]['embeddings']

  def plots(self, state, workdir, data):
    g = data['test']
    _, aux = jax.jit(lambda p, b: self.apply(p, b))(state.nets['model'].params, g)
    m = self.config.model
    name = f'{m.layer} GNN {tuple(m.hidden)}'
    graph_eval.plot_embeddings(np.asarray(aux['embeddings']), g['y'],
                               os.path.join(workdir, 'plots', 'node_embeddings.png'),
                               f'{name}: node embeddings h^L on {self.config.data.name}',
                               marked=g['train_mask'])
    if 'attention' in aux:
      graph_eval.plot_attention(g, np.asarray(aux['attention'][0]), g['y'],
                                os.path.join(workdir, 'plots', 'gat_attention.png'),
                                f'GAT layer 1 attention on {self.config.data.name}')


class GraphClassification(Task):
  """A GNN with a readout (mean / sum / max pooling) classifies whole graphs."""

  best_metric = 'accuracy'
  best_mode = 'max'

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    self.model = models.build(config.model)

  @classmethod
  def check_config(cls, config):
    super().check_config(config)
    if config.model.name != 'gnn' or config.model.get('readout', 'none') == 'none':
      raise ConfigError('task=graph_classification trains model.name=gnn with a readout: set '
                        '--config.model.readout=mean (or sum, max).')
    if config.model.get('sample_size', 0):
      raise ConfigError('graph classification uses full neighbourhoods: set '
                        '--config.model.sample_size=0.')

  @classmethod
  def load_data(cls, config):
    check_model(config, _check_graph_data(config, 'graph classification'))
    return {split: data_lib.load(config.data, split) for split in SPLITS}

  def init(self, rng, batch):
    return kit.init_single(self.model, rng, (_graph(batch),), self.config.optim, self.total_steps,
                           rng_names=('params', 'dropout', 'sample'))

  def apply(self, params, batch, rng=None):
    train = rng is not None
    return self.model.apply({'params': params}, _graph(batch), train,
                            rngs=_rngs(rng) if train else None)[0]

  def train_step(self, state, batch, rng):
    def objective(params):
      logits = self.apply(params, batch, rng)
      return optax.softmax_cross_entropy_with_integer_labels(logits, batch['y']).mean(), \
          jnp.mean(logits.argmax(-1) == batch['y'])

    net, acc, metrics = kit.gradient_step(state.nets['model'], objective, has_aux=True)
    metrics['train/accuracy'] = acc
    return state.replace(nets={'model': net}), metrics

  def eval_step(self, state, batch):
    logits = self.apply(state.nets['model'].params, batch)
    m = batch['mask'].astype(jnp.float32)
    ce = optax.softmax_cross_entropy_with_integer_labels(logits, batch['y'])
    return {'loss': jnp.sum(ce * m), 'correct': jnp.sum((logits.argmax(-1) == batch['y']) * m),
            'count': jnp.sum(m)}

  def summarize(self, sums):
    n = float(sums['count'])
    return {'test/loss': float(sums['loss']) / n, 'test/accuracy': float(sums['correct']) / n}

  def predict(self, state, graphs_batch):
    return self.apply(state.nets['model'].params, graphs_batch)


class NodeEmbedding(Task):
  """DeepWalk / Node2Vec: skip-gram with negative sampling on random-walk contexts."""

  best_metric = 'accuracy'
  best_mode = 'max'

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    model_cfg = config.model.copy_and_resolve_references()
    with model_cfg.unlocked():
      model_cfg.vocab_size = data_lib.info(config.data).shape[0]
    self.model = models.build(model_cfg)
    self._noise = emb_noise(data_lib.load(config.data, 'train')['degree'])

  @classmethod
  def check_config(cls, config):
    if config.model.name != 'skipgram':
      raise ConfigError(f'task=node_embedding trains model.name=skipgram, not {config.model.name!r}.')
    kit.check_optimizer(config.optim)
    d = config.data
    for key in ('num_walks', 'walk_length', 'window', 'negatives'):
      if not isinstance(d.get(key, 0), int) or d.get(key, 0) < 1:
        raise ConfigError(f'data.{key}={d.get(key, None)!r} must be a positive integer.')
    if d.get('p', 1.0) <= 0 or d.get('q', 1.0) <= 0:
      raise ConfigError(f'data.p={d.get("p")}, data.q={d.get("q")}: Node2Vec needs p, q > 0.')

  @classmethod
  def load_data(cls, config):
    _check_graph_data(config, 'node classification')
    d = config.data
    out = {split: data_lib.load(config.data, split) for split in SPLITS}
    g = out['train']
    walks = graphs.random_walks(g, d.num_walks, d.walk_length, d.get('p', 1.0), d.get('q', 1.0),
                                seed=config.seed)
    pairs = graphs.skipgram_pairs(walks, d.window)
    out['pairs'] = pairs
    out['noise'] = emb_noise(g['degree'])
    return out

  @classmethod
  def num_train(cls, data):
    return len(data['pairs']['center'])

  @classmethod
  def train_batches(cls, config, data, process_index, process_count):
    return pipeline.train_iterator(data['pairs'], config.data.batch_size, seed=config.seed,
                                   process_index=process_index, process_count=process_count)

  def init(self, rng, batch):
    del batch
    return kit.init_single(self.model, rng, (jnp.zeros((2, 1), jnp.int32), jnp.ones((2, 1), bool),
                                             jnp.zeros((2, 1 + self.config.data.negatives),
                                                       jnp.int32)),
                           self.config.optim, self.total_steps, rng_names=('params',))

  def train_step(self, state, batch, rng):
    center_B, context_B = batch['center'], batch['context']
    b, k = center_B.shape[0], self.config.data.negatives
    noise = jnp.asarray(self._noise)
    neg_BxK = jax.random.choice(rng, noise.shape[0], (b, k), p=noise)   # n_k ~ P_n
    targets = jnp.concatenate([context_B[:, None], neg_BxK], 1)
    variables = state.nets['model'].variables()

    def loss_fn(params):
      scores = self.model.apply({**variables, 'params': params}, center_B[:, None],
                                jnp.ones((b, 1), bool), targets)
      return emb.sgns_loss(scores).mean()
    net, _, metrics = kit.gradient_step(state.nets['model'], loss_fn)
    return state.replace(nets={'model': net}), metrics

  def embeddings(self, state) -> np.ndarray:
    return np.asarray(jax.device_get(state.nets['model'].params['w_in']))

  def evaluate(self, state, arrays, eval_fn, put_batch):
    del eval_fn, put_batch
    acc = graph_eval.probe_accuracy(self.embeddings(state), arrays['y'], arrays['train_mask'],
                                    arrays['mask'])
    return {'test/accuracy': acc}

  def eval_step(self, state, batch):  # unused: evaluate() probes the embedding on the host
    del batch
    return {'norm': jnp.sum(state.nets['model'].params['w_in'] ** 2)}

  def features(self, state, graph):
    del graph
    return state.nets['model'].params['w_in']

  def plots(self, state, workdir, data):
    g = data['test']
    d = self.config.data
    graph_eval.plot_embeddings(self.embeddings(state), g['y'],
                               os.path.join(workdir, 'plots', 'node_embeddings.png'),
                               f'skip-gram on walks (p={d.get("p", 1.0)}, q={d.get("q", 1.0)}) '
                               f'on {d.name}: W_in (PCA)', marked=g['train_mask'])


def emb_noise(degree_N, power: float = 0.75) -> np.ndarray:
  """P_n(v) ∝ degree(v)^power (a node's frequency in the walks is ∝ its degree)."""
  p = np.asarray(degree_N, np.float64) ** power
  return (p / p.sum()).astype(np.float32)
