"""Preemption: SIGTERM or SIGINT asks the run to checkpoint and stop cleanly (exit 0).

`install_early()` runs first thing in the launcher, before jax is imported, so that a signal in the
first seconds of a start is recorded too; the loop's `PreemptionGuard` then sees it and stops at
its first checkpoint, and the launcher stops before compiling if it came even earlier.
"""
import signal
import threading

SIGNALS = (signal.SIGTERM, signal.SIGINT)
_pending = {'signal': None}  # a signal received while no guard was active


def _record(signum, frame):
  del frame
  _pending['signal'] = signal.Signals(signum).name


def install_early():
  """Records SIGTERM/SIGINT from now on instead of dying (main thread only)."""
  if threading.current_thread() is threading.main_thread():
    for sig in SIGNALS:
      signal.signal(sig, _record)


def requested():
  """The name of a signal received outside a guard (e.g. during start-up), or None."""
  return _pending['signal']


class PreemptionGuard:
  """Within `with PreemptionGuard() as guard:`, a SIGTERM/SIGINT sets `guard.requested`.

  A signal recorded before the block (`install_early`) counts as received at its start. A second
  signal while the checkpoint is being written is ignored; outside the block the previous handlers
  are back. In a non-main thread (where Python cannot install handlers) it does nothing.
  """

  SIGNALS = SIGNALS

  def __init__(self):
    self.signal_name = requested()
    self.requested = self.signal_name is not None
    self._previous = {}

  def _handle(self, signum, frame):
    del frame
    self.requested = True
    self.signal_name = signal.Signals(signum).name

  def __enter__(self):
    if threading.current_thread() is threading.main_thread():
      for sig in self.SIGNALS:
        self._previous[sig] = signal.signal(sig, self._handle)
    return self

  def __exit__(self, *exc):
    for sig, handler in self._previous.items():
      signal.signal(sig, handler)
    if self.requested:
      _pending['signal'] = self.signal_name
    return False
