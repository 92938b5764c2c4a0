"""Pure linen modules, one file per family. `MODELS` maps a config's `model.name` to its class."""
import dataclasses

from dljax.errors import ConfigError
from dljax.models import cnn, linear, mlp, xor

MODELS = {
    'linear': linear.Linear,
    'mlp': mlp.MLP,
    'cnn': cnn.CNN,
    'cnn1d': cnn.CNN1D,
    'xor_handset': xor.HandsetXOR,
    'mlp_resid': mlp.ResidualMLP,
}


def build(model_cfg):
  """Instantiates `MODELS[model_cfg.name]` with the other fields of `model_cfg` as attributes."""
  if model_cfg.name not in MODELS:
    raise ConfigError(f'model.name={model_cfg.name!r} is unknown; use one of {sorted(MODELS)}.')
  cls = MODELS[model_cfg.name]
  fields = {f.name for f in dataclasses.fields(cls) if f.init} - {'parent', 'name'}
  kwargs = {k: v for k, v in model_cfg.items() if k != 'name'}
  unknown = sorted(set(kwargs) - fields)
  if unknown:
    raise ConfigError(f'model.{unknown[0]} is not a field of {cls.__name__} (model.name='
                      f'{model_cfg.name!r}); its fields are {sorted(fields)}.')
  return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()})
