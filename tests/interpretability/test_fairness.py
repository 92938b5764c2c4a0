"""Fairness metrics (dljax.eval.fairness) against values computed by hand on a small table, the
loan table's causal structure, and the clear error for a group column of the wrong length."""
import numpy as np
import pytest
from ml_collections import ConfigDict

from dljax import data
from dljax.data.datasets import loan
from dljax.errors import ConfigError
from dljax.eval import fairness

# group 0: 4 people, group 1: 6 people
#        d: decision, y: label
D = np.array([1, 1, 0, 0,   1, 0, 0, 0, 1, 0])
Y = np.array([1, 0, 1, 0,   1, 1, 0, 0, 0, 1])
G = np.array([0, 0, 0, 0,   1, 1, 1, 1, 1, 1])


def test_rates_and_gaps_match_hand_computed_values():
  r = fairness.group_rates(D, Y, G)
  # group 0: p(d=1) = 2/4; precision 1/2; accuracy (1 + 1)/4; TPR 1/2; FPR 1/2
  assert r[0] == pytest.approx(dict(positive_rate=0.5, precision=0.5, accuracy=0.5, tpr=0.5,
                                    fpr=0.5, base_rate=0.5, count=4))
  # group 1: p(d=1) = 2/6; precision 1/2; accuracy (1 + 2)/6; TPR 1/3; FPR 1/3
  assert r[1] == pytest.approx(dict(positive_rate=1 / 3, precision=0.5, accuracy=0.5, tpr=1 / 3,
                                    fpr=1 / 3, base_rate=0.5, count=6))
  gaps = fairness.gaps(D, Y, G)
  assert gaps == pytest.approx(dict(statistical_parity=1 / 6, performance_parity=0.0,
                                    accuracy_equality=0.0, equal_opportunity=1 / 6,
                                    equalised_odds=1 / 6))


def test_equalised_odds_takes_the_larger_of_tpr_and_fpr_gaps():
  d = np.array([1, 0, 1, 1,   1, 0, 0, 0])
  y = np.array([1, 1, 0, 0,   1, 1, 0, 0])
  g = np.array([0, 0, 0, 0,   1, 1, 1, 1])
  gaps = fairness.gaps(d, y, g)  # TPR 1/2 vs 1/2, FPR 1 vs 0
  assert gaps['equal_opportunity'] == 0.0 and gaps['equalised_odds'] == 1.0


def test_wrong_length_group_column_is_one_clear_error():
  with pytest.raises(ConfigError, match='one group id per example'):
    fairness.gaps(D, Y, G[:-1])
  with pytest.raises(ConfigError, match='at least 2'):
    fairness.gaps(D, Y, np.zeros_like(G))


def test_loan_table_structure():
  cfg = ConfigDict(dict(name='loan'))
  test = data.load(cfg, 'test')
  x, y = test['x'], test['y']
  assert x.shape == (4000, 5) and set(np.unique(x[:, loan.GROUP_FEATURE])) == {0.0, 1.0}
  g = x[:, loan.GROUP_FEATURE] == 1
  assert x[g, 0].mean() < x[~g, 0].mean() - 0.5  # group 1 earns less
  assert y[g].mean() < y[~g].mean() - 0.1  # so its base rate is lower
  # the label does not depend on g given income, debt, years: a linear fit gives g ~ 0
  from sklearn.linear_model import LogisticRegression  # pylint: disable=g-import-not-at-top
  coef = LogisticRegression(C=1e4).fit(x, y).coef_[0]
  assert abs(coef[4]) < 0.3 and abs(coef[3]) < 0.2 and coef[1] < -2 and coef[0] > 1.5
