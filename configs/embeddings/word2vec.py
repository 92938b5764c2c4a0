r"""word2vec on Shakespeare's words: skip-gram (default) or CBOW with negative sampling.

  python -m experiments.train --config=configs/embeddings/word2vec.py:cpu --workdir=runs/word2vec
  python -m experiments.train --config=configs/embeddings/word2vec.py:cpu --workdir=runs/cbow \
      --config.model.name=cbow

Data: shakespeare_words (dljax.data.shakespeare word view; words seen fewer than data.min_count
times are removed from the text), dynamic windows of radius <= data.window, data.negatives noise
words from P_n ∝ count^(3/4), frequent words subsampled with t = data.subsample (Mikolov et al.
2013b). Metrics: test/loss = the negative-sampling loss on fixed validation examples,
test/analogy_accuracy = 3CosAdd on dljax.eval.embeddings.ANALOGIES (our Shakespeare set).
Outputs: vectors.npy, words.txt, neighbours.json, plots/embeddings_2d.png.
Reference: no published number for this corpus (0.8 M words, far below word2vec's billions);
the study experiments/word_embeddings.py compares all methods at equal small budgets.
MEASURED: queue run pending (job 'word_embeddings', experiments/word_embeddings.py). Calibration
(nice'd under a load average of ~16 on the shared 2-core CPU, so not a timing claim): skip-gram with
this preset's settings for 600 steps (the preset runs 6 epochs = ~790 steps) reached
test/analogy_accuracy 0.130 (43/332; possessives 0.80) and test/loss 2.652 in 73 s wall.
full preset: d=300, 20 epochs of the text, for a GPU.
"""
from configs import common


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
  common.preset(config, preset,
                smoke=dict(steps=3, batch_size=16, eval_batch_size=16, train_limit=100_000,
                           validation_limit=20_000, test_limit=20_000),
                cpu=dict(epochs=6, batch_size=4096, eval_batch_size=4096, eval_every=400,
                         log_every=50),
                full=dict(epochs=20, batch_size=4096, eval_batch_size=4096, eval_every=5000))
  return config
