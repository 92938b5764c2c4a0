r"""Standard vs PGD adversarial training across eps, transfer, black-box, obfuscation and IBP
(seed 000 M68-M74, seed 002 §2.23, seed 003 §2.8) on three Fashion-MNIST models.

  python -m experiments.study adversarial/robustness_study --workdir=runs/adv_study [--preset=cpu] [--publish]

Runs: `standard` (configs/adversarial/fmnist_standard.py, a ReLU MLP), `pgd_at` (fmnist_pgd_at.py,
the same MLP PGD-trained at eps = 0.1) and `cnn` (a small CNN, 1 epoch), without end-of-run
evaluators. The
report, on the first N test images:
1. Accuracy against l_inf eps under uniform noise, FGSM and PGD (random start, 2 restarts) for each
   model (plot robustness_curves.png), and the clean-accuracy cost of adversarial training.
2. Transfer matrix: PGD examples at eps = 0.1 crafted on each model, accuracy of every model on them
   (diagonal = white-box).
3. Surrogate (black-box) attack on `standard`: a fresh MLP is fitted (Adam, full batches) to the
   target's *predicted labels* on the first 5,000 validation images (queries), attacked white-box
   with PGD, and the examples are transferred to the target.
4. Boundary attack (decision-based) on `standard`: median l_2 distance after the query budget,
   queries counted per example; accuracy within l_2 eps = 2 next to white-box PGD-l_2.
5. Gradient obfuscation: `standard` behind an input quantisation (8 levels). FGSM / PGD through it
   see a zero gradient; PGD with BPDA (straight-through backward pass) breaks it.
6. IBP: certified accuracy of `standard` and `pgd_at` against PGD accuracy across eps
   (certified <= PGD).
Plot adversarial_examples.png: clean / FGSM / PGD images of `standard` and `pgd_at` at eps = 0.1.
"""
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax

from configs.adversarial import fmnist_pgd_at, fmnist_standard
from dljax.eval import attacks, ibp, robustness
from dljax.models.mlp import MLP
from experiments.tools import study_utils

PRESETS = {
    'smoke': dict(limit=32, steps=2, eps=(0.0, 0.1, 0.3), ibp_eps=(0.0, 0.005), queries=20,
                  surrogate_steps=5, n_queries=256),
    'cpu': dict(limit=500, steps=20, eps=(0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3),
                ibp_eps=(0.0, 0.005, 0.01, 0.02, 0.05, 0.1), queries=500, surrogate_steps=1000,
                n_queries=5000),
}
EPS = 0.1


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  for name, module in (('standard', fmnist_standard), ('pgd_at', fmnist_pgd_at)):
    config = module.get_config(preset)
    config.evals = {}  # the report measures everything
    yield name, config
  config = fmnist_standard.get_config(preset)
  config.name = 'fmnist_small_cnn'
  config.model = ml_collections.ConfigDict(dict(name=''))
  fmnist_standard.cnn(config)
  config.evals = {}
  if preset == 'cpu':
    config.train.epochs = 1.0
  yield 'cnn', config


