r"""The notes' loan-approval MLP (seed 001 §2, c45, c48): a 5-32-32-2 ReLU MLP on the synthetic loan
table (dljax.data.datasets.loan: income, debt, years employed, an irrelevant column and the
sensitive group g; the label depends on g only through income), audited with the fairness
evaluator (statistical parity, performance parity, accuracy equality, equal opportunity,
equalised odds between g = 0 and g = 1). Gradient saliency per feature against the true causal
coefficients: experiments/interpretability/loan_saliency.py.

  python -m experiments.train --config=configs/interpretability/loan_mlp.py:cpu --workdir=runs/loan_mlp

cpu preset: Adam 3e-3, batch 128, 1,500 steps (~24 epochs of 8,000 rows), ~15 s on 2 cores.
Reference: the Bayes accuracy of the table is 1 - arccos(rho)/pi = 88.1 % (rho = 2.55 / sqrt(2.55^2
+ 1), the label's signal-to-noise); a well-fitted MLP lands within a point below it. The group
gaps are reported, with no target: the base rates differ between the groups, so statistical parity
and the error-rate criteria cannot all hold (see docs/interpretability/notes.md).
"""
from configs import common


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='loan_mlp', task='classification')
  config.data.name = 'loan'
  config.model.name = 'mlp'
  config.model.hidden = (32, 32)
  config.model.num_outputs = 2
  config.optim.name, config.optim.lr = 'adam', 3e-3
  config.evals.fairness = dict(type='fairness', group_feature=4, split='test')
  config.reference = common.reference(
      'test/accuracy', (0.865, 0.885), value=0.881,
      source='expectation: the Bayes accuracy of the loan table, 1 - arccos(0.931)/pi = 88.1 %; '
             'an MLP within about a point below it')
  common.preset(config, preset,
                smoke=dict(steps=5, batch_size=32),
                cpu=dict(steps=1500, batch_size=128, eval_every=500),
                full=dict(steps=3000, batch_size=128))
  return config
