"""Prediction-based word embeddings: word2vec (skip-gram, CBOW), fastText and GloVe.

word2vec and fastText share one form (Mikolov et al. 2013; Bojanowski et al. 2017): an input table
W_in and an output table W_out; the hidden vector of an example is the mean of some input rows,

  skip-gram:  h = W_in[w_t]                                   (predict a context word w_{t+j})
  CBOW:       h = mean_{0<|j|<=r} W_in[w_{t+j}]               (predict the centre w_t)
  fastText:   h = mean(W_in[w], W_in[V + hash(g) mod B] for the n-grams g of '<w>')

and negative sampling scores the positive word o and K noise words n_k ~ P_n ∝ U(w)^(3/4):

  loss = -log σ(u_o·h) - Σ_k log σ(-u_{n_k}·h)                       (Mikolov et al. 2013b, eq. 4)

fastText's paper writes the word vector as the *sum* of its n-gram vectors; its reference code
(Model::computeHidden) averages them, which is what we do (the same direction, a per-word scale).

GloVe (Pennington et al. 2014): J = Σ_{X_ij>0} f(X_ij) (w_i·w̃_j + b_i + b̃_j - log X_ij)²,
f(x) = min(1, (x/x_max)^α), α = 3/4; the word vectors used are W + W̃.
"""
import flax.linen as nn
import jax
import jax.numpy as jnp


def sgns_loss(scores_BxT):
  """Negative-sampling loss per example: targets[:, 0] is the positive, the rest are negatives."""
  pos_B, neg_BxK = scores_BxT[:, 0], scores_BxT[:, 1:]
  # -log σ(u_o·h) - Σ_k log σ(-u_k·h)
  return -jax.nn.log_sigmoid(pos_B) - jax.nn.log_sigmoid(-neg_BxK).sum(axis=1)


class NegativeSampling(nn.Module):
  """h = masked mean of input rows; score_t = u_t·h for each target row (the shared word2vec form)."""
  vocab_size: int
  dim: int = 100

  def input_rows(self) -> int:
    return self.vocab_size

  def setup(self):
    rows = self.input_rows()
    # word2vec's initialisation: W_in ~ U(-0.5/d, 0.5/d), W_out = 0
    init = lambda key, shape, dtype=jnp.float32: jax.random.uniform(  # pylint: disable=unnecessary-lambda-assignment
        key, shape, dtype, -0.5 / self.dim, 0.5 / self.dim)
    self.w_in = self.param('w_in', init, (rows, self.dim))
    self.w_out = self.param('w_out', nn.initializers.zeros, (self.vocab_size, self.dim))

  def hidden(self, inputs_BxC, input_mask_BxC):
    m_BxC = input_mask_BxC.astype(jnp.float32)
    summed_BxD = jnp.einsum('bc,bcd->bd', m_BxC, self.w_in[inputs_BxC])
    return summed_BxD / jnp.maximum(m_BxC.sum(1, keepdims=True), 1.0)

  def __call__(self, inputs_BxC, input_mask_BxC, targets_BxT):
    h_BxD = self.hidden(inputs_BxC, input_mask_BxC)
    return jnp.einsum('bd,btd->bt', h_BxD, self.w_out[targets_BxT])   # u_t · h

  def word_vectors(self):
    """The embedding of every vocabulary word: its W_in row."""
    return self.w_in


class SkipGram(NegativeSampling):
  """word2vec skip-gram: inputs = the centre word (C = 1), positive = one context word."""


class CBOW(NegativeSampling):
  """word2vec continuous bag of words: inputs = the context words (masked), positive = the centre."""


class FastText(NegativeSampling):
  """Skip-gram over subword units: inputs = the word's own row and its hashed n-gram rows."""
  buckets: int = 200_000
  n_min: int = 3   # the n-gram lengths (used by the data: dljax.data.word_context.ngram_table)
  n_max: int = 6

  def input_rows(self) -> int:
    return self.vocab_size + self.buckets   # V word rows, then the n-gram hash buckets

  def word_vectors(self, rows_NxG, mask_NxG):  # pylint: disable=arguments-differ
    """Word vectors from input rows (dljax.data.word_context.ngram_rows / ngram_table); an unseen
    word has only its n-gram rows, so it still gets a vector."""
    return self.hidden(rows_NxG, mask_NxG)


class GloVe(nn.Module):
  """Global vectors: w_i·w̃_j + b_i + b̃_j fits log X_ij (x_max, alpha: the weighting f)."""
  vocab_size: int
  dim: int = 100
  x_max: float = 100.0
  alpha: float = 0.75

  def setup(self):
    init = lambda key, shape, dtype=jnp.float32: jax.random.uniform(  # pylint: disable=unnecessary-lambda-assignment
        key, shape, dtype, -0.5 / self.dim, 0.5 / self.dim)   # GloVe's C code: U(-0.5/d, 0.5/d)
    self.w = self.param('w', init, (self.vocab_size, self.dim))
    self.w_ctx = self.param('w_ctx', init, (self.vocab_size, self.dim))
    self.b = self.param('b', nn.initializers.zeros, (self.vocab_size,))
    self.b_ctx = self.param('b_ctx', nn.initializers.zeros, (self.vocab_size,))

  def __call__(self, i_B, j_B):
    # w_i·w̃_j + b_i + b̃_j
    return jnp.einsum('bd,bd->b', self.w[i_B], self.w_ctx[j_B]) + self.b[i_B] + self.b_ctx[j_B]

  def word_vectors(self):
    return self.w + self.w_ctx   # W + W̃ (Pennington et al. §4.2)


def glove_weight(x, x_max: float = 100.0, alpha: float = 0.75):
  """f(x) = (x / x_max)^α for x < x_max, else 1."""
  return jnp.minimum(1.0, (x / x_max) ** alpha)


def glove_loss(pred_B, x_B, x_max: float = 100.0, alpha: float = 0.75):
  """f(X_ij) (w_i·w̃_j + b_i + b̃_j - log X_ij)² per nonzero entry."""
  return glove_weight(x_B, x_max, alpha) * (pred_B - jnp.log(x_B)) ** 2
