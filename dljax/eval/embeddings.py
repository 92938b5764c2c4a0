"""Intrinsic evaluation of word vectors: cosine neighbours, analogies (3CosAdd), a 2-D map.

  nearest(vectors_VxD, words, 'king', k)           -> [(word, cosine), ...] (the query excluded)
  analogy(vectors_VxD, index, a, b, c)             -> d = argmax_d cos(d, b - a + c), d ∉ {a, b, c}
  analogy_accuracy(vectors_VxD, words, questions)  -> {'accuracy', 'answered', 'total', ...}
  mean_cosine(vectors_VxD)                         -> mean pairwise cosine (the "cone" of seed 003)
  project_2d(vectors_NxD)                          -> PCA coordinates [N, 2]

ANALOGIES is our Shakespeare analogy set: pairs within a relation, every ordered couple of pairs of
one relation is a question a:b :: c:d. Questions with a word outside the vocabulary count as wrong
in `accuracy` (and are reported in `answered`).
"""
import itertools

import numpy as np

# relation -> word pairs (a, b); questions a1:b1 :: a2:b2 for a1 != a2 in one relation
ANALOGIES = {
    'gender': [('king', 'queen'), ('lord', 'lady'), ('man', 'woman'), ('father', 'mother'),
               ('son', 'daughter'), ('brother', 'sister'), ('husband', 'wife'), ('duke', 'duchess'),
               ('prince', 'princess'), ('sir', 'madam'), ('master', 'mistress'), ('he', 'she'),
               ('boy', 'girl'), ('uncle', 'aunt')],
    'subject_object': [('i', 'me'), ('he', 'him'), ('we', 'us'), ('they', 'them'),
                       ('thou', 'thee'), ('who', 'whom')],
    'possessive': [('i', 'my'), ('thou', 'thy'), ('he', 'his'), ('we', 'our'), ('you', 'your'),
                   ('they', 'their')],
    'past_tense': [('come', 'came'), ('give', 'gave'), ('take', 'took'), ('speak', 'spoke'),
                   ('know', 'knew'), ('see', 'saw'), ('make', 'made'), ('tell', 'told'),
                   ('say', 'said'), ('find', 'found')],
}
PROBES = ('king', 'love', 'night', 'sword', 'romeo', 'thou', 'death', 'gold')


def questions(analogies: dict = None) -> list:
  """[(relation, a, b, c, d)] for a:b :: c:d, all ordered couples of distinct pairs per relation."""
  out = []
  for rel, pairs in (ANALOGIES if analogies is None else analogies).items():
    for (a, b), (c, d) in itertools.permutations(pairs, 2):
      out.append((rel, a, b, c, d))
  return out


def unit(vectors_VxD):
  v = np.asarray(vectors_VxD, np.float64)
  return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def nearest(vectors_VxD, words, query, k: int = 10, unit_vectors=None) -> list:
  """The k words of highest cosine with `query` (a word of `words`, or a vector); the query and
  '<unk>' (an untrained row once rare words are removed from the text) are excluded."""
  u = unit(vectors_VxD) if unit_vectors is None else unit_vectors
  words = list(words)
  exclude = {i for i, w in enumerate(words) if w == '<unk>'}
  if isinstance(query, str):
    q = u[words.index(query)]
    exclude.add(words.index(query))
  else:
    q = unit(np.asarray(query)[None])[0]
  sims = u @ q
  order = [i for i in np.argsort(-sims) if i not in exclude][:k]
  return [(words[i], float(sims[i])) for i in order]


def analogy(unit_VxD, index: dict, a: str, b: str, c: str, skip=(0,)) -> int:
  """3CosAdd: argmax_d cos(d, b - a + c) over the vocabulary minus {a, b, c} and `skip` (<unk>)."""
  ia, ib, ic = index[a], index[b], index[c]
  sims = unit_VxD @ (unit_VxD[ib] - unit_VxD[ia] + unit_VxD[ic])
  sims[[ia, ib, ic, *skip]] = -np.inf
  return int(np.argmax(sims))


def analogy_accuracy(vectors_VxD, words, qs=None) -> dict:
  """Accuracy over all questions (out-of-vocabulary ones count as wrong) and per relation."""
  qs = questions() if qs is None else qs
  u = unit(vectors_VxD)
  index = {w: i for i, w in enumerate(words)}
  per_rel = {}
  answered = 0
  for rel, a, b, c, d in qs:
    hit = 0
    if all(w in index for w in (a, b, c, d)):
      answered += 1
      hit = int(words[analogy(u, index, a, b, c)] == d)
    per_rel.setdefault(rel, []).append(hit)
  total = len(qs)
  return {'accuracy': sum(sum(h) for h in per_rel.values()) / max(total, 1),
          'answered': answered, 'total': total,
          **{f'accuracy_{rel}': float(np.mean(h)) for rel, h in per_rel.items()}}


