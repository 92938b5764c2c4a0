r"""Vanishing / exploding gradients and symmetry breaking in a deep MLP (notes: backprop, §2.4).

  python -m experiments.basics.vanishing_gradients --workdir=/tmp/study_runs/vanishing [--train_steps=100]

1. A 10-hidden-layer MLP (width 64) on a batch of 512 Fashion-MNIST training images, for every
   activation in sigmoid/tanh/relu and init_scheme in he/too_small/too_large: the per-layer
   gradient norms ||dL/dW_l|| at initialisation and after --train_steps full-batch SGD steps.
   Plot: log10 norm against the layer, one panel per activation, one colour per init (solid: at
   init, dashed: after training) -> <workdir>/vanishing_gradients.png.
2. Symmetry: a tanh MLP (--symmetry_depth hidden layers of --width) with init_scheme='constant'
   (every weight 0.1, biases 0) trained --symmetry_steps full-batch SGD steps
   keeps every hidden unit an exact copy of its neighbours (hidden_unit_spread stays 0), while He
   init starts (and stays) asymmetric.
Numbers: <workdir>/vanishing_gradients.json (null where a run diverged).
"""
import json
import os
import time

from absl import app, flags

from experiments import study_utils


ACTS = ('sigmoid', 'tanh', 'relu')
INITS = ('he', 'too_small', 'too_large')


def sgd_trainer(model, loss_fn, lr):
  """A jitted full-batch SGD step (params, batch) -> (params, loss), with dljax.optim.sgd."""
  import jax  # pylint: disable=g-import-not-at-top
  import jax.numpy as jnp  # pylint: disable=g-import-not-at-top
  import optax  # pylint: disable=g-import-not-at-top
  from dljax import optim  # pylint: disable=g-import-not-at-top
  tx = optim.sgd(lr)

  @jax.jit
  def step(params, opt_state, batch):
    def objective(p):
      return jnp.mean(loss_fn(model.apply({'params': p}, batch['x'], train=False), batch['y']))
    loss, grads = jax.value_and_grad(objective)(params)
    updates, opt_state = tx.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state, loss

  return tx, step


def train(model, params, batch, loss_fn, lr, steps, every=0, on_log=None):
  """`steps` full-batch SGD steps; on_log(step, params, loss) every `every` steps (and at 0)."""
  tx, step = sgd_trainer(model, loss_fn, lr)
  opt_state = tx.init(params)
  loss = None
  if on_log:
    on_log(0, params, None)
  for t in range(1, steps + 1):
    params, opt_state, loss = step(params, opt_state, batch)
    if on_log and every and t % every == 0:
      on_log(t, params, float(loss))
  return params, (float(loss) if loss is not None else None)


def gradient_study(batch, width, depth, train_steps, lr, seed):
  import jax  # pylint: disable=g-import-not-at-top
  from dljax.eval import gradients  # pylint: disable=g-import-not-at-top
  from dljax.models import mlp  # pylint: disable=g-import-not-at-top
  from dljax.train.tasks.classification import LOSSES  # pylint: disable=g-import-not-at-top
  loss_fn = LOSSES['softmax']
  out = {}
  for act in ACTS:
    for init in INITS:
      model = mlp.MLP(hidden=(width,) * depth, act=act, init_scheme=init)
      params = model.init(jax.random.PRNGKey(seed), batch['x'][:2])['params']
      loss0, _ = gradients.layer_grads(model, params, batch, loss_fn)
      rec = {'init': gradients.layer_grad_norms(model, params, batch, loss_fn),
             'loss_init': float(loss0)}
      if train_steps:
        params, loss = train(model, params, batch, loss_fn, lr, train_steps)
        rec['trained'] = gradients.layer_grad_norms(model, params, batch, loss_fn)
        rec['loss_trained'] = loss
      rec['first_over_last_init'] = (rec['init'][0] / rec['init'][-1] if rec['init'][-1]
                                     else float('nan'))
      out[f'{act}/{init}'] = rec
      print(f'{act:>8} {init:>9}: loss {rec["loss_init"]:9.4g} -> '
            f'{rec.get("loss_trained", float("nan")):9.4g}  ||dL/dW|| first {rec["init"][0]:9.3g} '
            f'last {rec["init"][-1]:9.3g}  ratio {rec["first_over_last_init"]:9.3g}', flush=True)
  return out


def symmetry_study(batch, width, depth, steps, lr, seed):
  """Spread of the hidden units' incoming weights during SGD, constant init against He."""
  import jax  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  from dljax.eval import gradients  # pylint: disable=g-import-not-at-top
  from dljax.models import mlp  # pylint: disable=g-import-not-at-top
  from dljax.train.tasks.classification import LOSSES  # pylint: disable=g-import-not-at-top
  out = {}
  for init in ('constant', 'he'):
    model = mlp.MLP(hidden=(width,) * depth, act='tanh', init_scheme=init)
    params = model.init(jax.random.PRNGKey(seed), batch['x'][:2])['params']
    log = []
    on_log = lambda t, p, loss: log.append(  # pylint: disable=cell-var-from-loop
        {'step': t, 'spread': gradients.hidden_unit_spread(p), 'loss': loss})
    params, _ = train(model, params, batch, LOSSES['softmax'], lr, steps, every=50, on_log=on_log)
    logits = model.apply({'params': params}, batch['x'])
    acc = float(np.mean(np.asarray(logits).argmax(-1) == batch['y']))
    out[init] = {'hidden': [width] * depth, 'act': 'tanh', 'log': log, 'train_accuracy': acc,
                 'spread_per_layer': gradients.unit_spreads(params)}
    print(f'symmetry {init:>8}: hidden_unit_spread ' +
          ' '.join(f'step {r["step"]}: {r["spread"]:.3g}' for r in log) +
          f'; train accuracy after {steps} steps {acc:.3f}', flush=True)
  return out


