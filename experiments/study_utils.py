"""What the MLP studies (batchnorm_study, dropout_study, init_study) share: a config and a run."""
import json
import math
import os

from configs import common
from configs.vision import fmnist_mlp

# steps per preset: smoke trains a few steps on a slice of the data (a wiring check)
SMOKE_STEPS = 6


def mlp_config(preset: str, steps: int, batch_size: int = 128, name: str = 'mlp_study', **model):
  """configs/vision/fmnist_mlp.py ('cpu' data, or the smoke slice) for `steps` steps at
  `batch_size`, Adam at a constant 1e-3 unless the caller changes config.optim, no dropout unless
  given, evaluated and checkpointed at the last step only; `model` overrides config.model fields."""
  config = fmnist_mlp.get_config('smoke' if preset == 'smoke' else 'cpu')
  config.name = name
  config.model.dropout = 0.0
  config.model.update(model)
  config.optim.name, config.optim.lr = 'adam', 1e-3
  config.optim.schedule = common.schedule('constant')
  steps = SMOKE_STEPS if preset == 'smoke' else steps
  config.train.steps, config.train.epochs = steps, 0.0
  config.data.batch_size = batch_size
  config.train.log_every = max(1, min(50, steps // 40))
  config.train.eval_every = config.train.checkpoint_every = steps
  return config


def run(config, workdir: str, overwrite: bool) -> dict:
  """Trains `config` in `workdir` with the shared loop (a finished run is read back, not re-trained,
  unless overwrite); returns its summary.json."""
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  return loop.train_and_evaluate(config, workdir, overwrite=overwrite, progress=False)


def train_losses(workdir: str):
  """(steps, train/loss) logged in workdir/metrics.jsonl."""
  from dljax.train import writers  # pylint: disable=g-import-not-at-top
  rows = [r for r in writers.read_metrics(workdir) if 'train/loss' in r]
  return [r['step'] for r in rows], [r['train/loss'] for r in rows]


def initial(config):
  """(task, state at initialisation -- as the loop initialises it, test arrays) of `config`."""
  import jax  # pylint: disable=g-import-not-at-top
  from dljax import data  # pylint: disable=g-import-not-at-top
  from dljax.train import tasks  # pylint: disable=g-import-not-at-top
  test = data.load_split(config.data, 'test')
  task = tasks.TASKS[config.task](config, int(config.train.steps))
  example = {k: v[:2] for k, v in test.items()}  # shapes only
  state = jax.jit(lambda key: task.init(key, example))(jax.random.PRNGKey(config.seed))
  return task, state, test


def restore(config, workdir: str):
  """(task, state, test arrays) of the finished run in `workdir` (its latest checkpoint)."""
  from dljax.train import checkpoint  # pylint: disable=g-import-not-at-top
  task, state, test = initial(config)
  ckpt = checkpoint.Checkpoints(workdir)
  state = ckpt.restore(checkpoint.abstract(state))[0]
  ckpt.close()
  return task, state, test


def finite_or_none(obj):
  """NaN/inf -> None, so that the JSON is strict (a diverged run's numbers are NaN)."""
  if isinstance(obj, dict):
    return {k: finite_or_none(v) for k, v in obj.items()}
  if isinstance(obj, (list, tuple)):
    return [finite_or_none(v) for v in obj]
  if isinstance(obj, float) and not math.isfinite(obj):
    return None
  return obj


def write_json(obj, path: str):
  with open(path, 'w') as f:
    json.dump(finite_or_none(obj), f, indent=2, allow_nan=False)
  return path


def workdir_of(root: str, *parts) -> str:
  return os.path.join(root, '_'.join(str(p) for p in parts))


def define_flags(default_steps: int, steps_help: str):
  """The flags every MLP study takes; called only when a study runs as a script, so that importing
  several studies (as the tests do) defines no flag twice."""
  from absl import flags  # pylint: disable=g-import-not-at-top
  flags.DEFINE_string('workdir', None, 'Directory for the runs, the plot and the JSON.')
  flags.DEFINE_enum('preset', 'cpu', ['cpu', 'smoke'], 'cpu: --steps on all of Fashion-MNIST; '
                    'smoke: a few steps on a slice (a wiring check).')
  flags.DEFINE_integer('steps', default_steps, steps_help)
  flags.DEFINE_bool('plot_only', False, 'Only redraw the plot from the JSON in the workdir.')
  flags.mark_flags_as_required(['workdir'])
