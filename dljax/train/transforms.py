"""Input transforms any task can use: augmentation in training, per-channel normalisation always.

  x_in = (augment(x) - mean_c) / std_c    in training (augment draws from the step's key)
  x_in = (x - mean_c) / std_c              in evaluation
config.augment names the ops of dljax.data.augment (None: no augmentation); data.normalize=True
takes mean_c and std_c over the examples and pixels of the training split, once on the host
(`prepare`), and keeps them in the state (`state_extra`, e.g. TrainState.extra['norm']) so that a
restored run normalises with the statistics it was trained with.

  transform = InputTransform(config)
  transform.prepare(train_arrays)             # in Task.prepare
  extra = transform.state_extra()             # in Task.init: {'norm': stats} or None
  x = transform(extra, x, rng)                # train (rng given) / eval (rng None)
"""
import jax
import jax.numpy as jnp

from dljax.data import augment as augment_lib
from dljax.errors import ConfigError


class InputTransform:
  """Augmentation (config.augment) and normalisation (data.normalize) of a task's image inputs."""

  def __init__(self, config):
    self.augment = augment_lib.build(config.get('augment', None))
    self.normalize = bool(config.data.get('normalize', False))
    self.stats = None

  @property
  def active(self) -> bool:
    """Whether training inputs change at all (augmentation or normalisation)."""
    return self.augment is not None or self.normalize

  def prepare(self, train: dict, key: str = 'x'):
    """Per-channel mean/std of train[key] (the training split), computed once on the host."""
    if self.normalize:
      self.stats = augment_lib.channel_stats(train[key])

  def state_extra(self):
    """{'norm': {'mean', 'std'}} to keep in the TrainState, or None without normalisation."""
    if not self.normalize:
      return None
    if self.stats is None:
      raise ConfigError('data.normalize needs the training statistics: call task.prepare(train).')
    return {'norm': jax.tree.map(jnp.asarray, self.stats)}

  def __call__(self, extra, x, rng=None):
    """augment(x) in training (rng given), then (x - mean_c) / std_c with extra['norm']."""
    if rng is not None and self.augment is not None:
      x = self.augment(rng, x)
    if self.normalize:
      x = augment_lib.normalize(x, extra['norm'])
    return x
