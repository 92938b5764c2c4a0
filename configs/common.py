"""The skeleton every experiment config fills in: get_config(preset) -> ml_collections.ConfigDict."""
import ml_collections

PRESETS = ('smoke', 'cpu', 'full')


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
      name='', source='local', batch_size=128, eval_batch_size=1000, train_limit=0,
      validation_limit=0, test_limit=0))
  c.model = ml_collections.ConfigDict(dict(name=''))
  c.optim = ml_collections.ConfigDict(dict(
      name='adam', lr=1e-3, weight_decay=0.0, grad_clip_norm=0.0, l2=0.0, l1=0.0,
      schedule=schedule('constant')))
  c.train = ml_collections.ConfigDict(dict(
      steps=0, epochs=0.0, log_every=50, eval_every=1000, checkpoint_every=1000,
      keep_checkpoints=2, async_checkpoints=True, nonfinite='halt',
      plots=True))  # False: no end-of-run plots (runs that only want numbers, the resume tests)
  c.evals = ml_collections.ConfigDict()  # {name: dict(type=..., every=...)}: dljax/eval/common.py
  return c


def reference(metric: str, band, source: str, value=None, unit: str = '%'):
  """What a run is compared against, set as config.reference in get_config (and per variant).

  metric: a key of summary['final'] (a test/ metric: reported, never used to choose).
  band: (lo, hi) in the metric's own units (accuracy as a fraction: (0.90, 0.93)); a run's mean over
    seeds is 'in' its band, 'below' or 'above'. Where the literature gives one number, the band is
    its spread over reruns; where it gives none, the band is our stated expectation and `source`
    says so ('expectation: ...').
  value: the published number, if any (same units). unit: '%' shows fractions as percentages.
  """
  lo, hi = (float(b) for b in band)
  if not lo <= hi:
    raise ValueError(f'reference band {band} of {metric}: give (lo, hi) with lo <= hi.')
  return ml_collections.ConfigDict(dict(metric=metric, band=(lo, hi), value=value, source=source,
                                        unit=unit))


def no_reference(why: str) -> ml_collections.ConfigDict:
  """config.reference of an experiment with no number to compare (e.g. a demonstration); `why` says
  what the run shows instead."""
  return ml_collections.ConfigDict(dict(metric=None, band=None, value=None, source=why, unit=''))


# the smoke preset of every Fashion-MNIST config: a few steps on a slice of the data
FMNIST_SMOKE = dict(steps=4, batch_size=32, eval_batch_size=500, train_limit=256,
                    validation_limit=1000, test_limit=1000)


def adam_warmup_cosine(config, preset: str, lr: float, warmup_steps: int = 200):
  """Adam with a linear warm-up then cosine decay to 0 over the run (warm-up of 1 step in smoke)."""
  config.optim.name = 'adam'
  config.optim.lr = lr
  config.optim.schedule = schedule('warmup_cosine',
                                   warmup_steps=1 if preset == 'smoke' else warmup_steps)


def schedule(name: str, **kwargs) -> ml_collections.ConfigDict:
  return ml_collections.ConfigDict(dict(name=name, **kwargs))


def preset(config, name: str, **presets):
  """Applies the overrides of preset `name` to the config section that holds each key.

  Routing is by the key's home, with no hidden list: a key that config.data defines (batch_size,
  eval_batch_size, {train,validation,test}_limit, or any data field the config set before this
  call) goes to config.data, a key that config.train defines (steps, epochs, log_every, ...) to
  config.train; a key that both or neither define is refused (ValueError) -- set such a field
  directly, e.g. `config.train.d_steps = 2` before calling preset. A preset that gives `steps`
  clears `epochs` and vice versa. The smoke preset evaluates and checkpoints at its last step
  unless it says otherwise.
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
    homes = [section for section in ('data', 'train') if key in config[section]]
    if len(homes) != 1:
      where = 'both config.data and config.train' if homes else 'neither config.data nor config.train'
      raise ValueError(f'preset key {key!r} of preset {name!r} is in {where}; define it in the '
                       'section it belongs to before calling common.preset.')
    config[homes[0]][key] = value
  return config