def mean_cosine(vectors_NxD, skip=(0,)) -> float:
  """Mean cosine over all pairs i != j of the rows (minus `skip`): near 0 for vectors spread in all
  directions, near 1 for vectors in a narrow cone (seed 003's word2vec-vs-GloVe claim)."""
  u = np.delete(unit(vectors_NxD), list(skip), axis=0)
  n = len(u)
  total = np.sum(u.sum(0) ** 2) - n          # Σ_{i != j} u_i·u_j = |Σ u_i|² - Σ |u_i|²
  return float(total / max(n * (n - 1), 1))


def project_2d(vectors_NxD) -> np.ndarray:
  """PCA to 2-D: the centred vectors on their top-2 right singular vectors."""
  x = np.asarray(vectors_NxD, np.float64)
  x = x - x.mean(0, keepdims=True)
  _, _, vt = np.linalg.svd(x, full_matrices=False)
  return (x @ vt[:2].T).astype(np.float32)


def plot_words() -> list:
  """The words of the 2-D map: the analogy pairs' words, without repeats, in order."""
  return list(dict.fromkeys(w for pairs in ANALOGIES.values() for pair in pairs for w in pair))


# ---- sentence vectors (seed 003 §1.7): the mean and the TF-IDF-weighted mean of word vectors ----

def idf(docs, vocab_size: int):
  """Smoothed inverse document frequency idf(w) = ln((1 + N) / (1 + df(w))) + 1 (sklearn's
  TfidfTransformer(smooth_idf=True)); docs: N arrays of word ids; df(w) = #docs containing w."""
  df_V = np.zeros(vocab_size, np.float64)
  for d in docs:
    df_V[np.unique(np.asarray(d, np.int64))] += 1
  return np.log((1 + len(docs)) / (1 + df_V)) + 1


def sentence_vectors(docs, vectors_VxD, weights_V=None, skip=(0,)) -> np.ndarray:
  """s = Σ_t a(w_t) e(w_t) / Σ_t a(w_t) over the tokens of each doc (a repeated word counts each
  time, so a = idf gives the TF-IDF-weighted mean; a = 1 the plain mean); tokens in `skip`
  ('<unk>') are left out; a doc with no token left gets the zero vector. [N, D] float32."""
  vectors_VxD = np.asarray(vectors_VxD, np.float64)
  a_V = np.ones(len(vectors_VxD)) if weights_V is None else np.asarray(weights_V, np.float64)
  if a_V.shape != (len(vectors_VxD),):
    raise ValueError(f'weights_V has shape {a_V.shape}; give one weight per word '
                     f'({len(vectors_VxD)},).')
  out = np.zeros((len(docs), vectors_VxD.shape[1]), np.float64)
  for n, d in enumerate(docs):
    d = np.asarray([w for w in d if w not in skip], np.int64)
    if len(d) and a_V[d].sum() > 0:
      out[n] = a_V[d] @ vectors_VxD[d] / a_V[d].sum()
  return out.astype(np.float32)


def tfidf_features(docs, columns, idf_V) -> np.ndarray:
  """The TF-IDF bag of words restricted to the word ids `columns`: x_w = count(w) idf(w), each row
  scaled to unit L2 norm (sklearn's TfidfVectorizer default). [N, len(columns)] float32."""
  col = {int(w): j for j, w in enumerate(columns)}
  x = np.zeros((len(docs), len(col)), np.float64)
  for n, d in enumerate(docs):
    for w in d:
      j = col.get(int(w))
      if j is not None:
        x[n, j] += 1
  x *= np.asarray(idf_V, np.float64)[np.asarray(columns, np.int64)][None]
  return (x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)).astype(np.float32)


# ---- intrinsic comparisons (seed 003 §2.9): top-10 lists, spelling variants, linear maps ----

def nearest_ids(vectors_VxD, query_ids, k: int = 10, exclude=(0,)) -> np.ndarray:
  """The k ids of highest cosine with each query word (the query itself and `exclude` left out),
  [Q, k], best first."""
  u = unit(vectors_VxD)
  query_ids = np.asarray(query_ids, np.int64)
  sims_QxV = u[query_ids] @ u.T
  sims_QxV[np.arange(len(query_ids)), query_ids] = -np.inf
  sims_QxV[:, list(exclude)] = -np.inf
  return np.argsort(-sims_QxV, axis=1)[:, :k]


