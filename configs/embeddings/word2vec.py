r"""word2vec on Shakespeare's words: skip-gram (default) or CBOW (--config.model.name=cbow) with
negative sampling, dynamic windows and subsampling of frequent words (Mikolov et al. 2013b).

  python -m experiments.train --config=configs/embeddings/word2vec.py:cpu --workdir=runs/word2vec

Metrics: test/loss (negative sampling on validation text), test/analogy_accuracy (3CosAdd on
dljax.eval.embeddings.ANALOGIES). Outputs: vectors.npy, words.txt, neighbours.json.
Expected (seed 0, before the validation split, 2-core CPU; the study embeddings/word_embeddings):
analogy accuracy skip-gram 16.0 %, CBOW 24.7 %. Reference: no published number for this 0.8 M-word
corpus. full preset (d=300, 20 epochs): not measured. Details: docs/embeddings/notes.md.
"""
from configs import common

# analogy accuracy: the same expectation for every embedding config of this family
ANALOGY = ('expectation: no published number for a 0.8M-word corpus (word2vec reports billions of '
           'words); the 332 questions use frequent words, mostly syntactic relations: 5-30 %')
# the other model of this file (experiments.reproduce runs each; by hand: the overrides as flags)
VARIANTS = {
    'cbow': ({'model.name': 'cbow'}, common.reference('test/analogy_accuracy', (0.05, 0.30),
                                                      source=ANALOGY)),
}


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='word2vec', task='word2vec')
  config.data.name = 'shakespeare_words'
  config.data.min_count = 5
  config.data.window = 5
  config.data.negatives = 5
  config.data.subsample = 1e-3
  config.data.eval_batches = {'smoke': 1, 'cpu': 4, 'full': 8}[preset]
  dim = {'smoke': 8, 'cpu': 100, 'full': 300}[preset]
  config.model.name = 'skipgram'
  config.model.skipgram = dict(vocab_size=0, dim=dim)   # vocab_size 0: from the data
  config.model.cbow = dict(vocab_size=0, dim=dim)
  config.optim.name = 'adam'
  config.optim.lr = 0.03 if preset == 'cpu' else 0.01
  config.optim.schedule = common.schedule('warmup_cosine', warmup_steps=1 if preset == 'smoke' else 100)
  config.probes = ('king', 'love', 'night', 'sword', 'romeo', 'thou', 'death', 'gold')
  config.reference = common.reference('test/analogy_accuracy', (0.05, 0.30), source=ANALOGY)
  common.preset(config, preset,
                smoke=dict(steps=3, batch_size=16, eval_batch_size=16, train_limit=100_000,
                           validation_limit=20_000, test_limit=20_000),
                cpu=dict(epochs=6, batch_size=4096, eval_batch_size=4096, eval_every=400,
                         log_every=50),
                full=dict(epochs=20, batch_size=4096, eval_batch_size=4096, eval_every=5000))
  return config
