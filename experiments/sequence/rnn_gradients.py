r"""Vanishing gradients through time, and gradient clipping, on the adding problem (seed 002 §2.2,
seed 003 §1.5).

  python -m experiments.sequence.rnn_gradients [--length=100] [--train_steps=1000] [--clip_steps=1000]
      [--out_dir=docs/plots] [--json=docs/sequence/rnn_gradients.json]

Data: dljax.data.synthetic's adding problem (inputs [N, T, 2] = (value ~ U[0, 1], marker), two
markers; target = the sum of the two marked values; predicting the mean 1 gives MSE 1/6 = 0.167).
Model: a one-layer recurrence of --hidden units read at the last step by a linear head
(dljax.models.rnn.SequenceClassifier with num_outputs=1), MSE loss.

1. ||dL/dh_t|| against the lag T - t (dljax.eval.gradients.hidden_state_grad_norms: the gradient of
   the loss on h_T with respect to each earlier hidden state, mean over 256 sequences) for the
   vanilla RNN, the LSTM and the GRU, at initialisation and after --train_steps Adam steps (lr 1e-3,
   clipped at norm 1) -> <out_dir>/rnn_grad_vs_lag.png. The vanilla RNN's gradient decays
   geometrically with the lag (the product of Jacobians of the notes); the gated cells keep it.
2. Clipping: the vanilla RNN trained by plain SGD at --clip_lr for --clip_steps steps, once as is
   and once with the global gradient norm clipped to --clip_norm (optim.grad_clip_norm), same
   initialisation and batches -> <out_dir>/adding_clipping.png (train loss; test MSE beside it).
Numbers: --json.

MEASURED (defaults: T = 100, 32 units, seed 0; 2-core CPU shared with other jobs, 56 s CPU, 5.5 min
wall): ||dL/dh_t|| at lag 0 / lag 99 at initialisation: RNN 5.3e-3 / 1.2e-8, LSTM 6.8e-3 / 6.6e-6,
GRU 1.0e-2 / 4.8e-18, i.e. x0.88, x0.93 and x0.70 per step (with z ~ 1/2 at init the GRU's carried
path h_t = z h_t-1 + (1 - z) n keeps only part of the gradient each step); after 1000
Adam steps: RNN 2.7e-3 / 4.8e-17 (test MSE 0.180, no better than the mean), LSTM 2.9e-3 / 1.4e-9
(0.171, not yet learnt), GRU 4.9e-4 / 2.9e-4 (0.0049: solved; its gradient no longer vanishes).
Clipping: plain SGD at lr 0.5 on the vanilla RNN overflows at step 16 (||g|| -> inf); the same run
clipped at ||g|| <= 1 stays finite for 1000 steps (test MSE 0.168, the predict-the-mean level).
"""
import json
import math
import os
import time

from absl import app, flags


CELLS = ('rnn', 'lstm', 'gru')
N_TRAIN, N_TEST = 10_000, 256


def adding_data(length, seed):
  from dljax.data import synthetic  # pylint: disable=g-import-not-at-top
  return {split: synthetic.make('adding', n, [seed, k], length=length)
          for k, (split, n) in enumerate((('train', N_TRAIN), ('test', N_TEST)))}


def regressor(cell, hidden):
  from dljax.models import rnn  # pylint: disable=g-import-not-at-top
  return rnn.SequenceClassifier(body=cell, hidden=hidden, readout='last', num_outputs=1)


def mse(model, params, x, y):
  return ((model.apply({'params': params}, x)[:, 0] - y) ** 2).mean()


def train(model, params, data, optim_cfg, steps, batch, seed):
  """`steps` optimizer steps on minibatches of the training set; returns params and per-step
  (loss, gradient norm before any clipping)."""
  import jax  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  import optax  # pylint: disable=g-import-not-at-top
  from dljax import optim  # pylint: disable=g-import-not-at-top
  tx = optim.get_optimizer(optim_cfg, steps)

  @jax.jit
  def step(params, opt_state, x, y):
    loss, grads = jax.value_and_grad(lambda p: mse(model, p, x, y))(params)
    updates, opt_state = tx.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state, loss, optax.tree.norm(grads)

  opt_state, log = tx.init(params), []
  rng = np.random.default_rng(seed)
  x_all, y_all = data['inputs'], data['targets']
  for _ in range(steps):
    idx = rng.integers(0, len(y_all), batch)
    params, opt_state, loss, norm = step(params, opt_state, x_all[idx], y_all[idx])
    log.append((float(loss), float(norm)))
  return params, log


