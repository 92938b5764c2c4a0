"""Training state: one pytree holding everything a step reads and writes."""
from typing import Any

import flax
import optax
from flax import struct


class ModelState(struct.PyTreeNode):
  """One trainable network: params, its mutable collections (e.g. batch_stats) and optimizer state."""
  params: Any
  model_state: Any  # flax mutable collections other than params ({} if none)
  opt_state: Any
  tx: optax.GradientTransformation = struct.field(pytree_node=False)

  @classmethod
  def create(cls, variables, tx):
    variables = flax.core.unfreeze(variables)
    params = variables.pop('params', {})
    return cls(params=params, model_state=variables, opt_state=tx.init(params), tx=tx)

  def apply_gradients(self, grads, model_state=None):
    """w <- w + tx(g): one optimizer update; the new mutable collections are threaded explicitly."""
    updates, opt_state = self.tx.update(grads, self.opt_state, self.params)
    return self.replace(params=optax.apply_updates(self.params, updates), opt_state=opt_state,
                        model_state=self.model_state if model_state is None else model_state)

  def variables(self):
    return {'params': self.params, **self.model_state}


class TrainState(struct.PyTreeNode):
  """The state of an experiment: the step, the base PRNG key, and one ModelState per network.

  `nets` is a dict: {'model': ...} for a classifier, {'generator': ..., 'discriminator': ...} for a
  GAN; EMA targets (BYOL/DINO) or inner-loop parameters (MAML) are further entries or `extra`.
  """
  step: Any
  rng: Any  # raw uint32 PRNG key; the step's randomness is fold_in(rng, step)
  nets: Any
  extra: Any = None  # anything else a task carries (EMA params, replay statistics, counters)
