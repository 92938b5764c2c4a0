r"""Generalisation (seed 003 §2.14): the test accuracy of one model on re-drawn test sets, and the
bias-variance-noise decomposition of a 1-D regression for growing model size.

  python -m experiments.study basics/bias_variance --workdir=runs/bias_variance [--preset=cpu] [--publish]

1. Re-drawn test sets. Run `moons` trains a 2-16-16-1 tanh MLP with the logistic loss on toy_moons
   (configs/basics/logistic.py with an MLP; Adam 1e-2, 3000 steps). The report evaluates it on K
   freshly drawn test sets of 1,024 points (dljax.data.toys.moons, seeds 1000..1000+K-1): the spread
   of the test accuracy, against the binomial prediction sqrt(p (1 - p) / 1024).
2. Bias, variance, noise. For each hidden width H, M models g_1..g_M are trained, each on its own
   fresh training set of N_TRAIN points of y = f(x) + eps, f(x) = sin(3x) + x/2, eps ~ N(0, 0.1^2)
   (dljax.data.toys.regression1d, seeds 100..100+M-1): full-batch Adam, all M at once (vmapped), no
   runs. On a grid of x in [-2, 2], with g_bar = mean_m g_m,
     E[(g(x) - y)^2] = (g_bar(x) - f(x))^2 + mean_m (g_m(x) - g_bar(x))^2 + sigma^2
                          bias^2                 variance                  noise
   averaged over x; the table also gives the measured mean test MSE on fresh noisy points, which the
   sum should match.
Plot bias_variance.png: the accuracy histogram over the K test sets; bias^2, variance, noise and
their sum against H with the measured test MSE; the M fits at the smallest and largest H.
Measured (cpu, seed 0, 2-core CPU, 39 s, 2026-12-05): moons test accuracy 99.85 % +- 0.12 % over
200 re-drawn test sets (binomial 0.12 %; the split's 99.90 %); with 25 fits on 30 points, bias^2
falls 0.263 -> 0.002 from H = 1 to 16 while the variance stays 0.011-0.037; bias^2 + variance +
noise matches the measured test MSE within 4 % (e.g. 0.0248 vs 0.0239 at H = 16). Smoke: 5 steps of `moons`, K = 5, M = 3, H in {1, 8}.
"""
import functools

import jax
import jax.numpy as jnp
import numpy as np

from configs import common
from configs.basics import logistic
from dljax import optim
from dljax.data import toys
from dljax.models.mlp import MLP
from experiments.tools import study_utils

PRESETS = {
    'smoke': dict(steps=5, redraws=5, models=3, widths=(1, 8), fit_steps=20),
    'cpu': dict(steps=3000, redraws=200, models=25, widths=(1, 2, 4, 8, 16, 64, 256),
                fit_steps=3000),
}
N_TRAIN = 30  # points per training set of part 2: small, so the variance is visible
NOISE_STD = 0.1
TEST_SIZE = 1024


def make_config(preset: str):
  """A 2-16-16-1 tanh MLP with the logistic loss on toy_moons, Adam 1e-2."""
  study_utils.check_preset(preset, tuple(PRESETS))
  config = logistic.get_config(preset)
  config.name = 'bias_variance_moons'
  config.data.name = 'toy_moons'
  config.model.name = 'mlp'
  config.model.hidden = (16, 16)
  config.model.act = 'tanh'
  config.optim.name, config.optim.lr = 'adam', 1e-2
  steps = PRESETS[preset]['steps']
  config.train.update(steps=steps, eval_every=steps, checkpoint_every=steps)
  config.reference = common.no_reference('one model, evaluated on re-drawn test sets: the spread')
  return config


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  yield 'moons', make_config(preset)


def redrawn_accuracies(predict, redraws: int) -> np.ndarray:
  """Accuracy of the score function `predict` (class 1 where > 0) on `redraws` fresh moons test
  sets of TEST_SIZE points."""
  accs = []
  for k in range(redraws):
    x, y = toys.moons(TEST_SIZE, seed=1000 + k)
    accs.append(float(np.mean((np.asarray(predict(x)) > 0) == (y == 1))))
  return np.asarray(accs)


@functools.partial(jax.jit, static_argnums=(0, 4))
def fit_models(width: int, x_MxNx1, y_MxN, key, steps: int):
  """M MLPs 1-width-1 (tanh), the m-th fitted to (x_m, y_m) by full-batch Adam (lr 1e-2) on the
  mean squared error; returns their params (stacked along M)."""
  model, opt = MLP(hidden=(width,), num_outputs=1, act='tanh'), optim.adam(1e-2)

  def fit(x_Nx1, y_N, key):
    params = model.init(key, x_Nx1)['params']

    def step(carry, _):
      params, opt_state = carry
      grads = jax.grad(lambda p: jnp.mean((model.apply({'params': p}, x_Nx1) - y_N) ** 2))(params)
      updates, opt_state = opt.update(grads, opt_state, params)
      return (jax.tree.map(jnp.add, params, updates), opt_state), None
    (params, _), _ = jax.lax.scan(step, (params, opt.init(params)), None, length=steps)
    return params
  keys = jax.random.split(key, x_MxNx1.shape[0])
  return jax.vmap(fit)(x_MxNx1, y_MxN, keys)


