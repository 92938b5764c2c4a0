"""Word embeddings trained on the Shakespeare word view: word2vec / fastText (task 'word2vec') and
GloVe (task 'glove'). Models: dljax.models.embeddings; data: dljax.data.word_context.

word2vec: data.name='shakespeare_words' (data.min_count: rarer words are removed from the text, as
word2vec does), data.window R (dynamic windows), data.negatives K, data.subsample t (0: off),
data.eval_batches (fixed validation batches for test/loss). model.name = 'skipgram' | 'cbow' |
'fasttext' (model.buckets, model.n_min, model.n_max). Metric test/loss: the negative-sampling loss
on validation text; test/analogy_accuracy: 3CosAdd accuracy on dljax.eval.embeddings.ANALOGIES.

glove: data.window with harmonic (1/d) weighting, model.x_max, model.alpha; trains on the nonzero
co-occurrences (shuffled epochs); test/loss is the weighted least-squares loss on a fixed sample of
data.eval_limit nonzero entries.

model.vocab_size = 0 takes the vocabulary size from the data. At the end a run writes
<workdir>/vectors.npy (the word vectors, row i = words.txt line i), words.txt, neighbours.json
(cosine neighbours of config.probes; for fastText also of config.oov_probes, words outside the
vocabulary) and plots/embeddings_2d.png (PCA of the analogy words).
"""
import json
import os

import jax
import jax.numpy as jnp
import numpy as np

from dljax import data as data_lib, models, viz
from dljax.data import pipeline, word_context
from dljax.errors import ConfigError
from dljax.eval import embeddings as emb_eval
from dljax.models import embeddings as emb
from dljax.train import kit
from dljax.train.tasks.base import Task

WORD2VEC_MODELS = ('skipgram', 'cbow', 'fasttext')


def _check(config, names, task):
  if config.model.name not in names:
    raise ConfigError(f'task={task!r} trains model.name in {list(names)}, not '
                      f'{config.model.name!r}; fix --config.model.name.')
  for key in ('window',) + (('negatives',) if task == 'word2vec' else ()):
    value = config.data.get(key, 0)
    if not isinstance(value, int) or value < 1:
      raise ConfigError(f'data.{key}={value!r} must be a positive integer; set --config.data.{key}.')


def _model_node(model_cfg):
  """The model's fields: model.<name> in the variant form of dljax.models.build, else model."""
  variant = model_cfg.get(model_cfg.name, None)
  return variant if hasattr(variant, 'items') else model_cfg


def _words(config, held_out='validation'):
  """(train ids, held-out ids, vocab): the word streams of train and `held_out`, '<unk>' removed."""
  train, vocab = data_lib.load_words(config.data, 'train')
  val, _ = data_lib.load_words(config.data, held_out)
  vsize = _model_node(config.model).get('vocab_size', 0)
  if vsize and vsize != len(vocab):
    raise ConfigError(f'model.vocab_size={vsize} but the vocabulary of {config.data.name} with '
                      f'min_count={config.data.get("min_count", 1)} has {len(vocab)} words; set '
                      '--config.model.vocab_size=0 (from the data).')
  return word_context.drop_unknown(train), word_context.drop_unknown(val), vocab


_LAST = {}   # the last loaded data, keyed by (task class, config): the loop calls load_data, then
             # builds the task, which needs the vocabulary size; this avoids reading the text twice


