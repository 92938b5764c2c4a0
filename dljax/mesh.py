"""Sharding: one `data` mesh axis over every device of every process; batches split (or, for a task
with batch_sharding='replicated', whole on every device), state replicated."""
import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P


def make_mesh() -> Mesh:
  return Mesh(np.array(jax.devices()), ('data',))


def replicated(mesh: Mesh) -> NamedSharding:
  return NamedSharding(mesh, P())


def data_sharded(mesh: Mesh) -> NamedSharding:
  """Leading (batch) axis split over `data`; every other axis whole."""
  return NamedSharding(mesh, P('data'))


BATCH_SHARDINGS = ('data', 'replicated')


def batch_sharding(mesh: Mesh, kind: str = 'data') -> NamedSharding:
  """The sharding of a task's batches: 'data' splits the leading axis, 'replicated' copies them."""
  if kind not in BATCH_SHARDINGS:
    raise ValueError(f'batch_sharding={kind!r}; a task declares one of {BATCH_SHARDINGS}.')
  return data_sharded(mesh) if kind == 'data' else replicated(mesh)


def put_batch(batch: dict, mesh: Mesh, kind: str = 'data') -> dict:
  """Builds global arrays from this process's part of the batch (works on one or many hosts);
  with kind='replicated' every process holds the whole batch."""
  sharding = batch_sharding(mesh, kind)
  return jax.tree.map(lambda x: jax.make_array_from_process_local_data(sharding, np.asarray(x)), batch)


def to_local(tree):
  """A host (numpy) copy of a replicated pytree, usable by one process alone (plots, export)."""
  return jax.tree.map(lambda x: np.asarray(x.addressable_data(0)) if isinstance(x, jax.Array) else x,
                      tree)
