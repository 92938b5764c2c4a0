"""Word embeddings: counts, LSA/SVD, MDS, negative sampling, SGNS/GloVe losses, fastText n-grams,
evaluation (neighbours, 3CosAdd), and a tiny corpus whose two disjoint contexts must separate."""
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import scipy.sparse as sp

from dljax import models
from dljax.data import word_context as wc
from dljax.errors import ConfigError
from dljax.eval import embeddings as emb_eval
from dljax.models import count_embeddings as ce, embeddings as emb
from tests.helpers import load_config


# --- co-occurrence counts --------------------------------------------------------------------------

def test_cooccurrence_counts_by_hand():
  ids = np.array([0, 1, 2, 1])          # "a b c b"
  x = wc.cooccurrence(ids, 3, window=1).toarray()
  # pairs at distance 1: (a,b) (b,c) (c,b), each counted in both directions
  np.testing.assert_array_equal(x, [[0, 1, 0], [1, 0, 2], [0, 2, 0]])
  lin = wc.cooccurrence(ids, 3, window=2, weighting='linear').toarray()
  # distance 1 weighs 2, distance 2 weighs 1: extra pairs (a,c) and (b,b) -> X_bb gets 1 + 1
  np.testing.assert_array_equal(lin, [[0, 2, 1], [2, 2, 4], [1, 4, 0]])
  harm = wc.cooccurrence(ids, 3, window=2, weighting='harmonic').toarray()
  np.testing.assert_allclose(harm, [[0, 1, 0.5], [1, 1, 2], [0.5, 2, 0]])


def test_ppmi_by_hand():
  x = np.array([[0., 2.], [2., 4.]])
  m = ce.ppmi(sp.csr_matrix(x), alpha=1.0).toarray()
  total, row = x.sum(), x.sum(1)
  # symmetric X: column sums = row sums; PMI_11 = log(2*8 / (2*6)) > 0, PMI_22 = log(4*8/36) < 0
  expected = [[0, np.log(2 * 8 / (2 * 6))], [np.log(2 * 8 / (6 * 2)), 0]]
  np.testing.assert_allclose(m, expected, rtol=1e-6)
  assert total == 8 and row[1] == 6


def test_truncated_svd_reconstructs_and_is_best_rank_k():
  m = np.random.default_rng(0).standard_normal((7, 5))
  u, s, vt = ce.truncated_svd(m, 5)
  np.testing.assert_allclose(u @ np.diag(s) @ vt, m, atol=1e-10)
  ms = sp.csr_matrix(np.random.default_rng(1).random((30, 20)) * (np.random.default_rng(2).random((30, 20)) < 0.3))
  u2, s2, vt2 = ce.truncated_svd(ms, 3)                    # sparse path (ARPACK)
  full = np.linalg.svd(ms.toarray(), compute_uv=False)
  np.testing.assert_allclose(s2, full[:3], rtol=1e-6)
  err = np.linalg.norm(ms.toarray() - u2 @ np.diag(s2) @ vt2)
  np.testing.assert_allclose(err, np.sqrt((full[3:] ** 2).sum()), rtol=1e-6)   # Eckart–Young
  vecs = ce.lsa(ms, 3, power=0.5)
  assert vecs.shape == (30, 3)


def test_mds_recovers_euclidean_distances_and_stress_descends():
  pts = np.random.default_rng(0).standard_normal((12, 2))
  d = np.linalg.norm(pts[:, None] - pts[None], axis=-1)
  x = ce.classical_mds(d, 2)
  np.testing.assert_allclose(np.linalg.norm(x[:, None] - x[None], axis=-1), d, atol=1e-4)
  x_fit, losses = ce.fit_stress(d, 2, steps=50, lr=0.05, init='random')
  assert losses[-1] < 0.5 * losses[0]
  direct = np.sum((d * 0 + np.asarray(ce.pairwise_distance(jnp.asarray(x_fit)))) ** 2)
  assert np.isfinite(direct)
  # the distances of co-occurrence profiles: zero diagonal, symmetric, identical rows at distance 0
  c = np.array([[0, 3, 1], [3, 0, 1], [0, 3, 1]], float)
  for kind in ce.DISTANCES:
    dd = ce.cooccurrence_distance(c, kind)
    np.testing.assert_allclose(np.diag(dd), 0)
  dp = ce.cooccurrence_distance(c, 'profile')
  np.testing.assert_allclose(dp, dp.T, atol=1e-6)
  assert dp[0, 2] == pytest.approx(0.0, abs=1e-6)


