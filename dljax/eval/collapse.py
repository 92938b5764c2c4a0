"""Collapse monitors of a self-supervised representation (Chen & He 2021, SimSiam §4; REFERENCES.md
§13), logged during training with every='eval':

  config.evals.collapse = dict(type='collapse', every='eval', output='embed')

On n examples of a split, for the output z (output='embed': the task's `embed`, the projection the
loss sees; 'features': the encoder's h), d its dimension:
  std           mean over the d dimensions of the std over examples of z / ||z||_2. A healthy
                representation spread over the sphere has std ~ 1/sqrt(d); a collapsed one (every
                input at one point) has std -> 0.
  std_sqrt_d    std * sqrt(d): ~1 healthy, -> 0 collapsed (comparable across d)
  effective_rank exp(H(p)), p_i = s_i / sum_j s_j the normalised singular values of the centred
                N x d outputs (Roy & Vetterli 2007): d when all directions are used equally, 1 when
                the outputs lie on a line (dimensional collapse), ~0 spread when all equal
  rank_fraction  effective_rank / d
"""
import jax
import jax.numpy as jnp
import numpy as np

from dljax.errors import ConfigError
from dljax.eval import common

PARAMS = dict(output='embed', split='validation', n=2000, batch_size=1000)
REQUIRES = ('features',)
OUTPUTS = ('embed', 'features')


def check(task, cfg):
  if cfg.output not in OUTPUTS:
    raise ConfigError(f'output={cfg.output!r}; use one of {OUTPUTS}.')
  if not callable(getattr(task, cfg.output, None)):
    raise ConfigError(f'output={cfg.output!r}: the task has no function {cfg.output}(state, x); '
                      "use output='features'.")
  if cfg.n < 2:
    raise ConfigError(f'n={cfg.n} must be >= 2 (a std over examples).')


def stats(z_NxD) -> dict:
  """The monitors of the module docstring on outputs z (N x d)."""
  z = np.asarray(z_NxD, np.float64)
  d = z.shape[1]
  unit = z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)
  std = float(unit.std(0).mean())
  s = np.linalg.svd(z - z.mean(0), compute_uv=False)
  if s.sum() <= 1e-12 * max(1.0, np.abs(z).max()):
    erank = 0.0  # every output identical: no direction at all
  else:
    p = s / s.sum()
    p = p[p > 0]
    erank = float(np.exp(-np.sum(p * np.log(p))))
  return {'std': std, 'std_sqrt_d': std * np.sqrt(d), 'effective_rank': erank,
          'rank_fraction': erank / d}


def evaluate(task, state, data, cfg):
  x = common.split(data, cfg.split, 'collapse')['x'][:cfg.n]
  fn = common.cached(task, ('collapse', cfg.output), lambda: jax.jit(getattr(task, cfg.output)))
  z = np.concatenate([np.asarray(fn(state, jnp.asarray(x[i:i + cfg.batch_size])))
                      for i in range(0, len(x), cfg.batch_size)])
  return stats(z)
