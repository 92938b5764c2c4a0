"""experiments/language/gpt_scaling.py: the power-law fit, the parameter count, and the cpu grid
that the published numbers came from."""
import numpy as np
import pytest

from dljax.models import transformer
from experiments.language import gpt_scaling


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


def test_cpu_grid_is_the_published_one():
  runs = dict(gpt_scaling.runs('cpu', '/unused'))
  assert list(runs) == ['d32_l1_nall', 'd64_l2_nall', 'd96_l3_nall', 'd128_l4_n125000',
                        'd128_l4_n500000', 'd128_l4_nall']
  for name, config in runs.items():
    assert config.train.steps == 600 and config.train.eval_every == 150
    assert config.data.batch_size == 32 and config.data.block_size == 128
    assert config.data.eval_windows == 200 and config.optim.schedule.warmup_steps == 60
    assert config.model.num_heads == max(1, config.model.d_model // 32)
    assert name.endswith('nall') == (config.data.train_limit == 0)


def test_unknown_preset_names_the_presets():
  with pytest.raises(ValueError, match="'cpu', 'smoke'"):
    list(gpt_scaling.runs('full', '/unused'))
