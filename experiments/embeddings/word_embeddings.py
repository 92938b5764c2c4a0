r"""Word-embedding study on Shakespeare's words: every method of issue 6 at a small budget.

  python -m experiments.embeddings.word_embeddings --workdir=/work/runs/word_embeddings [--preset=cpu|smoke]

Methods (all on shakespeare_words, min_count=5, the training split):
  skipgram, cbow  configs/embeddings/word2vec.py (model.name = skipgram / cbow)
  fasttext        configs/embeddings/fasttext.py (also: neighbours of words outside the vocabulary)
  glove           configs/embeddings/glove.py
  lsa             SVD of the PPMI matrix of window-5 counts, d=100, vectors U Σ^(1/2)
  mds             seed 001's embedding: linearly weighted window-5 co-occurrence of the N most
                  frequent words (plus the probe and analogy words), profile distances, classical
                  MDS then gradient descent on the stress Σ(D_as - D_model)², d=50
  mds_proximity   the same with the notes' literal distance: 1 - normalised proximity, the
                  maximum distance for pairs that never co-occur
The trained methods run through the training loop into <workdir>/<method> (resumable; a finished
run is read back). Outputs: docs/embeddings/word_embeddings.json ({method: {analogy accuracy (overall and
per relation), neighbours of the probe words, test/loss, wall_s}}) and docs/embeddings/embeddings_2d.png
(PCA maps of the analogy words, one panel per method). mean_cosine_top1000 is the mean pairwise
cosine of the 1000 most frequent words: seed 003 claims word2vec's vectors sit in a "cone"
(a high mean cosine) while GloVe's are spread out. The MDS vocabulary is only the N words, so
its analogy questions choose among fewer candidates (noted in the JSON).
"""
import json
import os
import time

import numpy as np
from absl import app, flags

from configs.embeddings import fasttext, glove, word2vec


def _cbow(preset):
  config = word2vec.get_config(preset)
  config.model.name = 'cbow'
  return config


TRAINED = {'skipgram': word2vec.get_config, 'cbow': _cbow, 'fasttext': fasttext.get_config,
           'glove': glove.get_config}
COUNT = {'cpu': dict(window=5, lsa_dim=100, mds_words=1500, mds_dim=50, mds_steps=200),
         'smoke': dict(window=2, lsa_dim=8, mds_words=100, mds_dim=4, mds_steps=5)}


def evaluate(vectors, words, probes, extra=None) -> dict:
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


def main(argv):
  del argv
  from dljax import viz  # pylint: disable=g-import-not-at-top
  from dljax.eval import embeddings as emb_eval  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  preset, workdir = _PRESET.value, _WORKDIR.value
  probes = emb_eval.PROBES
  report, maps = {}, {}
  for name, get_config in TRAINED.items():
    config = get_config(preset)
    t0 = time.time()
    summary = loop.train_and_evaluate(config, os.path.join(workdir, name), progress=False)
    run = os.path.join(workdir, name)
    vectors = np.load(os.path.join(run, 'vectors.npy'))
    with open(os.path.join(run, 'words.txt')) as f:
      words = tuple(f.read().split('\n')[:len(vectors)])
    with open(os.path.join(run, 'neighbours.json')) as f:
      saved = json.load(f)
    extra = {'test/loss': summary['final']['test/loss'], 'steps': summary['steps'],
             'train_wall_s': summary['wall_s'], 'wall_s': time.time() - t0}
    if 'oov_neighbours' in saved:
      extra['oov_neighbours'] = {w: [n for n, _ in v] for w, v in saved['oov_neighbours'].items()}
    report[name] = evaluate(vectors, words, probes, extra)
    maps[name] = (vectors, words)
  for name, (vectors, words, extra) in count_methods(preset, probes).items():
    report[name] = evaluate(vectors, words, probes, extra)
    maps[name] = (vectors, words)
  for name in ('mds', 'mds_proximity'):
    report[name]['note'] = ('vocabulary restricted to the `vocabulary` most frequent words (and the '
                            'probe/analogy words): analogy answers are chosen among fewer candidates')
  panels = {}
  for name, (vectors, words) in maps.items():
    index = {w: i for i, w in enumerate(words)}
    shown = [w for w in emb_eval.plot_words() if w in index]
    acc = report[name]['analogies']['accuracy']
    panels[f'{name} (analogies {acc:.1%})'] = (
        emb_eval.project_2d(vectors[[index[w] for w in shown]]), shown)
  os.makedirs(os.path.join(_OUT.value, 'plots'), exist_ok=True)
  viz.word_maps(panels, os.path.join(_OUT.value, 'plots', 'embeddings_2d.png'),
                title='Shakespeare word embeddings: PCA of the analogy words')
  with open(os.path.join(_OUT.value, 'word_embeddings.json'), 'w') as f:
    json.dump(report, f, indent=1)
  for name, r in report.items():
    print(f"{name:9s} analogy accuracy {r['analogies']['accuracy']:.3f}  "
          + '  '.join(f"{w}: {', '.join(r['neighbours'].get(w, [])[:4])}" for w in probes[:3]))


if __name__ == '__main__':
  # flags are defined only when run as a script, so tests can import several studies
  _WORKDIR = flags.DEFINE_string('workdir', None, 'Directory for the runs.')
  _PRESET = flags.DEFINE_enum('preset', 'cpu', ['cpu', 'smoke'], 'cpu: the configs\' cpu presets; '
                              'smoke: a wiring check on a slice of the text.')
  _OUT = flags.DEFINE_string('out', 'docs', 'Where word_embeddings.json and plots/embeddings_2d.png go.')
  flags.mark_flags_as_required(['workdir'])
  app.run(main)
