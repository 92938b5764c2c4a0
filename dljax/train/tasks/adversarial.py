r"""Adversarial training (seed 000 M69, seed 002 §2.23): the min-max objective

  min_theta E_{(x, y)} max_{||delta||_p <= eps} l(f_theta(x + delta), y)

approximated per minibatch by crafting x_adv = attack(x) on the current parameters (in eval mode,
gradients of the inputs only, then stop_gradient) and taking one ordinary gradient step on
l(f_theta(x_adv), y). config.adversarial:

  attack     'pgd' (Madry et al.: random start, `steps` steps of size step_size, default
             2.5 eps / steps) or 'fgsm' (one signed step; prone to catastrophic overfitting)
  eps, norm  the budget ('linf' or 'l2'), inputs clipped to the dataset's value range
  steps, step_size, random_start
  clean_fraction  the share of each batch left clean (0: all adversarial, Madry's recipe)

Everything else (the loss, augmentation, normalisation, evaluators) is the Classification task's;
the crafting key is fold_in(rng, 2) of the step's key, so resume is exact. Validation and test
metrics are clean; robust accuracy comes from the evaluators (config.evals, the robustness card).
"""
import jax
import jax.numpy as jnp

from dljax import data as data_lib
from dljax.errors import ConfigError
from dljax.eval import attacks
from dljax.train.tasks.classification import Classification

ATTACKS = ('pgd', 'fgsm')


class AdversarialTraining(Classification):
  """Classification trained on adversarial examples crafted inside the step."""

  @classmethod
  def check_config(cls, config):
    super().check_config(config)
    adv = config.get('adversarial', None)
    if adv is None:
      raise ConfigError("task='adversarial' needs config.adversarial = dict(attack='pgd', eps=0.1, "
                        "norm='linf', steps=7, ...).")
    if adv.get('attack', 'pgd') not in ATTACKS:
      raise ConfigError(f'adversarial.attack={adv.attack!r}; use one of {ATTACKS}.')
    attacks.check(adv.get('eps', 0.1), adv.get('norm', 'linf'), 'ce', adv.get('steps', 7))
    if not 0.0 <= adv.get('clean_fraction', 0.0) < 1.0:
      raise ConfigError(f'adversarial.clean_fraction={adv.clean_fraction} must be in [0, 1).')
    if config.get('loss', 'softmax') != 'softmax':
      raise ConfigError("adversarial training attacks the softmax cross-entropy: set loss='softmax'.")
    if data_lib.info(config.data).value_range is None:
      raise ConfigError(f'data {config.data.name!r} declares no value range to clip the '
                        'adversarial inputs to; train on an image dataset.')

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    adv = config.adversarial
    self.attack = adv.get('attack', 'pgd')
    self.eps = float(adv.get('eps', 0.1))
    self.norm = adv.get('norm', 'linf')
    self.steps = int(adv.get('steps', 7))
    self.step_size = adv.get('step_size', 0.0) or None
    self.random_start = bool(adv.get('random_start', True))
    self.clean_fraction = float(adv.get('clean_fraction', 0.0))
    self.lo, self.hi = (float(v) for v in data_lib.info(config.data).value_range)

  def craft(self, state, x, y, key):
    """x_adv = argmax over the ball of the loss (approximately), on the current parameters."""
    logits_fn = lambda u: self.predict(state, u)
    if self.attack == 'fgsm':
      x_adv = attacks.fgsm(logits_fn, x, y, self.eps, self.norm, self.lo, self.hi)
    else:
      x_adv = attacks.pgd(logits_fn, x, y, key, self.eps, self.norm, self.steps, self.step_size,
                          random_start=self.random_start, lo=self.lo, hi=self.hi)
    if self.clean_fraction:
      keep = jnp.arange(x.shape[0]) < int(round(self.clean_fraction * x.shape[0]))
      x_adv = jnp.where(keep.reshape((-1,) + (1,) * (x.ndim - 1)), x, x_adv)
    return jax.lax.stop_gradient(x_adv)

  def train_step(self, state, batch, rng):
    x_adv = self.craft(state, batch['x'], batch['y'].astype(jnp.int32), jax.random.fold_in(rng, 2))
    return super().train_step(state, dict(batch, x=x_adv), rng)  # train/accuracy: on x_adv
