"""What the MLP studies (batchnorm_study, dropout_study, init_study) share: a config and the
logged training loss."""
from configs import common
from configs.vision import fmnist_mlp

# steps per preset: smoke trains a few steps on a slice of the data (a wiring check)
SMOKE_STEPS = 6


def check_preset(preset: str, presets=('smoke', 'cpu')):
  """Raises ValueError naming the presets a study has."""
  if preset not in presets:
    raise ValueError(f'unknown preset {preset!r}; this study has the presets {presets} '
                     '(--preset=...).')


def mlp_config(preset: str, steps: int, batch_size: int = 128, name: str = 'mlp_study', **model):
  """configs/vision/fmnist_mlp.py ('cpu' data, or the smoke slice) for `steps` steps at
  `batch_size`, Adam at a constant 1e-3 unless the caller changes config.optim, no dropout unless
  given, evaluated and checkpointed at the last step only; `model` overrides config.model fields."""
  check_preset(preset)
  config = fmnist_mlp.get_config(preset)
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


def train_losses(workdir: str):
  """(steps, train/loss) logged in workdir/metrics.jsonl."""
  from dljax.train import writers  # pylint: disable=g-import-not-at-top
  rows = [r for r in writers.read_metrics(workdir) if 'train/loss' in r]
  return [r['step'] for r in rows], [r['train/loss'] for r in rows]
