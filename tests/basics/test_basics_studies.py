"""The pieces of the basics studies that a smoke run does not check: the bias-variance algebra,
the seeded random search and its validation-only choice, the divergence rule of the batch-size
sweep, the universal-approximation parameter counts and the L1 sparsity measure."""
import math

import numpy as np
import pytest

from experiments.basics import (batch_size_lr, bias_variance, hparam_search, l1_sparsity,
                                universal_approximation)


def test_decomposition_of_known_predictions():
  """Two models predicting f + 1 +- 0.5 everywhere: g_bar = f + 1, bias^2 = 1, variance = 0.25."""
  f_X = np.linspace(-1, 1, 11)
  g_MxX = np.stack([f_X + 1.5, f_X + 0.5])
  rec = bias_variance.decompose(g_MxX, f_X, noise_var=0.01)
  assert rec['bias2'] == pytest.approx(1.0) and rec['variance'] == pytest.approx(0.25)
  assert rec['sum'] == pytest.approx(1.26)


def test_decomposition_matches_the_expected_test_error():
  """E_m E_eps (g_m(x) - f(x) - eps)^2 = bias^2 + variance + sigma^2, by Monte Carlo."""
  rng = np.random.default_rng(0)
  f_X = np.sin(np.linspace(-2, 2, 50))
  g_MxX = f_X + 0.3 + 0.2 * rng.normal(size=(400, 50))
  rec = bias_variance.decompose(g_MxX, f_X, noise_var=0.04)
  y_MxX = f_X + 0.2 * rng.normal(size=(400, 50))
  assert np.mean((g_MxX - y_MxX) ** 2) == pytest.approx(rec['sum'], rel=0.03)


def test_fit_models_reduces_the_training_error():
  x = np.linspace(-2, 2, 20, dtype=np.float32)
  x_MxNx1 = np.stack([x[:, None]] * 2)
  y_MxN = np.stack([np.sin(3 * x), np.sin(3 * x) + 0.1]).astype(np.float32)
  import jax  # pylint: disable=g-import-not-at-top
  params = bias_variance.fit_models(8, x_MxNx1, y_MxN, jax.random.key(0), 300)
  assert params['Dense_0']['kernel'].shape == (2, 1, 8)  # stacked along the M models


def test_random_search_is_seeded_and_in_range():
  trials = hparam_search.sample_trials(50)
  assert trials == hparam_search.sample_trials(50)
  assert trials != hparam_search.sample_trials(50, seed=1)
  lrs, wds = zip(*trials)
  assert min(lrs) >= 1e-4 and max(lrs) <= 1e-1 and min(wds) >= 1e-5 and max(wds) <= 1e-1
  assert np.std(np.log10(lrs)) > 0.5  # log-uniform: spread over decades, not bunched at the top


def test_choice_reads_validation_only():
  trials = {'a': {'val_accuracy': 0.6, 'val_loss': 1.0},
            'b': {'val_accuracy': 0.7, 'val_loss': 1.2},
            'c': {'val_accuracy': 0.7, 'val_loss': 1.1},
            'd': {'val_accuracy': 0.9, 'val_loss': math.nan}}
  assert hparam_search.choose(trials) == 'c'  # tie on accuracy broken by the lower loss; nan skipped


def test_divergence_rule():
  assert batch_size_lr.diverged({'val/loss': math.nan})
  assert batch_size_lr.diverged({'val/loss': 3.0})  # worse than the uniform prediction (2.30)
  assert not batch_size_lr.diverged({'val/loss': 1.2})


def test_equal_parameter_budgets():
  for budget, shapes in universal_approximation.BUDGETS.items():
    counts = [universal_approximation.num_params(d, w) for d, w in shapes]
    assert max(abs(c - budget) for c in counts) <= 0.1 * budget, (budget, counts)


def test_kernel_weights_leave_out_biases():
  params = {'Dense_0': {'kernel': np.zeros((3, 2)), 'bias': np.ones(2)}}
  assert l1_sparsity.kernel_weights(params).shape == (6,)


@pytest.mark.parametrize('module', [batch_size_lr, bias_variance, hparam_search, l1_sparsity,
                                    universal_approximation])
def test_unknown_preset(module):
  with pytest.raises(ValueError, match='preset'):
    list(module.runs('gpu', '/unused'))
