r"""Optimizer paths on 2-D test functions (seed 003, c5): the notes' optimizers (dljax.optim) from
the same start, their trajectories drawn on contour plots.

  python -m experiments.study basics/optimizer_paths --workdir=runs/optimizer_paths [--preset=cpu] [--publish]

Functions (FUNCTIONS; minimum w*, start w_0):
  rosenbrock  f = (1 - x)^2 + 100 (y - x^2)^2                  w* = (1, 1),    w_0 = (-1.2, 1)
  valley      f = (u^2 + 100 v^2) / 2, (u, v) = R(30 deg)(x, y)   w* = (0, 0),    w_0 = (-4, -1)
              (a narrow quadratic, condition number 100, not aligned with the axes)
  beale       f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2
                                                               w* = (3, 0.5),  w_0 = (1, 1.5)
Each optimizer of OPTIMIZERS (sgd, momentum 0.9, rmsprop per coordinate, rmsprop_norm as the notes
write it, adam, adam without bias correction) runs `steps` steps at every learning rate of a
half-decade grid (vmapped, one jax.lax.scan per optimizer and function; no training loop, no runs);
the table keeps, per optimizer, the learning rate with the lowest final f (a diverged lr is never
chosen) and reports that f and the distance ||w_T - w*||. Plot optimizer_paths.png: the paths at
the chosen learning rates on log-spaced contours (top) and f(w_t) - f* against t (bottom).
Expected (cpu: 2,000 steps, 11 learning rates 1e-5..1, 2-core CPU, ~20 s): see docs/basics/notes.md.
The smoke preset runs sgd and adam on rosenbrock, 30 steps at 3 learning rates.
"""
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from dljax import optim
from experiments.tools import study_utils

# smoke: a wiring check on one function and two optimizers (each pair compiles once, ~0.5 s)
PRESETS = {'smoke': dict(steps=30, lrs=(1e-3, 1e-2, 1e-1), functions=('rosenbrock',),
                         optimizers=('sgd', 'adam')),
           'cpu': dict(steps=2000, lrs=tuple(10.0 ** (k / 2) for k in range(-10, 1)),
                       functions=('rosenbrock', 'valley', 'beale'),
                       optimizers=('sgd', 'momentum', 'rmsprop', 'rmsprop_norm', 'adam',
                                   'adam_nobc'))}


def rosenbrock(w_2):
  x, y = w_2[0], w_2[1]
  return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


_C, _S = math.cos(math.pi / 6), math.sin(math.pi / 6)


def valley(w_2):
  u = _C * w_2[0] + _S * w_2[1]  # (u, v) = R(30 deg) (x, y)
  v = -_S * w_2[0] + _C * w_2[1]
  return (u ** 2 + 100 * v ** 2) / 2  # Hessian eigenvalues 1 and 100 (condition number 100)


