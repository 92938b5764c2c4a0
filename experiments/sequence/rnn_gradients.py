r"""Vanishing gradients through time, and gradient clipping, on the adding problem (seed 002 §2.2,
seed 003 §1.5): configs/sequence/adding_rnn.py (T = 100, 32 units, MSE at the last step).

  python -m experiments.study sequence/rnn_gradients --workdir=runs/rnn_gradients [--preset=cpu] [--publish]

1. Runs rnn, lstm, gru (Adam 1e-3, clipped at norm 1, 1000 steps). report() measures ||dL/dh_t||
   against the lag T - t (dljax.eval.gradients.hidden_state_grad_norms, L = test MSE of the head on
   h_T, mean over the 256 test sequences) at initialisation and after training -> rnn_grad_vs_lag.png.
2. Runs sgd_no_clip, sgd_clip: the vanilla RNN by plain SGD at lr 0.5, as is and with the global
   gradient norm clipped to 1 (same initialisation and batches, train.nonfinite=skip: a step whose
   loss or gradient is not finite is skipped and counted) -> adding_clipping.png (train loss, ||g||).
Expected (cpu preset, seed 0, shared 2-core CPU, under a minute; 2026-12-05): ||dL/dh_t|| at lag
0 / 99 at init RNN 7.7e-3 / 2.2e-4, LSTM 8.1e-3 / 2.6e-5, GRU 7.2e-3 / 8.3e-18; trained, only the
GRU solves it (test MSE 0.010 vs 0.174 and 0.172) and its gradient no longer vanishes (lag 99:
4.2e-4). Unclipped SGD overflows at step 16; the clipped run stays finite but does not learn at lr
0.5 (MSE 1.27). Discussion: docs/sequence/notes.md.
"""
import math

from configs.sequence import adding_rnn
from dljax import viz

CELLS = adding_rnn.CELLS
CLIP_LR, CLIP_NORM = 0.5, 1.0
CLIP_RUNS = {'sgd_no_clip': 0.0, 'sgd_clip': CLIP_NORM}


def clipping_config(preset: str, clip: float):
  """The vanilla RNN of adding_rnn trained by plain SGD at CLIP_LR, clipped at `clip` (0: not), every
  step logged; non-finite steps are skipped (and counted as train/skipped) instead of halting."""
  config = adding_rnn.get_config(preset)
  config.model.name = 'rnn'
  config.optim.name, config.optim.lr, config.optim.grad_clip_norm = 'sgd', CLIP_LR, clip
  config.train.nonfinite = 'skip'
  config.train.log_every = 1
  return config


def runs(preset: str, workdir: str):
  del workdir
  for cell in CELLS:
    config = adding_rnn.get_config(preset)
    config.model.name = cell
    yield cell, config
  for name, clip in CLIP_RUNS.items():
    yield name, clipping_config(preset, clip)


def grad_vs_lag(loaded, state) -> list:
  """||dL/dh_t|| for t = 1..T (index 0 = t = 1) of `state` (a state of the run `loaded`), L = the
  test MSE of the linear head on h_T."""
  import flax.linen as nn  # pylint: disable=g-import-not-at-top
  import jax.numpy as jnp  # pylint: disable=g-import-not-at-top
  from dljax.eval import gradients  # pylint: disable=g-import-not-at-top
  from dljax.models import rnn  # pylint: disable=g-import-not-at-top
  model_cfg = loaded.config.model[loaded.config.model.name]
  test = loaded.data['test']
  x_BxTxD = jnp.asarray(test['x'])
  y_B = jnp.asarray(test['y'][:, -1, 0])  # the target sits at the last step
  params = state.nets['model'].params
  head = lambda h_BxH: nn.Dense(1).apply({'params': params['output']}, h_BxH)[:, 0]  # pylint: disable=unnecessary-lambda-assignment
  cls = rnn.CELLS[model_cfg.cell]
  norms = gradients.hidden_state_grad_norms(
      cls(model_cfg.hidden), params['rnn']['layer_0']['cell'],
      cls.zero_carry(x_BxTxD.shape[0], model_cfg.hidden), x_BxTxD,
      lambda h_BxH: ((head(h_BxH) - y_B) ** 2).mean())
  return [float(v) for v in norms]