def grad_vs_lag(model, cell, params, data):
  """||dL/dh_t|| for t = 1..T (index 0 = t = 1), L = test MSE of the head on h_T."""
  import flax.linen as nn  # pylint: disable=g-import-not-at-top
  import jax.numpy as jnp  # pylint: disable=g-import-not-at-top
  from dljax.eval import gradients  # pylint: disable=g-import-not-at-top
  from dljax.models import rnn  # pylint: disable=g-import-not-at-top
  x, y = jnp.asarray(data['inputs']), jnp.asarray(data['targets'])
  head = lambda h: nn.Dense(1).apply({'params': params['head']}, h)[:, 0]  # pylint: disable=unnecessary-lambda-assignment
  cls = rnn.CELLS[cell]
  norms = gradients.hidden_state_grad_norms(
      cls(model.hidden), params['rnn']['layer_0']['cell'], cls.zero_carry(x.shape[0], model.hidden),
      x, lambda h_T: ((head(h_T) - y) ** 2).mean())
  return [float(v) for v in norms]


def plot_clipping(runs: dict, clip_norm: float, path: str, title: str) -> str:
  """Train loss (left) and the gradient norm before clipping (right) per step, one colour per run;
  a run that diverged is marked where its loss first stops being finite."""
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 3.8))
  for label, run in runs.items():
    loss = np.array([np.nan if v is None else v for v in run['loss']], np.float64)
    norm = np.array([np.inf if v is None else v for v in run['grad_norm']], np.float64)
    steps = np.arange(1, len(loss) + 1)
    mse = run['test_mse']
    (line,) = ax.plot(steps, loss, lw=0.8, label=f'{label}: test MSE ' +
                      (f'{mse:.4f}' if mse is not None else 'NaN'))
    bx.plot(steps, np.where(np.isfinite(norm), norm, np.nan), lw=0.8, color=line.get_color())
    if run['first_nonfinite_step']:
      s = run['first_nonfinite_step']
      ax.axvline(s, color=line.get_color(), ls=':')
      ax.text(s, 0.9, f' loss non-finite from step {s}', color=line.get_color(), fontsize=8,
              transform=ax.get_xaxis_transform())
  ax.set_yscale('log')
  ax.set_ylim(top=10.0)
  ax.set(xlabel='step', ylabel='train MSE (minibatch; 0.167 = predict the mean)', title=title)
  ax.legend(fontsize=8)
  bx.axhline(clip_norm, color='k', ls='--', lw=0.8, label=f'clipping threshold {clip_norm:g}')
  bx.set_yscale('log')
  bx.set(xlabel='step', ylabel='||g|| before clipping', title='global gradient norm')
  bx.legend(fontsize=8)
  for a in (ax, bx):
    a.grid(alpha=0.3, which='both')
  fig.tight_layout()
  fig.savefig(path, dpi=110)
  plt.close(fig)
  return path


def _finite_or_none(values):
  return [v if math.isfinite(v) else None for v in values]