def _batched(fn, *arrays, size=250):
  """fn over chunks of the leading axis (bounded memory), concatenated."""
  n = arrays[0].shape[0]
  return jnp.concatenate([fn(*(a[i:i + size] for a in arrays)) for i in range(0, n, size)])


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  study_utils.check_preset(preset, tuple(PRESETS))
  p = PRESETS[preset]
  loaded = {name: loop.load_run(summaries[name]['workdir']) for name in ('standard', 'pgd_at',
                                                                          'cnn')}
  std = loaded['standard']
  test = std.data['test']
  x, y = jnp.asarray(test['x'][:p['limit']]), jnp.asarray(test['y'][:p['limit']]).astype(jnp.int32)
  key = jax.random.key(0)
  f = {n: (lambda u, r=r: r.task.predict(r.state, u)) for n, r in loaded.items()}
  acc = lambda fn, u: float(jnp.mean(_batched(lambda v: jnp.argmax(fn(v), -1), u) == y))
  pgd = {n: jax.jit(lambda u, yy, e, fn=fn: attacks.pgd(fn, u, yy, key, e, 'linf', p['steps'],
                                                         restarts=2)) for n, fn in f.items()}
  fgsm = {n: jax.jit(lambda u, yy, e, fn=fn: attacks.fgsm(fn, u, yy, e)) for n, fn in f.items()}
  table = {'examples': p['limit'], 'pgd_steps': p['steps'], 'restarts': 2}

  # 1. accuracy against eps
  cards = {}
  for n in f:
    m = {}
    for e in p['eps']:
      m[robustness.key('noise', e)] = acc(f[n], attacks.noise(key, x, e))
      m[robustness.key('fgsm', e)] = acc(f[n], _batched(lambda u, v: fgsm[n](u, v, e), x, y))
      m[robustness.key('pgd', e)] = acc(f[n], _batched(lambda u, v: pgd[n](u, v, e), x, y))
    m['clean'] = acc(f[n], x)
    cards[n] = m
  table['accuracy_vs_eps'] = {n: {k: v for k, v in m.items()} for n, m in cards.items()}
  table['at_clean_cost'] = cards['standard']['clean'] - cards['pgd_at']['clean']
  cfg = _grid_cfg(p['eps'])
  robustness.plot_curves(cards, cfg, f'{out}/robustness_curves.png', rows=('noise', 'fgsm', 'pgd'))

  # 2. transfer matrix at EPS
  crafted = {n: _batched(lambda u, v: pgd[n](u, v, EPS), x, y) for n in f}
  table['transfer_eps'] = EPS
  table['transfer'] = {src: {dst: acc(f[dst], crafted[src]) for dst in f} for src in f}

  # 3. surrogate black-box attack on `standard`
  xq = jnp.asarray(std.data['validation']['x'][:p['n_queries']])
  yq = _batched(lambda u: jnp.argmax(f['standard'](u), -1), xq)  # the target's labels only
  sur = fit_surrogate(xq, yq, p['surrogate_steps'])
  pgd_sur = jax.jit(lambda a, b: attacks.pgd(sur, a, b, key, EPS, 'linf', p['steps'], restarts=2))
  x_sur = _batched(pgd_sur, x, y)
  table['surrogate'] = {'queries': int(xq.shape[0]), 'agreement_on_test': float(jnp.mean(
      jnp.argmax(sur(x), -1) == jnp.argmax(f['standard'](x), -1))),
                        'target_accuracy_under_transfer': acc(f['standard'], x_sur),
                        'target_accuracy_under_whitebox_pgd': table['transfer']['standard'][
                            'standard']}

  # 4. boundary attack (decision-based) on `standard`, l_2
  predict = lambda u: jnp.argmax(f['standard'](u), -1)
  nb = min(100, p['limit'])
  xb, yb = x[:nb], y[:nb]
  x_b, d_b, q_b = jax.jit(lambda u, v: attacks.boundary(predict, u, v, key, steps=p['queries']))(
      xb, yb)
  x_l2 = jax.jit(lambda u, v: attacks.pgd(f['standard'], u, v, key, 2.0, 'l2', p['steps'],
                                          restarts=2))(xb, yb)
  correct = np.asarray(predict(xb) == yb)
  d = np.asarray(d_b)
  table['boundary'] = {'examples': nb, 'median_queries': float(np.median(np.asarray(q_b))),
                       'median_l2_of_misclassified_start': float(np.median(d[np.isfinite(d)])) if
                       np.isfinite(d).any() else None,
                       'accuracy_l2_eps2_boundary': float(np.mean(correct & ~(d <= 2.0))),
                       'accuracy_l2_eps2_pgd': float(np.mean(np.asarray(predict(x_l2) == yb)))}

  # 5. gradient obfuscation: input quantisation, broken by BPDA
  masked = lambda u: f['standard'](attacks.quantize(u, 8))
  bpda = lambda u: f['standard'](attacks.quantize(u, 8, bpda=True))
  run_pgd = lambda fn: _batched(jax.jit(lambda u, v: attacks.pgd(fn, u, v, key, EPS, 'linf',
                                                                  p['steps'], restarts=2)), x, y)
  table['obfuscation'] = {'levels': 8, 'clean': acc(masked, x),
                          'fgsm': acc(masked, _batched(jax.jit(lambda u, v: attacks.fgsm(
                              masked, u, v, EPS)), x, y)),
                          'pgd': acc(masked, run_pgd(masked)),
                          'noise': acc(masked, attacks.noise(key, x, EPS)),
                          'pgd_bpda': acc(masked, run_pgd(bpda))}

  # 6. IBP certified vs PGD on the two MLPs
  table['ibp'] = {}
  for n in ('standard', 'pgd_at'):
    r = loaded[n]
    cert = jax.jit(lambda u, v, e, r=r, n=n: ibp.certified_B(r.task, r.state, u, v, e, 0.0, 1.0) & (
        jnp.argmax(f[n](u), -1) == v))
    table['ibp'][n] = {str(e): {
        'certified': float(jnp.mean(_batched(lambda u, v: cert(u, v, e), x, y))),
        'pgd': acc(f[n], _batched(lambda u, v: pgd[n](u, v, e), x, y))} for e in p['ibp_eps']}

  # examples
  imgs = {}
  for n in ('standard', 'pgd_at'):
    imgs[f'{n} clean'] = x[:8]
    imgs[f'{n} PGD {EPS}'] = crafted[n][:8]
  robustness.example_grid({k: np.asarray(v) for k, v in imgs.items()}, f['standard'],
                          np.asarray(y[:8]), f'{out}/adversarial_examples.png')
  return table


def _grid_cfg(eps):
  return ml_collections.ConfigDict(dict(eps=tuple(eps), l2_eps=(0.0,)))


def fit_surrogate(x, y, steps: int):
  """A 784-256-10 ReLU MLP fitted by full-batch Adam (lr 1e-3) to the target's labels y; returns its
  logits function."""
  model = MLP(hidden=(256,), num_outputs=10)
  params = model.init(jax.random.key(1), x[:1])['params']
  opt = optax.adam(1e-3)

  @jax.jit
  def fit(params):
    def step(carry, _):
      params, state = carry
      g = jax.grad(lambda q: optax.softmax_cross_entropy_with_integer_labels(
          model.apply({'params': q}, x), y).mean())(params)
      upd, state = opt.update(g, state, params)
      return (optax.apply_updates(params, upd), state), None
    (params, _), _ = jax.lax.scan(step, (params, opt.init(params)), None, length=steps)
    return params
  params = fit(params)
  return lambda u: model.apply({'params': params}, u)