def clipping_log(workdir: str) -> dict:
  """Per logged step of a clipping run: train loss, ||g|| before clipping, and the first step the
  loop skipped (its loss or gradient was not finite), from <workdir>/metrics.jsonl."""
  from dljax.train import writers  # pylint: disable=g-import-not-at-top
  rows = [r for r in writers.read_metrics(workdir) if 'train/loss' in r]
  finite = lambda v: v if v is not None and math.isfinite(v) else None  # pylint: disable=unnecessary-lambda-assignment
  skipped = [r['step'] for r in rows if r.get('train/skipped', 0)]
  return {'steps': [r['step'] for r in rows], 'loss': [finite(r['train/loss']) for r in rows],
          'grad_norm': [finite(r.get('train/grad_norm')) for r in rows],
          'skipped_steps': len(skipped), 'first_nonfinite_step': skipped[0] if skipped else None}


def plot_clipping(runs_: dict, clip_norm: float, path: str, title: str) -> str:
  """Train loss (left) and the gradient norm before clipping (right) per step, one colour per run;
  a run whose steps became non-finite is marked where the first one was skipped."""
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 3.8))
  for label, run in runs_.items():
    loss = np.array([np.nan if v is None else v for v in run['loss']], np.float64)
    norm = np.array([np.nan if v is None else v for v in run['grad_norm']], np.float64)
    mse = run['test_mse']
    (line,) = ax.plot(run['steps'], loss, lw=0.8, label=f'{label}: test MSE ' +
                      (f'{mse:.4f}' if mse is not None and math.isfinite(mse) else 'NaN'))
    bx.plot(run['steps'], norm, lw=0.8, color=line.get_color())
    s = run['first_nonfinite_step']
    if s:
      ax.axvline(s, color=line.get_color(), ls=':')
      ax.text(s, 0.9, f' non-finite from step {s} ({run["skipped_steps"]} steps skipped)',
              color=line.get_color(), fontsize=8, transform=ax.get_xaxis_transform())
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


def report(summaries: dict, out: str) -> dict:
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  table = {'grad_vs_lag': {}, 'clipping': {}}
  series = {}
  for cell in CELLS:
    workdir = summaries[cell]['workdir']
    loaded = loop.load_run(workdir)
    initial = loop.Run(loaded.config, workdir, progress=False, read_only=True).init_state()
    rec = {'init': grad_vs_lag(loaded, initial), 'trained': grad_vs_lag(loaded, loaded.state),
           'test_mse': summaries[cell]['final']['test/loss']}
    table['grad_vs_lag'][cell] = rec
    length, steps = len(rec['init']), int(loaded.config.train.steps)
    lags = list(range(length - 1, -1, -1))  # t = 1..T -> lag T - t
    series[f'{cell}, init'] = (lags, rec['init'])
    series[f'{cell}, after {steps} steps'] = (lags, rec['trained'])
  hidden = loaded.config.model[loaded.config.model.name].hidden
  table['setup'] = dict(length=length, hidden=hidden, batch=int(loaded.config.data.batch_size),
                        train_steps=steps, clip_lr=CLIP_LR, clip_norm=CLIP_NORM,
                        seed=int(loaded.config.seed))
  viz.multi_curves(series, '||dL/dh_t|| (mean over the test sequences)',
                   f'{out}/rnn_grad_vs_lag.png', xlabel='lag T - t', logy=True,
                   title=f'Adding problem, T = {length}, {hidden} units')
  for name, clip in CLIP_RUNS.items():
    rec = clipping_log(summaries[name]['workdir'])
    test_mse = summaries[name]['final']['test/loss']
    rec['test_mse'] = test_mse if test_mse is not None and math.isfinite(test_mse) else None
    norms = [v for v in rec['grad_norm'] if v is not None]
    rec['max_grad_norm'] = max(norms) if norms else None
    table['clipping'][f'clip ||g|| <= {clip:g}' if clip else 'no clipping'] = rec
  plot_clipping(table['clipping'], CLIP_NORM, f'{out}/adding_clipping.png',
                f'RNN {hidden} units, adding problem T = {length}, SGD lr {CLIP_LR:g}')
  return table
