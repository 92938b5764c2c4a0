"""Count-based word embeddings from a co-occurrence matrix X (dljax.data.word_context.cooccurrence).

LSA (seed 003 §1.7; the notes call it "LDA", the catalog corrects it): a truncated SVD of the
positive PMI matrix (or of log(1 + X)), word vectors U_k Σ_k^p (p = 1/2 as in Levy et al. 2015).

  PPMI_ij = max(0, log P(i, j) / (P(i) P_α(j))),  P(i, j) = X_ij / Σ X,  P_α(j) ∝ X_.j^α (α = 0.75)

Seed 001's "naive" embedding (L314–L332): proximities from windowed co-occurrence -> a distance
matrix D_actual (0 on the diagonal, the maximum where two words never co-occur) -> K-dim points
whose Euclidean distances D_model fit D_actual in the least-squares sense, by gradient descent on

  L = Σ_i Σ_j (D_as(i, j) - D_model(i, j))²                (the catalog's corrected stress: the
                                                            notes drop the minus sign and index j)

with D_as = D_actual rescaled to the mean of D_model (the notes' step 6). We start the descent from
classical MDS (Torgerson: the top-K eigenvectors of B = -1/2 J D² J), which minimises the related
"strain" in closed form; the notes start from random points (init='random').

Distances (`distance`): 'proximity' is the notes' recipe: proximity P_ij = X_ij / sqrt(X_i. X_j.)
(co-occurrence normalised by frequency, else every word is closest to 'the'), D = 1 - P / max P,
pairs that never co-occur at the maximum 1. 'profile' compares whole co-occurrence profiles:
the Hellinger distance between the context distributions p(.|i) and p(.|j).
"""
import jax
import jax.numpy as jnp
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

DISTANCES = ('proximity', 'profile')


def ppmi(x: sp.spmatrix, alpha: float = 0.75) -> sp.csr_matrix:
  """Positive PMI, max(0, log P(i, j) / (P(i) P_α(j))), with context probabilities ∝ count^α."""
  x = sp.csr_matrix(x, dtype=np.float64)
  total = x.sum()
  row = np.asarray(x.sum(1)).ravel()
  col = np.asarray(x.sum(0)).ravel() ** alpha
  coo = x.tocoo()
  p_ctx = col / col.sum()
  pmi = np.log(coo.data / total) - np.log(row[coo.row] / total) - np.log(p_ctx[coo.col])
  keep = pmi > 0
  return sp.csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=x.shape)


def truncated_svd(m, k: int, seed: int = 0):
  """(U [n, k], s [k] descending, Vt [k, m]): the rank-k SVD (Eckart–Young best approximation)."""
  if sp.issparse(m) and k < min(m.shape) - 1:
    v0 = np.random.default_rng(seed).standard_normal(min(m.shape))
    u, s, vt = spla.svds(m.astype(np.float64), k=k, v0=v0)
  else:
    u, s, vt = np.linalg.svd(m.toarray() if sp.issparse(m) else np.asarray(m), full_matrices=False)
    u, s, vt = u[:, :k], s[:k], vt[:k]
  order = np.argsort(-s)
  return u[:, order], s[order], vt[order]


def lsa(x: sp.spmatrix, dim: int, transform: str = 'ppmi', power: float = 0.5, seed: int = 0):
  """Word vectors U_k Σ_k^power of the SVD of PPMI(X) (transform='ppmi') or log(1 + X) ('log')."""
  if transform == 'ppmi':
    m = ppmi(x)
  elif transform == 'log':
    m = sp.csr_matrix(x, dtype=np.float64).log1p()
  else:
    raise ValueError(f"transform {transform!r} is unknown; use 'ppmi' or 'log'.")
  u, s, _ = truncated_svd(m, dim, seed)
  return (u * s[None, :] ** power).astype(np.float32)


def cooccurrence_distance(x, distance: str = 'profile') -> np.ndarray:
  """Dense [n, n] distances between the words of a (small) co-occurrence matrix (module docstring)."""
  x = np.asarray(x.toarray() if sp.issparse(x) else x, dtype=np.float64)
  freq = np.maximum(x.sum(1), 1e-12)
  if distance == 'proximity':
    p = x / np.sqrt(freq[:, None] * freq[None, :])      # proximity normalised by frequency
    np.fill_diagonal(p, 0.0)
    d = 1.0 - p / max(p.max(), 1e-12)                   # never together -> the maximum distance 1
  elif distance == 'profile':
    root = np.sqrt(x / freq[:, None])                   # sqrt p(c | i)
    sq = (root ** 2).sum(1)
    d = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2 * root @ root.T, 0.0) / 2)  # Hellinger
  else:
    raise ValueError(f'distance {distance!r} is unknown; use one of {DISTANCES}.')
  np.fill_diagonal(d, 0.0)
  return d.astype(np.float32)


def classical_mds(d_NxN, dim: int) -> np.ndarray:
  """Torgerson MDS: X = E_k Λ_k^(1/2) for the top-k eigenpairs of B = -1/2 J D² J, J = I - 11ᵀ/n."""
  d = np.asarray(d_NxN, np.float64)
  n = len(d)
  j = np.eye(n) - np.full((n, n), 1.0 / n)
  b = -0.5 * j @ (d ** 2) @ j
  lam, vec = np.linalg.eigh(b)
  top = np.argsort(-lam)[:dim]
  return (vec[:, top] * np.sqrt(np.maximum(lam[top], 0.0))[None, :]).astype(np.float32)


def pairwise_distance(x_NxK):
  """D_model(i, j) = ||x_i - x_j||, with a zero (and finite-gradient) diagonal."""
  norms_N = jnp.sum(x_NxK ** 2, axis=1)
  sq_NxN = jnp.maximum(norms_N[:, None] + norms_N[None, :] - 2 * x_NxK @ x_NxK.T, 0.0)
  off = 1.0 - jnp.eye(x_NxK.shape[0], dtype=x_NxK.dtype)
  return jnp.sqrt(sq_NxN + 1e-12 + (1.0 - off)) * off   # sqrt(1) on the diagonal, then zeroed


def stress(d_as_NxN, x_NxK):
  """L = Σ_i Σ_j (D_as(i, j) - D_model(i, j))²."""
  return jnp.sum((d_as_NxN - pairwise_distance(x_NxK)) ** 2)


def fit_stress(d_actual_NxN, dim: int, steps: int = 300, lr: float = 0.05, init: str = 'mds',
               seed: int = 0):
  """The notes' algorithm: start points (classical MDS, or random as in the notes), rescale D_actual
  to the mean distance of the start (D_as), then gradient descent on the stress.

  The step is lr / n per point (the stress gradient of a point sums over n partners).
  Returns (points [N, K] float32, stress per step as a numpy array)."""
  d = jnp.asarray(d_actual_NxN, jnp.float32)
  n = d.shape[0]
  if init == 'mds':
    x0 = jnp.asarray(classical_mds(d_actual_NxN, dim))
  elif init == 'random':
    x0 = jax.random.normal(jax.random.PRNGKey(seed), (n, dim)) * 0.1
  else:
    raise ValueError(f"init {init!r} is unknown; use 'mds' or 'random'.")
  d_as = d * (jnp.mean(pairwise_distance(x0)) / jnp.maximum(jnp.mean(d), 1e-12))   # step 6
  grad = jax.grad(stress, argnums=1)

  def step(x, _):
    return x - (lr / n) * grad(d_as, x), stress(d_as, x)

  x, losses = jax.lax.scan(step, x0, None, length=steps)
  return np.asarray(x), np.asarray(losses)
