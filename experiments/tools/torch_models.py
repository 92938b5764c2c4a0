"""PyTorch twins of dljax's flax models, for benchmarks and parity tests (not library code).

Each twin takes the SAME input array as its flax model (images NHWC, sequences (B, L), vectors
(B, D)) and computes the same function once `load_flax_params` has copied the flax weights in.

Layout conventions (flax -> torch), handled by `load_flax_params`:
  Dense kernel (in, out)                 -> Linear.weight (out, in)        transpose
  Conv kernel 2-D HWIO (kh, kw, in, out)  -> Conv2d.weight OIHW              permute(3, 2, 0, 1)
  Conv kernel 1-D (k, in, out)            -> Conv1d.weight (out, in, k)      permute(2, 1, 0)
  biases                                  -> copied as they are

Flatten order: flax convolutions run NHWC, so `flatten` after them lists features in (H, W, C)
order; torch's convolutions run NCHW, whose flatten lists (C, H, W). TorchCNN therefore permutes its
feature maps back to NHWC before flattening, so that the first Dense kernel ports without any
reordering of its rows. (CNN1D already flattens channel-major in flax, as torch does, so TorchCNN1D
flattens (B, C, L) directly.)

  twin = from_flax(flax_module, input_shape)   # twin of a dljax model instance, same hyper-params
  load_flax_params(twin, variables['params'])
"""
import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from dljax.models import (cnn as cnn_lib, linear as linear_lib, mlp as mlp_lib, rnn as rnn_lib,
                          transformer as transformer_lib)


def _activation(name: str):
  """The torch twin of dljax.models.layers.activation(name)."""
  fns = {
      'relu': nn.ReLU(),
      'tanh': nn.Tanh(),
      'sigmoid': nn.Sigmoid(),
      'gelu': nn.GELU(approximate='tanh'),  # flax nn.gelu defaults to approximate=True
      'leaky_relu': nn.LeakyReLU(0.01),
      'identity': nn.Identity(),
  }
  if name not in fns:
    raise ValueError(f'activation {name!r} has no torch twin; use one of {sorted(fns)}.')
  return fns[name]


class TorchLinear(nn.Module):
  """Twin of dljax.models.linear.Linear: f(x) = W x + b on the flattened input."""

  def __init__(self, in_features: int, num_outputs: int = 10):
    super().__init__()
    self.num_outputs = num_outputs
    self.dense = nn.Linear(in_features, num_outputs)

  def forward(self, x):
    out = self.dense(x.flatten(1))
    return out[:, 0] if self.num_outputs == 1 else out

  def flax_order(self):
    return [('Dense_0', self.dense)]


class TorchMLP(nn.Module):
  """Twin of dljax.models.mlp.MLP: (Linear -> act -> dropout) per hidden layer, Linear read-out."""

  def __init__(self, in_features: int, hidden=(256, 128), num_outputs: int = 10, act: str = 'relu',
               dropout: float = 0.0):
    super().__init__()
    self.num_outputs = num_outputs
    widths = [in_features, *hidden]
    self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:]))
    self.act = _activation(act)
    self.dropout = nn.Dropout(dropout)
    self.out = nn.Linear(widths[-1], num_outputs)

  def forward(self, x):
    z = x.flatten(1)
    for layer in self.hidden:
      z = self.dropout(self.act(layer(z)))
    out = self.out(z)
    return out[:, 0] if self.num_outputs == 1 else out

  def flax_order(self):
    return [(f'Dense_{i}', m) for i, m in enumerate([*self.hidden, self.out])]


class TorchResidualMLP(nn.Module):
  """Twin of dljax.models.mlp.ResidualMLP: h1 = relu(W1 x), h2 = h1 + relu(W2 h1), y = W3 h2."""

  def __init__(self, in_features: int, width: int = 100, num_outputs: int = 10):
    super().__init__()
    self.l1 = nn.Linear(in_features, width)
    self.l2 = nn.Linear(width, width)
    self.l3 = nn.Linear(width, num_outputs)

  def forward(self, x):
    h = F.relu(self.l1(x.flatten(1)))
    h = h + F.relu(self.l2(h))
    return self.l3(h)

  def flax_order(self):
    return [('Dense_0', self.l1), ('Dense_1', self.l2), ('Dense_2', self.l3)]


