r"""Trains and evaluates one experiment.

  python -m experiments.train --config=configs/vision/fmnist_cnn.py:cpu --workdir=runs/fmnist_cnn \
      [--config.optim.lr=3e-3 ...] [--overwrite] [--debug]

Multi-host: start one process per host with --coordinator=HOST:PORT --num_processes=N
--process_id=I (each process sees its local devices; jax.distributed.initialize joins them).
Config files are Python and run as code: only use config files you trust.
"""
import sys

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


def main(argv):
  del argv
  import jax  # pylint: disable=g-import-not-at-top
  if _COORDINATOR.value:
    jax.distributed.initialize(_COORDINATOR.value, _NUM_PROCESSES.value, _PROCESS_ID.value)
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  logging.set_verbosity(logging.WARNING)
  try:
    summary = loop.train_and_evaluate(_CONFIG.value, _WORKDIR.value, overwrite=_OVERWRITE.value,
                                      progress=_PROGRESS.value)
  except DljaxError as e:
    if _DEBUG.value:
      raise
    print(f'error: {e}', file=sys.stderr)
    sys.exit(2)
  if jax.process_index() == 0:
    final = ', '.join(f'{k}={v:.4f}' for k, v in summary['final'].items())
    print(f'{summary["experiment"]}: {final} after {summary["steps"]} steps '
          f'({summary["wall_s"]:.0f} s); outputs in {_WORKDIR.value}')


if __name__ == '__main__':
  flags.mark_flags_as_required(['config', 'workdir'])
  app.run(main)
