"""Sentence vectors, TF-IDF (parity with sklearn), neighbour overlap, Procrustes and the bias tools
of dljax.eval.embeddings."""
import numpy as np
import pytest

from dljax.eval import embeddings as emb


def _docs(rng, n=40, v=12):
  return [rng.integers(0, v, size=rng.integers(1, 9)) for _ in range(n)]


def test_idf_and_tfidf_match_sklearn():
  sklearn_text = pytest.importorskip('sklearn.feature_extraction.text')
  rng = np.random.default_rng(0)
  v = 12
  docs = _docs(rng, v=v)
  counts = np.stack([np.bincount(d, minlength=v) for d in docs])
  ref = sklearn_text.TfidfTransformer(smooth_idf=True, norm='l2').fit(counts)
  idf = emb.idf(docs, v)
  present = counts.sum(0) > 0
  np.testing.assert_allclose(idf[present], ref.idf_[present], rtol=1e-12)
  columns = np.arange(v)
  np.testing.assert_allclose(emb.tfidf_features(docs, columns, idf),
                             ref.transform(counts).toarray(), rtol=1e-5, atol=1e-7)


def test_sentence_vectors_mean_and_weighted_mean():
  rng = np.random.default_rng(1)
  vectors = rng.normal(size=(6, 3))
  docs = [np.array([1, 2, 2]), np.array([0, 0]), np.array([0, 3, 5])]
  plain = emb.sentence_vectors(docs, vectors)
  np.testing.assert_allclose(plain[0], (vectors[1] + 2 * vectors[2]) / 3, rtol=1e-6)
  np.testing.assert_array_equal(plain[1], 0.0)                 # only '<unk>': the zero vector
  np.testing.assert_allclose(plain[2], (vectors[3] + vectors[5]) / 2, rtol=1e-6)
  a = np.array([1.0, 1.0, 3.0, 2.0, 1.0, 0.5])
  weighted = emb.sentence_vectors(docs, vectors, a)
  np.testing.assert_allclose(weighted[0], (vectors[1] + 6 * vectors[2]) / 7, rtol=1e-6)
  np.testing.assert_allclose(weighted[2], (2 * vectors[3] + 0.5 * vectors[5]) / 2.5, rtol=1e-6)
  with pytest.raises(ValueError, match='one weight per word'):
    emb.sentence_vectors(docs, vectors, a[:3])


def test_top_k_overlap_and_neighbours():
  rng = np.random.default_rng(2)
  x = rng.normal(size=(50, 8))
  q = np.arange(1, 20)
  assert emb.top_k_overlap(x, x, q) == 1.0
  assert emb.top_k_overlap(x, 3.0 * x @ emb.random_rotation(8, 0), q) == pytest.approx(1.0)
  assert emb.top_k_overlap(x, rng.normal(size=(50, 8)), q) < 0.5
  ids = emb.nearest_ids(x, [5], k=3)[0]
  ref = [i for i, _ in sorted(((i, -float(emb.unit(x)[5] @ emb.unit(x)[i])) for i in range(1, 50)
                               if i != 5), key=lambda t: t[1])][:3]
  np.testing.assert_array_equal(ids, ref)
  assert emb.neighbour_rank(x, 5, ids[0]) == 1 and emb.neighbour_rank(x, 5, ids[2]) == 3


def test_procrustes_recovers_a_rotation_and_translation_precision():
  rng = np.random.default_rng(3)
  x = rng.normal(size=(200, 10))
  r = emb.random_rotation(10, 1)
  np.testing.assert_allclose(r.T @ r, np.eye(10), atol=1e-10)
  y = x @ r + 0.01 * rng.normal(size=x.shape)
  w = emb.procrustes(x[:100], y[:100])
  np.testing.assert_allclose(w, r, atol=1e-2)
  np.testing.assert_allclose(w.T @ w, np.eye(10), atol=1e-10)
  pairs = np.stack([np.arange(100, 200)] * 2, 1)
  assert emb.translation_precision(x, y, pairs, w) == 1.0
  assert emb.translation_precision(x, y, pairs) < 0.2            # unmapped: the spaces differ
  assert emb.translation_precision(x, x, pairs) == 1.0
  with pytest.raises(ValueError, match='paired rows'):
    emb.procrustes(x[:5], y[:6])


def test_direction_and_weat():
  rng = np.random.default_rng(4)
  d = 16
  g = np.zeros(d)
  g[0] = 1.0
  words = ['<unk>'] + [f'm{i}' for i in range(4)] + [f'f{i}' for i in range(4)] + \
          [f'x{i}' for i in range(4)] + [f'y{i}' for i in range(4)]
  base = rng.normal(size=(len(words), d)) * 0.3
  base[:, 0] = 0.0
  vec = base.copy()
  for i, w in enumerate(words):
    vec[i, 0] = {'m': -1.0, 'f': 1.0, 'x': -0.5, 'y': 0.5}.get(w[0], 0.0)
  index = {w: i for i, w in enumerate(words)}
  direction = emb.direction(vec, index, [(f'm{i}', f'f{i}') for i in range(4)])
  assert direction[0] > 0.9
  result = emb.weat(vec, index, [f'x{i}' for i in range(4)], [f'y{i}' for i in range(4)],
                    [f'm{i}' for i in range(4)], [f'f{i}' for i in range(4)], permutations=500)
  assert result['effect_size'] > 1.5 and result['p_value'] < 0.05
  with pytest.raises(ValueError, match='vocabulary'):
    emb.direction(vec, index, [('nope', 'none')])