def plot(study, path, depth, train_steps):
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  fig, axes = plt.subplots(1, len(ACTS), figsize=(13, 4), sharey=True)
  colors = dict(zip(INITS, ('tab:green', 'tab:blue', 'tab:red')))
  layers = np.arange(1, depth + 2)
  for ax, act in zip(axes, ACTS):
    notes = []
    for init in INITS:
      rec = study[f'{act}/{init}']
      for key, style in (('init', '-'), ('trained', '--')):
        if key not in rec:
          continue
        norms = np.asarray(rec[key], np.float64)
        ok = np.isfinite(norms) & (norms > 0)
        if not ok.any():
          notes.append(f'{init} after training: non-finite (diverged)')
          continue
        ax.plot(layers[ok], np.log10(norms[ok]), style, color=colors[init], marker='.')
    ax.set_title(f'{act}, {depth} hidden layers')
    ax.set_xlabel('layer l (1 = input side)')
    ax.set_xticks(layers)
    ax.grid(alpha=0.3)
    if notes:
      ax.text(0.02, 0.02, '\n'.join(notes), transform=ax.transAxes, fontsize=8, color='dimgray')
  axes[0].set_ylabel('log10 ||dL/dW_l||')
  handles = [plt.Line2D([], [], color=colors[i], lw=2) for i in INITS]
  handles += [plt.Line2D([], [], color='k', ls='-'), plt.Line2D([], [], color='k', ls='--')]
  labels = list(INITS) + ['at initialisation', f'after {train_steps} full-batch SGD steps']
  fig.legend(handles, labels, loc='lower center', ncol=len(labels), fontsize=9,
             bbox_to_anchor=(0.5, -0.06))
  fig.tight_layout()
  fig.savefig(path, dpi=110, bbox_inches='tight')
  plt.close(fig)
  return path


def main(argv):
  del argv
  import ml_collections  # pylint: disable=g-import-not-at-top
  from absl import logging  # pylint: disable=g-import-not-at-top
  from dljax import data  # pylint: disable=g-import-not-at-top
  logging.set_verbosity(logging.WARNING)
  t0 = time.time()
  workdir = _WORKDIR.value
  os.makedirs(workdir, exist_ok=True)
  batch = data.load_split(ml_collections.ConfigDict(dict(name='fashion_mnist', train_limit=_N.value)),
                          'train')
  study = gradient_study(batch, _WIDTH.value, _DEPTH.value, _TRAIN_STEPS.value, _LR.value,
                         _SEED.value)
  symmetry = symmetry_study(batch, _WIDTH.value, _SYMMETRY_DEPTH.value, _SYMMETRY_STEPS.value,
                            _LR.value, _SEED.value)
  path = plot(study, os.path.join(workdir, 'vanishing_gradients.png'), _DEPTH.value,
              _TRAIN_STEPS.value)
  result = {'setup': {'width': _WIDTH.value, 'depth': _DEPTH.value, 'n': _N.value,
                      'train_steps': _TRAIN_STEPS.value, 'lr': _LR.value, 'seed': _SEED.value},
            'grad_norms': study, 'symmetry': symmetry}
  with open(os.path.join(workdir, 'vanishing_gradients.json'), 'w') as f:
    json.dump(study_utils.finite_or_none(result), f, indent=2, allow_nan=False)
  const = symmetry['constant']['log'][-1]['spread']
  print(f'constant init: hidden_unit_spread after {_SYMMETRY_STEPS.value} SGD steps = {const:.3g} '
        f'({"symmetry never broken" if const == 0 else "symmetry broken"}); '
        f'he init: {symmetry["he"]["log"][-1]["spread"]:.3g}')
  print(f'plot: {path}; {time.time() - t0:.0f} s')


if __name__ == '__main__':
  # flags are defined only when run as a script, so tests can import several studies
  _WORKDIR = flags.DEFINE_string('workdir', None, 'Where the plot and the JSON go.')
  _WIDTH = flags.DEFINE_integer('width', 64, 'Hidden width.')
  _DEPTH = flags.DEFINE_integer('depth', 10, 'Number of hidden layers.')
  _N = flags.DEFINE_integer('n', 512, 'Training images in the batch.')
  _TRAIN_STEPS = flags.DEFINE_integer('train_steps', 100, 'Full-batch SGD steps before the second '
                                      'gradient measurement (0: only at initialisation).')
  _LR = flags.DEFINE_float('lr', 0.1, 'SGD learning rate (both parts).')
  _SYMMETRY_STEPS = flags.DEFINE_integer('symmetry_steps', 200, 'SGD steps of the symmetry demo.')
  _SYMMETRY_DEPTH = flags.DEFINE_integer('symmetry_depth', 3, 'Hidden layers (of --width, tanh) of '
                                         'the symmetry demo: shallow, so that He init trains in '
                                         '--symmetry_steps steps.')
  _SEED = flags.DEFINE_integer('seed', 0, 'Initialisation seed.')
  flags.mark_flags_as_required(['workdir'])
  app.run(main)