class TorchCNN(nn.Module):
  """Twin of dljax.models.cnn.CNN: (conv SAME -> relu -> maxpool 2x2) per stage, FC, dropout, FC.

  Input NHWC like the flax model; permuted to NCHW for the convolutions and back to NHWC before the
  flatten (see the module docstring). MaxPool2d(2) floors odd sizes, as layers.max_pool and VALID
  nn.max_pool do.
  """

  def __init__(self, in_shape_hwc, features=(32, 64), kernel: int = 5, dense: int = 1024,
               dropout: float = 0.4, num_outputs: int = 10):
    super().__init__()
    h, w, c = in_shape_hwc
    convs = []
    for f in features:
      # flax 'SAME' at stride 1 pads (k-1)//2 before and the rest after, as torch 'same' does
      convs.append(nn.Conv2d(c, f, kernel, padding='same'))
      c, h, w = f, h // 2, w // 2
    self.convs = nn.ModuleList(convs)
    self.fc = nn.Linear(h * w * c, dense)
    self.dropout = nn.Dropout(dropout)
    self.out = nn.Linear(dense, num_outputs)

  def forward(self, x_BxHxWxC):
    h = x_BxHxWxC.permute(0, 3, 1, 2).contiguous()  # NHWC -> NCHW, torch's default memory layout
    for conv in self.convs:
      h = F.max_pool2d(F.relu(conv(h)), 2)
    h = h.permute(0, 2, 3, 1).flatten(1)  # back to NHWC so the flatten order is flax's (H, W, C)
    h = self.dropout(F.relu(self.fc(h)))
    return self.out(h)

  def flax_order(self):
    return ([(f'Conv_{i}', m) for i, m in enumerate(self.convs)]
            + [('Dense_0', self.fc), ('Dense_1', self.out)])


class TorchCNN1D(nn.Module):
  """Twin of dljax.models.cnn.CNN1D: three stride-2 Conv1d (kernel, padding) = (5,1),(3,1),(3,1)."""

  def __init__(self, length: int, channels: int = 25, num_outputs: int = 10):
    super().__init__()
    convs, c = [], 1
    for kernel in (5, 3, 3):
      convs.append(nn.Conv1d(c, channels, kernel, stride=2, padding=1))
      c, length = channels, (length + 2 - kernel) // 2 + 1
    self.convs = nn.ModuleList(convs)
    self.out = nn.Linear(channels * length, num_outputs)

  def forward(self, x_BxL):
    h = x_BxL[:, None, :]  # one input channel, NCL
    for conv in self.convs:
      h = F.relu(conv(h))
    return self.out(h.flatten(1))  # channel-major, as the flax model flattens

  def flax_order(self):
    return [(f'Conv_{i}', m) for i, m in enumerate(self.convs)] + [('Dense_0', self.out)]


class TorchLSTMLM(nn.Module):
  """Twin of dljax.models.rnn.RecurrentLM with cell='lstm': Embedding -> nn.LSTM (fused) -> Linear.

  torch's LSTM has two biases per layer (b_ih + b_hh) where dljax has one: `load_flax` puts dljax's b
  in b_ih and zeros in b_hh (same function, 4H more parameters per layer in torch). Gate order:
  torch (i, f, g, o), dljax (f, i, g, o).
  """

  def __init__(self, vocab_size: int, embed: int, hidden: int, layers: int):
    super().__init__()
    self.embed = nn.Embedding(vocab_size, embed)
    self.rnn = nn.LSTM(embed, hidden, layers, batch_first=True)
    self.out = nn.Linear(hidden, vocab_size)
    self.hidden, self.layers = hidden, layers

  def forward(self, tokens_BxT):
    h_BxTxH, _ = self.rnn(self.embed(tokens_BxT.long()))
    return self.out(h_BxTxH)

  def load_flax(self, params):
    hid = self.hidden
    order = np.concatenate([np.arange(hid, 2 * hid), np.arange(hid), np.arange(2 * hid, 4 * hid)])
    copies = [(self.embed.weight, params['embed']['embedding']),
              (self.out.weight, np.asarray(params['out']['kernel']).T),
              (self.out.bias, params['out']['bias'])]
    for l in range(self.layers):
      affine = params['rnn'][f'layer_{l}']['cell']['affine']
      kernel, bias = np.asarray(affine['kernel'])[:, order], np.asarray(affine['bias'])[order]
      d_in = kernel.shape[0] - hid
      copies += [(getattr(self.rnn, f'weight_ih_l{l}'), kernel[:d_in].T),
                 (getattr(self.rnn, f'weight_hh_l{l}'), kernel[d_in:].T),
                 (getattr(self.rnn, f'bias_ih_l{l}'), bias),
                 (getattr(self.rnn, f'bias_hh_l{l}'), np.zeros_like(bias))]
    _copy_all(copies)
    return self


