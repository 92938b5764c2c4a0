"""The pure parts of the sequence study scripts (their runs are measured, not tested)."""
import numpy as np

from dljax.models import transformer
from experiments.sequence import decoding_study
from experiments.language import gpt_scaling
from experiments.memory import ntm_ngram


def test_power_law_fit_recovers_exponent():
  n = np.array([1e3, 1e4, 1e5, 1e6])
  a, alpha = gpt_scaling.power_law_fit(n, 5.0 * n ** -0.08)
  assert abs(alpha - 0.08) < 1e-9 and abs(a - 5.0) < 1e-6


def test_non_embedding_params_match_the_model():
  import jax  # pylint: disable=g-import-not-at-top
  model = transformer.LM(vocab_size=11, d_model=32, num_heads=1, num_layers=2, max_len=8)
  params = model.init(jax.random.PRNGKey(0), np.zeros((1, 8), np.int32))['params']
  total = sum(x.size for x in jax.tree.leaves(params))
  embedding = 11 * 32 + 8 * 32
  assert gpt_scaling.non_embedding_params(32, 2) == total - embedding


def test_repetition_counts_earlier_ngrams():
  assert decoding_study.repetition([1, 2, 3, 4, 5, 6]) == 0.0
  assert decoding_study.repetition([1, 2, 1, 2, 1, 2], n=2) == 3 / 5   # (1,2),(2,1) seen again


def test_ntm_ngram_table_measures_the_gap_to_the_optimum():
  final = {'test/bits_per_seq': 60.5, 'test/bayes_bits_per_seq': 56.5, 'test/bit_error_per_seq': 20.0}
  rows = ntm_ngram.table({'ntm': {'final': final, 'wall_s': 10.0, 'curve': ([250], [60.5])}})
  assert rows == {'ntm': {'bits_per_seq': 60.5, 'bayes_bits_per_seq': 56.5, 'gap_bits': 4.0,
                          'bit_error_per_seq': 20.0, 'wall_s': 10.0}}
  assert ntm_ngram.make_config('lstm', 'smoke').model.name == 'lstm'
