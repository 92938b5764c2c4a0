"""Sine-wave regression tasks for meta-learning (Finn et al. 2017, MAML section 5.1).

A task is y = A sin(x - phi) with amplitude A ~ U(0.1, 5) and phase phi ~ U(0, pi); its points have
x ~ U(-5, 5). Each task gives K support points (to adapt on) and Q query points (to score the
adapted model). `draw` is a pure JAX function of a key, so a task can draw its training tasks inside
the jitted step from the step's key (no host data stream, nothing to checkpoint); `eval_set` is a
fixed set drawn once from the config's seed.
"""
import jax
import jax.numpy as jnp
import numpy as np

AMPLITUDE = (0.1, 5.0)
PHASE = (0.0, np.pi)
X_RANGE = (-5.0, 5.0)


def draw(rng, num_tasks: int, shots: int, queries: int) -> dict:
  """{'x_support', 'y_support': T x K x 1, 'x_query', 'y_query': T x Q x 1, 'amplitude',
  'phase': T} for T = num_tasks fresh tasks."""
  k_amp, k_phase, k_x = jax.random.split(rng, 3)
  amp_T = jax.random.uniform(k_amp, (num_tasks,), minval=AMPLITUDE[0], maxval=AMPLITUDE[1])
  phase_T = jax.random.uniform(k_phase, (num_tasks,), minval=PHASE[0], maxval=PHASE[1])
  x_TxNx1 = jax.random.uniform(k_x, (num_tasks, shots + queries, 1), minval=X_RANGE[0],
                               maxval=X_RANGE[1])
  y_TxNx1 = amp_T[:, None, None] * jnp.sin(x_TxNx1 - phase_T[:, None, None])  # A sin(x - phi)
  return {'x_support': x_TxNx1[:, :shots], 'y_support': y_TxNx1[:, :shots],
          'x_query': x_TxNx1[:, shots:], 'y_query': y_TxNx1[:, shots:],
          'amplitude': amp_T, 'phase': phase_T}


def eval_set(num_tasks: int, shots: int, queries: int, seed: int) -> dict:
  """A fixed set of tasks (host numpy arrays), drawn from key(seed) folded with 1 (training tasks
  come from the run's step keys, a different stream)."""
  tasks = draw(jax.random.fold_in(jax.random.PRNGKey(seed), 1), num_tasks, shots, queries)
  return {k: np.asarray(v) for k, v in tasks.items()}
