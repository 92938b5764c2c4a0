r"""Sentence embeddings from word vectors (seed 003 §1.7: the average and the TF-IDF-weighted
average) and their extrinsic evaluation on a downstream task (seed 003 §2.9).

  python -m experiments.study embeddings/sentence_embeddings --workdir=runs/sentence_embeddings [--preset=cpu] [--publish]

Runs (SEEDS = 3 each): skipgram (configs/embeddings/word2vec.py), glove and fasttext, trained on
the shakespeare_words training split. The report reloads each (load_run) and evaluates its vectors
on a stand-in downstream task (no SST/NLI offline): which of five plays a line is from, the lines of
Hamlet, Macbeth, King Lear, Othello and Romeo and Juliet (the task of configs/language/bert_play.py,
its split: a seeded permutation, test = the last 20 %, validation = a seeded 10 % of all lines;
speaker names and stage directions are lines too). A line -> its words (the corpus' tokenizer and
the run's vocabulary; '<unk>' left out) -> one vector:
  mean         the mean of the word vectors
  tfidf_mean   the mean weighted by idf(w) = ln((1+N)/(1+df(w))) + 1, df over the training lines
  random_mean  the mean of random Gaussian word vectors of the same width (what the pooling and the
               classifier get without any trained vector; one draw per seed, shared by methods)
and a baseline with no word vectors at all: bow_tfidf, the L2-normalised TF-IDF counts of the
`bow_words` most frequent words of the training lines (deterministic: one fit per vocabulary, so
no spread over seeds). Classifier: multinomial logistic regression
on standardised features (dljax.eval.probe.linear_probe: full-batch Adam, the L2 weight chosen on
validation accuracy, test accuracy reported). The plays lie in the unlabelled text the vectors were
trained on (as for bert_play's pretraining). Table {method: {feature: test accuracy mean, std, per
seed}}, chance = the largest play's share; plot sentence_embeddings.png.
Expected (cpu preset, 3 seeds, ~6 min on a 2-core CPU): see docs/embeddings/notes.md.
"""
import os

import ml_collections
import numpy as np

from configs.embeddings import fasttext, glove, word2vec
from configs.language import bert_play
from experiments.tools import study_utils

SEEDS = 3
TRAINED = {'skipgram': word2vec.get_config, 'glove': glove.get_config,
           'fasttext': fasttext.get_config}
PRESETS = {'smoke': dict(lines=600, bow_words=50, steps=20, l2=(1e-3,)),
           'cpu': dict(lines=0, bow_words=2000, steps=300, l2=(1e-4, 1e-3, 1e-2))}
FEATURES = ('mean', 'tfidf_mean', 'random_mean')


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  for name, get_config in TRAINED.items():
    yield name, get_config(preset)


def play_lines(preset: str) -> dict:
  """{'words': [[word, ...] per line], 'y': labels, 'split': {split: line indices}, 'plays'}."""
  from dljax.data import mlm, shakespeare  # pylint: disable=g-import-not-at-top
  from dljax.data.datasets import shakespeare_plays  # pylint: disable=g-import-not-at-top
  texts, labels = mlm.play_text_lines(bert_play.PLAYS)
  cfg = ml_collections.ConfigDict(dict(split_seed=0, test_fraction=0.2, validation_fraction=0.1))
  split = shakespeare_plays.split_indices(len(labels), cfg)
  if PRESETS[preset]['lines']:
    split = {s: idx[:PRESETS[preset]['lines']] for s, idx in split.items()}
  return {'words': [shakespeare.words(t) for t in texts], 'y': labels, 'split': split,
          'plays': bert_play.PLAYS}


def classify(features: dict, labels: dict, preset: str) -> float:
  """Test accuracy of the logistic regression (L2 weight chosen on validation) on standardised
  features {split: [N, F]}."""
  from dljax.eval import probe  # pylint: disable=g-import-not-at-top
  p = PRESETS[preset]
  mean, std = features['train'].mean(0), features['train'].std(0)
  std = std + 1e-3 * std.mean() + 1e-12
  h = {s: (f - mean) / std for s, f in features.items()}
  cfg = ml_collections.ConfigDict(dict(l2=p['l2'], steps=p['steps'], lr=0.01))
  num_classes = int(max(y.max() for y in labels.values())) + 1
  return probe.linear_probe((h['train'], labels['train']), (h['validation'], labels['validation']),
                            (h['test'], labels['test']), num_classes, cfg)