class TorchGPT(nn.Module):
  """Twin of dljax.models.transformer.LM (pre-norm, learned positions, tied output embedding).

  Written as nanoGPT writes it: one fused Linear for Q, K, V (c_attn) and
  F.scaled_dot_product_attention(is_causal=True); GELU with the tanh approximation and LayerNorm
  eps 1e-6, as flax's defaults (see dljax.models.transformer's docstring).
  """

  def __init__(self, vocab_size: int, d_model: int, num_heads: int, num_layers: int,
               mlp_ratio: int, max_len: int):
    super().__init__()
    self.heads = num_heads
    self.tokens = nn.Embedding(vocab_size, d_model)
    self.pos = nn.Parameter(torch.zeros(max_len, d_model))
    self.blocks = nn.ModuleList(nn.ModuleDict(dict(
        ln_self=nn.LayerNorm(d_model, eps=1e-6), c_attn=nn.Linear(d_model, 3 * d_model),
        c_proj=nn.Linear(d_model, d_model), ln_ffn=nn.LayerNorm(d_model, eps=1e-6),
        fc1=nn.Linear(d_model, mlp_ratio * d_model), fc2=nn.Linear(mlp_ratio * d_model, d_model)))
                                for _ in range(num_layers))
    self.ln_final = nn.LayerNorm(d_model, eps=1e-6)

  def forward(self, tokens_BxT):
    b, t = tokens_BxT.shape
    x = self.tokens(tokens_BxT.long()) + self.pos[:t]
    for blk in self.blocks:
      q, k, v = blk['c_attn'](blk['ln_self'](x)).split(x.shape[-1], dim=-1)
      q, k, v = (z.view(b, t, self.heads, -1).transpose(1, 2) for z in (q, k, v))
      y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
      x = x + blk['c_proj'](y.transpose(1, 2).reshape(b, t, -1))
      x = x + blk['fc2'](F.gelu(blk['fc1'](blk['ln_ffn'](x)), approximate='tanh'))
    return self.ln_final(x) @ self.tokens.weight.T

  def load_flax(self, params):
    ln = lambda mod, p: [(mod.weight, p['scale']), (mod.bias, p['bias'])]  # pylint: disable=unnecessary-lambda-assignment
    dense = lambda mod, p: [(mod.weight, np.asarray(p['kernel']).T), (mod.bias, p['bias'])]  # pylint: disable=unnecessary-lambda-assignment
    copies = [(self.tokens.weight, params['embed']['tokens']['embedding']),
              (self.pos, params['embed']['pos_embedding'])] + ln(self.ln_final, params['ln_final'])
    for i, blk in enumerate(self.blocks):
      p = params[f'block{i + 1}']
      att = p['self_attention']
      d = att['query']['kernel'].shape[0]
      qkv = np.concatenate([np.asarray(att[n]['kernel']).reshape(d, -1) for n in
                            ('query', 'key', 'value')], axis=1)  # D x 3D, heads contiguous
      qkv_b = np.concatenate([np.asarray(att[n]['bias']).reshape(-1) for n in
                              ('query', 'key', 'value')])
      copies += [(blk['c_attn'].weight, qkv.T), (blk['c_attn'].bias, qkv_b),
                 (blk['c_proj'].weight, np.asarray(att['out']['kernel']).reshape(-1, d).T),
                 (blk['c_proj'].bias, att['out']['bias'])]
      copies += ln(blk['ln_self'], p['ln_self']) + ln(blk['ln_ffn'], p['ln_ffn'])
      copies += dense(blk['fc1'], p['ffn']['fc1']) + dense(blk['fc2'], p['ffn']['fc2'])
    _copy_all(copies)
    return self


def _copy_all(copies):
  """Copies (torch parameter, array) pairs in place; every torch parameter exactly once."""
  with torch.no_grad():
    for param, value in copies:
      value = np.array(value, np.float32)  # a writable copy
      if tuple(param.shape) != value.shape:
        raise ValueError(f'shape mismatch: torch {tuple(param.shape)}, flax {value.shape}.')
      param.copy_(torch.from_numpy(value))


def lm_twin(module) -> nn.Module:
  """The torch twin of a dljax language model (tokens_BxT -> logits_BxTxV), weights not yet copied."""
  if isinstance(module, rnn_lib.RecurrentLM):
    if module.cell != 'lstm' or module.dropout:
      raise ValueError('the torch LM twin is an LSTM without dropout; got cell='
                       f'{module.cell!r}, dropout={module.dropout}.')
    return TorchLSTMLM(module.vocab_size, module.embed, module.hidden, module.layers)
  if isinstance(module, transformer_lib.LM):
    if not module.prenorm or module.positions != 'learned' or module.dropout:
      raise ValueError('the torch GPT twin is pre-norm with learned positions and no dropout.')
    return TorchGPT(module.vocab_size, module.d_model, module.num_heads, module.num_layers,
                    module.mlp_ratio, module.max_len)
  raise NotImplementedError(f'{type(module).__name__} has no PyTorch LM twin; supported: '
                            'RecurrentLM (lstm), transformer.LM.')


