r"""In-context learning against model size, and fine-tuning against prompting (F5 #10, #12).

  python -m experiments.study language/icl_scale --workdir=runs/icl_scale [--seeds=1] [--publish]

Two runs of configs/language/icl.py (3000 steps on fresh (x, f(x)) sequences over p = 7 symbols;
families mapping / linear / offset): `small` (2 layers, d = 32, 2 heads) and `base` (the config's own
3 layers, d = 64, 4 heads). The report reloads each model (load_run) and measures

  size   held-out accuracy after k examples in the prompt, per family (the runs' test sequences),
         with the Bayes-optimal in-context learner as ceiling (dljax.data.icl.bayes_accuracy)
  adapt  on fresh tasks (functions f drawn from the generator; 100 per family for test, 50 for
         validation), the same k examples used two ways, queried on all p inputs x:
           prompting    [family] x_1 f(x_1) ... x_k f(x_k) x -> f(x), no gradient step
           fine-tuning  S Adam steps at rate lr on the k one-example sequences [family] x_i -> f(x_i)
                        from the trained weights (a copy per task), then zero-shot [family] x -> f(x)
         (lr, S) in {1e-3, 1e-2} x {5, 20} is chosen per model and k on the validation tasks.
SEEDS = 1: each ICL run takes 10+ minutes on the shared 2-core CPU, so the sizes are compared on one
seed each (the fine-tuning / prompting numbers average 300 tasks x 7 queries). Plots:
icl_scale_shots.png, icl_finetune_vs_prompt.png. Measured (cpu, seed 0, shared 2-core CPU): small
(27k parameters) at chance for every family and k; base (153k) offset 98 % from one example. Base,
all families, k = 1 / 16: prompting 49.9 / 51.2 %, fine-tuning 14.5 / 91.0 % (it memorises the k
examples: 1 - (6/7)^k). Discussion: docs/language/notes.md.
"""
import os

import numpy as np

from configs.language import icl as icl_config

SEEDS = 1  # one seed per size (time: see the docstring); the adaptation numbers average 300 tasks
SIZES = {'small': (32, 2, 2), 'base': None}   # (d_model, heads, layers); None: the config's own
ADAPT = {'smoke': dict(ks=(1, 2), tasks=(4, 2), lrs=(1e-2,), steps=(1, 2)),
         'cpu': dict(ks=(1, 2, 4, 8, 16), tasks=(100, 50), lrs=(1e-3, 1e-2), steps=(5, 20))}


def make_config(size: str, preset: str):
  config = icl_config.get_config(preset)
  if SIZES[size] is not None and preset != 'smoke':
    config.model.d_model, config.model.num_heads, config.model.num_layers = SIZES[size]
  return config


def runs(preset: str, workdir: str):
  del workdir
  if preset not in ADAPT:
    raise ValueError(f'unknown preset {preset!r} for icl_scale; use one of {tuple(ADAPT)}.')
  for size in (('base',) if preset == 'smoke' else SIZES):   # smoke: one (tiny) model
    yield size, make_config(size, preset)


def draw_tasks(n_per_family: int, num_symbols: int, max_k: int, seed):
  """Fresh tasks: family_B, the function tables f_BxP, and max_k example inputs / outputs each."""
  from dljax.data import icl  # pylint: disable=g-import-not-at-top
  rng = np.random.default_rng(seed)
  family_B = np.repeat(np.arange(len(icl.FAMILIES)), n_per_family)
  f_BxP = icl.functions(family_B, num_symbols, rng)
  ex_x = rng.integers(0, num_symbols, (len(family_B), max_k))
  return family_B, f_BxP, ex_x, np.take_along_axis(f_BxP, ex_x, axis=1)


def prompt_accuracy(model, variables, tasks, k: int, num_symbols: int) -> np.ndarray:
  """B: accuracy over the p queries of each task with its first k examples in the prompt."""
  family_B, f_BxP, ex_x, ex_y = tasks
  b, p = f_BxP.shape
  seq = np.empty((b, p, 2 * k + 2), np.int32)
  seq[:, :, 0] = (num_symbols + family_B)[:, None]
  seq[:, :, 1:2 * k + 1:2] = ex_x[:, None, :k]
  seq[:, :, 2:2 * k + 2:2] = ex_y[:, None, :k]
  seq[:, :, -1] = np.arange(p)[None]
  logits = model.apply(variables, seq.reshape(b * p, -1), train=False)[:, -1]
  return (np.asarray(logits.argmax(-1)).reshape(b, p) == f_BxP).mean(1)


