"""The Swin/ViT/CNN study scripts without training: their configs are valid, the slope helper."""
import math

import pytest

from dljax.train import config_check
from experiments.vision import equivariance
from experiments.vision import swin_vs_vit
from experiments.vision import vit_vs_cnn_scaling


@pytest.mark.parametrize('model', list(vit_vs_cnn_scaling.MODELS))
@pytest.mark.parametrize('n', vit_vs_cnn_scaling.SIZES)
def test_scaling_configs_share_the_step_budget(model, n):
  config = vit_vs_cnn_scaling.make_config(model, n, 'cpu')
  config_check.validate(config)
  config_check.validate_optimizers(config, config.train.steps)
  assert config.data.train_limit == n and config.data.batch_size == 128
  assert (config.train.steps, config.train.epochs) == (vit_vs_cnn_scaling.PRESET_STEPS['cpu'], 0.0)
  assert config.model.name == model


@pytest.mark.parametrize('name', list(equivariance.PROBES))
def test_equivariance_configs_are_valid_and_probe_real_strides(name):
  cfg_module, probes = equivariance.PROBES[name]
  config = equivariance.make_config(cfg_module, 100)
  config_check.validate(config)
  config_check.validate_optimizers(config, 100)
  assert all(28 % stride == 0 for _, stride, _ in probes.values())


def test_slope_is_the_log_log_exponent():
  xs = [10.0, 20.0, 40.0]
  assert math.isclose(swin_vs_vit.slope(xs, [x ** 2 for x in xs]), 2.0)
  assert math.isclose(swin_vs_vit.slope(xs, [3 * x for x in xs]), 1.0)
