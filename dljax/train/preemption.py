"""Preemption: SIGTERM or SIGINT asks the loop to checkpoint at the next step and stop cleanly."""
import signal
import threading


class PreemptionGuard:
  """Within `with PreemptionGuard() as guard:`, a SIGTERM/SIGINT sets `guard.requested`.

  A second signal while the checkpoint is being written is ignored; outside the block the previous
  handlers are back. In a non-main thread (where Python cannot install handlers) it does nothing.
  """

  SIGNALS = (signal.SIGTERM, signal.SIGINT)

  def __init__(self):
    self.requested = False
    self.signal_name = None
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
    return False
