"""Deterministic grid worlds for tabular RL, as arrays: a maze and Sutton & Barto's cliff walk.

A world is a tabular MDP with S cells and A = 4 actions (0 up, 1 right, 2 down, 3 left):
  next_SxA[s, a]  the cell reached (a move into a wall or off the grid stays put)
  reward_SxA[s, a]
  terminal_S      cells where the episode ends (the value after them is 0)
  start           the start cell
so that `step(world, s, a) -> (s', r, done)` is a pure JAX function (three gathers) and value
iteration can use the same arrays. Cells are numbered row-major: s = row * width + col.

maze   MAZE below ('#' wall, 'S' start, 'G' goal): reward -1 per move, the goal ends the episode, so
       the optimal return from s is -(shortest-path length) and the greedy path of Q* is a BFS
       shortest path.
cliff  4 x 12 (Sutton & Barto example 6.6): start bottom-left, goal bottom-right, the 10 cells
       between them are the cliff: stepping in gives -100 and sends the agent back to the start;
       every other move -1.
"""
import collections

import jax.numpy as jnp
import numpy as np
from flax import struct

MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))  # up, right, down, left
NUM_ACTIONS = 4

MAZE = ('#########',
        '#S..#...#',
        '#.#.#.#.#',
        '#.#...#.#',
        '#.#####.#',
        '#...#...#',
        '###.#.#.#',
        '#.....#G#',
        '#########')


class World(struct.PyTreeNode):
  next_SxA: jnp.ndarray
  reward_SxA: jnp.ndarray
  terminal_S: jnp.ndarray
  start: int = struct.field(pytree_node=False)
  shape: tuple = struct.field(pytree_node=False)  # (height, width)
  walls: tuple = struct.field(pytree_node=False, default=())  # rows of booleans (hashable)


def _build(walls_HxW, start, goal, cliff=()):
  h, w = walls_HxW.shape
  nxt = np.zeros((h * w, NUM_ACTIONS), np.int32)
  rew = np.full((h * w, NUM_ACTIONS), -1.0, np.float32)
  for r in range(h):
    for c in range(w):
      for a, (dr, dc) in enumerate(MOVES):
        rr, cc = r + dr, c + dc
        if not (0 <= rr < h and 0 <= cc < w) or walls_HxW[rr, cc]:
          rr, cc = r, c  # bump: stay
        if (rr, cc) in cliff:
          rr, cc = start
          rew[r * w + c, a] = -100.0
        nxt[r * w + c, a] = rr * w + cc
  terminal = np.zeros(h * w, bool)
  terminal[goal[0] * w + goal[1]] = True
  return World(next_SxA=jnp.asarray(nxt), reward_SxA=jnp.asarray(rew),
               terminal_S=jnp.asarray(terminal), start=start[0] * w + start[1], shape=(h, w),
               walls=tuple(tuple(bool(v) for v in row) for row in walls_HxW))


def maze(layout=MAZE) -> World:
  walls = np.array([[ch == '#' for ch in row] for row in layout])
  find = lambda ch: next((r, row.index(ch)) for r, row in enumerate(layout) if ch in row)
  return _build(walls, find('S'), find('G'))


def cliff(height: int = 4, width: int = 12) -> World:
  walls = np.zeros((height, width), bool)
  return _build(walls, (height - 1, 0), (height - 1, width - 1),
                cliff={(height - 1, c) for c in range(1, width - 1)})


def step(world: World, s, a):
  """(s', r, done): one move of the world from cell s with action a (pure; jittable)."""
  s_next = world.next_SxA[s, a]
  return s_next, world.reward_SxA[s, a], world.terminal_S[s_next]


def bfs_distances(world: World) -> np.ndarray:
  """Shortest number of moves from every cell to the goal (inf where unreachable), by BFS on the
  reversed transition graph (the oracle of the maze's greedy path)."""
  nxt = np.asarray(world.next_SxA)
  n = nxt.shape[0]
  preds = collections.defaultdict(set)
  for s in range(n):
    for a in range(NUM_ACTIONS):
      if nxt[s, a] != s:
        preds[int(nxt[s, a])].add(s)
  dist = np.full(n, np.inf)
  queue = collections.deque(np.flatnonzero(np.asarray(world.terminal_S)).tolist())
  for g in queue:
    dist[g] = 0
  while queue:
    u = queue.popleft()
    for p in preds[u]:
      if dist[p] == np.inf and not np.asarray(world.terminal_S)[p]:
        dist[p] = dist[u] + 1
        queue.append(p)
  return dist


def greedy_path(world: World, q_SxA, max_len: int = 200) -> list:
  """The cells visited by the greedy policy argmax_a Q(s, a) from the start (stops at a terminal
  cell, at a repeated cell or after max_len moves)."""
  q = np.asarray(q_SxA)
  nxt, term = np.asarray(world.next_SxA), np.asarray(world.terminal_S)
  path, s = [world.start], world.start
  for _ in range(max_len):
    s = int(nxt[s, int(np.argmax(q[s]))])
    path.append(s)
    if term[s] or s in path[:-1]:
      break
  return path
