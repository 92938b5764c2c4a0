r"""Autoregressive image models over 8-bit pixels: PixelCNN (masked convolutions), the gated PixelCNN
without the blind spot, and a causal self-attention model over pixels (the Image Transformer idea).

  p(x) = prod_{i=1}^{D} p(x_i | x_<i),   pixels in raster order (row by row, left to right), D = H W
  -log2 p(x) / D                          bits per dimension (bits/dim) of an 8-bit image

Masked convolutions (van den Oord et al. 2016, "Pixel Recurrent Neural Networks"): a k x k kernel
multiplied by a mask M that keeps the rows above the centre and, on the centre row, the columns left
of it; type A also drops the centre (the first layer: output i must not see input pixel i), type B
keeps it (every later layer: its input at i already depends only on x_<i). A type-B first layer
leaks x_i into p(x_i); a type-A later layer only throws information away, so both are refused.

The plain stack of masked 3 x 3 convolutions has a blind spot (the pixels up-right of i outside the
growing "V"); the gated PixelCNN (van den Oord et al. 2016, "Conditional Image Generation with
PixelCNN Decoders") removes it with two stacks:
  vertical stack   v: k x k kernel on the rows above (first layer: strictly above; later: the same
                   row of v, which itself only sees rows above) -- no horizontal restriction
  horizontal stack h: 1 x k kernel on the pixels left of i in its row (type A first, then B), plus
                   a 1 x 1 projection of the vertical stack's pre-activations
  gate             y = tanh(W_f * x) . sigmoid(W_g * x)      (each stack; h also has a residual 1 x 1)

Output distributions of one pixel k in {0, ..., 255} (likelihood):
  'softmax'            p(k) = softmax(l)_k over 256 logits
  'logistic_mixture'   discretised logistic mixture (Salimans et al. 2017, PixelCNN++): x = 2k/255 - 1,
                       p(k) = sum_m pi_m [sigma((x + 1/255 - mu_m)/s_m) - sigma((x - 1/255 - mu_m)/s_m)],
                       with the edge bins k = 0 and k = 255 taking the whole tails (-inf and +inf), so
                       the 256 probabilities sum to 1 (the sum telescopes)

`PixelTransformer` models the same raster-order factorisation with dljax.models.transformer's
blocks: the pixel sequence, shifted right by a start token, through causal self-attention.
"""
import math

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from dljax.errors import ConfigError
from dljax.models.attention import causal_mask
from dljax.models.transformer import Block, Embed, init_cache

LEVELS = 256
LIKELIHOODS = ('softmax', 'logistic_mixture')
LOG_SCALE_MIN = -7.0


# --- discretisation and units ---------------------------------------------------------------------
def discretize(x):
  """Intensities in [0, 1] (k / 255 as the datasets store them) -> integer levels k in 0..255."""
  return jnp.clip(jnp.round(x * 255.0), 0, LEVELS - 1).astype(jnp.int32)


def bits_per_dim(nats_per_image, dims: int):
  """-log p(x) in nats per image -> bits per dimension: nats / (D ln 2)."""
  return nats_per_image / (dims * math.log(2.0))


def uniform_bits_per_dim() -> float:
  """The uniform distribution over 256 levels: log2 256 = 8 bits/dim."""
  return math.log2(LEVELS)


# --- masks ----------------------------------------------------------------------------------------
def check_mask_types(mask_types: str, num_layers: int):
  """ConfigError unless mask_types is 'A' followed by num_layers - 1 'B's."""
  if len(mask_types) != num_layers or set(mask_types) - {'A', 'B'}:
    raise ConfigError(f'model.mask_types={mask_types!r} must give one of A/B per layer '
                      f'({num_layers} layers), e.g. {"A" + "B" * (num_layers - 1)!r}.')
  if mask_types[0] != 'A':
    raise ConfigError("model.mask_types: the first layer must be type 'A' (a type-B first layer "
                      'lets output i see input pixel x_i, so p(x_i | x_<i) would see x_i).')
  later = [i + 1 for i, t in enumerate(mask_types) if t == 'A' and i > 0]
  if later:
    raise ConfigError(f"model.mask_types: type 'A' on layer(s) {later}; type A belongs only to the "
                      "first layer (it removes the input pixel); every later layer is type 'B'. "
                      f'Use mask_types={"A" + "B" * (num_layers - 1)!r}.')


