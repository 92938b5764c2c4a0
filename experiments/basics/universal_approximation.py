r"""Universal approximation (seed 003 §1.3, seed 001 c6): one hidden layer of growing width, and
depth against width at an equal number of parameters, on the 1-D regression y = sin(3x) + x/2 + noise.

  python -m experiments.study basics/universal_approximation --workdir=runs/universal_approximation \
      [--preset=cpu] [--publish]

One hidden layer computes g(x) = sum_{i=1..H} u_i a(w_i x + b_i) + b (the notes print a(w_i + b_i),
without the input: an erratum), a = tanh. Runs (configs/basics/regression1d.py, Adam 0.1 warm-up +
cosine, 3000 steps, batch 128; one config each): w<H> for H in WIDTHS (depth 1), and d<D>_w<H> for
the deeper nets of DEPTH_RUNS, whose parameter count 2H + (D-1)(H^2 + H) + H + 1 matches a 1-layer
net of the same budget (~49 and ~193 parameters). Table: {run: {depth, width, params, val_loss,
test_loss}}. Plot universal_approximation.png: test MSE against H with the noise floor 0.01, the
fitted g(x) of some widths over the true function, and test MSE against depth at each budget.
Measured (cpu, 13 runs, seed 0, 2-core CPU, 89 s, 2026-12-05): test MSE 0.264 at H = 1, 0.062 at
H = 2, 0.0107 at H = 16 and 0.0106 at H = 256 (noise floor 0.01); at equal parameters depth 1, 2,
3 or 4 all land at 0.0106-0.0116, within the test set's sampling spread (±0.0004): this smooth 1-D
function needs no depth. Details in docs/basics/notes.md.
The smoke preset trains w1 and d2_w5 for 10 steps.
"""
import numpy as np

from configs.basics import regression1d
from experiments.tools import study_utils

WIDTHS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
# (depth, width) of the deeper nets; each budget's 1-layer net is w16 (49 params) or w64 (193)
DEPTH_RUNS = ((2, 5), (3, 4), (2, 12), (4, 7))
BUDGETS = {49: ((1, 16), (2, 5), (3, 4)), 193: ((1, 64), (2, 12), (4, 7))}
NOISE_FLOOR = 0.01  # the noise variance 0.1^2
FIT_WIDTHS = (1, 2, 4, 16, 256)  # drawn in the middle panel


def num_params(depth: int, width: int) -> int:
  """Parameters of a 1-(width x depth)-1 MLP: 2H + (D-1)(H^2 + H) + H + 1."""
  return 2 * width + (depth - 1) * (width * width + width) + width + 1


def run_name(depth: int, width: int) -> str:
  return f'w{width}' if depth == 1 else f'd{depth}_w{width}'


def make_config(depth: int, width: int, preset: str):
  study_utils.check_preset(preset)
  config = regression1d.get_config(preset)
  config.model.hidden = (width,) * depth
  return config


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset)
  if preset == 'smoke':
    shapes = [(1, 1), (2, 5)]
  else:
    shapes = [(1, w) for w in WIDTHS] + list(DEPTH_RUNS)
  for depth, width in shapes:
    yield run_name(depth, width), make_config(depth, width, preset)


def target(x):
  """The noise-free function of toy_regression1d."""
  return np.sin(3 * x) + 0.5 * x


def report(summaries: dict, out: str) -> dict:
  """{run: {depth, width, params, val_loss, test_loss}} and universal_approximation.png."""
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  table, fits = {}, {}
  x_N = np.linspace(-2.0, 2.0, 401, dtype=np.float32)
  for name, summary in summaries.items():
    config = loop.load_run(summary['workdir'])
    depth, width = len(config.config.model.hidden), config.config.model.hidden[0]
    table[name] = {'depth': depth, 'width': width, 'params': num_params(depth, width),
                   'val_loss': summary['final'].get('val/loss'),
                   'test_loss': summary['final'].get('test/loss')}
    if depth == 1 and (width in FIT_WIDTHS or len(summaries) < 5):
      fits[f'H = {width}'] = (x_N, np.asarray(config.task.predict(config.state, x_N[:, None])))
  plot(table, fits, x_N, f'{out}/universal_approximation.png')
  return table


def plot(table: dict, fits: dict, x_N, path: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top
  ones = sorted((r['width'], r['test_loss']) for r in table.values() if r['depth'] == 1)
  by_budget = {}
  for budget, shapes in BUDGETS.items():
    pts = [(d, table[run_name(d, w)]['test_loss']) for d, w in shapes if run_name(d, w) in table]
    if pts:
      by_budget[f'~{budget} params'] = tuple(zip(*pts))
  return viz.line_panels(
      [dict(series={'one hidden layer (tanh)': tuple(zip(*ones))}, hlines={'noise floor': NOISE_FLOOR},
            logx=2, logy=10, xlabel='hidden width H', ylabel='test MSE',
            title='g(x) = sum_i u_i tanh(w_i x + b_i) + b'),
       dict(series={'sin(3x) + x/2 (noise-free)': (x_N, target(x_N)), **fits}, xlabel='x',
            ylabel='g(x)', title='fitted functions, one hidden layer'),
       dict(series=by_budget, hlines={'noise floor': NOISE_FLOOR}, logy=10,
            xlabel='depth D (hidden layers, equal parameter count)', ylabel='test MSE',
            title='depth vs width at equal parameters')],
      path, title='universal approximation on y = sin(3x) + x/2 + noise (std 0.1)')