class _EmbeddingTask(Task):
  """Shared: build the model with the data's vocabulary size, write vectors and neighbours."""

  best_metric = 'loss'
  best_mode = 'min'

  @classmethod
  def load_data(cls, config) -> dict:
    key = (cls.__name__, config.to_json_best_effort())
    if key not in _LAST:
      _LAST.clear()
      _LAST[key] = cls.read_data(config)
    return _LAST[key]

  @classmethod
  def read_data(cls, config) -> dict:
    raise NotImplementedError

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    self._data = self.load_data(config)
    self._vocab = self._data['vocab']
    model_cfg = config.model.copy_and_resolve_references()
    _model_node(model_cfg).vocab_size = len(self._vocab)
    self.model = models.build(model_cfg)

  def _init(self, rng, *args):
    return kit.init_single(self.model, rng, args, self.config.optim, self.total_steps,
                           rng_names=('params',))

  def _step(self, state, loss_fn):
    net, _, metrics = kit.gradient_step(state.nets['model'], loss_fn)
    return state.replace(nets={'model': net}), metrics

  def word_vectors(self, state, data) -> np.ndarray:
    return np.asarray(self.model.apply(state.nets['model'].variables(),
                                       method=type(self.model).word_vectors))

  def evaluate(self, state, arrays, eval_fn, put_batch):
    out = super().evaluate(state, arrays, eval_fn, put_batch)
    words = self._vocab.words
    acc = emb_eval.analogy_accuracy(self.word_vectors(state, self._data), words)
    out['test/analogy_accuracy'] = acc['accuracy']
    return out

  def plots(self, state, workdir, data):
    words = data['vocab'].words
    vectors = self.word_vectors(state, data)
    np.save(os.path.join(workdir, 'vectors.npy'), vectors)
    with open(os.path.join(workdir, 'words.txt'), 'w') as f:
      f.write('\n'.join(words) + '\n')
    unit = emb_eval.unit(vectors)
    probes = [w for w in self.config.get('probes', emb_eval.PROBES) if w in words]
    report = {'neighbours': {w: emb_eval.nearest(vectors, words, w, 8, unit) for w in probes},
              'analogies': emb_eval.analogy_accuracy(vectors, words)}
    report.update(self.extra_report(state, data, vectors))
    with open(os.path.join(workdir, 'neighbours.json'), 'w') as f:
      json.dump(report, f, indent=1)
    shown = [w for w in emb_eval.plot_words() if w in words]
    index = {w: i for i, w in enumerate(words)}
    xy = emb_eval.project_2d(vectors[[index[w] for w in shown]])
    viz.word_maps({f'{self.config.model.name} (PCA)': (xy, shown)},
                  os.path.join(workdir, 'plots', 'embeddings_2d.png'))

  def extra_report(self, state, data, vectors) -> dict:
    del state, data, vectors
    return {}


