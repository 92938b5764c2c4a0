r"""Word embeddings of Shakespeare's words: seven methods at a small budget, analogies and maps.

  python -m experiments.study embeddings/word_embeddings --workdir=runs/word_embeddings [--preset=cpu] [--publish]

Runs (shakespeare_words, min_count=5, the training split): skipgram and cbow
(configs/embeddings/word2vec.py, model.name), fasttext (configs/embeddings/fasttext.py; also the
neighbours of words outside the vocabulary) and glove (configs/embeddings/glove.py). The report
reloads each (load_run) and adds three count methods computed on the spot:
  lsa             SVD of the PPMI matrix of window-5 counts, d=100, vectors U Σ^(1/2)
  mds             seed 001's embedding: linearly weighted window-5 co-occurrence of the N most
                  frequent words (plus the probe and analogy words), profile distances, classical
                  MDS then gradient descent on the stress Σ(D_as - D_model)², d=50
  mds_proximity   the same with the notes' literal distance: 1 - normalised proximity
Table {method: analogy accuracy (overall, per relation), neighbours of the probe words,
mean_cosine_top1000 (seed 003's "cone": word2vec high, GloVe spread out), test/loss, wall_s}; plot
embeddings_2d.png (PCA of the analogy words, one panel per method). MDS sees only its N words, so
its analogy answers are chosen among fewer candidates.
Expected (cpu preset, seed 0, 137 s for all seven): analogy accuracy on 332 questions: skip-gram
16.0 %, CBOW 24.7 %, fastText 7.2 %, GloVe 26.2 %, LSA 35.2 %, MDS 43.4 %, MDS proximity 18.1 %.
Discussion: docs/embeddings/notes.md.
"""
import os
import time

import numpy as np

from configs.embeddings import fasttext, glove, word2vec


def _cbow(preset):
  config = word2vec.get_config(preset)
  config.model.name = 'cbow'
  return config


TRAINED = {'skipgram': word2vec.get_config, 'cbow': _cbow, 'fasttext': fasttext.get_config,
           'glove': glove.get_config}
COUNT = {'cpu': dict(window=5, lsa_dim=100, mds_words=1500, mds_dim=50, mds_steps=200),
         'smoke': dict(window=2, lsa_dim=8, mds_words=100, mds_dim=4, mds_steps=5)}
MDS_NOTE = ('vocabulary restricted to the `vocabulary` most frequent words (and the probe/analogy '
            'words): analogy answers are chosen among fewer candidates')


def runs(preset: str, workdir: str):
  del workdir
  if preset not in COUNT:
    raise ValueError(f'word_embeddings has no preset {preset!r}; use one of {sorted(COUNT)}.')
  for name, get_config in TRAINED.items():
    yield name, get_config(preset)


def evaluate(vectors, words, probes, extra=None) -> dict:
  """Analogy accuracy, mean cosine of the 1000 most frequent words, neighbours of the probes."""
  from dljax.eval import embeddings as emb_eval  # pylint: disable=g-import-not-at-top
  unit = emb_eval.unit(vectors)
  top = [i for i, w in enumerate(words) if w != '<unk>'][:1000]   # the most frequent (ids sorted)
  return {'analogies': emb_eval.analogy_accuracy(vectors, words),
          'mean_cosine_top1000': emb_eval.mean_cosine(vectors[top], skip=()),
          'neighbours': {w: [n for n, _ in emb_eval.nearest(vectors, words, w, 8, unit)]
                         for w in probes if w in words}, **(extra or {})}


def count_methods(preset: str, probes) -> dict:
  """LSA and seed 001's MDS embedding: {method: (vectors, words, extra)}."""
  import ml_collections  # pylint: disable=g-import-not-at-top
  from dljax import data as data_lib  # pylint: disable=g-import-not-at-top
  from dljax.data import word_context as wc  # pylint: disable=g-import-not-at-top
  from dljax.eval import embeddings as emb_eval  # pylint: disable=g-import-not-at-top
  from dljax.models import count_embeddings as ce  # pylint: disable=g-import-not-at-top
  p = COUNT[preset]
  data_cfg = ml_collections.ConfigDict(dict(name='shakespeare_words', min_count=5))
  if preset == 'smoke':
    data_cfg.train_limit = 100_000
  ids, vocab = data_lib.load_words(data_cfg, 'train')
  ids = wc.drop_unknown(ids)
  out = {}
  t0 = time.time()
  x = wc.cooccurrence(ids, len(vocab), p['window'], 'uniform')
  vectors = ce.lsa(x, p['lsa_dim'], 'ppmi', power=0.5)
  vectors[0] = 0.0                                 # '<unk>' has no counts once removed
  out['lsa'] = (vectors, vocab.words, {'wall_s': time.time() - t0})
  # the notes' recipe on the N most frequent words (ids 1..N) plus every probe/analogy word
  wanted = [vocab.words.index(w) for w in (*probes, *emb_eval.plot_words()) if w in vocab.words]
  keep = np.array(sorted(set(range(1, p['mds_words'] + 1)) | set(wanted)))
  xl = wc.cooccurrence(ids, len(vocab), p['window'], 'linear')[keep][:, keep]
  for name, distance in (('mds', 'profile'), ('mds_proximity', 'proximity')):
    t0 = time.time()
    d = ce.cooccurrence_distance(xl, distance)
    points, stress = ce.fit_stress(d, p['mds_dim'], steps=p['mds_steps'], lr=0.05, init='mds')
    out[name] = (points, tuple(vocab.words[i] for i in keep),
                 {'wall_s': time.time() - t0, 'vocabulary': int(len(keep)), 'distance': distance,
                  'stress_first_last': [float(stress[0]), float(stress[-1])]})
  return out


def report(summaries: dict, out: str) -> dict:
  """{method: evaluate(...)} for the four trained runs (reloaded) and the three count methods."""
  from dljax import viz  # pylint: disable=g-import-not-at-top
  from dljax.eval import embeddings as emb_eval  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  probes = emb_eval.PROBES
  table, maps, preset = {}, {}, None
  for name in TRAINED:
    summary = summaries[name]
    t0 = time.time()
    run = loop.load_run(summary['workdir'])
    preset = run.config.preset
    vectors = run.task.word_vectors(run.state, run.data)
    words = tuple(run.data['vocab'].words)
    extra = {'test/loss': summary['final']['test/loss'], 'steps': summary['steps'],
             'train_wall_s': summary['wall_s']}
    oov = run.task.extra_report(run.state, run.data, vectors).get('oov_neighbours')   # fastText
    if oov:
      extra['oov_neighbours'] = {w: [n for n, _ in v] for w, v in oov.items()}
    extra['wall_s'] = summary['wall_s'] + time.time() - t0   # training + this evaluation
    table[name] = evaluate(vectors, words, probes, extra)
    maps[name] = (vectors, words)
  for name, (vectors, words, extra) in count_methods(preset, probes).items():
    table[name] = evaluate(vectors, words, probes, extra)
    maps[name] = (vectors, words)
  for name in ('mds', 'mds_proximity'):
    table[name]['note'] = MDS_NOTE
  panels = {}
  for name, (vectors, words) in maps.items():
    index = {w: i for i, w in enumerate(words)}
    shown = [w for w in emb_eval.plot_words() if w in index]
    acc = table[name]['analogies']['accuracy']
    panels[f'{name} (analogies {acc:.1%})'] = (
        emb_eval.project_2d(vectors[[index[w] for w in shown]]), shown)
  viz.word_maps(panels, os.path.join(out, 'embeddings_2d.png'),
                title='Shakespeare word embeddings: PCA of the analogy words')
  return table
