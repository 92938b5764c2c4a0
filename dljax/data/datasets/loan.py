"""A synthetic loan-approval table with a known causal structure (seed 001 §2: "high existing debt
rather than income"): data.name = 'loan'.

Each applicant (standard-normal noise e_*, independent):
  g       ~ Bernoulli(1/2)               the sensitive group (0 / 1)
  income  = e_income - 0.7 g             group 1 earns less (a historical disparity)
  debt    = e_debt                       existing debt
  years   = e_years                      years employed
  noise   = e_noise                      an irrelevant column
  y = 1[1.5 income - 2.0 debt + 0.5 years + e > 0],  e ~ N(0, 1)   (1 = the loan is repaid)
The label depends on g only through income: the true coefficients are (1.5, -2.0, 0.5, 0, 0) on the
inputs x = (income, debt, years, noise, g) (float32; g last, as the model sees it). Splits drawn in
memory: train 8,000 (seed 0), validation 2,000 (seed 1), test 4,000 (seed 2); data.{split}_limit.
"""
import numpy as np

from dljax.data import splits

NAMES = ('loan',)
KIND = 'supervised'
FEATURES = ('income', 'debt', 'years', 'noise', 'g')
TRUE_COEF = (1.5, -2.0, 0.5, 0.0, 0.0)
SIZES = {'train': (8000, 0), 'validation': (2000, 1), 'test': (4000, 2)}
GROUP_FEATURE = 4


def draw(n: int, seed: int):
  """(x n x 5 float32, y n int32) of the structure in the module docstring."""
  rng = np.random.default_rng(seed)
  g = (rng.random(n) < 0.5).astype(np.float32)
  income = rng.standard_normal(n) - 0.7 * g
  debt, years, noise = rng.standard_normal((3, n))
  y = (1.5 * income - 2.0 * debt + 0.5 * years + rng.standard_normal(n) > 0).astype(np.int32)
  x = np.stack([income, debt, years, noise, g], 1).astype(np.float32)
  return x, y


def load(data_cfg, split):
  splits.check_split('loan', split)
  n, seed = SIZES[split]
  x, y = draw(n, seed)
  limit = data_cfg.get(f'{split}_limit', 0)
  if limit:
    x, y = x[:limit], y[:limit]
  return {'x': x, 'y': y}


def info(data_cfg):
  return splits.Info('supervised', shape=(len(FEATURES),),
                     num_classes=splits.num_classes(data_cfg, 2), class_names=('default', 'repaid'))
