r"""fastText skip-gram on Shakespeare's words: a word is its own vector plus its character n-grams.

  python -m experiments.train --config=configs/embeddings/fasttext.py:cpu --workdir=runs/fasttext

The input vector of word w is the mean of W_in[w] and the rows of the n-grams of '<w>'
(3 <= n <= 6, hashed with FNV-1a into model.buckets rows; Bojanowski et al. 2017), trained as
skip-gram with negative sampling (configs/embeddings/word2vec.py). Words outside the vocabulary
get a vector from their n-grams alone: neighbours.json lists the neighbours of config.oov_probes.
Metrics: test/loss (negative sampling on validation text), test/analogy_accuracy.
Reference: no published number for this corpus; compared with the other methods in
experiments/embeddings/word_embeddings.py.
MEASURED over 3 seeds: docs/embeddings/README.md. An earlier calibration run
(nice'd under a load average of ~16, not a timing claim): 200 steps with 50k buckets reached
test/analogy_accuracy 0.048 and test/loss 2.685 in 158 s wall; the n-gram gathers make a step
~5x dearer than skip-gram's, hence 2 epochs in the cpu preset.
full preset: d=300, 2M buckets (fastText's defaults), 20 epochs, for a GPU.
"""
from configs import common
from configs.embeddings.word2vec import ANALOGY


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='fasttext', task='word2vec')
  config.data.name = 'shakespeare_words'
  config.data.min_count = 5
  config.data.window = 5
  config.data.negatives = 5
  config.data.subsample = 1e-3
  config.data.eval_batches = {'smoke': 1, 'cpu': 4, 'full': 8}[preset]
  config.model.name = 'fasttext'
  config.model.vocab_size = 0                 # from the data
  config.model.dim = {'smoke': 8, 'cpu': 100, 'full': 300}[preset]
  config.model.buckets = {'smoke': 1000, 'cpu': 20_000, 'full': 2_000_000}[preset]
  config.model.n_min, config.model.n_max = 3, 6
  config.optim.name = 'adam'
  config.optim.lr = 0.03 if preset == 'cpu' else 0.01
  config.optim.schedule = common.schedule('warmup_cosine', warmup_steps=1 if preset == 'smoke' else 100)
  config.probes = ('king', 'love', 'night', 'sword', 'romeo', 'thou', 'death', 'gold')
  # words outside the vocabulary (min_count=5): modern spellings and rare derived forms
  config.oov_probes = ('kingliest', 'lovingest', 'swordsmen', 'nightly', 'loveliness', 'walked')
  config.reference = common.reference('test/analogy_accuracy', (0.05, 0.30), source=ANALOGY)
  common.preset(config, preset,
                smoke=dict(steps=3, batch_size=16, eval_batch_size=16, train_limit=100_000,
                           validation_limit=20_000, test_limit=20_000),
                cpu=dict(epochs=2, batch_size=4096, eval_batch_size=4096, eval_every=400,
                         log_every=50),
                full=dict(epochs=20, batch_size=4096, eval_batch_size=4096, eval_every=5000))
  return config