SUPPORTED = {'Linear': linear_lib.Linear, 'MLP': mlp_lib.MLP, 'ResidualMLP': mlp_lib.ResidualMLP,
             'CNN': cnn_lib.CNN, 'CNN1D': cnn_lib.CNN1D}


def from_flax(module, input_shape) -> nn.Module:
  """The torch twin of the flax module instance `module` for inputs of shape (B, *input_shape).

  Raises NotImplementedError for a model without a twin, ValueError for a setting the twin lacks.
  """
  per_example = math.prod(input_shape)
  if isinstance(module, mlp_lib.MLP):
    if module.batch_norm or module.layer_norm or module.dropout_form != 'inverted':
      raise ValueError('the torch MLP twin has no BatchNorm/LayerNorm and only inverted dropout.')
    return TorchMLP(per_example, tuple(module.hidden), module.num_outputs, module.act,
                    module.dropout)
  if isinstance(module, mlp_lib.ResidualMLP):
    return TorchResidualMLP(per_example, module.width, module.num_outputs)
  if isinstance(module, linear_lib.Linear):
    return TorchLinear(per_example, module.num_outputs)
  if isinstance(module, cnn_lib.CNN):
    if len(input_shape) != 3:
      raise ValueError(f'CNN needs (H, W, C) inputs, got per-example shape {input_shape}.')
    return TorchCNN(tuple(input_shape), tuple(module.features), module.kernel, module.dense,
                    module.dropout, module.num_outputs)
  if isinstance(module, cnn_lib.CNN1D):
    if len(input_shape) != 1:
      raise ValueError(f'CNN1D needs (L,) inputs, got per-example shape {input_shape}.')
    return TorchCNN1D(input_shape[0], module.channels, module.num_outputs)
  raise NotImplementedError(
      f'{type(module).__name__} has no PyTorch twin; supported: {sorted(SUPPORTED)}.')


def torch_weight(kernel: np.ndarray) -> np.ndarray:
  """A flax kernel in torch's layout.

  Dense (in, out) -> (out, in); Conv (*spatial, in, out) -> (out, in, *spatial).
  """
  if kernel.ndim == 2:
    return kernel.T
  return np.transpose(kernel, (kernel.ndim - 1, kernel.ndim - 2, *range(kernel.ndim - 2)))


def flax_kernel(weight: np.ndarray) -> np.ndarray:
  """The inverse of `torch_weight`: a torch weight in flax's kernel layout."""
  if weight.ndim == 2:
    return weight.T
  return np.transpose(weight, (*range(2, weight.ndim), 1, 0))


def load_flax_params(torch_module: nn.Module, flax_params) -> nn.Module:
  """Copies flax `params` (the 'params' collection) into the twin, in place; returns the twin.

  Every flax parameter must land in exactly one torch parameter of the same size, and vice versa.
  """
  order = torch_module.flax_order()
  if sorted(name for name, _ in order) != sorted(flax_params):
    raise ValueError(f'flax params {sorted(flax_params)} do not match the twin '
                     f'{sorted(n for n, _ in order)}.')
  with torch.no_grad():
    for name, layer in order:
      kernel = torch_weight(np.asarray(flax_params[name]['kernel'], np.float32))
      bias = np.asarray(flax_params[name]['bias'], np.float32)
      if tuple(layer.weight.shape) != kernel.shape or tuple(layer.bias.shape) != bias.shape:
        raise ValueError(f'{name}: flax kernel -> {kernel.shape}, bias {bias.shape}; torch weight '
                         f'{tuple(layer.weight.shape)}, bias {tuple(layer.bias.shape)}.')
      layer.weight.copy_(torch.from_numpy(np.ascontiguousarray(kernel)))
      layer.bias.copy_(torch.from_numpy(bias.copy()))
  return torch_module


def to_flax_params(torch_module: nn.Module) -> dict:
  """The twin's weights as a flax params dict of numpy arrays (for comparisons)."""
  return {name: {'kernel': flax_kernel(layer.weight.detach().numpy()),
                 'bias': layer.bias.detach().numpy().copy()}
          for name, layer in torch_module.flax_order()}


def num_params(torch_module: nn.Module) -> int:
  return sum(p.numel() for p in torch_module.parameters())
