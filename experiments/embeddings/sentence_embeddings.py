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
               classifier get without any trained vector)
and a baseline with no word vectors at all: bow_tfidf, the L2-normalised TF-IDF counts of the
`bow_words` most frequent words of the training lines. Classifier: multinomial logistic regression
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


def evaluate_vectors(vectors_VxD, vocab, lines: dict, preset: str, seed: int) -> dict:
  """{feature: test accuracy} of one run's word vectors (module docstring), and bow_tfidf."""
  from dljax.eval import embeddings as emb_eval  # pylint: disable=g-import-not-at-top
  docs = [vocab.encode(ws) for ws in lines['words']]
  by_split = {s: [docs[i] for i in idx] for s, idx in lines['split'].items()}
  labels = {s: lines['y'][idx] for s, idx in lines['split'].items()}
  idf_V = emb_eval.idf(by_split['train'], len(vocab))
  rand_VxD = np.random.default_rng(seed).normal(size=vectors_VxD.shape).astype(np.float32)
  weights = {'mean': (vectors_VxD, None), 'tfidf_mean': (vectors_VxD, idf_V),
             'random_mean': (rand_VxD, None)}
  out = {}
  for name, (vectors, a_V) in weights.items():
    feats = {s: emb_eval.sentence_vectors(d, vectors, a_V) for s, d in by_split.items()}
    out[name] = classify(feats, labels, preset)
  # the most frequent (non-<unk>) words of the training lines
  counts = np.bincount(np.concatenate(by_split['train']), minlength=len(vocab))
  counts[0] = 0
  columns = np.argsort(-counts, kind='stable')[:PRESETS[preset]['bow_words']]
  feats = {s: emb_eval.tfidf_features(d, columns, idf_V) for s, d in by_split.items()}
  out['bow_tfidf'] = classify(feats, labels, preset)
  return out


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
  bow = []
  for name in TRAINED:
    per_seed = {}
    for k, summary in enumerate(summaries[name].get('seeds') or [summaries[name]]):
      run = loop.load_run(summary['workdir'])
      vectors = run.task.word_vectors(run.state, run.data)
      result = evaluate_vectors(vectors, run.data['vocab'], lines, preset, seed=k)
      bow.append(result.pop('bow_tfidf'))
      for feature, acc in result.items():
        per_seed.setdefault(feature, []).append(acc)
    table[name] = {f: _stats(v) for f, v in per_seed.items()}
  table['bow_tfidf'] = _stats(bow)   # no word vectors: the same number whatever the method
  groups = {m: {f: table[m][f]['mean'] for f in FEATURES} for m in TRAINED}
  groups['no vectors'] = {'bow_tfidf': table['bow_tfidf']['mean'], 'chance': table['chance']}
  viz.grouped_bars(groups, os.path.join(out, 'sentence_embeddings.png'), ylabel='test accuracy',
                   ylim=(0.0, max(0.6, 1.15 * max(max(g.values()) for g in groups.values()))),
                   title='Which of 5 plays is a line from: logistic regression on sentence vectors')
  return table
