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
