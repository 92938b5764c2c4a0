"""Diagnostics computed on a model and its parameters (no training loop involved)."""
from dljax.eval.attention import mean_attention_distance, patch_distances
from dljax.eval.gradients import (dense_kernels, hidden_unit_spread, layer_activation_stds,
                                  layer_grad_norms, layer_grads, unit_spreads)

__all__ = ['dense_kernels', 'hidden_unit_spread', 'layer_activation_stds', 'layer_grad_norms',
           'layer_grads', 'mean_attention_distance', 'patch_distances', 'unit_spreads']
