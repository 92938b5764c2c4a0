"""Normalisation layers written from scratch: BatchNorm (Ioffe & Szegedy 2015) and LayerNorm.

Both normalise x to x_hat = (x - mu) / sqrt(sigma^2 + eps) and then rescale, y = gamma * x_hat + beta,
with one gamma and one beta per feature (the last axis). They differ in what mu and sigma^2 average:

  BatchNorm: over every axis but the features -- N for dense (N x C) inputs, N, H and W for NHWC
             images (per-channel statistics) -- i.e. over the examples of the mini-batch. In
             evaluation it uses running averages of those statistics instead (`batch_stats`).
  LayerNorm: over the features of each example alone: no batch dependence, train = eval.

Variable names match flax's nn.BatchNorm / nn.LayerNorm ('scale', 'bias'; batch_stats 'mean',
'var'), so the parity tests copy variables across unchanged.

Conventions that differ from PyTorch's (checked numerically against torch 2.x):
  momentum   r <- momentum * r + (1 - momentum) * batch_stat, flax's convention (default 0.99,
             flax's default). PyTorch's `momentum=0.1` weights the *new* statistic: momentum=0.9
             here (models/mlp.py passes 0.9).
  running    the running variance averages the biased batch variance 1/m sum (x - mu_B)^2 (flax);
  variance   PyTorch's `running_var` averages the unbiased one (1/(m-1)), m/(m-1) times larger. The
             outputs in training agree (both normalise with the biased variance; 1e-7); running
             statistics copied from torch do not.
  epsilon    BatchNorm 1e-5 (flax and PyTorch agree). LayerNorm 1e-6, flax's; PyTorch's default is
             1e-5, which changes the output where a row's variance is near 1e-6 (0.89 apart for
             rows of std 1e-3; a torch twin with eps=1e-6 agrees to 1e-7).
"""
from typing import Optional

import flax.linen as nn
import jax.numpy as jnp


def batch_axes(ndim: int) -> tuple:
  """BatchNorm's reduction axes: all but the last (features) axis, (0, 1, 2) for NHWC."""
  return tuple(range(ndim - 1))


class BatchNorm(nn.Module):
  """y = gamma * (x - mu_B) / sqrt(var_B + eps) + beta, statistics per feature over the batch.

  Training (use_running_average=False): mu_B, var_B are the batch's mean and biased variance, and
  the running averages move as r <- momentum * r + (1 - momentum) * batch_stat (needs
  mutable=['batch_stats']). Evaluation: mu, var are the running averages.
  """
  use_running_average: Optional[bool] = None
  momentum: float = 0.99
  epsilon: float = 1e-5

  @nn.compact
  def __call__(self, x, use_running_average: Optional[bool] = None):
    use_ra = nn.merge_param('use_running_average', self.use_running_average, use_running_average)
    c = x.shape[-1]
    ra_mean = self.variable('batch_stats', 'mean', lambda: jnp.zeros((c,), jnp.float32))
    ra_var = self.variable('batch_stats', 'var', lambda: jnp.ones((c,), jnp.float32))
    gamma = self.param('scale', nn.initializers.ones, (c,))
    beta = self.param('bias', nn.initializers.zeros, (c,))
    per_feature = (1,) * (x.ndim - 1) + (c,)  # (C,) -> (1, .., 1, C): explicit broadcasting
    if use_ra:
      mean, var = ra_mean.value.reshape(per_feature), ra_var.value.reshape(per_feature)
    else:
      axes = batch_axes(x.ndim)
      mean = x.mean(axis=axes, keepdims=True)  # mu_B = 1/m sum_i x_i
      var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)  # var_B = 1/m sum_i (x_i - mu_B)^2
      if not self.is_initializing():  # r <- momentum r + (1 - momentum) batch statistic
        ra_mean.value = self.momentum * ra_mean.value + (1 - self.momentum) * mean.reshape(c)
        ra_var.value = self.momentum * ra_var.value + (1 - self.momentum) * var.reshape(c)
    x_hat = (x - mean) / jnp.sqrt(var + self.epsilon)  # x_hat = (x - mu) / sqrt(var + eps)
    return gamma.reshape(per_feature) * x_hat + beta.reshape(per_feature)  # y = gamma x_hat + beta


class LayerNorm(nn.Module):
  """y = gamma * (x - mu) / sqrt(var + eps) + beta, mu and var over the features of each example."""
  epsilon: float = 1e-6

  @nn.compact
  def __call__(self, x):
    c = x.shape[-1]
    gamma = self.param('scale', nn.initializers.ones, (c,))
    beta = self.param('bias', nn.initializers.zeros, (c,))
    mean = x.mean(axis=-1, keepdims=True)  # mu = 1/C sum_c x_c, per example
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)  # var = 1/C sum_c (x_c - mu)^2
    x_hat = (x - mean) / jnp.sqrt(var + self.epsilon)
    per_feature = (1,) * (x.ndim - 1) + (c,)
    return gamma.reshape(per_feature) * x_hat + beta.reshape(per_feature)  # y = gamma x_hat + beta
