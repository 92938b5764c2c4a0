"""The statistics demos (F20) assert their lesson with the numbers of the notes."""
import numpy as np
import pytest

from experiments.statistics import (bias_amplification, confounder, cost_thresholds,
                                    prosecutors_fallacy, sampling_bias, spurious_correlations)


def test_prosecutors_fallacy_0_09_vs_0_91():
  t = prosecutors_fallacy.simulate(200_000)
  assert t['p_drugs_given_stopped'] == pytest.approx(0.09, abs=0.003)
  assert t['p_innocent_given_stopped'] == pytest.approx(0.91, abs=0.003)
  assert t['p_tall_given_player'] > 0.85
  assert prosecutors_fallacy.bayes(0.95, 0.001, 0.05) == pytest.approx(0.019)
  assert t['p_player_given_tall'] == pytest.approx(0.019, abs=0.006)


def test_sampling_bias_five_times_the_arrests():
  t = sampling_bias.simulate(200_000)
  assert t['use_ratio'] == pytest.approx(1.0, abs=0.05)
  assert t['arrest_ratio'] == pytest.approx(5.0, rel=0.1)
  assert t['model_score_ratio'] == pytest.approx(t['arrest_ratio'], rel=0.02)


def test_bias_amplification_closed_form_and_simulation():
  assert bias_amplification.predicted_share(0.5) == pytest.approx(0.5)
  for s in (0.55, 0.6, 0.7):
    assert bias_amplification.predicted_share(s) > s
  t = bias_amplification.simulate(40_000)
  for s, row in t['skews'].items():
    assert row['predicted_share'] == pytest.approx(row['predicted_share_theory'], abs=0.015)
    assert row['mean_prob'] == pytest.approx(float(s), abs=0.015)  # calibrated, yet amplified
  assert t['skews']['0.50']['predicted_share'] == pytest.approx(0.5, abs=0.015)
  assert t['skews']['0.55']['predicted_share'] == pytest.approx(0.6, abs=0.02)  # 55/45 -> ~60/40


def test_spurious_correlations_wide_grows_tall_shrinks_heldout_vanishes():
  t = spurious_correlations.simulate(repeats=5, wide_p=(10, 1000), tall_n=(30, 3000))
  wide, tall = t['wide'], t['tall']
  assert wide['1000']['train_abs_r'] > wide['10']['train_abs_r'] + 0.1
  assert tall['3000']['train_abs_r'] < tall['30']['train_abs_r'] / 4
  for rows in (wide, tall):
    for row in rows.values():
      assert row['heldout_abs_r'] < 0.08  # ~ 1 / sqrt(1000): gone on held-out rows
      assert row['train_abs_r'] < row['theory'] + 0.05


def test_confounder_simpson_reversal_and_adjustment():
  t = confounder.simulate(400_000)
  helps = t['helps']
  assert helps['crude'] < -0.03  # the treated recover less often ...
  for diff in helps['strata'].values():
    assert diff == pytest.approx(0.1, abs=0.01)  # ... yet it helps in every stratum
  assert helps['adjusted'] == pytest.approx(0.1, abs=0.01)
  assert helps['randomised'] == pytest.approx(0.1, abs=0.01)
  none = t['no_effect']
  assert abs(none['corr_ab']) > 0.1 and abs(none['adjusted']) < 0.01
  assert abs(none['randomised']) < 0.01


@pytest.mark.parametrize('name', list(cost_thresholds.COSTS))
def test_cost_threshold_is_cfp_over_cfp_plus_cfn(name):
  t = cost_thresholds.simulate(400_000, 501)['costs'][name]
  assert t['t_star'] == pytest.approx(t['c_fp'] / (t['c_fp'] + t['c_fn']))
  assert t['best_threshold'] == pytest.approx(t['t_star'], abs=0.03)
  assert t['cost_at_t_star'] <= t['cost_at_half'] + 1e-9


def test_expected_costs_against_a_direct_count():
  rng = np.random.default_rng(3)
  p, y = rng.random(500), rng.random(500) < 0.4
  ts = np.array([0.0, 0.3, 0.5, 0.97, 1.0])
  got = cost_thresholds.expected_costs(p, y, ts, 2.0, 3.0)
  want = [(2.0 * np.sum((p > t) & ~y) + 3.0 * np.sum((p <= t) & y)) / 500 for t in ts]
  np.testing.assert_allclose(got, want)