# --- negative sampling -----------------------------------------------------------------------------

def test_noise_distribution_is_count_to_the_three_quarters():
  counts = np.array([50, 100, 10, 1])                       # id 0 = <unk>: never drawn
  p = wc.noise_distribution(counts)
  expected = np.array([0, 100 ** .75, 10 ** .75, 1]) / (100 ** .75 + 10 ** .75 + 1)
  np.testing.assert_allclose(p, expected)
  ids = np.tile(np.arange(1, 4), 50)
  sampler = wc.ContextSampler(ids, 'skipgram', 2, 20, p, 512, seed=0)
  negs = np.concatenate([sampler(b)['targets'][:, 1:].ravel() for b in range(4)])
  freq = np.bincount(negs, minlength=4) / len(negs)
  np.testing.assert_allclose(freq, expected, atol=0.01)


def test_context_batches_are_deterministic_and_within_the_window():
  ids = np.arange(100)                                       # word id = position
  noise = wc.noise_distribution(np.ones(100))
  sg = wc.ContextSampler(ids, 'skipgram', 3, 2, noise, 64, seed=5)
  b = sg(7)
  for k, v in sg(7).items():
    np.testing.assert_array_equal(b[k], v)                   # a function of (seed, b)
  assert not np.array_equal(sg(8)['targets'], b['targets'])
  dist = np.abs(b['targets'][:, 0] - b['inputs'][:, 0])
  assert dist.min() >= 1 and dist.max() <= 3
  cb = wc.ContextSampler(ids, 'cbow', 3, 2, noise, 64, seed=5)(0)
  offsets = cb['inputs'] - cb['targets'][:, :1]
  np.testing.assert_array_equal(offsets[0], [-3, -2, -1, 1, 2, 3])
  assert cb['input_mask'][:, [2, 3]].all()                  # radius >= 1 always uses +-1


def test_sgns_loss_matches_the_direct_formula():
  rng = np.random.default_rng(0)
  model = emb.SkipGram(vocab_size=10, dim=4)
  inputs = rng.integers(0, 10, (3, 1))
  targets = rng.integers(0, 10, (3, 4))
  params = model.init(jax.random.PRNGKey(0), inputs, np.ones((3, 1), bool), targets)['params']
  params = jax.tree.map(lambda p: jax.random.normal(jax.random.PRNGKey(1), p.shape), params)
  scores = model.apply({'params': params}, inputs, np.ones((3, 1), bool), targets)
  w_in, w_out = np.asarray(params['w_in']), np.asarray(params['w_out'])
  direct_scores = np.einsum('bd,btd->bt', w_in[inputs[:, 0]], w_out[targets])
  np.testing.assert_allclose(scores, direct_scores, rtol=1e-5)
  sig = lambda z: 1 / (1 + np.exp(-z))
  direct = -np.log(sig(direct_scores[:, 0])) - np.log(sig(-direct_scores[:, 1:])).sum(1)
  np.testing.assert_allclose(emb.sgns_loss(scores), direct, rtol=1e-5)
  # CBOW averages the unmasked context rows
  cbow = emb.CBOW(vocab_size=10, dim=4)
  ctx, mask = np.array([[1, 2, 3, 4]]), np.array([[True, True, False, False]])
  s = cbow.apply({'params': params}, ctx, mask, targets[:1])
  np.testing.assert_allclose(s, (w_in[[1, 2]].mean(0) @ w_out[targets[0]].T)[None], rtol=1e-5)


