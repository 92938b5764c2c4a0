r"""Vanishing / exploding gradients and symmetry breaking in a deep MLP (notes: backprop, §2.4).

  python -m experiments.study basics/vanishing_gradients --workdir=runs/vanishing [--preset=cpu] [--publish]

1. configs/basics/deep_mlp.py (10 hidden layers of 64, full-batch SGD lr 0.1 on 512 Fashion-MNIST
   training images, 100 steps) for every activation in sigmoid/tanh/relu and init_scheme in
   he/too_small/too_large (runs <act>_<init>). report() reloads each run (load_run) and measures the
   per-layer gradient norms ||dL/dW_l|| on those 512 images at initialisation and after training:
   log10 norm against the layer, one panel per activation (solid: at init, dashed: trained) ->
   vanishing_gradients.png.
2. Symmetry: the same config with 3 hidden tanh layers, init_scheme constant (every weight 0.1,
   biases 0) or he, 200 steps (runs symmetry_<init>): with identical weights every hidden unit stays
   an exact copy of its neighbours (hidden_unit_spread 0 before and after), He init stays asymmetric.
Expected (cpu preset, 2-core CPU, ~1 min): sigmoid/too_small first/last layer norm ratio ~1e-26,
relu/he ~2.5; relu/too_large diverges (its steps after the first are skipped, null in the table);
constant init: spread 0 and ~11 % train accuracy after 200 steps (its first tanh layer saturates on
these images, a = 0.1 sum_i x_i >> 1), He: spread ~0.22, ~95 %. The runs start from the loop's
initialisation (seeded through the task), so the numbers differ slightly from the published ones
of the former custom loop.
The smoke preset trains two of the nine (activation, init) pairs and both symmetry runs, 2 steps.
"""
import math

from configs.basics import deep_mlp

ACTS = ('sigmoid', 'tanh', 'relu')
INITS = ('he', 'too_small', 'too_large')
SMOKE_PAIRS = (('sigmoid', 'too_small'), ('relu', 'he'))
SYMMETRY_INITS = ('constant', 'he')
SYMMETRY = dict(hidden=(64,) * 3, act='tanh', steps=200)  # shallow, so that He trains in 200 steps
PRESETS = ('smoke', 'cpu')


def gradient_config(act: str, init: str, preset: str):
  config = deep_mlp.get_config(preset)
  config.model.act, config.model.init_scheme = act, init
  return config


def symmetry_config(init: str, preset: str):
  config = deep_mlp.get_config(preset)
  config.model.hidden, config.model.act = SYMMETRY['hidden'], SYMMETRY['act']
  config.model.init_scheme = init
  if preset != 'smoke':
    steps = SYMMETRY['steps']
    config.train.update(steps=steps, eval_every=steps, checkpoint_every=steps)
  return config


def runs(preset: str, workdir: str):
  del workdir
  if preset not in PRESETS:
    raise ValueError(f'unknown preset {preset!r}; use one of {PRESETS}.')
  pairs = SMOKE_PAIRS if preset == 'smoke' else [(a, i) for a in ACTS for i in INITS]
  for act, init in pairs:
    yield f'{act}_{init}', gradient_config(act, init, preset)
  for init in SYMMETRY_INITS:
    yield f'symmetry_{init}', symmetry_config(init, preset)


def _reload(summary: dict):
  """(loaded run, params at initialisation, trained params, the training images {'x', 'y'})."""
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  run = loop.load_run(summary['workdir'])
  params0 = run.run.init_state().nets['model'].params  # as the loop initialised it (config.seed)
  return run, params0, run.state.nets['model'].params, run.data['train']


def _skipped(workdir: str) -> int:
  """Steps the loop skipped because the loss or the gradient was not finite (logged every step)."""
  from dljax.train import writers  # pylint: disable=g-import-not-at-top
  return int(sum(r.get('train/skipped', 0) for r in writers.read_metrics(workdir)))


def gradient_record(summary: dict):
  """(record, config): per-layer ||dL/dW_l|| (input side first) on the training images, at
  initialisation and after training, the loss L = mean cross-entropy at both, their first/last
  ratio at init, the skipped (non-finite) steps; and the run's config."""
  from dljax.eval import gradients  # pylint: disable=g-import-not-at-top
  run, params0, params, batch = _reload(summary)
  model, loss_fn = run.task.model, run.task.loss_fn
  loss0, _ = gradients.layer_grads(model, params0, batch, loss_fn)
  loss1, _ = gradients.layer_grads(model, params, batch, loss_fn)
  rec = {'init': gradients.layer_grad_norms(model, params0, batch, loss_fn),
         'trained': gradients.layer_grad_norms(model, params, batch, loss_fn),
         'loss_init': float(loss0), 'loss_trained': float(loss1),
         'skipped_steps': _skipped(summary['workdir'])}
  rec['first_over_last_init'] = rec['init'][0] / rec['init'][-1] if rec['init'][-1] else math.nan
  return rec, run.config


