r"""Tabular Q-learning on a grid maze, and SARSA vs Q-learning on the cliff walk (seed 003 §2.13;
Sutton & Barto example 6.6).

  python -m experiments.study rl/tabular --workdir=runs/rl_tabular [--preset=cpu] [--publish]

No training runs (dljax.models.tabular, one jax.lax.scan of environment steps each), 3 seeds:
  maze   Q-learning (eta 0.5, gamma 1, eps 0.1, 30,000 steps) on dljax.data.gridworld.MAZE, reward
         -1 per move: the greedy path of the learned Q against the BFS shortest path (16 moves),
         and max |Q - Q*| over the start's actions against value iteration. Plot tabular_maze.png:
         the value map max_a Q(s, a) with the greedy path.
  cliff  SARSA and Q-learning, eta 0.1, eps 0.1, gamma 1, 20,000 steps: Q-learning learns the
         optimal path along the cliff edge (13 moves, return -13) but its eps-greedy behaviour
         keeps falling off (lower online return); SARSA learns the value of its own exploring
         policy and takes the safe path one row further away. Table: online return over the last
         100 episodes and the greedy path's length. Plot tabular_cliff.png: both greedy paths and
         the online returns per episode.
Expected (Sutton & Barto fig. 6.4): SARSA about -25, Q-learning about -50 online; greedy paths of
13 moves (Q-learning) and 15-17 (SARSA, a row or two away from the edge). cpu: ~30 s.
"""
import jax
import numpy as np

from dljax.data import gridworld
from dljax.models import tabular
from experiments.tools import study_utils

PRESETS = {'smoke': dict(maze_steps=3000, cliff_steps=2000, seeds=1),
           'cpu': dict(maze_steps=30_000, cliff_steps=20_000, seeds=3)}


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  return []


def _ms(values) -> dict:
  values = np.asarray(values, np.float64)
  return {'mean': float(values.mean()), 'std': float(values.std())}


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  del summaries
  study_utils.check_preset(preset, tuple(PRESETS))
  p = PRESETS[preset]
  maze = gridworld.maze()
  q_star = np.asarray(tabular.value_iteration(maze, gamma=1.0, iters=200))
  bfs = gridworld.bfs_distances(maze)
  maze_runs = []
  for seed in range(p['seeds']):
    tabular.check('q_learning', eps=0.1, lr=0.5, gamma=1.0)
    q, _ = tabular.td_control(maze, jax.random.PRNGKey(seed), 'q_learning', p['maze_steps'],
                              lr=0.5, gamma=1.0, eps=0.1)
    maze_runs.append(np.asarray(q))
  paths = [gridworld.greedy_path(maze, q) for q in maze_runs]
  table = {'maze': {
      'bfs_shortest_path': float(bfs[maze.start]),
      'greedy_path_length': _ms([len(pa) - 1 for pa in paths]),
      'reaches_goal': _ms([bool(maze.terminal_S[pa[-1]]) for pa in paths]),
      'start_q_error': _ms([np.abs(q[maze.start] - q_star[maze.start]).max() for q in maze_runs])}}
  cliff = gridworld.cliff()
  cliff_res = {}
  for method in tabular.METHODS:
    rets, lens, last_q = [], [], None
    for seed in range(p['seeds']):
      q, o = tabular.td_control(cliff, jax.random.PRNGKey(seed), method, p['cliff_steps'],
                                lr=0.1, gamma=1.0, eps=0.1)
      r = tabular.episode_returns(o)
      rets.append(r)
      lens.append(len(gridworld.greedy_path(cliff, q)) - 1)
      last_q = q if last_q is None else last_q
    cliff_res[method] = (rets, last_q)
    table.setdefault('cliff', {})[method] = {
        'online_return_last_100': _ms([r[-100:].mean() for r in rets]),
        'greedy_path_length': _ms(lens)}
  plot_maze(maze, maze_runs[0], paths[0], f'{out}/tabular_maze.png')
  plot_cliff(cliff, cliff_res, f'{out}/tabular_cliff.png')
  return table


def _draw_path(ax, world, path, color, label):
  w = world.shape[1]
  rows, cols = np.array(path) // w, np.array(path) % w
  ax.plot(cols, rows, '-o', color=color, ms=3, lw=2, label=label)


def plot_maze(world, q, path, fname):
  from dljax import viz  # pylint: disable=g-import-not-at-top,unused-import  (selects Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  h, w = world.shape
  walls = np.array(world.walls)
  v = np.asarray(q).max(1).reshape(h, w)
  v = np.ma.masked_where(walls, v)
  fig, ax = plt.subplots(figsize=(4.6, 4.2))
  im = ax.imshow(v, cmap='viridis')
  ax.imshow(np.ma.masked_where(~walls, walls), cmap='gray_r', vmin=0, vmax=1.5)
  _draw_path(ax, world, path, 'tab:red', f'greedy path ({len(path) - 1} moves)')
  fig.colorbar(im, ax=ax, label='max_a Q(s, a)')
  ax.set(title='Q-learning on the maze: value map', xticks=[], yticks=[])
  ax.legend(fontsize=7, loc='lower left')
  fig.tight_layout()
  fig.savefig(fname, dpi=110)
  plt.close(fig)


def plot_cliff(world, res, fname):
  from dljax import viz  # pylint: disable=g-import-not-at-top,unused-import  (selects Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  h, w = world.shape
  fig, axes = plt.subplots(1, 2, figsize=(12, 3.4))
  grid = np.zeros((h, w))
  grid[h - 1, 1:w - 1] = 1
  axes[0].imshow(grid, cmap='Reds', vmin=0, vmax=2)
  for (method, (_, q)), color in zip(res.items(), ('tab:blue', 'tab:green')):
    path = gridworld.greedy_path(world, q)
    _draw_path(axes[0], world, path, color, f'{method} ({len(path) - 1} moves)')
    rets = res[method][0]
    n = min(len(r) for r in rets)
    mean = np.mean([r[:n] for r in rets], 0)
    k = 10
    axes[1].plot(np.convolve(mean, np.ones(k) / k, mode='valid'), color=color, label=method)
  axes[0].set(title='cliff walk: greedy paths (cliff in red)', xticks=[], yticks=[])
  axes[0].legend(fontsize=7, loc='upper right')
  axes[1].set(title='online return per episode (eps = 0.1, mean of seeds)', xlabel='episode',
              ylim=(-150, 0))
  axes[1].legend(fontsize=8)
  fig.tight_layout()
  fig.savefig(fname, dpi=110)
  plt.close(fig)