def test_glove_weighting_and_loss():
  x = jnp.array([0.0, 50.0, 100.0, 400.0])
  np.testing.assert_allclose(emb.glove_weight(x, 100.0, 0.75), [0, 0.5 ** 0.75, 1, 1], rtol=1e-6)
  model = emb.GloVe(vocab_size=5, dim=3)
  i, j = jnp.array([0, 3]), jnp.array([2, 2])
  params = model.init(jax.random.PRNGKey(0), i, j)['params']
  pred = model.apply({'params': params}, i, j)
  p = jax.tree.map(np.asarray, params)
  direct = (p['w'][[0, 3]] * p['w_ctx'][[2, 2]]).sum(1) + p['b'][[0, 3]] + p['b_ctx'][[2, 2]]
  np.testing.assert_allclose(pred, direct, rtol=1e-5)
  xs = jnp.array([5.0, 200.0])
  np.testing.assert_allclose(emb.glove_loss(pred, xs, 100.0),
                             np.array([0.05 ** 0.75, 1.0]) * (direct - np.log([5.0, 200.0])) ** 2,
                             rtol=1e-5)


# --- fastText ----------------------------------------------------------------------------------------

def test_fasttext_ngrams_of_where():
  assert wc.char_ngrams('where', 3, 3) == ['<wh', 'whe', 'her', 'ere', 're>']
  assert wc.char_ngrams('her', 3, 3) == ['<he', 'her', 'er>']     # '<her>' itself is not an n-gram
  assert '<where>' not in wc.char_ngrams('where', 3, 7)
  assert wc.fnv1a('where') == wc.fnv1a('where') and wc.fnv1a('a') == 0xe40c292c   # FNV-1a test vector


def test_fasttext_unseen_words_get_vectors_and_variants_are_close():
  words = ('<unk>', 'the', 'king')
  model = emb.FastText(vocab_size=3, dim=32, buckets=5000)
  table, mask = wc.ngram_table(words, 5000)
  params = model.init(jax.random.PRNGKey(0), table, mask, np.zeros((3, 2), np.int32))['params']
  params = {**params, 'w_in': jax.random.normal(jax.random.PRNGKey(1), params['w_in'].shape)}
  rows = [wc.ngram_rows(w, 3, 5000) for w in ('walking', 'walked', 'sorrowful')]  # all unseen
  g = max(map(len, rows))
  t = np.array([r + [0] * (g - len(r)) for r in rows])
  m = np.array([[k < len(r) for k in range(g)] for r in rows])
  v = np.asarray(model.apply({'params': params}, t, m, method=emb.FastText.word_vectors))
  assert v.shape == (3, 32) and np.isfinite(v).all() and (np.abs(v) > 0).any(1).all()
  u = emb_eval.unit(v)
  assert u[0] @ u[1] > 0.3 > abs(u[0] @ u[2])                # shared n-grams <wa, wal, alk, walk...
  # a vocabulary word: its own row plus its n-grams
  assert table[2, 0] == 2 and mask[2].sum() == 1 + len(wc.char_ngrams('king'))


# --- evaluation and learning -------------------------------------------------------------------------

def test_nearest_and_3cosadd_analogy():
  words = ['<unk>', 'man', 'woman', 'king', 'queen', 'apple']
  v = np.array([[0, 0, 1.], [1, 0, 0], [1, 1, 0], [2, 0, 0.1], [2, 1, 0.1], [0, -1, 0]])
  index = {w: i for i, w in enumerate(words)}
  assert words[emb_eval.analogy(emb_eval.unit(v), index, 'man', 'woman', 'king')] == 'queen'
  assert emb_eval.nearest(v, words, 'king', 1)[0][0] == 'man'
  assert '<unk>' not in [w for w, _ in emb_eval.nearest(v, words, np.array([0, 0, 1.]), 3)]
  acc = emb_eval.analogy_accuracy(v, words, [('g', 'man', 'woman', 'king', 'queen'),
                                             ('g', 'man', 'woman', 'duke', 'duchess')])
  assert acc['accuracy'] == 0.5 and acc['answered'] == 1
  u = emb_eval.unit(v[1:])
  direct = np.mean([u[i] @ u[j] for i in range(5) for j in range(5) if i != j])
  assert emb_eval.mean_cosine(v) == pytest.approx(direct)
  assert emb_eval.mean_cosine(np.eye(4)) == pytest.approx(0.0)    # orthogonal: no cone


