r"""Trains and evaluates one experiment.

  python -m experiments.train --config=configs/vision/fmnist_cnn.py:cpu --workdir=runs/fmnist_cnn \
      [--config.optim.lr=3e-3 ...] [--overwrite] [--debug]

Multi-host: start one process per host with --coordinator=HOST:PORT --num_processes=N
--process_id=I (each process sees its local devices; jax.distributed.initialize joins them).
Config files are Python and run as code: only use config files you trust.
"""
import sys

from dljax.train import preemption

preemption.install_early()  # before anything slow: a SIGTERM during start-up must exit 0 too

# pylint: disable=g-import-not-at-top,wrong-import-position
import importlib.util
import os

from absl import app, flags, logging
from ml_collections import config_flags

from dljax.errors import DljaxError

_CONFIG = config_flags.DEFINE_config_file('config', None, 'Experiment config: FILE.py:PRESET.',
                                          lock_config=True)
_WORKDIR = flags.DEFINE_string('workdir', None, 'Directory for checkpoints and outputs.')
_OVERWRITE = flags.DEFINE_bool('overwrite', False, 'Delete what the workdir holds and start over.')
_DEBUG = flags.DEFINE_bool('debug', False, 'Show full tracebacks instead of one-line errors.')
_PROGRESS = flags.DEFINE_bool('progress', True, 'Show a progress bar.')
_COORDINATOR = flags.DEFINE_string('coordinator', None, 'Multi-host: coordinator address HOST:PORT.')
_NUM_PROCESSES = flags.DEFINE_integer('num_processes', 1, 'Multi-host: number of processes.')
_PROCESS_ID = flags.DEFINE_integer('process_id', 0, 'Multi-host: index of this process.')


def _fail(message: str):
  print(f'error: {" ".join(message.split())}', file=sys.stderr)
  sys.exit(2)


def _check_config_arg(argv):
  """--config=FILE.py:PRESET names a file with get_config that knows PRESET."""
  arg = next((a.split('=', 1)[1] for a in argv if a.startswith('--config=')), None)
  if arg is None:
    return
  path, _, preset = arg.partition(':')
  if not os.path.isfile(path):
    _fail(f'config file {path!r} not found; give --config=configs/<family>/<experiment>.py:<preset>.')
  if not preset:
    _fail(f'--config={path} names no preset; add one: --config={path}:cpu (smoke: seconds, cpu: '
          'minutes on a laptop, full: GPU/TPU).')
  spec = importlib.util.spec_from_file_location('_dljax_config', path)
  module = importlib.util.module_from_spec(spec)
  try:
    spec.loader.exec_module(module)
  except Exception as e:  # pylint: disable=broad-except  (a syntax error, a failing import...)
    _fail(f'{path} cannot be loaded: {_cause(e)}; fix the file.')
  if not hasattr(module, 'get_config'):
    _fail(f'{path} has no get_config(preset) function; it is not an experiment config.')
  try:
    module.get_config(preset)
  except ValueError as e:
    _fail(f'{path}: {e}')
  except Exception as e:  # pylint: disable=broad-except
    _fail(f'{path}: get_config({preset!r}) failed: {_cause(e)}; fix the file.')


def _cause(e: Exception) -> str:
  """'<Type>: <first line>' plus the line of the config file where a SyntaxError is."""
  if isinstance(e, SyntaxError):
    return f'SyntaxError at line {e.lineno}: {e.msg}'
  first = (str(e).splitlines() or [''])[0]
  return f'{type(e).__name__}: {first}' if first else type(e).__name__


def parse_flags(argv):
  """absl flag parsing with every failure (missing config file, no get_config, unknown preset,
  misspelt override key, wrong type) printed as one line that names the fix; exit code 2."""
  if '--debug' in argv:
    return flags.FLAGS(argv)
  _check_config_arg(argv)
  try:
    return flags.FLAGS(argv)
  except (KeyError, AttributeError) as e:
    chain, cause = [], e
    while cause is not None:
      text = str(cause.args[0] if cause.args else cause)
      chain.append(text.replace('\\n', ' ').replace("\\'", '').replace("'", '').strip('"'))
      cause = cause.__cause__ or cause.__context__
    _fail(f'unknown config key in an override: {max(chain, key=len)}')
  except Exception as e:  # pylint: disable=broad-except
    _fail(str(e).splitlines()[0])


def _quiet_library_noise():
  """Keeps Orbax's own tracebacks of a failed write (which dljax reports as one `error:` line) out
  of the terminal: its absl log records, and the 'Event loop is closed' callbacks that tensorstore
  prints through sys.excepthook from its threads after a failed asynchronous save."""
  import logging as py_logging  # pylint: disable=g-import-not-at-top
  py_logging.getLogger('absl').setLevel(py_logging.CRITICAL)
  default_hook, default_unraisable = sys.excepthook, sys.unraisablehook

  def noise(value):
    return isinstance(value, RuntimeError) and str(value) == 'Event loop is closed'

  def hook(kind, value, tb):
    if not noise(value):
      default_hook(kind, value, tb)

  def unraisable(info):
    if not noise(info.exc_value):
      default_unraisable(info)

  sys.excepthook, sys.unraisablehook = hook, unraisable


def main(argv):
  del argv
  import jax  # pylint: disable=g-import-not-at-top
  if _COORDINATOR.value:
    if jax.config.jax_platforms in (None, '', 'cpu'):
      jax.config.update('jax_cpu_collectives_implementation', 'gloo')  # CPU hosts talk over gloo
    jax.distributed.initialize(_COORDINATOR.value, _NUM_PROCESSES.value, _PROCESS_ID.value)
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  logging.set_verbosity(logging.WARNING)
  if not _DEBUG.value:
    _quiet_library_noise()
  if not _PROGRESS.value:  # no bars at all, also not tfds's while a dataset is prepared (once)
    import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top
    tfds.disable_progress_bar()
  if preemption.requested():  # stopped during start-up: nothing was trained, nothing to save
    print(f'preempted: stopped by {preemption.requested()} before training started; run the same '
          'command again to start.', file=sys.stderr)
    sys.exit(0)
  try:
    summary = loop.train_and_evaluate(_CONFIG.value, _WORKDIR.value, overwrite=_OVERWRITE.value,
                                      progress=_PROGRESS.value)
  except loop.Preempted as e:
    print(f'preempted: {e}', file=sys.stderr)
    sys.exit(0)
  except DljaxError as e:
    if _DEBUG.value:
      raise
    print(f'error: {e}', file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(2)  # pylint: disable=protected-access  (no wait on library threads stuck on a bad disk)
  if jax.process_index() == 0:
    final = ', '.join(f'{k}={v:.4f}' for k, v in summary['final'].items())
    print(f'{summary["experiment"]}: {final} after {summary["steps"]} steps '
          f'({summary["wall_s"]:.0f} s); outputs in {_WORKDIR.value}')


if __name__ == '__main__':
  flags.mark_flags_as_required(['config', 'workdir'])
  app.run(main, flags_parser=parse_flags)