def finetune_accuracy(model, variables, tasks, k: int, num_symbols: int, lrs, steps) -> dict:
  """{(lr, S): B accuracy over the p zero-shot queries after S Adam steps on the k examples}."""
  import jax  # pylint: disable=g-import-not-at-top
  import jax.numpy as jnp  # pylint: disable=g-import-not-at-top
  import optax  # pylint: disable=g-import-not-at-top
  family_B, f_BxP, ex_x, ex_y = tasks
  p = f_BxP.shape[1]
  params0 = variables['params']
  rest = {n: v for n, v in variables.items() if n != 'params'}
  tok_B = num_symbols + family_B
  train_x = np.stack([np.repeat(tok_B[:, None], k, 1), ex_x[:, :k]], -1)     # B x k x 2
  query_x = np.stack([np.repeat(tok_B[:, None], p, 1), np.tile(np.arange(p), (len(tok_B), 1))], -1)

  def adapt(lr, x_kx2, y_k, q_Px2, yq_P):
    opt = optax.adam(lr)

    def loss(params):
      logits = model.apply({**rest, 'params': params}, x_kx2, train=False)[:, 1]
      return optax.softmax_cross_entropy_with_integer_labels(logits, y_k).mean()

    def step(carry, _):
      params, state = carry
      updates, state = opt.update(jax.grad(loss)(params), state, params)
      params = optax.apply_updates(params, updates)
      pred = model.apply({**rest, 'params': params}, q_Px2, train=False)[:, 1].argmax(-1)
      return (params, state), jnp.mean(pred == yq_P)

    _, acc_S = jax.lax.scan(step, (params0, opt.init(params0)), None, length=max(steps))
    return acc_S

  run = jax.jit(jax.vmap(adapt, in_axes=(None, 0, 0, 0, 0)))
  out = {}
  for lr in lrs:
    acc_BxS = np.asarray(run(lr, jnp.asarray(train_x), jnp.asarray(ex_y[:, :k]),
                             jnp.asarray(query_x), jnp.asarray(f_BxP)))
    for s in steps:
      out[(lr, s)] = acc_BxS[:, s - 1]
  return out


def adapt_table(run, preset: str, seed: int) -> dict:
  """Prompting vs fine-tuning accuracy against k (mean over tasks, and per family) on test tasks,
  fine-tuning's (lr, S) chosen per k on validation tasks."""
  from dljax.data import icl  # pylint: disable=g-import-not-at-top
  cfg = ADAPT[preset]
  p, model = run.config.data.num_symbols, run.task.model
  variables = run.state.nets['model'].variables()
  test = draw_tasks(cfg['tasks'][0], p, max(cfg['ks']), [seed, 7, 1])
  val = draw_tasks(cfg['tasks'][1], p, max(cfg['ks']), [seed, 7, 2])
  fam = test[0]
  rows = {'k': list(cfg['ks']), 'prompt': [], 'finetune': [], 'chosen': [],
          'prompt_by_family': {f: [] for f in icl.FAMILIES},
          'finetune_by_family': {f: [] for f in icl.FAMILIES}}
  for k in cfg['ks']:
    val_ft = finetune_accuracy(model, variables, val, k, p, cfg['lrs'], cfg['steps'])
    lr, s = max(val_ft, key=lambda key: val_ft[key].mean())
    ft = finetune_accuracy(model, variables, test, k, p, [lr], [s])[(lr, s)]
    pr = prompt_accuracy(model, variables, test, k, p)
    rows['prompt'].append(float(pr.mean()))
    rows['finetune'].append(float(ft.mean()))
    rows['chosen'].append({'lr': lr, 'steps': s})
    for f, name in enumerate(icl.FAMILIES):
      rows['prompt_by_family'][name].append(float(pr[fam == f].mean()))
      rows['finetune_by_family'][name].append(float(ft[fam == f].mean()))
  return rows


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  """Per size: the shot table (and parameter count) and the fine-tuning / prompting table."""
  import jax  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  from experiments.language.icl_study import shot_table  # pylint: disable=g-import-not-at-top
  table = {'sizes': {}}
  for size, summary in summaries.items():
    run = loop.load_run(summary['workdir'])
    d, m = run.config.data, run.config.model
    curves = run.task.shot_curves(run.state, run.data)
    params = run.state.nets['model'].variables()['params']
    table['sizes'][size] = {
        'model': f'{m.num_layers} layers, d={m.d_model}, {m.num_heads} heads',
        'params': int(sum(x.size for x in jax.tree.leaves(params))),
        'steps': summary['steps'], 'wall_s': summary['wall_s'],
        'shots': shot_table(curves, d.eval_shots, d.num_symbols), 'curves': {
            name: [float(v) for v in model] for name, (_, model, _) in curves.items()},
        'adapt': adapt_table(run, preset, run.config.seed)}
  plot(table, out)
  return table


def plot(table: dict, out: str):
  from dljax import viz  # pylint: disable=g-import-not-at-top
  sizes = table['sizes']
  families = list(next(iter(sizes.values()))['curves'])
  panels = []
  for name in families:
    series = {f'{s} ({r["params"] // 1000}k params)': (list(range(len(r['curves'][name]))),
                                                       r['curves'][name])
              for s, r in sizes.items()}
    panels.append({'title': name, 'xlabel': 'examples in the prompt (k)', 'ylabel': 'test accuracy',
                   'series': series})
  viz.line_panels(panels, os.path.join(out, 'icl_scale_shots.png'),
                  title='in-context learning against model size')
  panels = []
  for s, r in sizes.items():
    a = r['adapt']
    panels.append({'title': f'{s}', 'xlabel': 'k examples', 'ylabel': 'accuracy (all p queries)',
                   'logx': 2, 'series': {
                       **{f'prompt: {f}': (a['k'], v) for f, v in a['prompt_by_family'].items()},
                       **{f'fine-tune: {f}': (a['k'], v) for f, v in
                          a['finetune_by_family'].items()}}})
  viz.line_panels(panels, os.path.join(out, 'icl_finetune_vs_prompt.png'),
                  title='the same k examples: in the prompt vs as gradient steps')