def test_two_disjoint_contexts_separate_the_words():
  """Words of group A only ever appear next to A words, B next to B: skip-gram must split them."""
  rng = np.random.default_rng(0)
  groups = [np.arange(1, 6), np.arange(6, 11)]
  ids = np.concatenate([rng.choice(groups[k % 2], 20) for k in range(60)])
  counts = np.bincount(ids, minlength=11)
  sampler = wc.ContextSampler(ids, 'skipgram', 2, 4, wc.noise_distribution(counts), 128, seed=0)
  model = emb.SkipGram(vocab_size=11, dim=8)
  b0 = sampler(0)
  params = model.init(jax.random.PRNGKey(0), b0['inputs'], b0['input_mask'], b0['targets'])['params']
  tx = optax.adam(0.05)

  @jax.jit
  def step(params, opt, batch):
    loss_fn = lambda p: emb.sgns_loss(model.apply({'params': p}, batch['inputs'],  # pylint: disable=unnecessary-lambda-assignment
                                                  batch['input_mask'], batch['targets'])).mean()
    loss, g = jax.value_and_grad(loss_fn)(params)
    upd, opt = tx.update(g, opt)
    return optax.apply_updates(params, upd), opt, loss

  opt = tx.init(params)
  for b in range(150):
    params, opt, loss = step(params, opt, sampler(b))
  u = emb_eval.unit(np.asarray(params['w_in']))
  sims = u @ u.T
  a, bb = groups[0], groups[1]
  within = (sims[np.ix_(a, a)].sum() - len(a) + sims[np.ix_(bb, bb)].sum() - len(bb)) / (2 * 20)
  across = sims[np.ix_(a, bb)].mean()
  assert within > across + 0.5, (within, across)
  names = [str(i) for i in range(11)]
  for w in a:     # every A word's nearest neighbour is an A word
    assert int(emb_eval.nearest(u, names, str(w), 1)[0][0]) in a


# --- configs -----------------------------------------------------------------------------------------

# measured vocabulary of shakespeare_words with min_count=5: 8,606 words + '<unk>'
VOCAB = 8607
GOLDEN = {  # config -> parameters of the cpu preset's model
    'configs/embeddings/word2vec.py': 2 * VOCAB * 100,                       # W_in, W_out
    'configs/embeddings/fasttext.py': (VOCAB + 20_000) * 100 + VOCAB * 100,  # + n-gram buckets
    'configs/embeddings/glove.py': 2 * VOCAB * 100 + 2 * VOCAB,              # + both biases
}


@pytest.mark.parametrize('path', sorted(GOLDEN))
def test_golden_parameter_counts(path):
  config = load_config(path, 'cpu')
  cfg = config.model.copy_and_resolve_references()
  node = cfg[cfg.name] if hasattr(cfg.get(cfg.name, None), 'items') else cfg
  node.vocab_size = VOCAB
  model = models.build(cfg)
  if cfg.name == 'glove':
    args = (jnp.zeros(2, jnp.int32), jnp.zeros(2, jnp.int32))
  else:
    args = (jnp.zeros((2, 3), jnp.int32), jnp.ones((2, 3), bool), jnp.zeros((2, 6), jnp.int32))
  shapes = jax.eval_shape(model.init, jax.random.PRNGKey(0), *args)
  assert sum(np.prod(s.shape) for s in jax.tree.leaves(shapes)) == GOLDEN[path]


def test_wrong_model_for_the_task_is_a_config_error():
  from dljax.train import tasks  # pylint: disable=g-import-not-at-top
  config = load_config('configs/embeddings/word2vec.py', 'smoke')
  config.model.name = 'glove'
  config.model.glove = dict(vocab_size=0, dim=4)
  with pytest.raises(ConfigError, match='model.name'):
    tasks.TASKS['word2vec'].read_data(config)
  config = load_config('configs/embeddings/word2vec.py', 'smoke')
  config.data.window = 0
  with pytest.raises(ConfigError, match='data.window'):
    tasks.TASKS['word2vec'].read_data(config)


def test_context_iterator_resumes_where_it_stopped():
  """The grain state (the next batch number) restores the exact batch stream after a restart."""
  ids = np.arange(1, 60) % 7 + 1
  sampler = wc.ContextSampler(ids, 'cbow', 2, 3, wc.noise_distribution(np.ones(8)), 8, seed=3)
  it = wc.context_iterator(sampler)
  for _ in range(3):
    next(it)
  state = it.get_state()
  expected = next(it)
  fresh = wc.context_iterator(sampler)
  fresh.set_state(state)
  got = next(fresh)
  for k in expected:
    np.testing.assert_array_equal(got[k], expected[k])