def top_k_overlap(vectors_a_VxD, vectors_b_VxD, query_ids, k: int = 10, exclude=(0,)) -> float:
  """Mean over the queries of |N_k^a(w) ∩ N_k^b(w)| / k: how far two embeddings of one vocabulary
  (same ids) agree on each word's k nearest neighbours (1 = the same lists, ~k/V by chance)."""
  na = nearest_ids(vectors_a_VxD, query_ids, k, exclude)
  nb = nearest_ids(vectors_b_VxD, query_ids, k, exclude)
  return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(na, nb)]))


def neighbour_rank(vectors_VxD, a: int, b: int, exclude=(0,)) -> int:
  """Rank of word b among the neighbours of word a (1 = a's nearest word; a and `exclude` left out)."""
  u = unit(vectors_VxD)
  sims = u @ u[a]
  sims[[a, *exclude]] = -np.inf
  return int(np.sum(sims > sims[b])) + 1


def procrustes(x_NxD, y_NxD) -> np.ndarray:
  """Orthogonal Procrustes: W = argmin_{W^T W = I} ||X W - Y||_F = U V^T with U Σ V^T = svd(X^T Y)
  (Schönemann 1966; the cross-lingual map of Mikolov et al. 2013 / Xing et al. 2015). [D, D]."""
  x, y = np.asarray(x_NxD, np.float64), np.asarray(y_NxD, np.float64)
  if x.shape != y.shape:
    raise ValueError(f'procrustes needs paired rows of one width: X {x.shape} vs Y {y.shape}; '
                     'give the same dictionary pairs (and dimension) on both sides.')
  u, _, vt = np.linalg.svd(x.T @ y)
  return u @ vt


def translation_precision(src_VxD, tgt_WxD, pairs, w_DxD=None, k: int = 1, exclude=(0,)) -> float:
  """Precision@k of word translation: for each (source id, target id) pair, is the target among the
  k target words of highest cosine with the mapped source vector x W (W = identity if None)?"""
  pairs = np.asarray(pairs, np.int64)
  x = unit(src_VxD)[pairs[:, 0]]
  if w_DxD is not None:
    x = x @ np.asarray(w_DxD, np.float64)
  sims_PxW = unit(x) @ unit(tgt_WxD).T
  sims_PxW[:, list(exclude)] = -np.inf
  top = np.argsort(-sims_PxW, axis=1)[:, :k]
  return float(np.mean([t in row for t, row in zip(pairs[:, 1], top)]))


def random_rotation(dim: int, seed: int) -> np.ndarray:
  """A Haar-random orthogonal matrix (QR of a Gaussian matrix with the signs of R's diagonal)."""
  q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(dim, dim)))
  return q * np.sign(np.diag(r))[None]


# ---- a bias audit (seed 003 §2.9: "biases are encoded (e.g. gender expectations)") ----

def direction(vectors_VxD, index: dict, pairs) -> np.ndarray:
  """The unit mean of the unit differences u_b - u_a over the pairs (a, b) found in `index`
  (Bolukbasi et al. 2016 use the top principal component of such differences; with few pairs the
  mean is the steadier estimate)."""
  u = unit(vectors_VxD)
  diffs = [u[index[b]] - u[index[a]] for a, b in pairs if a in index and b in index]
  if not diffs:
    raise ValueError(f'none of the pairs {list(pairs)[:4]}... is in the vocabulary; give pairs of '
                     'vocabulary words.')
  g = np.mean(unit(np.stack(diffs)), axis=0)
  return g / max(np.linalg.norm(g), 1e-12)


def weat(vectors_VxD, index: dict, x_words, y_words, a_words, b_words, permutations: int = 2000,
         seed: int = 0) -> dict:
  """WEAT (Caliskan et al. 2017): s(w) = mean_a cos(w, a) - mean_b cos(w, b); effect size
  d = (mean_x s - mean_y s) / std_{x∪y} s; one-sided p = P(permuted X/Y split has a larger sum)."""
  u = unit(vectors_VxD)
  keep = lambda ws: [index[w] for w in ws if w in index]
  x, y, a, b = keep(x_words), keep(y_words), keep(a_words), keep(b_words)
  if min(len(x), len(y), len(a), len(b)) < 2:
    raise ValueError('WEAT needs at least 2 vocabulary words in each of the four sets.')
  s = lambda ids: (u[ids] @ u[a].T).mean(1) - (u[ids] @ u[b].T).mean(1)
  sx, sy = s(x), s(y)
  both = np.concatenate([sx, sy])
  stat = sx.sum() - sy.sum()
  rng = np.random.default_rng(seed)
  perm = np.array([(lambda p: both[p[:len(x)]].sum() - both[p[len(x):]].sum())(rng.permutation(len(both)))
                   for _ in range(permutations)])
  return {'effect_size': float((sx.mean() - sy.mean()) / both.std(ddof=1)),
          'p_value': float((np.sum(perm >= stat) + 1) / (permutations + 1)),
          'sizes': [len(x), len(y), len(a), len(b)]}
