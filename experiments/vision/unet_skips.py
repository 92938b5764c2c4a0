r"""U-Net with vs without skip connections: Fashion-MNIST denoising (test PSNR) and shapes
segmentation (test mean IoU), the same networks with model.skips on and off, one bar plot.

  python -m experiments.study vision/unet_skips --workdir=runs/unet_skips [--preset=cpu] [--publish]

Expected (cpu preset, 2-core CPU, ~4 min in all): PSNR 19.79 vs 17.96 dB (noisy input 12.80 dB),
mean IoU 0.689 vs 0.744; discussion: docs/vision/notes.md.
"""
from configs.vision import fmnist_unet, shapes_unet
from dljax import viz

# (config module, metric plotted, axis label)
TASKS = ((fmnist_unet, 'test/psnr', 'denoising PSNR (dB), Fashion-MNIST, sigma 0.3'),
         (shapes_unet, 'test/iou', 'segmentation mean IoU, shapes'))


def _name(module, skips: bool) -> str:
  return f'{module.__name__.rpartition(".")[2]}_{"skips" if skips else "noskip"}'


def runs(preset: str, workdir: str):
  del workdir
  for module, _, _ in TASKS:
    for skips in (True, False):
      config = module.get_config(preset)
      config.model.skips = skips
      yield _name(module, skips), config


def report(summaries: dict, out: str) -> dict:
  panels, table = [], {}
  for module, metric, label in TASKS:
    values = {'U-Net (skips)': summaries[_name(module, True)]['final'][metric],
              'no skips': summaries[_name(module, False)]['final'][metric]}
    table[metric] = values
    ref = None
    if metric == 'test/psnr':
      ref = ('noisy input', summaries[_name(module, True)]['final']['test/psnr_noisy'])
      table['test/psnr_noisy'] = ref[1]
    panels.append((label, values, ref))
  viz.bar_panels(panels, f'{out}/unet_skips.png',
                 title='U-Net with vs without skip connections')
  return table
