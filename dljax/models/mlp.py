"""Multi-layer perceptrons: a_j = sum_i z_i w_ij + b_j, z_j = sigma(a_j), layer after layer.

The optional norms are the from-scratch dljax.models.norm layers: BatchNorm with momentum 0.9
(= PyTorch's momentum=0.1) and a running variance of the biased batch variance (PyTorch's is
unbiased); LayerNorm with epsilon 1e-6 (PyTorch: 1e-5). See norm.py."""
from typing import Sequence

import flax.linen as nn

from dljax.errors import ConfigError
from dljax.models import dropout as dropout_lib, norm
from dljax.models.layers import activation, as_flat

INITS = {
    # He: N(0, 2/n_in) (the notes write (2/n_in)^2 as the variance, an error).
    'he': nn.initializers.variance_scaling(2.0, 'fan_in', 'normal'),
    'lecun': nn.initializers.lecun_normal(),
    'too_small': nn.initializers.normal(1e-3),
    'too_large': nn.initializers.normal(1.0),
    'constant': nn.initializers.constant(0.1),  # identical weights: symmetry is never broken
}


class MLP(nn.Module):
  """Dense (-> BatchNorm or LayerNorm) -> activation (-> dropout) per hidden layer, then a linear
  read-out. Both norms and both dropout forms are dljax's own (dljax.models.norm / .dropout)."""
  hidden: Sequence[int] = (256, 128)
  num_outputs: int = 10
  act: str = 'relu'
  dropout: float = 0.0  # p, the probability of dropping a unit
  dropout_form: str = 'inverted'  # or 'classic': no 1/(1-p) in training, times (1-p) at test
  init_scheme: str = 'lecun'
  batch_norm: bool = False  # BatchNorm after each hidden Dense (batch statistics in training)
  layer_norm: bool = False  # LayerNorm after each hidden Dense (per-example statistics)
  # z_{l+1} = z_l + sigma(a_l) wherever a hidden layer keeps the width (He et al. 2016's identity
  # path: dL/dz_l = dL/dz_{l+1} (I + d sigma(a_l)/dz_l), so the gradient has a route with no factor)
  residual: bool = False

  def __post_init__(self):  # checked when the config builds the model, before any compilation
    if self.batch_norm and self.layer_norm:
      raise ConfigError('model.batch_norm and model.layer_norm are both True; set one to False.')
    if self.dropout_form not in dropout_lib.FORMS:
      raise ConfigError(f'model.dropout_form={self.dropout_form!r} is unknown; use one of '
                        f'{dropout_lib.FORMS}.')
    if not 0.0 <= self.dropout < 1.0:
      raise ConfigError(f'model.dropout={self.dropout} must be in [0, 1) (the drop probability).')
    super().__post_init__()

  @nn.compact
  def __call__(self, x, train: bool = False):
    if self.init_scheme not in INITS:
      raise ValueError(f'model.init_scheme={self.init_scheme!r} is unknown; use one of {sorted(INITS)}.')
    sigma, kernel_init = activation(self.act), INITS[self.init_scheme]
    z = as_flat(x)
    for width in self.hidden:
      a = nn.Dense(width, kernel_init=kernel_init)(z)  # a_j = sum_i z_i w_ij + b_j
      if self.batch_norm:  # (a - mean_batch) / sqrt(var_batch + eps) * gamma + beta
        a = norm.BatchNorm(use_running_average=not train, momentum=0.9)(a)
      if self.layer_norm:  # (a - mean_features) / sqrt(var_features + eps) * gamma + beta
        a = norm.LayerNorm()(a)
      h = dropout_lib.Dropout(self.dropout, self.dropout_form)(sigma(a), train)  # z_j = sigma(a_j)
      z = z + h if self.residual and z.shape[-1] == width else h
    out = nn.Dense(self.num_outputs, kernel_init=kernel_init)(z)
    return out[:, 0] if self.num_outputs == 1 else out


class ResidualMLP(nn.Module):
  """MNIST-1D's reference MLP: h1 = relu(W1 x), h2 = h1 + relu(W2 h1), y = W3 h2 (15,210 params)."""
  width: int = 100
  num_outputs: int = 10

  @nn.compact
  def __call__(self, x, train: bool = False):
    del train
    h = nn.relu(nn.Dense(self.width)(as_flat(x)))
    h = h + nn.relu(nn.Dense(self.width)(h))
    return nn.Dense(self.num_outputs)(h)
