"""An experience-replay buffer as a fixed-size array ring (DQN, Mnih et al. 2015), a pytree that
lives in the TrainState and is checkpointed with it.

  add(buf, transitions of E envs)   writes them at pos, pos+1, ... (mod N), overwriting the oldest;
                                    size = min(size + E, N)
  sample(buf, rng, B)               B indices drawn uniformly, with replacement, from the `size`
                                    filled slots
A transition is (obs, action, reward, next_obs, terminated): next_obs is the observation the step
produced (before any automatic reset) and terminated is 1 only at a true end of the MDP, so a
truncated episode still bootstraps from next_obs.
"""
import jax
import jax.numpy as jnp
from flax import struct

FIELDS = ('obs', 'action', 'reward', 'next_obs', 'terminated')


class Buffer(struct.PyTreeNode):
  data: dict  # field -> N x ... array
  pos: jax.Array  # int32: the next slot to write
  size: jax.Array  # int32: filled slots (<= N)

  @property
  def capacity(self) -> int:
    return self.data['reward'].shape[0]


def init(capacity: int, obs_dim: int) -> Buffer:
  data = {'obs': jnp.zeros((capacity, obs_dim)), 'action': jnp.zeros((capacity,), jnp.int32),
          'reward': jnp.zeros((capacity,)), 'next_obs': jnp.zeros((capacity, obs_dim)),
          'terminated': jnp.zeros((capacity,))}
  return Buffer(data=data, pos=jnp.int32(0), size=jnp.int32(0))


def add(buf: Buffer, transitions: dict) -> Buffer:
  """Writes E transitions (each field E x ...) into the ring; E <= capacity."""
  n = transitions['reward'].shape[0]
  idx_E = (buf.pos + jnp.arange(n)) % buf.capacity
  data = {k: buf.data[k].at[idx_E].set(transitions[k].astype(buf.data[k].dtype)) for k in FIELDS}
  return Buffer(data=data, pos=(buf.pos + n) % buf.capacity,
                size=jnp.minimum(buf.size + n, buf.capacity))


def sample(buf: Buffer, rng, batch_size: int) -> dict:
  """A uniform batch (with replacement) of the filled slots; {field: B x ...}."""
  idx_B = jax.random.randint(rng, (batch_size,), 0, jnp.maximum(buf.size, 1))
  return {k: v[idx_B] for k, v in buf.data.items()}
