r"""U-Net with vs without skip connections: Fashion-MNIST denoising (test PSNR) and shapes
segmentation (test mean IoU), four runs of the same networks, then one bar plot.

  python -m experiments.unet_skips --workdir=/work/runs/unet_skips [--preset=cpu]

Trains configs/vision/fmnist_unet.py and configs/vision/shapes_unet.py with model.skips = True and
False into <workdir>/<config>_{skips,noskip} (a finished run is not retrained), prints each final
metric with its training time, and writes docs/plots/unet_skips.png (and a copy in <workdir>).
"""
import json
import os
import shutil

from absl import app, flags, logging

from configs.vision import fmnist_unet, shapes_unet
from dljax import viz  # pylint: disable=unused-import  (first: selects matplotlib's Agg backend)
from dljax.train import loop
import matplotlib.pyplot as plt  # pylint: disable=g-bad-import-order,wrong-import-order

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# (config module, metric plotted, axis label)
STUDIES = ((fmnist_unet, 'test/psnr', 'denoising PSNR (dB), Fashion-MNIST, sigma 0.3'),
           (shapes_unet, 'test/iou', 'segmentation mean IoU, shapes'))


def define_flags():
  flags.DEFINE_string('workdir', None, 'Output folder (one subfolder per run).')
  flags.DEFINE_string('preset', 'cpu', 'Preset of both configs.')
  flags.DEFINE_string('plot', os.path.join(ROOT, 'docs', 'plots', 'unet_skips.png'), 'Plot path.')
  flags.DEFINE_bool('progress', True, 'Show a progress bar.')
  flags.mark_flags_as_required(['workdir'])


def run(workdir: str, preset: str = 'cpu', plot: str = None, progress: bool = False) -> dict:
  """Returns {(config name, skips): summary} and writes the plot."""
  results = {}
  for module, _, _ in STUDIES:
    for skips in (True, False):
      config = module.get_config(preset)
      config.model.skips = skips
      run_dir = os.path.join(workdir, f'{config.name}_{"skips" if skips else "noskip"}')
      results[(config.name, skips)] = loop.train_and_evaluate(config, run_dir, progress=progress)
  fig, axes = plt.subplots(1, len(STUDIES), figsize=(4.2 * len(STUDIES), 3.4))
  for ax, (module, metric, label) in zip(axes, STUDIES):
    name = module.get_config(preset).name
    values = [results[(name, s)]['final'][metric] for s in (True, False)]
    bars = ax.bar(['U-Net (skips)', 'no skips'], values, color=['tab:blue', 'tab:gray'])
    ax.bar_label(bars, fmt='%.3f' if metric == 'test/iou' else '%.2f')
    lo = min(values)
    ax.set_ylim(lo * 0.9 if metric == 'test/psnr' else 0, max(values) * 1.08)
    ax.set_title(label, fontsize=9)
    if metric == 'test/psnr':
      noisy = results[(name, True)]['final']['test/psnr_noisy']
      ax.axhline(noisy, color='tab:red', ls='--', lw=1, label=f'noisy input {noisy:.2f} dB')
      ax.set_ylim(min(lo, noisy) * 0.9, max(*values, noisy) * 1.08)
      ax.legend(fontsize=7, loc='lower right')
  fig.suptitle(f'U-Net with vs without skip connections ({preset} preset)', fontsize=10)
  fig.tight_layout()
  path = os.path.join(workdir, 'unet_skips.png')
  fig.savefig(path, dpi=110, bbox_inches='tight')
  plt.close(fig)
  if plot:
    os.makedirs(os.path.dirname(plot), exist_ok=True)
    shutil.copyfile(path, plot)
  return results


def main(argv):
  del argv
  logging.set_verbosity(logging.WARNING)
  f = flags.FLAGS
  results = run(f.workdir, f.preset, f.plot, progress=f.progress)
  for (name, skips), summary in results.items():
    print(f'{name} skips={skips}: {json.dumps(summary["final"])} '
          f'({summary["steps"]} steps, {summary["wall_s"]:.0f} s of training)')
  print(f'plot: {f.plot}')


if __name__ == '__main__':
  define_flags()
  app.run(main)
