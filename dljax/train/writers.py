"""Run outputs: metrics.jsonl, TensorBoard event files and a console progress bar (process 0 only),
and the file primitives every output of a run goes through.

No file a kill can leave half-written:
  - JSON documents (config.json, summary.json, study.json) are written whole to a temporary file,
    flushed, fsynced and renamed over the target (`write_json_atomic`), so a reader sees the old or
    the new document, never an empty one;
  - metrics.jsonl is only appended to; a torn last line (a kill in the middle of a write) is
    dropped when the file is read or when a resumed run cuts it back (`truncate_after`, itself an
    atomic rewrite).
No background thread: TensorBoard events are written synchronously from the loop (tensorboardX's
own writer thread dies on a full disk and then blocks the next `add_scalar` forever). Every write
that fails (ENOSPC, EROFS, EIO) raises StorageError naming the file, at once.
"""
import json
import logging
import math
import os
import time

import jax
import numpy as np
import tqdm

from dljax.errors import WorkdirError


class StorageError(WorkdirError):
  """A run output could not be written (full disk, read-only filesystem, I/O error)."""

  def __init__(self, path: str, error: OSError):
    self.path, self.error = path, error
    super().__init__(f'could not write {path} ({error.strerror or type(error).__name__})')


def _scalar(v):
  v = np.asarray(v)
  return v.item() if v.size == 1 else v.tolist()


def _strict(obj):
  """NaN/inf -> None, so that the JSON is strict (a diverged run's numbers are NaN)."""
  if isinstance(obj, dict):
    return {k: _strict(v) for k, v in obj.items()}
  if isinstance(obj, (list, tuple)):
    return [_strict(v) for v in obj]
  if isinstance(obj, (float, np.floating)):
    return float(obj) if math.isfinite(obj) else None
  if isinstance(obj, np.integer):
    return int(obj)
  return obj


def write_text_atomic(path: str, text: str):
  """Replaces `path` by `text` atomically: temporary file, flush, fsync, rename."""
  tmp = f'{path}.tmp{os.getpid()}'
  try:
    with open(tmp, 'w') as f:
      f.write(text)
      f.flush()
      os.fsync(f.fileno())
    os.replace(tmp, path)
  except OSError as e:
    try:
      os.remove(tmp)
    except OSError:
      pass
    raise StorageError(path, e) from None


def write_json_atomic(path: str, obj, strict: bool = False):
  """`obj` as indented JSON, atomically; strict=True writes NaN/inf as null."""
  text = json.dumps(_strict(obj) if strict else obj, indent=2, allow_nan=not strict)
  write_text_atomic(path, text + '\n')
  return path


def read_json(path: str):
  """The JSON document at `path`, or None if it is missing, empty or damaged (a file written by an
  older version without atomic writes, cut by a kill)."""
  try:
    with open(path) as f:
      return json.load(f)
  except FileNotFoundError:
    return None
  except (ValueError, UnicodeDecodeError) as e:
    logging.warning('%s is damaged (%s); ignoring it.', path, e)
    return None


def _rows(path: str) -> list:
  """(row, line) of every complete row of a JSONL file; a torn (unparseable or unterminated)
  line is dropped with a warning."""
  if not os.path.exists(path):
    return []
  rows = []
  with open(path) as f:
    for n, line in enumerate(f, 1):
      if not line.strip():
        continue
      try:
        if not line.endswith('\n'):
          raise ValueError('no end of line')
        rows.append((json.loads(line), line))
      except ValueError:
        logging.warning('%s: line %d is torn (a kill during a write); dropping it.', path, n)
  return rows


class _EventFile:
  """A TensorBoard event file written synchronously (no writer thread)."""

  def __init__(self, logdir: str):
    from tensorboardX.event_file_writer import EventsWriter  # pylint: disable=g-import-not-at-top
    from tensorboardX.proto import event_pb2  # pylint: disable=g-import-not-at-top
    from tensorboardX.summary import scalar  # pylint: disable=g-import-not-at-top
    self._event_pb2, self._scalar = event_pb2, scalar
    os.makedirs(logdir, exist_ok=True)
    self._writer = EventsWriter(os.path.join(logdir, 'events'))
    self.path = self._writer._file_name  # pylint: disable=protected-access

  def add_scalars(self, step: int, scalars: dict):
    now = time.time()
    for name, value in scalars.items():
      event = self._event_pb2.Event(wall_time=now, step=int(step),
                                    summary=self._scalar(name, value))
      self._writer.write_event(event)
    self._writer.flush()

  def close(self):
    self._writer.close()


class MetricWriter:
  """Writes one JSON object per logging step to metrics.jsonl and the same scalars to TensorBoard."""

  def __init__(self, workdir: str, total_steps: int, initial_step: int = 0, progress: bool = True):
    self.active = jax.process_index() == 0
    self.path = os.path.join(workdir, 'metrics.jsonl')
    self.tb = None
    self.bar = None
    if not self.active:
      return
    truncate_after(self.path, initial_step)
    try:
      self.tb = _EventFile(os.path.join(workdir, 'tensorboard'))
    except OSError as e:
      raise StorageError(os.path.join(workdir, 'tensorboard'), e) from None
    if progress:
      self.bar = tqdm.tqdm(total=total_steps, initial=initial_step, unit='step', dynamic_ncols=True,
                           mininterval=1.0, smoothing=0.1)

  def write(self, step: int, metrics: dict):
    """Logs `metrics` at `step`; 'perf/' timings go to TensorBoard and the bar, not to the JSONL
    file, so that a resumed run's metrics.jsonl is identical to an uninterrupted run's."""
    if not self.active:
      return
    row = {'step': int(step), **{k: _scalar(v) for k, v in sorted(metrics.items())}}
    line = json.dumps({k: v for k, v in row.items() if not k.startswith('perf/')}) + '\n'
    try:
      with open(self.path, 'a') as f:
        f.write(line)
    except OSError as e:
      raise StorageError(self.path, e) from None
    scalars = {k: v for k, v in row.items()  # non-finite values (a skipped step): JSONL only
               if k != 'step' and isinstance(v, (int, float)) and math.isfinite(v)}
    try:
      self.tb.add_scalars(step, scalars)
    except OSError as e:
      raise StorageError(self.tb.path, e) from None
    if self.bar is not None:
      shown = {k.split('/')[-1] if k.startswith('train/') else k: f'{v:.4g}'
               for k, v in row.items() if k != 'step' and isinstance(v, float)}
      self.bar.set_postfix(shown, refresh=False)

  def advance(self, n: int = 1):
    if self.bar is not None:
      self.bar.update(n)

  def close(self):
    if self.bar is not None:
      self.bar.close()
    if self.tb is not None:
      try:
        self.tb.close()
      except OSError:
        pass  # the failure that stopped the run was already reported


def truncate_after(path: str, step: int):
  """Drops rows logged after `step` (and a torn last line): a resumed run rewrites them, so none is
  duplicated. The rewrite is atomic: a kill during it leaves the old file whole."""
  if not os.path.exists(path):
    return
  write_text_atomic(path, ''.join(line for row, line in _rows(path) if row['step'] <= step))


def read_metrics(workdir: str) -> list:
  """The rows of <workdir>/metrics.jsonl (a torn last line is dropped)."""
  return [row for row, _ in _rows(os.path.join(workdir, 'metrics.jsonl'))]