def decompose(g_MxX, f_X, noise_var: float) -> dict:
  """bias^2, variance and noise of predictions g_MxX (M models at X points) of the target f_X."""
  g_bar_X = g_MxX.mean(0)
  bias2 = float(np.mean((g_bar_X - f_X) ** 2))  # (g_bar(x) - f(x))^2
  variance = float(np.mean((g_MxX - g_bar_X[None]) ** 2))  # mean_m (g_m(x) - g_bar(x))^2
  return {'bias2': bias2, 'variance': variance, 'noise': noise_var,
          'sum': bias2 + variance + noise_var}


def bias_variance(widths, models: int, steps: int) -> dict:
  """{H: decompose(...) + test_mse} over `models` fresh training sets of N_TRAIN points, and the
  predictions on the grid for the plot."""
  draws = [toys.regression1d(N_TRAIN, seed=100 + m, noise=NOISE_STD) for m in range(models)]
  x_MxNx1 = jnp.asarray(np.stack([x for x, _ in draws]))
  y_MxN = jnp.asarray(np.stack([y for _, y in draws]))
  x_grid_X = np.linspace(-2, 2, 401, dtype=np.float32)
  f_X = np.sin(3 * x_grid_X) + 0.5 * x_grid_X
  x_test, y_test = toys.regression1d(4096, seed=99, noise=NOISE_STD)  # fresh noisy test points
  out, fits = {}, {}
  for width in widths:
    params = fit_models(width, x_MxNx1, y_MxN, jax.random.key(width), steps)
    model = MLP(hidden=(width,), num_outputs=1, act='tanh')
    predict = jax.vmap(lambda p, x: model.apply({'params': p}, x), in_axes=(0, None))
    g_MxX = np.asarray(predict(params, x_grid_X[:, None]))
    rec = decompose(g_MxX, f_X, NOISE_STD ** 2)
    rec['test_mse'] = float(np.mean((np.asarray(predict(params, x_test)) - y_test[None]) ** 2))
    rec['train_mse'] = float(np.mean((np.asarray(jax.vmap(
        lambda p, x: model.apply({'params': p}, x))(params, x_MxNx1)) - np.asarray(y_MxN)) ** 2))
    out[width], fits[width] = rec, g_MxX
  return out, fits, (x_grid_X, f_X)


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  study_utils.check_preset(preset, tuple(PRESETS))
  cfg = PRESETS[preset]
  run = loop.load_run(summaries['moons']['workdir'])
  accs = redrawn_accuracies(lambda x: run.task.predict(run.state, x), cfg['redraws'])
  p = float(accs.mean())
  table = {'redrawn_test_sets': {
      'split_test_accuracy': summaries['moons']['final'].get('test/accuracy'),
      'val_accuracy': summaries['moons']['final'].get('val/accuracy'),
      'redraws': cfg['redraws'], 'mean': p, 'std': float(accs.std(ddof=1)),
      'min': float(accs.min()), 'max': float(accs.max()),
      'binomial_std': float(np.sqrt(p * (1 - p) / TEST_SIZE))}}
  decomposition, fits, grid = bias_variance(cfg['widths'], cfg['models'], cfg['fit_steps'])
  table['bias_variance'] = {'n_train': N_TRAIN, 'models': cfg['models'],
                            'widths': {str(h): r for h, r in decomposition.items()}}
  plot(accs, decomposition, fits, grid, f'{out}/bias_variance.png')
  return table


def plot(accs, decomposition, fits, grid, path: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top  (first: selects matplotlib's Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  fig, axes = plt.subplots(1, 4, figsize=(20, 4))
  axes[0].hist(accs, bins=20, color='C0')
  axes[0].set_xlabel('test accuracy on a fresh set of 1,024 moons')
  axes[0].set_ylabel('test sets')
  axes[0].set_title(f'one model, {len(accs)} re-drawn test sets: std {accs.std(ddof=1):.4f}')
  widths = sorted(decomposition)
  for key, style in (('bias2', 'o-'), ('variance', 's-'), ('noise', '--'), ('sum', 'k-'),
                     ('test_mse', 'rx:'), ('train_mse', 'g^:')):
    axes[1].plot(widths, [decomposition[h][key] for h in widths], style, label=key)
  axes[1].set_xscale('log', base=2)
  axes[1].set_yscale('log')
  axes[1].set_xlabel('hidden width H')
  axes[1].set_title(f'bias^2 + variance + noise, {N_TRAIN} training points per model')
  axes[1].legend(fontsize=8)
  x_X, f_X = grid
  for ax, width in zip(axes[2:], (widths[0], widths[-1])):
    for g_X in fits[width]:
      ax.plot(x_X, g_X, color='C1', lw=0.6, alpha=0.5)
    ax.plot(x_X, f_X, 'k-', lw=2, label='f(x) = sin(3x) + x/2')
    ax.plot(x_X, fits[width].mean(0), 'b--', lw=1.5, label='mean fit g_bar')
    ax.set_ylim(-2.5, 2.5)
    ax.set_title(f'H = {width}: {len(fits[width])} fits on fresh training sets')
    ax.legend(fontsize=8)
  fig.tight_layout()
  return viz._write(fig, path)  # pylint: disable=protected-access
