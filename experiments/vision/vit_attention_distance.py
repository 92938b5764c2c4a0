r"""Mean attention distance per head and layer of a trained ViT (Dosovitskiy et al. 2021, Fig. 7).

  python -m experiments.vision.vit_attention_distance --run=runs/fmnist_vit [--images=500] [--out=docs/plots]

Reads the run's config.json and the params of its newest checkpoint, runs the ViT on the first
--images test images with the attention weights sown, and plots, for each layer, the mean pixel
distance over which each head attends (dljax.eval.mean_attention_distance): one dot per head.
Writes <out>/vit_attention_distance.png and .json ({layer: [d_head, ...], 'uniform': d}); the
dashed line is the distance of uniform attention over all patches.
"""
import json
import os

import jax
import ml_collections
from absl import app, flags


def distances(run: str, n_images: int) -> dict:
  """{'block1': [d_h ...], ..., 'grid_hw', 'patch'} of the run's ViT on the first n_images test
  images."""
  from dljax import data as data_lib, models  # pylint: disable=g-import-not-at-top
  from dljax.eval import mean_attention_distance  # pylint: disable=g-import-not-at-top
  from dljax.train import init_from  # pylint: disable=g-import-not-at-top
  with open(os.path.join(run, 'config.json')) as f:
    config = ml_collections.ConfigDict(json.load(f))
  config.model.sow_weights = True
  model = models.build(config.model)
  params = init_from.restore_params(run)
  data_cfg = ml_collections.ConfigDict(dict(config.data))
  data_cfg.test_limit = n_images
  x = data_lib.load_split(data_cfg, 'test')['x']
  _, state = jax.jit(lambda p, x: model.apply({'params': p}, x, mutable=['intermediates']))(params, x)
  blocks = state['intermediates']['encoder']
  grid_hw = (x.shape[1] // model.patch, x.shape[2] // model.patch)
  table = {name: [float(d) for d in mean_attention_distance(
      blocks[name]['attention']['attention_weights'][0], grid_hw, model.patch,
      cls_token=model.pool == 'cls')] for name in sorted(blocks, key=lambda n: int(n[5:]))}
  return dict(table, grid_hw=grid_hw, patch=model.patch)


def plot(table: dict, path: str, title: str, uniform: float) -> str:
  from dljax import viz  # pylint: disable=g-import-not-at-top
  layers = list(table)
  points = {f'head {h + 1}': (list(range(1, len(layers) + 1)), [table[l][h] for l in layers])
            for h in range(len(table[layers[0]]))}
  return viz.scatter_series(points, 'layer', 'mean attention distance (pixels)', path, title=title,
                            hline=(uniform, f'uniform attention ({uniform:.1f})'))


def main(argv):
  del argv
  table = distances(_RUN.value, _IMAGES.value)
  os.makedirs(_OUT.value, exist_ok=True)
  from dljax.eval import patch_distances  # pylint: disable=g-import-not-at-top
  uniform = float(patch_distances(table.pop('grid_hw'), table.pop('patch')).mean())
  with open(os.path.join(_OUT.value, 'vit_attention_distance.json'), 'w') as f:
    json.dump(dict(table, uniform=uniform), f, indent=2)
  path = plot(table, os.path.join(_OUT.value, 'vit_attention_distance.png'),
              f'ViT on Fashion-MNIST: attention distance per head ({_IMAGES.value} test images)',
              uniform)
  for name, ds in table.items():
    print(name, ' '.join(f'{d:5.2f}' for d in ds))
  print('plot:', path)


if __name__ == '__main__':
  # flags are defined only when run as a script, so tests can import several studies
  _RUN = flags.DEFINE_string('run', None, 'Workdir of a finished fmnist_vit run.')
  _IMAGES = flags.DEFINE_integer('images', 500, 'Test images to average over.')
  _OUT = flags.DEFINE_string('out', 'docs/plots', 'Output folder for the plot and the JSON.')
  flags.mark_flags_as_required(['run'])
  app.run(main)