def _docs(vocab, lines: dict) -> tuple:
  """({split: [word ids per line]}, {split: labels}, idf over the training lines)."""
  from dljax.eval import embeddings as emb_eval  # pylint: disable=g-import-not-at-top
  docs = [vocab.encode(ws) for ws in lines['words']]
  by_split = {s: [docs[i] for i in idx] for s, idx in lines['split'].items()}
  labels = {s: lines['y'][idx] for s, idx in lines['split'].items()}
  return by_split, labels, emb_eval.idf(by_split['train'], len(vocab))


def pooled_accuracy(vectors_VxD, vocab, lines: dict, preset: str, weighted: bool) -> float:
  """Test accuracy of the (TF-IDF-weighted if `weighted`) mean of the given word vectors."""
  from dljax.eval import embeddings as emb_eval  # pylint: disable=g-import-not-at-top
  by_split, labels, idf_V = _docs(vocab, lines)
  feats = {s: emb_eval.sentence_vectors(d, vectors_VxD, idf_V if weighted else None)
           for s, d in by_split.items()}
  return classify(feats, labels, preset)


def bow_accuracy(vocab, lines: dict, preset: str) -> float:
  """Test accuracy of the TF-IDF bag of the `bow_words` most frequent words of the training lines."""
  from dljax.eval import embeddings as emb_eval  # pylint: disable=g-import-not-at-top
  by_split, labels, idf_V = _docs(vocab, lines)
  counts = np.bincount(np.concatenate(by_split['train']), minlength=len(vocab))
  counts[0] = 0                                      # '<unk>' is no feature
  columns = np.argsort(-counts, kind='stable')[:PRESETS[preset]['bow_words']]
  feats = {s: emb_eval.tfidf_features(d, columns, idf_V) for s, d in by_split.items()}
  return classify(feats, labels, preset)


def _stats(values) -> dict:
  return {'mean': float(np.mean(values)), 'std': float(np.std(values, ddof=1)) if len(values) > 1
          else 0.0, 'per_seed': [float(v) for v in values]}


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  """{method: {feature: test accuracy over seeds}}, chance, and the plot (module docstring)."""
  from dljax import viz  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  lines = play_lines(preset)
  test_y = lines['y'][lines['split']['test']]
  table = {'chance': float(np.bincount(test_y).max() / len(test_y)),
           'lines': {s: int(len(i)) for s, i in lines['split'].items()}, 'plays': list(lines['plays'])}
  per_vocab, random = {}, {}     # no word vectors: computed once per vocabulary (and seed)
  for name in TRAINED:
    per_seed = {}
    for k, summary in enumerate(summaries[name].get('seeds') or [summaries[name]]):
      run = loop.load_run(summary['workdir'])
      vectors = run.task.word_vectors(run.state, run.data)
      vocab = run.data['vocab']
      per_seed.setdefault('mean', []).append(pooled_accuracy(vectors, vocab, lines, preset, False))
      per_seed.setdefault('tfidf_mean', []).append(
          pooled_accuracy(vectors, vocab, lines, preset, True))
      key = (vocab.words, vectors.shape[1], k)       # random vectors: one draw per seed and width
      if key not in random:
        rand_VxD = np.random.default_rng(k).normal(size=vectors.shape).astype(np.float32)
        random[key] = pooled_accuracy(rand_VxD, vocab, lines, preset, False)
      per_seed.setdefault('random_mean', []).append(random[key])
      if vocab.words not in per_vocab:
        per_vocab[vocab.words] = bow_accuracy(vocab, lines, preset)
    table[name] = {f: _stats(v) for f, v in per_seed.items()}
  # deterministic (zero init, full batch): one number per vocabulary, the same for every method
  table['bow_tfidf'] = _stats(list(per_vocab.values()))
  groups = {m: {f: table[m][f]['mean'] for f in FEATURES} for m in TRAINED}
  groups['no vectors'] = {'bow_tfidf': table['bow_tfidf']['mean'], 'chance': table['chance']}
  viz.grouped_bars(groups, os.path.join(out, 'sentence_embeddings.png'), ylabel='test accuracy',
                   ylim=(0.0, max(0.6, 1.15 * max(max(g.values()) for g in groups.values()))),
                   title='Which of 5 plays is a line from: logistic regression on sentence vectors')
  return table