def beale(w_2):
  x, y = w_2[0], w_2[1]
  return ((1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2
          + (2.625 - x + x * y ** 3) ** 2)


# name: (f, minimum w*, start w_0, plot window ((x_lo, x_hi), (y_lo, y_hi)))
FUNCTIONS = {
    'rosenbrock': (rosenbrock, (1.0, 1.0), (-1.2, 1.0), ((-2.0, 2.0), (-1.0, 3.0))),
    'valley': (valley, (0.0, 0.0), (-4.0, -1.0), ((-5.0, 5.0), (-3.0, 3.0))),
    'beale': (beale, (3.0, 0.5), (1.0, 1.5), ((-1.0, 4.5), (-1.5, 2.5))),
}
OPTIMIZERS = {
    'sgd': optim.sgd,
    'momentum': lambda lr: optim.momentum(lr, beta=0.9),
    'rmsprop': lambda lr: optim.rmsprop(lr, decay=0.9),
    'rmsprop_norm': lambda lr: optim.rmsprop_norm(lr, decay=0.9),
    'adam': optim.adam,
    'adam_nobc': lambda lr: optim.adam(lr, bias_correction=False),
}


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return []  # no training: report() computes the paths


def path(f, make_optimizer, lr, start_2, steps: int):
  """[w_0, w_1, ..., w_T] (T+1 x 2) of `steps` steps of make_optimizer(lr) on f from start_2."""
  opt = make_optimizer(lr)
  w_2 = jnp.asarray(start_2, jnp.float32)

  def step(carry, _):
    w_2, opt_state = carry
    updates_2, opt_state = opt.update(jax.grad(f)(w_2), opt_state, w_2)
    w_2 = w_2 + updates_2  # optax convention: the updates are -eta * direction
    return (w_2, opt_state), w_2
  _, ws_Tx2 = jax.lax.scan(step, (w_2, opt.init(w_2)), None, length=steps)
  return jnp.concatenate([w_2[None], ws_Tx2], 0)


@functools.partial(jax.jit, static_argnums=(0, 1, 4))
def paths(f, make_optimizer, lrs_L, start_2, steps: int):
  """path() at every learning rate of lrs_L: L x (T+1) x 2, and f along each: L x (T+1)."""
  ws_LxTx2 = jax.vmap(lambda lr: path(f, make_optimizer, lr, start_2, steps))(lrs_L)
  return ws_LxTx2, jax.vmap(jax.vmap(f))(ws_LxTx2)


def best_lr(lrs, f_final_L) -> int:
  """The index of the learning rate with the lowest finite final f (None if every one diverged)."""
  finite = [i for i, v in enumerate(f_final_L) if math.isfinite(v)]
  return min(finite, key=lambda i: f_final_L[i]) if finite else None


def compute(preset: str) -> dict:
  """{function: {optimizer: {lr, f_final, distance, path (T+1 x 2), f_curve, diverged_lrs}}}."""
  study_utils.check_preset(preset, tuple(PRESETS))
  steps, lrs = PRESETS[preset]['steps'], PRESETS[preset]['lrs']
  result = {}
  for fname in PRESETS[preset]['functions']:
    f, w_star, start, _ = FUNCTIONS[fname]
    result[fname] = {}
    for oname in PRESETS[preset]['optimizers']:
      make = OPTIMIZERS[oname]
      ws_LxTx2, f_LxT = paths(f, make, jnp.asarray(lrs, jnp.float32), jnp.asarray(start), steps)
      ws_LxTx2, f_LxT = np.asarray(ws_LxTx2), np.asarray(f_LxT)
      f_final_L = [float(v) for v in f_LxT[:, -1]]
      i = best_lr(lrs, f_final_L)
      rec = {'diverged_lrs': [lr for lr, v in zip(lrs, f_final_L) if not math.isfinite(v)]}
      if i is not None:
        rec.update(lr=lrs[i], f_final=f_final_L[i],
                   distance=float(np.linalg.norm(ws_LxTx2[i, -1] - np.asarray(w_star))),
                   path=ws_LxTx2[i], f_curve=f_LxT[i])
      result[fname][oname] = rec
  return result


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  """{'steps', 'lrs', function: {optimizer: {lr, f_final, distance, diverged_lrs}}} and the plot
  optimizer_paths.png (paths on contours, f - f* against the step)."""
  del summaries
  result = compute(preset)
  plot(result, f'{out}/optimizer_paths.png')
  table = {'steps': PRESETS[preset]['steps'], 'lrs': list(PRESETS[preset]['lrs'])}
  for fname, recs in result.items():
    table[fname] = {o: {k: v for k, v in rec.items() if k not in ('path', 'f_curve')}
                    for o, rec in recs.items()}
  return table


def plot(result: dict, path_png: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top  (first: selects matplotlib's Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, axes = plt.subplots(2, len(result), figsize=(5.2 * len(result), 9.0), squeeze=False)
  colors = dict(zip(OPTIMIZERS, plt.get_cmap('tab10').colors))
  for col, fname in enumerate(result):
    f, w_star, start, ((x0, x1), (y0, y1)) = FUNCTIONS[fname]
    ax, ax_f = axes[0, col], axes[1, col]
    xs, ys = np.meshgrid(np.linspace(x0, x1, 300), np.linspace(y0, y1, 300))
    zs = np.asarray(jax.vmap(f)(jnp.stack([xs.ravel(), ys.ravel()], -1))).reshape(xs.shape)
    ax.contour(xs, ys, zs, levels=np.logspace(-2, np.log10(zs.max()), 20), cmap='viridis',
               linewidths=0.6, alpha=0.6)
    for oname, rec in result[fname].items():
      if 'path' not in rec:
        continue
      label = f'{oname} (lr {rec["lr"]:.0e}): f {rec["f_final"]:.1e}'
      ax.plot(rec['path'][:, 0], rec['path'][:, 1], '-', color=colors[oname], lw=1.2, label=label)
      ax_f.plot(np.maximum(rec['f_curve'], 1e-12), color=colors[oname], label=oname)
    ax.plot(*start, 'ko', ms=5)
    ax.plot(*w_star, 'r*', ms=12)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_title(f'{fname}: start (black), minimum (red star)')
    ax.legend(fontsize=7, loc='best')
    ax_f.set_yscale('log')
    ax_f.set_xscale('symlog', linthresh=10)
    ax_f.set_xlim(0, len(rec['f_curve']))
    ax_f.set_xlabel('step t')
    ax_f.set_ylabel('f(w_t) - f*  (clipped at 1e-12)')
  fig.suptitle('the notes\' optimizers on 2-D test functions, each at its best learning rate')
  return viz._write(fig, path_png)  # pylint: disable=protected-access
