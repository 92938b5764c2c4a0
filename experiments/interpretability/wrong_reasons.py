r"""Right for the wrong reasons (seed 001 c49: "doctor vs nurse predicted from gender"): a
Fashion-MNIST variant with a class-correlated watermark; the model learns it, saliency shows it,
and the watermark-free test set shows the damage.

  python -m experiments.study interpretability/wrong_reasons --workdir=runs/wrong_reasons [--preset=cpu] [--publish]

Runs (configs/vision/fmnist_mlp.py's 784-256-128-100 ReLU MLP, no dropout, Adam 1e-3, 1,500
steps of batch 128): `watermarked` trains on fashion_mnist_watermark (90 % of the training and
validation images of class k carry a 3 x 3 white square at class k's position,
dljax.data.datasets.fashion_mnist_watermark), `clean` on plain Fashion-MNIST. Validation carries the
watermark too, so model selection cannot notice the shortcut. report() measures both on the test
images three ways: clean (the test split), with their own class's watermark, and with the
watermark of another class (k + 1 mod 10); and the share of the gradient saliency |dS_c/dx| that
falls inside the class's watermark square (9 of 784 pixels = 1.1 % by area) on own-watermarked
test images. Plot wrong_reasons.png: accuracies, and saliency maps of both models.
Measured numbers: docs/interpretability/notes.md. Smoke: 4 steps, 200 test images.
"""
import jax
import jax.numpy as jnp
import numpy as np

from configs import common
from configs.vision import fmnist_mlp
from dljax.data.datasets import fashion_mnist_watermark as wm
from dljax.eval import attribution as A
from experiments.tools import study_utils

PRESETS = {'smoke': dict(steps=4, test=200), 'cpu': dict(steps=1500, test=10_000)}


def make_config(preset: str, data_name: str):
  study_utils.check_preset(preset, tuple(PRESETS))
  config = fmnist_mlp.get_config(preset)
  config.name = f'wrong_reasons_{data_name}'
  config.data.name = data_name
  config.model.dropout = 0.0
  config.optim.schedule = common.schedule('constant')
  steps = PRESETS[preset]['steps']
  config.train.update(steps=steps, epochs=0.0, eval_every=steps, checkpoint_every=steps)
  config.reference = common.no_reference('a shortcut demonstration: the watermark-free test '
                                         'accuracy against the watermarked validation accuracy')
  return config


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  yield 'watermarked', make_config(preset, 'fashion_mnist_watermark')
  yield 'clean', make_config(preset, 'fashion_mnist')


def compute(summaries: dict, preset: str) -> dict:
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  n = PRESETS[preset]['test']
  out, maps = {}, {}
  for name in ('watermarked', 'clean'):
    run = loop.load_run(summaries[name]['workdir'])
    task, state = run.task, run.state
    x, y = run.data['test']['x'][:n], np.asarray(run.data['test']['y'][:n])
    variants = {'clean': x, 'own_mark': wm.watermark(x, y), 'other_mark': wm.watermark(x, (y + 1) % 10)}
    predict = jax.jit(task.predict)
    acc = {}
    for v, xv in variants.items():
      pred = np.concatenate([np.asarray(predict(state, xv[i:i + 1000]).argmax(-1))
                             for i in range(0, len(xv), 1000)])
      acc[v] = float(np.mean(pred == y))
    k = min(n, 500)
    xo = jnp.asarray(variants['own_mark'][:k])
    sal = np.asarray(jax.jit(lambda s, z: A.explain(lambda q: task.predict(s, q), z, 'saliency',
                                                    jnp.asarray(y[:k])))(state, xo))[..., 0]
    inside = np.stack([wm.region(c) for c in y[:k]])
    share = float(np.mean((sal * inside).sum((1, 2)) / sal.sum((1, 2))))
    out[name] = {'accuracy': acc, 'saliency_share_in_mark': share,
                 'val_accuracy': summaries[name]['final'].get('val/accuracy')}
    maps[name] = sal[:6]
  out['mark_area_share'] = wm.SIZE ** 2 / 784
  return out, maps, np.asarray(variants['own_mark'][:6])[..., 0], y[:6]


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  study_utils.check_preset(preset, tuple(PRESETS))
  table, maps, images, labels = compute(summaries, preset)
  plot(table, maps, images, labels, f'{out}/wrong_reasons.png')
  return table


def plot(t, maps, images, labels, path):
  from dljax import viz  # pylint: disable=g-import-not-at-top
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  k = len(images)
  fig = plt.figure(figsize=(2 + 1.5 * k, 5.5))
  ax = fig.add_subplot(3, 1, 1)
  variants = list(t['clean']['accuracy'])
  for j, name in enumerate(('watermarked', 'clean')):
    ax.bar(np.arange(3) + (j - 0.5) * 0.38, [t[name]['accuracy'][v] for v in variants], 0.38,
           label=f'trained {name}: saliency in mark {t[name]["saliency_share_in_mark"]:.1%}')
  ax.set_xticks(range(3), [f'test: {v}' for v in variants])
  ax.set_ylabel('test accuracy')
  ax.legend(fontsize=7)
  for row, name in enumerate(('watermarked', 'clean')):
    for i in range(k):
      a = fig.add_subplot(3, k, (row + 1) * k + i + 1)
      a.imshow(images[i], cmap='gray', alpha=0.35)
      a.imshow(maps[name][i], cmap='hot', alpha=0.65)
      a.set_title(f'{name}, y={labels[i]}', fontsize=6)
      a.axis('off')
  fig.suptitle('a class-correlated watermark: learned, visible in saliency, costly without it',
               fontsize=9)
  return viz._write(fig, path)  # pylint: disable=protected-access
