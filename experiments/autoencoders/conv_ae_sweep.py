r"""Conv AE on Fashion-MNIST (configs/autoencoders/conv_ae.py): the code size k, and the decoder's
upsampling (transposed conv vs nearest + conv vs bilinear + conv vs sub-pixel / pixel shuffle).

  python -m experiments.study autoencoders/conv_ae_sweep --workdir=runs/conv_ae_sweep [--preset=cpu] [--publish]

Runs: k in LATENTS with the transposed-conv decoder, and every other decoder of UPSAMPLERS at k = 32.
Table: test MSE and PSNR per run, PCA's MSE at the same k where REFERENCES.md §9 has it, and the
checkerboard ratio: the power of the reconstructions at the three Nyquist frequencies of the 28x28
grid ((14, 0), (0, 14), (14, 14): period-2 patterns) over that of the test images (1: none added;
> 1: the decoder adds a checkerboard). Plots: conv_ae_sweep.png (MSE against k; MSE and
checkerboard ratio per decoder) and conv_ae_reconstructions.png (test images and each decoder's
reconstruction at k = 32).
"""
import jax
import numpy as np

from configs.autoencoders import conv_ae
from experiments.tools import study_utils

LATENTS = {'smoke': (4, 32), 'cpu': (8, 32, 128)}
UPSAMPLERS = ('transposed', 'nearest', 'bilinear', 'pixel_shuffle')
PCA_MSE = {10: 0.02435, 32: 0.01514, 128: 0.00631}


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(LATENTS))
  for k in LATENTS[preset]:
    config = conv_ae.get_config(preset)
    config.model.latent_dim = k
    yield f'k{k}_transposed', config
  for up in UPSAMPLERS[1:]:
    config = conv_ae.get_config(preset)
    config.model.upsample = up
    yield f'k32_{up}', config


def nyquist_power(images_NxHxW) -> float:
  """Mean power of the images at the three Nyquist frequencies (period-2 patterns)."""
  f = np.fft.fft2(np.asarray(images_NxHxW, np.float64))
  h, w = images_NxHxW.shape[1:3]
  return float(np.mean(np.abs(f[:, h // 2, 0]) ** 2 + np.abs(f[:, 0, w // 2]) ** 2
                       + np.abs(f[:, h // 2, w // 2]) ** 2))


def report(summaries: dict, out: str) -> dict:
  from dljax import viz  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  table, recon = {}, {}
  x = None
  for name, summary in summaries.items():
    run = loop.load_run(summary['workdir'])
    if x is None:
      x = np.asarray(run.data['test']['x'][:1000])
    r = np.asarray(jax.jit(lambda v, run=run: run.task.predict(run.state, v))(x))
    k = run.config.model.latent_dim
    table[name] = {'k': k, 'upsample': run.config.model.upsample,
                   'test/mse': summary['final']['test/mse'],
                   'test/psnr': summary['final']['test/psnr'],
                   'pca_mse': PCA_MSE.get(k),
                   'checkerboard': nyquist_power(r[..., 0]) / nyquist_power(x[..., 0])}
    if k == 32:
      recon[run.config.model.upsample] = np.clip(r[:8], 0, 1)
  plt = viz.plt
  fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
  ks = sorted((v['k'], v['test/mse']) for v in table.values() if v['upsample'] == 'transposed')
  axes[0].plot([a for a, _ in ks], [b for _, b in ks], 'o-', label='conv AE (transposed)')
  pk = sorted(PCA_MSE.items())
  axes[0].plot([a for a, _ in pk], [b for _, b in pk], 's--', label='PCA (REFERENCES.md §9)')
  axes[0].set_xscale('log')
  axes[0].set_xlabel('code size k')
  axes[0].set_ylabel('test MSE per pixel')
  axes[0].legend(fontsize=8)
  ups = [v for v in table.values() if v['k'] == 32]
  axes[1].bar([v['upsample'] for v in ups], [v['test/mse'] for v in ups])
  axes[1].set_ylabel('test MSE per pixel (k = 32)')
  axes[2].bar([v['upsample'] for v in ups], [v['checkerboard'] for v in ups])
  axes[2].axhline(1.0, color='k', lw=0.8)
  axes[2].set_ylabel('Nyquist power: reconstruction / data')
  for ax in axes[1:]:
    ax.tick_params(axis='x', labelsize=8)
  fig.tight_layout()
  viz._write(fig, f'{out}/conv_ae_sweep.png')  # pylint: disable=protected-access
  rows = {'test images': np.clip(x[:8], 0, 1)}
  rows.update({f'{up}': img for up, img in recon.items()})
  viz.image_rows(rows, f'{out}/conv_ae_reconstructions.png',
                 vranges={k: (0, 1) for k in rows})
  return table

