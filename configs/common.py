"""The skeleton every experiment config fills in: get_config(preset) -> ml_collections.ConfigDict."""
import ml_collections

PRESETS = ('smoke', 'cpu', 'full')
_DATA_KEYS = ('batch_size', 'eval_batch_size', 'train_limit', 'validation_limit', 'test_limit')


def base(preset: str, name: str, task: str) -> ml_collections.ConfigDict:
  """Defaults shared by all experiments; raises ValueError for an unknown preset."""
  if preset not in PRESETS:
    raise ValueError(f'unknown preset {preset!r}; use one of {PRESETS} (config.py:PRESET).')
  c = ml_collections.ConfigDict()
  c.name = name
  c.task = task
  c.preset = preset
  c.seed = 0
  c.data = ml_collections.ConfigDict(dict(
      name='', source='local', batch_size=128, eval_batch_size=1000, train_limit=0, test_limit=0))
  c.model = ml_collections.ConfigDict(dict(name=''))
  c.optim = ml_collections.ConfigDict(dict(
      name='adam', lr=1e-3, weight_decay=0.0, grad_clip_norm=0.0, l2=0.0,
      schedule=schedule('constant')))
  c.train = ml_collections.ConfigDict(dict(
      steps=0, epochs=0.0, log_every=50, eval_every=1000, checkpoint_every=1000,
      keep_checkpoints=2, async_checkpoints=True, nonfinite='halt'))
  c.evals = ml_collections.ConfigDict()  # {name: dict(type=..., every=...)}: dljax/eval/common.py
  return c


# the smoke preset of every Fashion-MNIST config: a few steps on a slice of the data
FMNIST_SMOKE = dict(steps=4, batch_size=32, eval_batch_size=500, train_limit=256, test_limit=1000)


def adam_warmup_cosine(config, preset: str, lr: float, warmup_steps: int = 200):
  """Adam with a linear warm-up then cosine decay to 0 over the run (warm-up of 1 step in smoke)."""
  config.optim.name = 'adam'
  config.optim.lr = lr
  config.optim.schedule = schedule('warmup_cosine',
                                   warmup_steps=1 if preset == 'smoke' else warmup_steps)


def schedule(name: str, **kwargs) -> ml_collections.ConfigDict:
  return ml_collections.ConfigDict(dict(name=name, **kwargs))


def preset(config, name: str, **presets):
  """Applies the overrides of preset `name`: data keys to config.data, the rest to config.train.

  A preset that gives `steps` clears `epochs` and vice versa. The smoke preset evaluates and
  checkpoints at its last step unless it says otherwise.
  """
  values = dict(presets[name])
  if 'steps' in values:
    config.train.epochs = 0.0
  if 'epochs' in values:
    config.train.steps = 0
    values['epochs'] = float(values['epochs'])
  if name == 'smoke':
    values.setdefault('log_every', 1)
    values.setdefault('eval_every', values.get('steps', 1))
    values.setdefault('checkpoint_every', values.get('steps', 1))
  for key, value in values.items():
    (config.data if key in _DATA_KEYS else config.train)[key] = value
  return config
