r"""Fashion-MNIST ReLU MLP (784-256-256-10), standard training, verified by interval bound propagation
(seed 000 M74): certified accuracy (IBP) next to PGD accuracy at the same small l_inf budgets.
Certified accuracy is a lower bound of the robust accuracy and PGD's an upper bound, so
ibp <= pgd at every eps (the robustness card checks it).

  python -m experiments.train --config=configs/adversarial/fmnist_mlp_ibp.py:cpu --workdir=runs/adv_mlp
  python -m experiments.evaluate --workdir=runs/adv_mlp --card=robustness

Evaluators (first 1,000 test images): ibp_001 / pgd_001 at eps = 0.001, ibp_005 / pgd_005 at
eps = 0.005, pgd_01 at eps = 0.01. MEASURED: see docs/adversarial/README.md (3 seeds).
"""
from configs import common


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='fmnist_mlp_ibp', task='classification')
  config.data.name = 'fashion_mnist'
  config.model.name = 'mlp'
  config.model.hidden = (256, 256)
  config.model.act = 'relu'
  common.adam_warmup_cosine(config, preset, lr=1e-3)
  limit = 64 if preset == 'smoke' else 1000
  for name, eps in (('001', 0.001), ('005', 0.005)):
    config.evals[f'ibp_{name}'] = dict(type='ibp', eps=eps, limit=limit)
    config.evals[f'pgd_{name}'] = dict(type='adversarial', attack='pgd', eps=eps, steps=20,
                                       limit=limit)
  config.evals.pgd_01 = dict(type='adversarial', attack='pgd', eps=0.01, steps=20, limit=limit)
  config.reference = common.reference(
      'test/accuracy', (0.86, 0.90), source='expectation: REFERENCES.md §1 MLP 88.33 % (100 '
      'epochs); 3 cpu epochs; the certified and PGD numbers are in ibp_*/ and pgd_*/')
  common.preset(config, preset,
                smoke=common.FMNIST_SMOKE,
                cpu=dict(epochs=3, batch_size=128, eval_every=1000),
                full=dict(epochs=20, batch_size=128))
  if preset == 'smoke':
    for name in ('pgd_001', 'pgd_005', 'pgd_01'):
      config.evals[name].steps = 2
  return config
