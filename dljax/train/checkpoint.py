"""Checkpoints with Orbax: the train state, the data-iterator state and run metadata, saved together.

Two managers under <workdir>/checkpoints: `latest/` keeps the last K steps (async, every N steps and
at the end) and `best/` keeps the one step with the best evaluation metric so far.
"""
import contextlib
import logging
import os
import shutil

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


META_KEYS = ('best', 'best_step', 'best_metrics', 'wall_s')


@contextlib.contextmanager
def quiet_libraries(debug: bool = False):
  """Keeps Orbax's and absl's own tracebacks out of the terminal while a save or restore that
  dljax reports itself (as one warning or one error line) fails; --debug shows them."""
  loggers = [logging.getLogger(n) for n in ('absl', 'orbax')]
  levels = [lg.level for lg in loggers]
  if not debug:
    for lg in loggers:
      lg.setLevel(logging.CRITICAL)
  try:
    yield
  finally:
    for lg, level in zip(loggers, levels):
      lg.setLevel(level)


class Checkpoints:
  """Saves and restores (state, data-iterator state, metadata) triples."""

  def __init__(self, workdir: str, keep: int = 2, use_async: bool = True, debug: bool = False):
    root = os.path.join(os.path.abspath(workdir), 'checkpoints')
    self.debug = debug
    self.latest = _manager(os.path.join(root, 'latest'), keep, use_async, 'latest')
    self.best = _manager(os.path.join(root, 'best'), 1, use_async, 'best')
    self._pending = {}  # manager name -> step of its save that may still be in flight

  @staticmethod
  def _save_args(state, data_state, meta):
    return ocp.args.Composite(state=ocp.args.StandardSave(state),
                              data=ocp.args.JsonSave(data_state),
                              meta=ocp.args.JsonSave(meta))

  def save(self, step: int, state, data_state: dict, meta: dict, best: bool = False):
    """Saves (asynchronously if enabled); a failed write (full disk, lost permissions) raises
    WorkdirError and leaves the checkpoints written before intact."""
    name = 'best' if best else 'latest'
    manager = self.best if best else self.latest
    if manager.latest_step() == step:
      return
    self._wait(name, manager)  # an earlier async save's failure is reported with its own step
    try:
      with quiet_libraries(self.debug):
        manager.save(step, args=self._save_args(state, data_state, meta), force=True)
    except Exception as e:  # pylint: disable=broad-except
      raise self._write_error(step, e, manager) from None
    self._pending[name] = step

  def _write_error(self, step, e, manager):
    previous = sorted(s for s in self.latest.all_steps() if s != step)
    last_good = (f'the last good checkpoint is step {previous[-1]}, intact' if previous else
                 'there is no last good checkpoint yet (this was the first)')
    return WorkdirError(f'could not write the checkpoint of step {step} in {manager.directory} '
                        f'({_reason(e)}); {last_good}. Free disk space or fix the workdir '
                        'permissions, then run the same command again.')

  def latest_step(self):
    return self.latest.latest_step()

  def restore(self, abstract_state, best: bool = False, check=None):
    """(state, data_state, meta) of the newest checkpoint that reads back and holds valid content,
    or None if there is none.

    A damaged step (truncated or garbage files, missing metadata, or JSON that parses but is not a
    data-iterator state / run metadata: `check(data_state, meta)` raises) is skipped with a warning
    naming it and deleted, so that the same step number is saved again when the run gets there; if
    checkpoints exist but none is readable, the run stops rather than start from scratch.
    """
    manager = self.best if best else self.latest
    manager.reload()
    steps = sorted(manager.all_steps(), reverse=True)
    for step in steps:
      try:
        with quiet_libraries(self.debug):
          restored = manager.restore(step, args=ocp.args.Composite(
              state=ocp.args.StandardRestore(abstract_state),
              data=ocp.args.JsonRestore(), meta=ocp.args.JsonRestore()))
        if not isinstance(restored.data, dict):
          raise ValueError('the data-iterator state is missing')
        if not isinstance(restored.meta, dict) or set(META_KEYS) - set(restored.meta):
          raise ValueError(f'the run metadata lacks {sorted(set(META_KEYS) - set(restored.meta or {}))}')
        if check is not None:
          check(restored.data, restored.meta)
      except Exception as e:  # pylint: disable=broad-except
        logging.warning('checkpoint step %d in %s is damaged (%s: %s); trying an older one.',
                        step, manager.directory, type(e).__name__,
                        (str(e).splitlines() or [''])[0][:200])
        self._discard(manager, step)
        continue
      return restored.state, restored.data, restored.meta
    if steps:
      raise WorkdirError(f'no readable checkpoint in {manager.directory} (steps {steps} are all '
                         'damaged); pass --overwrite to start over, or restore the files.')
    return None

  def _discard(self, manager, step: int):
    """Deletes a damaged step only once an older step reads back (the caller keeps going), so that
    saving that step number again writes it anew instead of being skipped."""
    older = [s for s in manager.all_steps() if s < step]
    if not older:
      return  # nothing to fall back on: leave the files for the user to inspect
    shutil.rmtree(os.path.join(str(manager.directory), str(step)), ignore_errors=True)
    manager.reload()

  def _wait(self, name, manager):
    try:
      with quiet_libraries(self.debug):
        manager.wait_until_finished()
    except Exception as e:  # pylint: disable=broad-except
      step = self._pending.pop(name, manager.latest_step())
      raise self._write_error(step, e, manager) from None
    self._pending.pop(name, None)

  def wait(self):
    self._wait('latest', self.latest)
    self._wait('best', self.best)

  def close(self):
    for name, manager in (('latest', self.latest), ('best', self.best)):
      try:
        with quiet_libraries(self.debug):
          manager.close()
      except Exception as e:  # pylint: disable=broad-except  (a save that failed in the background)
        step = self._pending.pop(name, manager.latest_step())
        raise self._write_error(step, e, manager) from None


_OS_REASONS = ('No space left on device', 'Read-only file system', 'Input/output error',
               'Permission denied', 'Disk quota exceeded')


def _reason(e: BaseException) -> str:
  """The operating-system cause of a failed write, as short as it can be said (Orbax wraps it in
  long tensorstore messages)."""
  seen = e
  while seen is not None:
    if isinstance(seen, OSError) and seen.strerror:
      return seen.strerror
    for reason in _OS_REASONS:
      if reason in str(seen):
        return reason
    seen = seen.__cause__ or seen.__context__
  first = (str(e).splitlines() or [''])[0][:200]
  return f'{type(e).__name__}: {first}' if first else type(e).__name__


def abstract(state):
  """ShapeDtypeStructs (with shardings) describing `state`, for restoring into the same layout."""
  return jax.tree.map(ocp.utils.to_shape_dtype_struct, state)
