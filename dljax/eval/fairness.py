r"""Group fairness of a classifier's decisions (seed 001 §2, l.657-661, c48).

With the decision d (1 = the favourable outcome, e.g. a loan granted), the true label y and a
sensitive attribute g in {0, 1}, each criterion compares a rate between the two groups and reports
the absolute gap (0 = satisfied):

  statistical parity     p(d = 1 | g = 0)          = p(d = 1 | g = 1)
  performance parity     p(y = 1 | d = 1, g = 0)   = p(y = 1 | d = 1, g = 1)   (precision / PPV)
  accuracy equality      p(d = y | g = 0)          = p(d = y | g = 1)
  equal opportunity      p(d = 1 | y = 1, g = 0)   = p(d = 1 | y = 1, g = 1)   (TPR)
  equalised odds         equal opportunity and p(d = 1 | y = 0, g) equal too: max(TPR gap, FPR gap)

(The notes write accuracy equality as p(y = 1, g = m) = p(y = 1, g = f), which compares base rates
and involves no decision; the standard form above, Berk et al. 2018, is the one implemented.)
When base rates differ between groups, these criteria cannot all hold at once for an imperfect
classifier (Kleinberg et al. 2016; Chouldechova 2017): the loan study shows it.

  config.evals.fairness = dict(type='fairness', group_key='g', split='test')

reads the split's group column `group_key` (one entry per example), or with group_feature=j >= 0
the input feature x[:, j] (a sensitive attribute the model sees, as in the loan data), and the
decisions argmax predict(x) (class `favourable` = 1 is the favourable one). Metrics: the five gaps and per-group rates '<rate>_g<k>'.
"""
import jax
import numpy as np

from dljax.errors import ConfigError
from dljax.eval import common

PARAMS = dict(group_key='g', group_feature=-1, split='test', favourable=1)
REQUIRES = ('predict',)
RATES = ('positive_rate', 'precision', 'accuracy', 'tpr', 'fpr')


def group_rates(d, y, g) -> dict:
  """{group: {rate: value}} of binary decisions d, labels y and group ids g (numpy arrays of one
  length; a ConfigError naming the lengths otherwise). A rate with an empty denominator is nan."""
  d, y, g = (np.asarray(a).reshape(-1) if np.ndim(a) else a for a in (d, y, g))
  if not (np.ndim(d) and np.ndim(y) and np.ndim(g)) or not len(d) == len(y) == len(g):
    raise ConfigError(f'the group column has {np.size(g)} entries for {np.size(d)} decisions and '
                      f'{np.size(y)} labels; give one group id per example.')
  d, y = d.astype(bool), y.astype(bool)

  def rate(num, den):
    return float(num.sum() / den.sum()) if den.sum() else float('nan')
  out = {}
  for k in np.unique(g):
    m = g == k
    out[int(k)] = {'positive_rate': rate(d & m, m), 'precision': rate(y & d & m, d & m),
                   'accuracy': rate((d == y) & m, m), 'tpr': rate(d & y & m, y & m),
                   'fpr': rate(d & ~y & m, ~y & m), 'base_rate': rate(y & m, m),
                   'count': int(m.sum())}
  return out


def gaps(d, y, g) -> dict:
  """The absolute gap of each criterion between the two groups (max - min over groups)."""
  rates = group_rates(d, y, g)
  if len(rates) < 2:
    raise ConfigError(f'the group column holds {len(rates)} group; fairness compares at least 2.')

  def spread(key):
    v = [r[key] for r in rates.values()]
    return float(np.max(v) - np.min(v))
  return {'statistical_parity': spread('positive_rate'), 'performance_parity': spread('precision'),
          'accuracy_equality': spread('accuracy'), 'equal_opportunity': spread('tpr'),
          'equalised_odds': max(spread('tpr'), spread('fpr'))}


def check(task, cfg):
  if getattr(task, 'loss_name', 'softmax') not in ('softmax', 'logistic', 'hinge'):
    raise ConfigError('fairness compares decisions of a classifier; remove the evaluator.')
  if not isinstance(cfg.group_feature, int) or isinstance(cfg.group_feature, bool):
    raise ConfigError(f'group_feature={cfg.group_feature!r}: give a feature index, or -1.')
  if not isinstance(cfg.group_key, str) or not cfg.group_key:
    raise ConfigError(f"group_key={cfg.group_key!r}: name the data column of group ids, e.g. 'g'.")


def decisions(task, logits):
  if getattr(task, 'loss_name', 'softmax') == 'softmax':
    return np.asarray(logits).argmax(-1)
  return (np.asarray(logits).reshape(-1) > 0).astype(int)


def evaluate(task, state, data, cfg):
  arrays = common.split(data, cfg.split, 'fairness')
  if cfg.group_feature >= 0:
    if arrays['x'].ndim != 2 or cfg.group_feature >= arrays['x'].shape[1]:
      raise ConfigError(f'fairness: group_feature={cfg.group_feature} is not a column of the '
                        f'inputs of shape {arrays["x"].shape[1:]}; name a feature index.')
    arrays = dict(arrays, **{cfg.group_key: np.round(arrays['x'][:, cfg.group_feature])})
  if cfg.group_key not in arrays:
    raise ConfigError(f'fairness: split {cfg.split!r} has no column {cfg.group_key!r} (it has '
                      f'{sorted(arrays)}); use a dataset with a sensitive attribute, e.g. loan.')
  fn = common.cached(task, 'fairness_predict', lambda: jax.jit(task.predict))
  logits = np.concatenate([np.asarray(fn(state, arrays['x'][i:i + 4096]))
                           for i in range(0, len(arrays['x']), 4096)])
  d = decisions(task, logits) == cfg.favourable
  y = np.asarray(arrays['y']).reshape(-1) == cfg.favourable
  out = gaps(d, y, np.asarray(arrays[cfg.group_key]))
  for k, r in group_rates(d, y, np.asarray(arrays[cfg.group_key])).items():
    out.update({f'{name}_g{k}': v for name, v in r.items() if name != 'count'})
  return out
