r"""GloVe on Shakespeare's words: weighted least squares on the log co-occurrence counts.

  python -m experiments.train --config=configs/embeddings/glove.py:cpu --workdir=runs/glove

X_ij sums 1/d over the pairs at distance d <= data.window (Pennington et al. 2014); the loss
Σ f(X_ij)(w_i·w̃_j + b_i + b̃_j - log X_ij)² runs over the nonzero X_ij in shuffled mini-batches,
f(x) = min(1, (x / x_max)^(3/4)); the word vectors are W + W̃. (GloVe trains with AdaGrad; we use
Adam, the optimizer of the other embedding configs.) Metrics: test/loss = the weighted loss on a
fixed sample of data.eval_limit nonzero entries, test/analogy_accuracy (our Shakespeare set).
Reference: no published number for this corpus; compared with the other methods in
experiments/embeddings/word_embeddings.py.
MEASURED over 3 seeds: docs/embeddings/README.md. An earlier calibration run
(nice'd under a load average of ~16 on the shared 2-core CPU, so not a timing claim): this cpu
preset (715 steps) reached test/analogy_accuracy 0.262 (87/332), test/loss 0.0394 in 153 s wall.
full preset: d=300, x_max=100, 50 epochs over the nonzeros, for a GPU.
"""
from configs import common
from configs.embeddings.word2vec import ANALOGY


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='glove', task='glove')
  config.data.name = 'shakespeare_words'
  config.data.min_count = 5
  config.data.window = 5
  config.data.eval_limit = {'smoke': 64, 'cpu': 50_000, 'full': 200_000}[preset]
  config.model.name = 'glove'
  config.model.vocab_size = 0                 # from the data
  config.model.dim = {'smoke': 8, 'cpu': 100, 'full': 300}[preset]
  config.model.x_max = 100.0 if preset == 'full' else 10.0   # a small corpus: smaller counts
  config.model.alpha = 0.75
  config.optim.name = 'adam'
  config.optim.lr = 0.03 if preset == 'cpu' else 0.01
  config.optim.schedule = common.schedule('warmup_cosine', warmup_steps=1 if preset == 'smoke' else 100)
  config.probes = ('king', 'love', 'night', 'sword', 'romeo', 'thou', 'death', 'gold')
  config.reference = common.reference('test/analogy_accuracy', (0.05, 0.30), source=ANALOGY)
  common.preset(config, preset,
                smoke=dict(steps=3, batch_size=32, eval_batch_size=32, train_limit=100_000),
                cpu=dict(epochs=3, batch_size=8192, eval_batch_size=10_000, eval_every=300,
                         log_every=50),
                full=dict(epochs=50, batch_size=8192, eval_batch_size=10_000, eval_every=5000))
  return config