def study(length=100, hidden=32, batch=64, train_steps=1000, clip_steps=1000, clip_cell='rnn',
          clip_lr=0.5, clip_norm=1.0, seed=0, out_dir='docs/plots', json_path='docs/sequence/rnn_gradients.json'):
  """Both parts (module docstring); returns the numbers written to json_path."""
  import jax  # pylint: disable=g-import-not-at-top
  import ml_collections  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  from dljax import viz  # pylint: disable=g-import-not-at-top
  t0 = time.time()
  setup = dict(length=length, hidden=hidden, batch=batch, train_steps=train_steps,
               clip_steps=clip_steps, clip_cell=clip_cell, clip_lr=clip_lr, clip_norm=clip_norm,
               seed=seed)
  data = adding_data(length, seed)
  x0 = data['train']['inputs'][:2]
  result = {'setup': setup, 'grad_vs_lag': {}, 'clipping': {}}
  lags = list(range(length - 1, -1, -1))  # t = 1..T -> lag T - t
  series = {}
  adam = ml_collections.ConfigDict(dict(name='adam', lr=1e-3, grad_clip_norm=1.0))
  for cell in CELLS:
    model = regressor(cell, hidden)
    params = model.init(jax.random.PRNGKey(seed), x0)['params']
    rec = {'init': grad_vs_lag(model, cell, params, data['test'])}
    series[f'{cell}, init'] = (lags, rec['init'])
    if train_steps:
      params, log = train(model, params, data['train'], adam, train_steps, batch,
                          seed)
      rec['trained'] = grad_vs_lag(model, cell, params, data['test'])
      rec['test_mse'] = float(mse(model, params, data['test']['inputs'], data['test']['targets']))
      series[f'{cell}, after {train_steps} steps'] = (lags, rec['trained'])
    result['grad_vs_lag'][cell] = rec
    print(f'{cell:>5}: ||dL/dh_t|| at lag 0 {rec["init"][-1]:.3g}, lag {length - 1} '
          f'{rec["init"][0]:.3g} (init)' + (f'; after training {rec["trained"][-1]:.3g} / '
                                            f'{rec["trained"][0]:.3g}, test MSE '
                                            f'{rec["test_mse"]:.4f}' if 'trained' in rec else ''),
          flush=True)
  os.makedirs(out_dir, exist_ok=True)
  viz.multi_curves(series, '||dL/dh_t|| (mean over 256 test sequences)',
                   os.path.join(out_dir, 'rnn_grad_vs_lag.png'), xlabel='lag T - t',
                   logy=True, title=f'Adding problem, T = {length}, {hidden} units')

  cell = clip_cell
  model = regressor(cell, hidden)
  params0 = model.init(jax.random.PRNGKey(seed), x0)['params']
  for clip in (0.0, clip_norm):
    cfg = ml_collections.ConfigDict(dict(name='sgd', lr=clip_lr, grad_clip_norm=clip))
    params, log = train(model, params0, data['train'], cfg, clip_steps, batch,
                        seed)
    test_mse = float(mse(model, params, data['test']['inputs'], data['test']['targets']))
    label = f'clip ||g|| <= {clip:g}' if clip else 'no clipping'
    losses, norms = [l for l, _ in log], [n for _, n in log]
    result['clipping'][label] = {'loss': _finite_or_none(losses), 'grad_norm': _finite_or_none(norms),
                                 'test_mse': test_mse if math.isfinite(test_mse) else None,
                                 'max_grad_norm': _finite_or_none([float(np.nanmax(norms))])[0],
                                 'first_nonfinite_step': next((i + 1 for i, l in enumerate(losses)
                                                               if not math.isfinite(l)), None)}
    print(f'{label:>15}: test MSE {test_mse:.4f}, max ||g|| {np.nanmax(norms):.3g}, '
          f'steps with ||g|| > 10: {int(np.sum(np.asarray(norms) > 10))}', flush=True)
  plot_clipping(result['clipping'], clip_norm, os.path.join(out_dir, 'adding_clipping.png'),
                f'{clip_cell.upper()} {hidden} units, adding problem T = {length}, SGD lr {clip_lr:g}')
  os.makedirs(os.path.dirname(os.path.abspath(json_path)), exist_ok=True)
  with open(json_path, 'w') as f:
    json.dump(result, f, allow_nan=False)
  print(f'plots in {out_dir}; numbers in {json_path}; {time.time() - t0:.0f} s')
  return result


def main(argv):
  del argv
  study(length=_LENGTH.value, hidden=_HIDDEN.value, batch=_BATCH.value,
        train_steps=_TRAIN_STEPS.value, clip_steps=_CLIP_STEPS.value, clip_cell=_CLIP_CELL.value,
        clip_lr=_CLIP_LR.value, clip_norm=_CLIP_NORM.value, seed=_SEED.value,
        out_dir=_OUT_DIR.value, json_path=_JSON.value)


if __name__ == '__main__':
  # flags are defined only when run as a script, so tests can import several studies
  _LENGTH = flags.DEFINE_integer('length', 100, 'Sequence length T of the adding problem.')
  _HIDDEN = flags.DEFINE_integer('hidden', 32, 'Hidden units.')
  _BATCH = flags.DEFINE_integer('batch', 64, 'Training batch size.')
  _TRAIN_STEPS = flags.DEFINE_integer('train_steps', 1000, 'Adam steps before the second gradient '
                                      'measurement (0: only at initialisation).')
  _CLIP_STEPS = flags.DEFINE_integer('clip_steps', 1000, 'SGD steps of the clipping comparison.')
  _CLIP_CELL = flags.DEFINE_enum('clip_cell', 'rnn', ['rnn', 'lstm', 'gru'], 'Cell of part 2.')
  _CLIP_LR = flags.DEFINE_float('clip_lr', 0.5, 'SGD learning rate of part 2.')
  _CLIP_NORM = flags.DEFINE_float('clip_norm', 1.0, 'Global-norm threshold of part 2.')
  _SEED = flags.DEFINE_integer('seed', 0, 'Initialisation and data seed.')
  _OUT_DIR = flags.DEFINE_string('out_dir', 'docs/plots', 'Where the two plots go.')
  _JSON = flags.DEFINE_string('json', 'docs/sequence/rnn_gradients.json', 'Where the numbers go.')
  app.run(main)
