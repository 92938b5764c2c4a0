r"""Checkerboard artefacts of transposed convolutions (seed 001 §1.2, c9; Odena, Dumoulin & Olah 2016).

  python -m experiments.study vision/checkerboard --workdir=runs/checkerboard [--preset=cpu] [--publish]

A transposed convolution of stride s spreads every input pixel over a k x k window of the output,
y[o s + i] += x[o] w[i]. When k is not a multiple of s, the windows overlap unevenly: with k = 3,
s = 2, output pixels of one parity receive two contributions per axis and the others one, so even a
constant input gives a periodic (checkerboard) output. Upsampling by nearest-neighbour or bilinear
resizing and then a stride-1 convolution ("resize-convolution") has no such imbalance.

No training: each upsampler maps a constant input (16 x 16 x C, C = 16) and Fashion-MNIST images
(replicated over C channels) with He-normal random kernels (dljax.models.upsample.conv_transpose,
checked against torch in tests/models/test_upsample.py). The checkerboard index of an output is
(max - min) / mean of its s x s phase means (the mean of y[p::s, q::s] over the interior, per
channel, averaged over channels): 0 when every phase gets the same mass. Computed for NUM_SEEDS
kernel draws: mean ± std; and once with a uniform kernel (every tap 1 / (k^2 C): the pure
overlap effect). Plot checkerboard.png: the constant input's output per upsampler
(channel 0) and the index as bars.
Expected: with the uniform kernel only transposed k = 3 (s = 2) is uneven (its overlap counts are
1, 2 per axis: 1 : 2 : 2 : 4 in 2-D); k = 4 and k = 2 (multiples of s) and both
resize-convolutions are flat. With random kernels every transposed convolution is uneven, because
each output phase reads a different subset of the kernel's taps (so a trained kernel has to learn
to balance them), while resize-convolution applies the same taps everywhere: 0 on a constant input.
"""
import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from dljax.models import upsample
from experiments.tools import study_utils

C = 16
NUM_SEEDS = {'smoke': 1, 'cpu': 3}
NUM_IMAGES = {'smoke': 4, 'cpu': 64}


def _he(key, shape):
  fan_in = shape[0] * shape[1] * shape[2]
  return jax.random.normal(key, shape) * jnp.sqrt(2.0 / fan_in)


def _conv_same(x, kernel):
  return lax.conv_general_dilated(x, kernel, (1, 1), 'SAME',
                                  dimension_numbers=('NHWC', 'HWIO', 'NHWC'))


def _uniform(key, shape):
  del key
  return jnp.full(shape, 1.0 / (shape[0] * shape[1] * shape[2]))


def _transposed(k):
  def up(x, key, init=_he):
    # padding (k - 2) / 2 keeps out = 2 H for even k; k = 3 crops one column with output_padding
    pad, extra = {2: (0, 0), 3: (1, 1), 4: (1, 0)}[k]
    return upsample.conv_transpose(x, init(key, (k, k, C, C)), stride=2, padding=pad,
                                   output_padding=extra)
  return up


def _resize_conv(resize):
  return lambda x, key, init=_he: _conv_same(resize(x, 2), init(key, (3, 3, C, C)))


UPSAMPLERS = {
    'transposed k=3': _transposed(3),
    'transposed k=4': _transposed(4),
    'transposed k=2': _transposed(2),
    'nearest + conv 3x3': _resize_conv(upsample.nearest),
    'bilinear + conv 3x3': _resize_conv(upsample.bilinear),
}


def checkerboard_index(y_BxHxWxC, s: int = 2, border: int = 2) -> np.ndarray:
  """(max - min) / mean of the s x s phase means of |y| (interior only), per example and channel,
  averaged over the channels: [B]."""
  y = jnp.abs(y_BxHxWxC[:, border:-border, border:-border])
  phases = jnp.stack([y[:, p::s, q::s].mean((1, 2)) for p in range(s) for q in range(s)], 0)
  index = (phases.max(0) - phases.min(0)) / jnp.maximum(phases.mean(0), 1e-12)
  return np.asarray(index.mean(-1))


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset)
  return []


def _images(n: int):
  from configs.vision import fmnist_cnn  # pylint: disable=g-import-not-at-top
  from dljax import data  # pylint: disable=g-import-not-at-top
  cfg = fmnist_cnn.get_config('smoke').data
  x = np.asarray(data.load_split(cfg, 'validation')['x'][:n], np.float32)
  x = x.reshape(n, 28, 28, 1)
  return jnp.asarray(np.repeat(x / max(float(x.max()), 1e-6), C, axis=-1))


def compute(preset: str) -> dict:
  study_utils.check_preset(preset)
  const = jnp.ones((1, 16, 16, C))
  images = _images(NUM_IMAGES[preset])
  table, outputs = {}, {}
  for name, up in UPSAMPLERS.items():
    per = {'constant': [], 'images': []}
    for seed in range(NUM_SEEDS[preset]):
      key = jax.random.PRNGKey(seed)
      y_const = up(const, key)
      assert y_const.shape == (1, 32, 32, C), (name, y_const.shape)
      per['constant'].append(float(checkerboard_index(y_const)[0]))
      per['images'].append(float(checkerboard_index(up(images, key)).mean()))
      if seed == 0:
        outputs[name] = np.asarray(y_const[0, :, :, 0])
    sd = lambda v: float(np.std(v, ddof=1)) if len(v) > 1 else 0.0
    uniform = float(checkerboard_index(up(const, None, _uniform))[0])
    table[name] = {'uniform_kernel': uniform, 'constant': float(np.mean(per['constant'])), 'constant_std': sd(per['constant']),
                   'images': float(np.mean(per['images'])), 'images_std': sd(per['images']),
                   'seeds': len(per['constant'])}
  ones = upsample.conv_transpose(const[..., :1], jnp.ones((3, 3, 1, 1)), stride=2, padding=1,
                                 output_padding=1)
  table['all_ones_kernel_k3'] = {'overlap_counts_2x2': np.asarray(ones[0, 4:6, 4:6, 0]).tolist()}
  return table, outputs


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  del summaries
  table, outputs = compute(preset)
  plot(table, outputs, f'{out}/checkerboard.png')
  return table


def plot(table: dict, outputs: dict, path: str) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top  (first: selects matplotlib's Agg)
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  del viz
  names = list(outputs)
  fig, axes = plt.subplots(1, len(names) + 1, figsize=(3.0 * (len(names) + 1), 3.4))
  for ax, name in zip(axes, names):
    ax.imshow(outputs[name][:12, :12], cmap='gray')
    ax.set_title(name, fontsize=9)
    ax.axis('off')
  ax = axes[-1]
  xs = np.arange(len(names))
  ax.bar(xs - 0.27, [table[n]['uniform_kernel'] for n in names], 0.27,
         label='uniform kernel, constant input')
  ax.bar(xs, [table[n]['constant'] for n in names], 0.27,
         yerr=[table[n]['constant_std'] for n in names], label='He kernels, constant input')
  ax.bar(xs + 0.27, [table[n]['images'] for n in names], 0.27,
         yerr=[table[n]['images_std'] for n in names], label='He kernels, Fashion-MNIST')
  ax.set_xticks(xs, names, rotation=40, ha='right', fontsize=7)
  ax.set_ylabel('checkerboard index')
  ax.legend(fontsize=7)
  fig.suptitle('Upsampling x2 with random He kernels: output on a constant input (channel 0, '
               'top-left 12 x 12)', fontsize=10)
  fig.tight_layout()
  fig.savefig(path, dpi=110)
  plt.close(fig)
  return path
