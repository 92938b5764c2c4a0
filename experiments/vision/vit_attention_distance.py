r"""Mean attention distance per head and layer of a trained ViT (Dosovitskiy et al. 2021, Fig. 7).

  python -m experiments.study vision/vit_attention_distance --workdir=runs/vit_attention [--preset=cpu] [--publish]

Trains configs/vision/fmnist_vit.py (run 'fmnist_vit'; a finished run there is read back, not
retrained), reloads it with load_run, runs the ViT on the first 500 test images with the attention
weights sown, and plots for each layer the mean pixel distance over which each head attends
(dljax.eval.mean_attention_distance), one dot per head, into vit_attention_distance.png; the dashed
line is the distance of uniform attention over all patches. Table: {block: [d_head, ...], 'uniform'}.
Expected (cpu preset: fmnist_vit's 12 epochs, ~17 min on a 2-core CPU): every head of every layer
attends over 14.3-15.4 px on average, about the 14.4 px of uniform attention.
"""
import os

from configs.vision import fmnist_vit

N_IMAGES = 500


def runs(preset: str, workdir: str):
  del workdir
  yield 'fmnist_vit', fmnist_vit.get_config(preset)  # an unknown preset raises ValueError here


def distances(workdir: str, n_images: int = N_IMAGES) -> dict:
  """{'block1': [d_h ...], ..., 'grid_hw', 'patch'} of the ViT trained in `workdir` on the first
  n_images test images."""
  import jax  # pylint: disable=g-import-not-at-top
  from dljax.eval import mean_attention_distance  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  with open(os.path.join(workdir, 'config.json')) as f:
    config = loop.config_from_json(f.read())
  config.model.sow_weights = True  # the same parameters; the attention weights are sown
  run = loop.load_run(workdir, config=config)
  model, params = run.task.model, run.state.nets['model'].params
  x = run.data['test']['x'][:n_images]
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


def report(summaries: dict, out: str) -> dict:
  from dljax.eval import patch_distances  # pylint: disable=g-import-not-at-top
  table = distances(summaries['fmnist_vit']['workdir'])
  uniform = float(patch_distances(table.pop('grid_hw'), table.pop('patch')).mean())
  plot(table, f'{out}/vit_attention_distance.png',
       f'ViT on Fashion-MNIST: attention distance per head ({N_IMAGES} test images)', uniform)
  return dict(table, uniform=uniform)