def raster_mask(k: int, mask_type: str) -> np.ndarray:
  """k x k mask of a masked convolution: rows above the centre, the centre row left of the centre,
  and the centre itself for type B."""
  c = k // 2
  m = np.zeros((k, k), np.float32)
  m[:c, :] = 1.0
  m[c, :c] = 1.0
  m[c, c] = float(mask_type == 'B')
  return m


def vertical_mask(k: int, mask_type: str) -> np.ndarray:
  """k x k mask of the gated vertical stack: every row above the centre; the centre row (all of
  it) for type B only (the stack's own features at row i depend only on rows < i)."""
  c = k // 2
  m = np.zeros((k, k), np.float32)
  m[:c, :] = 1.0
  m[c, :] = float(mask_type == 'B')
  return m


def horizontal_mask(k: int, mask_type: str) -> np.ndarray:
  """1 x k mask of the horizontal stack: the pixels left of the centre, and the centre for B."""
  c = k // 2
  m = np.zeros((1, k), np.float32)
  m[0, :c] = 1.0
  m[0, c] = float(mask_type == 'B')
  return m


class MaskedConv(nn.Module):
  """y = (W . M) * x + b: a 'SAME' convolution whose kernel is multiplied by the fixed mask M."""
  features: int
  mask: np.ndarray  # kh x kw

  @nn.compact
  def __call__(self, x_BxHxWxC):
    kh, kw = self.mask.shape
    c_in = x_BxHxWxC.shape[-1]
    w = self.param('kernel', nn.initializers.lecun_normal(), (kh, kw, c_in, self.features))
    b = self.param('bias', nn.initializers.zeros, (self.features,))
    w = w * jnp.asarray(self.mask)[:, :, None, None]
    y = jax.lax.conv_general_dilated(x_BxHxWxC, w, (1, 1), [(kh // 2, kh // 2), (kw // 2, kw // 2)],
                                     dimension_numbers=('NHWC', 'HWIO', 'NHWC'))
    return y + b[None, None, None]


def output_channels(likelihood: str, mixtures: int) -> int:
  """Parameters per pixel: 256 logits, or 3 M (pi logits, means, log-scales) for the mixture."""
  if likelihood not in LIKELIHOODS:
    raise ConfigError(f'model.likelihood={likelihood!r} is unknown; use one of {LIKELIHOODS}.')
  return LEVELS if likelihood == 'softmax' else 3 * mixtures


def levels_to_input(k_BxHxW):
  """Integer levels -> the network's input in [-1, 1], B x H x W x 1 (floats pass through, so
  gradients with respect to the input exist for the causality test)."""
  return (jnp.asarray(k_BxHxW, jnp.float32) / 127.5 - 1.0)[..., None]


class PixelCNN(nn.Module):
  """PixelCNN: one type-A masked k0 x k0 convolution, then (num_layers - 1) residual layers of masked
  type-B k x k convolutions (plain) or gated vertical/horizontal stacks (gated=True), then two 1 x 1
  layers to the per-pixel distribution parameters. Input: levels k, B x H x W; output
  B x H x W x P (P = output_channels)."""
  channels: int = 64
  num_layers: int = 8
  first_kernel: int = 7
  kernel: int = 3
  gated: bool = False
  likelihood: str = 'softmax'
  mixtures: int = 5
  out_hidden: int = 128
  mask_types: str = ''  # '' = 'A' + 'B' * (num_layers - 1)
  image_shape: tuple = (28, 28)

  def __post_init__(self):
    super().__post_init__()
    check_mask_types(self.types, self.num_layers)
    output_channels(self.likelihood, self.mixtures)
    if self.first_kernel % 2 == 0 or self.kernel % 2 == 0:
      raise ConfigError(f'model.first_kernel={self.first_kernel} and model.kernel={self.kernel} '
                        'must be odd (the mask is centred on the pixel).')

  @property
  def types(self) -> str:
    return self.mask_types or 'A' + 'B' * (self.num_layers - 1)

  @nn.compact
  def __call__(self, k_BxHxW):
    x = levels_to_input(k_BxHxW)
    types = self.types
    if self.gated:
      h = self._gated_stacks(x, types)
    else:
      h = MaskedConv(self.channels, raster_mask(self.first_kernel, types[0]), name='conv1')(x)
      for i, t in enumerate(types[1:], start=2):  # residual masked type-B layers
        h = h + MaskedConv(self.channels, raster_mask(self.kernel, t), name=f'conv{i}')(nn.relu(h))
    h = nn.Dense(self.out_hidden, name='out1')(nn.relu(h))
    return nn.Dense(output_channels(self.likelihood, self.mixtures), name='out2')(nn.relu(h))

  def _gated_stacks(self, x, types):
    c = self.channels
    gate = lambda a: jnp.tanh(a[..., :c]) * nn.sigmoid(a[..., c:])  # pylint: disable=unnecessary-lambda-assignment
    # layer 1 (type A): v sees the rows strictly above, h the pixels strictly left (and v)
    v_pre = MaskedConv(2 * c, vertical_mask(self.first_kernel, 'A'), name='v1')(x)
    h_pre = (MaskedConv(2 * c, horizontal_mask(self.first_kernel, 'A'), name='h1')(x)
             + nn.Dense(2 * c, name='v_to_h1')(v_pre))
    v, h = gate(v_pre), gate(h_pre)
    for i, t in enumerate(types[1:], start=2):
      v_pre = MaskedConv(2 * c, vertical_mask(self.kernel, t), name=f'v{i}')(v)
      h_pre = (MaskedConv(2 * c, horizontal_mask(self.kernel, t), name=f'h{i}')(h)
               + nn.Dense(2 * c, name=f'v_to_h{i}')(v_pre))
      v = gate(v_pre)
      h = h + nn.Dense(c, name=f'h_res{i}')(gate(h_pre))  # residual on the horizontal stack
    return h


class PixelTransformer(nn.Module):
  """Causal self-attention over the raster-ordered pixels (the Image Transformer idea, with full
  rather than local attention): tokens [start, k_1, ..., k_{D-1}] -> learned positions ->
  num_layers pre-norm Transformer blocks (dljax.models.transformer.Block) under a causal mask ->
  LN -> the per-pixel distribution parameters at every position (position i predicts k_i)."""
  d_model: int = 64
  num_heads: int = 4
  num_layers: int = 2
  mlp_ratio: int = 4
  likelihood: str = 'softmax'
  mixtures: int = 5
  image_shape: tuple = (28, 28)

  def __post_init__(self):
    super().__post_init__()
    output_channels(self.likelihood, self.mixtures)
    if self.d_model % self.num_heads:
      raise ConfigError(f'model.d_model={self.d_model} must be divisible by model.num_heads='
                        f'{self.num_heads}.')

  def setup(self):
    self.length = int(np.prod(self.image_shape))
    self.embed = Embed(LEVELS + 1, self.d_model, self.length, 'learned')  # token LEVELS = start
    self.blocks = [Block(self.num_heads, self.mlp_ratio * self.d_model, name=f'block{i + 1}')
                   for i in range(self.num_layers)]
    self.ln_final = nn.LayerNorm()
    self.head = nn.Dense(output_channels(self.likelihood, self.mixtures))

  def __call__(self, k_BxHxW):
    b, hh, ww = k_BxHxW.shape
    tokens_BxD = jnp.asarray(k_BxHxW, jnp.int32).reshape(b, hh * ww)
    inp_BxD = jnp.concatenate([jnp.full((b, 1), LEVELS, jnp.int32), tokens_BxD[:, :-1]], axis=1)
    h = self.embed(inp_BxD)
    mask = causal_mask(hh * ww)
    for block in self.blocks:
      h = block(h, mask=mask)
    return self.head(self.ln_final(h)).reshape(b, hh, ww, -1)

  def decode_step(self, caches, token_B, t):
    """Input token at position t (the start token at t = 0, else k_{t-1}) with KV-caches:
    (the parameters of p(k_t | k_<t), B x P; the new caches)."""
    h = self.embed(token_B[:, None], offset=t)
    new = []
    for block, cache in zip(self.blocks, caches):
      h, cache = block(h, cache=cache, index=t)
      new.append(cache)
    return self.head(self.ln_final(h))[:, 0], new

  def empty_cache(self, batch: int):
    return init_cache(batch, int(np.prod(self.image_shape)), self.num_layers, self.num_heads,
                      self.d_model // self.num_heads)


# --- the per-pixel distributions ------------------------------------------------------------------
def _mixture_parts(params_xP):
  m = params_xP.shape[-1] // 3
  logit_pi, mu, log_s = params_xP[..., :m], params_xP[..., m:2 * m], params_xP[..., 2 * m:]
  return jax.nn.log_softmax(logit_pi, -1), mu, jnp.maximum(log_s, LOG_SCALE_MIN)


def logistic_mixture_log_prob(params_xP, k):
  """log p(k) of the discretised logistic mixture (module docstring), k an integer array that
  broadcasts against params_xP[..., 0]; numerically stable form of PixelCNN++."""
  log_pi, mu, log_s = _mixture_parts(params_xP)
  k = jnp.asarray(k)
  k = k.reshape((1,) * (mu.ndim - 1 - k.ndim) + k.shape + (1,))  # broadcast as params[..., :1]
  x = 2.0 * k.astype(jnp.float32) / (LEVELS - 1) - 1.0
  centred = x - mu
  inv_s = jnp.exp(-log_s)
  plus_in = inv_s * (centred + 1.0 / (LEVELS - 1))
  min_in = inv_s * (centred - 1.0 / (LEVELS - 1))
  log_cdf_plus = plus_in - jax.nn.softplus(plus_in)        # log sigma(plus_in), the k = 0 bin
  log_one_minus_cdf_min = -jax.nn.softplus(min_in)         # log (1 - sigma(min_in)), k = 255
  cdf_delta = jax.nn.sigmoid(plus_in) - jax.nn.sigmoid(min_in)
  mid_in = inv_s * centred                                 # log density at the bin centre x bin width
  log_pdf_mid = mid_in - log_s - 2.0 * jax.nn.softplus(mid_in) + math.log(2.0 / (LEVELS - 1))
  log_mid = jnp.where(cdf_delta > 1e-5, jnp.log(jnp.maximum(cdf_delta, 1e-12)), log_pdf_mid)
  log_p = jnp.where(k == 0, log_cdf_plus, jnp.where(k == LEVELS - 1, log_one_minus_cdf_min, log_mid))
  return jax.nn.logsumexp(log_p + log_pi, axis=-1)


def log_prob_levels(likelihood: str, params_xP, k):
  """log p(k) per pixel (nats), params_xP the model's output at the same positions as k."""
  if likelihood == 'softmax':
    logp_x256 = jax.nn.log_softmax(params_xP, -1)
    return jnp.take_along_axis(logp_x256, jnp.asarray(k, jnp.int32)[..., None], -1)[..., 0]
  return logistic_mixture_log_prob(params_xP, k)


def bin_log_probs(likelihood: str, params_xP):
  """log p(k) for every k = 0..255: ... x 256 (sampling and arithmetic coding)."""
  if likelihood == 'softmax':
    return jax.nn.log_softmax(params_xP, -1)
  return logistic_mixture_log_prob(params_xP[..., None, :], jnp.arange(LEVELS))


def image_log_prob(likelihood: str, params_BxHxWxP, k_BxHxW):
  """log p(x) = sum_i log p(x_i | x_<i) per image, in nats."""
  return jnp.sum(log_prob_levels(likelihood, params_BxHxWxP, k_BxHxW), axis=(1, 2))


def sample_raster(apply_fn, likelihood: str, rng, n: int, image_shape):
  """n images drawn pixel by pixel in raster order, k_i ~ p(k_i | k_<i): D full forward passes
  of apply_fn (levels B x H x W -> parameters B x H x W x P) inside one lax.fori_loop."""
  hh, ww = image_shape

  def body(i, k_NxHxW):
    r, c = i // ww, i % ww
    params_NxP = apply_fn(k_NxHxW)[:, r, c]
    draw = jax.random.categorical(jax.random.fold_in(rng, i), bin_log_probs(likelihood, params_NxP))
    return k_NxHxW.at[:, r, c].set(draw.astype(jnp.int32))

  return jax.lax.fori_loop(0, hh * ww, body, jnp.zeros((n, hh, ww), jnp.int32))


def sample_cached(model: PixelTransformer, variables, rng, n: int):
  """n images from a PixelTransformer, one token per step with KV-caches (O(D) per step)."""
  hh, ww = model.image_shape
  caches = model.apply(variables, n, method=PixelTransformer.empty_cache)

  def step(carry, t):
    caches, prev_N = carry
    params_NxP, caches = model.apply(variables, caches, prev_N, t, method=PixelTransformer.decode_step)
    draw = jax.random.categorical(jax.random.fold_in(rng, t),
                                  bin_log_probs(model.likelihood, params_NxP)).astype(jnp.int32)
    return (caches, draw), draw

  start = jnp.full((n,), LEVELS, jnp.int32)
  _, draws_DxN = jax.lax.scan(step, (caches, start), jnp.arange(hh * ww))
  return draws_DxN.T.reshape(n, hh, ww)
