"""Value and policy networks for deep RL on small observation vectors (CartPole), and the Huber loss.

  QNetwork         Q(s, .) = MLP(s): one output per action (naive deep Q, DQN)
  DuelingQNetwork  a shared trunk h(s), then two streams (Wang et al. 2016; seed 000 A12):
                     Q(s, a) = V(s) + A(s, a) - (1/|A|) sum_a' A(s, a')
                   (subtracting the mean advantage makes V and A identifiable); `streams` returns
                   (V, A) for the Jacobian saliency dV/ds, dA/ds
  PolicyValue      a policy pi(a|s) = softmax(MLP_pi(s)) and a separate critic V(s) = MLP_v(s)
                   (REINFORCE with a baseline, advantage actor-critic)
  huber(x, delta)  1/2 x^2 for |x| <= delta, delta (|x| - delta/2) beyond: the DQN loss on the TD
                   error (a gradient of at most delta per sample)
"""
from typing import Sequence

import flax.linen as nn
import jax.numpy as jnp


def huber(x, delta: float = 1.0):
  """The Huber loss of each element of x (the TD error)."""
  a = jnp.abs(x)
  return jnp.where(a <= delta, 0.5 * x ** 2, delta * (a - 0.5 * delta))


def _trunk(x, hidden):
  for width in hidden:
    x = nn.relu(nn.Dense(width)(x))
  return x


class QNetwork(nn.Module):
  """Q(s, a) for every action: s_BxD -> q_BxA."""
  hidden: Sequence[int] = (64, 64)
  num_actions: int = 2

  @nn.compact
  def __call__(self, s_BxD):
    return nn.Dense(self.num_actions)(_trunk(s_BxD, self.hidden))


class DuelingQNetwork(nn.Module):
  """Q = V + A - mean_a A from a shared trunk: s_BxD -> q_BxA."""
  hidden: Sequence[int] = (64, 64)
  num_actions: int = 2

  def setup(self):
    self.trunk = [nn.Dense(w) for w in self.hidden]
    self.value_head = nn.Dense(1)
    self.advantage_head = nn.Dense(self.num_actions)

  def streams(self, s_BxD):
    """(V_B, A_BxA): the two streams before they are combined."""
    h = s_BxD
    for layer in self.trunk:
      h = nn.relu(layer(h))
    return self.value_head(h)[:, 0], self.advantage_head(h)

  def __call__(self, s_BxD):
    v_B, a_BxA = self.streams(s_BxD)
    return v_B[:, None] + a_BxA - a_BxA.mean(-1, keepdims=True)  # V + A - mean A


class PolicyValue(nn.Module):
  """(logits_BxA of pi(a|s), V_B): two separate MLPs (the critic never moves the policy)."""
  hidden: Sequence[int] = (64, 64)
  num_actions: int = 2

  @nn.compact
  def __call__(self, s_BxD):
    logits_BxA = nn.Dense(self.num_actions)(_trunk(s_BxD, self.hidden))
    v_B = nn.Dense(1)(_trunk(s_BxD, self.hidden))[:, 0]
    return logits_BxA, v_B