def symmetry_record(summary: dict) -> dict:
  """hidden_unit_spread (max over hidden layers of the spread of the units' incoming weights) at
  initialisation and after training, per layer after training, train accuracy and loss."""
  import jax.numpy as jnp  # pylint: disable=g-import-not-at-top
  from dljax.eval import gradients  # pylint: disable=g-import-not-at-top
  from dljax.train import writers  # pylint: disable=g-import-not-at-top
  run, params0, params, batch = _reload(summary)
  logits = run.task.model.apply({'params': params}, batch['x'])
  acc = float(jnp.mean(logits.argmax(-1) == batch['y']))
  steps = int(summary['steps'])
  losses = {r['step']: r['train/loss'] for r in writers.read_metrics(summary['workdir'])
            if 'train/loss' in r}
  every = max(1, steps // 4)
  return {'hidden': list(run.config.model.hidden), 'act': run.config.model.act,
          'log': [{'step': 0, 'spread': gradients.hidden_unit_spread(params0)},
                  {'step': steps, 'spread': gradients.hidden_unit_spread(params)}],
          'train_loss': {str(s): losses[s] for s in range(every, steps + 1, every) if s in losses},
          'train_accuracy': acc, 'spread_per_layer': gradients.unit_spreads(params)}


def plot(study: dict, path: str, depth: int, train_steps: int) -> str:
  """log10 ||dL/dW_l|| against the layer: one panel per activation, one colour per init."""
  from dljax import viz  # pylint: disable=g-import-not-at-top,unused-import  (selects Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  acts = [a for a in ACTS if any(k.startswith(f'{a}/') for k in study)]
  fig, axes = plt.subplots(1, len(acts), figsize=(4.4 * len(acts), 4), sharey=True, squeeze=False)
  colors = dict(zip(INITS, ('tab:green', 'tab:blue', 'tab:red')))
  layers = np.arange(1, depth + 2)
  for ax, act in zip(axes[0], acts):
    notes = []
    for init in INITS:
      rec = study.get(f'{act}/{init}')
      if rec is None:
        continue
      for key, style in (('init', '-'), ('trained', '--')):
        norms = np.asarray([np.nan if v is None else v for v in rec[key]], np.float64)
        ok = np.isfinite(norms) & (norms > 0)
        if not ok.any() or (key == 'trained' and rec.get('skipped_steps')):
          notes.append(f'{init} after training: diverged')
          continue
        ax.plot(layers[ok], np.log10(norms[ok]), style, color=colors[init], marker='.')
    ax.set_title(f'{act}, {depth} hidden layers')
    ax.set_xlabel('layer l (1 = input side)')
    ax.set_xticks(layers)
    ax.grid(alpha=0.3)
    if notes:
      ax.text(0.02, 0.02, '\n'.join(notes), transform=ax.transAxes, fontsize=8, color='dimgray')
  axes[0, 0].set_ylabel('log10 ||dL/dW_l||')
  handles = [plt.Line2D([], [], color=colors[i], lw=2) for i in INITS]
  handles += [plt.Line2D([], [], color='k', ls='-'), plt.Line2D([], [], color='k', ls='--')]
  labels = list(INITS) + ['at initialisation', f'after {train_steps} full-batch SGD steps']
  fig.legend(handles, labels, loc='lower center', ncol=len(labels), fontsize=9,
             bbox_to_anchor=(0.5, -0.06))
  fig.tight_layout()
  fig.savefig(path, dpi=110, bbox_inches='tight')
  plt.close(fig)
  return path


def report(summaries: dict, out: str) -> dict:
  """{'setup', 'grad_norms': {'<act>/<init>': record}, 'symmetry': {init: record}}; a diverged
  run's non-finite numbers become null in study.json."""
  grads, setup = {}, None
  for act in ACTS:
    for init in INITS:
      summary = summaries.get(f'{act}_{init}')
      if summary is None:
        continue
      grads[f'{act}/{init}'], config = gradient_record(summary)
      if setup is None:
        setup = {'width': config.model.hidden[0], 'depth': len(config.model.hidden),
                 'n': config.data.train_limit, 'train_steps': int(summary['steps']),
                 'lr': config.optim.lr, 'seed': config.seed}
  symmetry = {init: symmetry_record(summaries[f'symmetry_{init}']) for init in SYMMETRY_INITS}
  plot(grads, f'{out}/vanishing_gradients.png', setup['depth'], setup['train_steps'])
  return {'setup': setup, 'grad_norms': grads, 'symmetry': symmetry}
