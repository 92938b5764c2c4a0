"""Sharding: one `data` mesh axis over every device of every process; batches split, state replicated."""
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


def put_batch(batch: dict, mesh: Mesh) -> dict:
  """Builds global arrays from this process's part of the batch (works on one or many hosts)."""
  sharding = data_sharded(mesh)
  return jax.tree.map(lambda x: jax.make_array_from_process_local_data(sharding, np.asarray(x)), batch)


def to_local(tree):
  """A host (numpy) copy of a replicated pytree, usable by one process alone (plots, export)."""
  return jax.tree.map(lambda x: np.asarray(x.addressable_data(0)) if isinstance(x, jax.Array) else x,
                      tree)
