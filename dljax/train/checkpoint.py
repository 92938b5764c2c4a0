"""Checkpoints with Orbax: the train state, the data-iterator state and run metadata, saved together.

Two managers under <workdir>/checkpoints: `latest/` keeps the last K steps (async, every N steps and
at the end) and `best/` keeps the one step with the best evaluation metric so far.
"""
import logging
import os

import jax
import orbax.checkpoint as ocp

from dljax.errors import WorkdirError


def _manager(directory: str, keep: int, use_async: bool, name: str) -> ocp.CheckpointManager:
  options = ocp.CheckpointManagerOptions(
      max_to_keep=keep, create=True, enable_async_checkpointing=use_async,
      # two managers may save the same step: their multi-host barriers need distinct names
      multiprocessing_options=ocp.options.MultiprocessingOptions(barrier_sync_key_prefix=name))
  return ocp.CheckpointManager(directory, options=options,
                               item_names=('state', 'data', 'meta'))


class Checkpoints:
  """Saves and restores (state, data-iterator state, metadata) triples."""

  def __init__(self, workdir: str, keep: int = 2, use_async: bool = True):
    root = os.path.join(os.path.abspath(workdir), 'checkpoints')
    self.latest = _manager(os.path.join(root, 'latest'), keep, use_async, 'latest')
    self.best = _manager(os.path.join(root, 'best'), 1, use_async, 'best')

  @staticmethod
  def _save_args(state, data_state, meta):
    return ocp.args.Composite(state=ocp.args.StandardSave(state),
                              data=ocp.args.JsonSave(data_state),
                              meta=ocp.args.JsonSave(meta))

  def save(self, step: int, state, data_state: dict, meta: dict, best: bool = False):
    """Saves (asynchronously if enabled); a failed write (full disk, lost permissions) raises
    WorkdirError and leaves the checkpoints written before intact."""
    manager = self.best if best else self.latest
    if manager.latest_step() == step:
      return
    try:
      manager.save(step, args=self._save_args(state, data_state, meta), force=True)
    except Exception as e:  # pylint: disable=broad-except
      raise self._write_error(step, e) from None

  def _write_error(self, step, e):
    previous = [s for s in self.latest.all_steps() if s != step]
    return WorkdirError(f'could not write the checkpoint of step {step} ({type(e).__name__}: '
                        f'{str(e).splitlines()[0][:200]}); the previous checkpoint (step '
                        f'{max(previous) if previous else None}) is intact. Free disk space or fix '
                        'the workdir permissions, then run the same command again.')

  def latest_step(self):
    return self.latest.latest_step()

  def restore(self, abstract_state, best: bool = False):
    """(state, data_state, meta) of the newest checkpoint that reads back, or None if there is none.

    A damaged step (truncated or garbage files, missing metadata) is skipped with a warning naming
    it; if checkpoints exist but none is readable, the run stops rather than start from scratch.
    """
    manager = self.best if best else self.latest
    manager.reload()
    steps = sorted(manager.all_steps(), reverse=True)
    for step in steps:
      try:
        restored = manager.restore(step, args=ocp.args.Composite(
            state=ocp.args.StandardRestore(abstract_state),
            data=ocp.args.JsonRestore(), meta=ocp.args.JsonRestore()))
      except Exception as e:  # pylint: disable=broad-except
        logging.warning('checkpoint step %d in %s is damaged (%s: %s); trying an older one.',
                        step, manager.directory, type(e).__name__, str(e).splitlines()[0][:200])
        continue
      if restored.data is None or restored.meta is None:
        logging.warning('checkpoint step %d in %s is incomplete; trying an older one.', step,
                        manager.directory)
        continue
      return restored.state, restored.data, restored.meta
    if steps:
      raise WorkdirError(f'no readable checkpoint in {manager.directory} (steps {steps} are all '
                         'damaged); pass --overwrite to start over, or restore the files.')
    return None

  def wait(self):
    for manager in (self.latest, self.best):
      try:
        manager.wait_until_finished()
      except Exception as e:  # pylint: disable=broad-except
        raise self._write_error(manager.latest_step(), e) from None

  def close(self):
    self.latest.close()
    self.best.close()


def abstract(state):
  """ShapeDtypeStructs (with shardings) describing `state`, for restoring into the same layout."""
  return jax.tree.map(ocp.utils.to_shape_dtype_struct, state)