class Word2Vec(_EmbeddingTask):
  """Skip-gram / CBOW / fastText with negative sampling (dljax.models.embeddings)."""

  @classmethod
  def read_data(cls, config) -> dict:
    _check(config, WORD2VEC_MODELS, 'word2vec')
    train, val, vocab = _words(config)
    train = word_context.subsample(train, vocab.counts, config.data.get('subsample', 0.0),
                                   config.seed)
    data = {'train': train, 'vocab': vocab, 'noise': word_context.noise_distribution(vocab.counts),
            'ngrams': None}
    if config.model.name == 'fasttext':
      m = config.model
      data['ngrams'] = word_context.ngram_table(vocab.words, m.buckets, m.get('n_min', 3),
                                                m.get('n_max', 6))
    # fixed sets of validation and test examples (the sampler's batches 0..eval_batches-1, seed + 1)
    for split, ids in (('validation', val), ('test', _words(config, 'test')[1])):
      sampler = cls._sampler(config, data, ids, config.seed + 1)
      data[split] = word_context.context_examples(sampler, config.data.get('eval_batches', 4))
    return data

  @classmethod
  def _sampler(cls, config, data, ids, seed, process_index=0, process_count=1):
    return word_context.ContextSampler(
        ids, 'cbow' if config.model.name == 'cbow' else
        ('fasttext' if config.model.name == 'fasttext' else 'skipgram'),
        config.data.window, config.data.negatives, data['noise'], config.data.batch_size, seed,
        data['ngrams'], process_index, process_count)

  @classmethod
  def num_train(cls, data):
    return len(data['train'])          # one epoch: every (kept) word once as the centre

  @classmethod
  def train_batches(cls, config, data, process_index, process_count):
    return word_context.context_iterator(
        cls._sampler(config, data, data['train'], config.seed, process_index, process_count))

  def init(self, rng, batch):
    return self._init(rng, batch['inputs'], batch['input_mask'], batch['targets'])

  def train_step(self, state, batch, rng):
    del rng   # the negatives are in the batch (drawn from (seed, step) on the host)
    variables = state.nets['model'].variables()

    def loss_fn(params):
      scores = self.model.apply({**variables, 'params': params}, batch['inputs'],
                                batch['input_mask'], batch['targets'])
      return emb.sgns_loss(scores).mean()
    return self._step(state, loss_fn)

  def eval_step(self, state, batch):
    scores = self.model.apply(state.nets['model'].variables(), batch['inputs'],
                              batch['input_mask'], batch['targets'])
    m = batch['mask'].astype(jnp.float32)
    return {'loss': jnp.sum(emb.sgns_loss(scores) * m), 'count': jnp.sum(m)}

  def summarize(self, sums):
    return {'test/loss': float(sums['loss'] / sums['count'])}

  def word_vectors(self, state, data):
    if self.config.model.name != 'fasttext':
      return super().word_vectors(state, data)
    rows, mask = data['ngrams']
    return np.asarray(self.model.apply(state.nets['model'].variables(), rows, mask,
                                       method=emb.FastText.word_vectors))

  def oov_vectors(self, state, words) -> np.ndarray:
    """fastText vectors of arbitrary words (in the vocabulary or not) from their n-grams."""
    m, vocab = self.model, self._vocab
    index = {w: i for i, w in enumerate(vocab.words)}
    rows = [word_context.ngram_rows(w, len(vocab), m.buckets, m.n_min, m.n_max, index.get(w))
            for w in words]
    g = max(len(r) for r in rows)
    table = np.array([r + [0] * (g - len(r)) for r in rows], np.int32)
    mask = np.array([[k < len(r) for k in range(g)] for r in rows])
    return np.asarray(self.model.apply(state.nets['model'].variables(), table, mask,
                                       method=emb.FastText.word_vectors))

  def extra_report(self, state, data, vectors):
    if self.config.model.name != 'fasttext':
      return {}
    oov = [w for w in self.config.get('oov_probes', ()) if w not in data['vocab'].words]
    if not oov:
      return {}
    unit = emb_eval.unit(vectors)
    words = data['vocab'].words
    return {'oov_neighbours': {w: emb_eval.nearest(vectors, words, v, 8, unit)
                               for w, v in zip(oov, self.oov_vectors(state, oov))}}


class GloVe(_EmbeddingTask):
  """Weighted least squares on log co-occurrences (dljax.models.embeddings.GloVe)."""

  @classmethod
  def read_data(cls, config) -> dict:
    _check(config, ('glove',), 'glove')
    train, _, vocab = _words(config)
    x = word_context.cooccurrence(train, len(vocab), config.data.window, 'harmonic').tocoo()
    entries = {'i': x.row.astype(np.int32), 'j': x.col.astype(np.int32),
               'x': x.data.astype(np.float32)}
    pick = np.random.default_rng([config.seed, 2]).permutation(len(x.data))
    pick = pick[:config.data.get('eval_limit', 0) or len(pick)]
    held = {k: v[pick] for k, v in entries.items()}   # the fit of the training entries: no held-out
    return {'train': entries, 'validation': held, 'test': held, 'vocab': vocab}

  @classmethod
  def num_train(cls, data):
    return len(data['train']['x'])     # one epoch: every nonzero X_ij once

  def init(self, rng, batch):
    return self._init(rng, batch['i'], batch['j'])

  def loss(self, variables, batch):
    pred = self.model.apply(variables, batch['i'], batch['j'])
    return emb.glove_loss(pred, batch['x'], self.model.x_max, self.model.alpha)

  def train_step(self, state, batch, rng):
    del rng
    variables = state.nets['model'].variables()
    return self._step(state, lambda p: self.loss({**variables, 'params': p}, batch).mean())

  def eval_step(self, state, batch):
    m = batch['mask'].astype(jnp.float32)
    return {'loss': jnp.sum(self.loss(state.nets['model'].variables(), batch) * m),
            'count': jnp.sum(m)}

  def summarize(self, sums):
    return {'test/loss': float(sums['loss'] / sums['count'])}
