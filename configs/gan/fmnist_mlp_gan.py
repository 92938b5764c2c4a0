r"""MLP GAN on Fashion-MNIST with uniform noise (Goodfellow et al. 2014): G = MLP 64 -> 256 -> 512 ->
784 (sigmoid), D = MLP 784 -> 512 -> 256 -> 1 (LeakyReLU 0.2), non-saturating G loss, z ~ U(-1, 1)^64.

  python -m experiments.train --config=configs/gan/fmnist_mlp_gan.py:cpu --workdir=runs/fmnist_mlp_gan

Metrics (val/ chooses best/, test/ reported): FD, KID, precision / recall / density / coverage and the
classifier IS of 2000 samples against 2000 test images in the pinned feature net's space
(dljax/eval/sample_quality.py); D's batch accuracy train/d_acc. Plots: plots/samples.png,
plots/interpolations.png.
Reference: no published number in this feature space; the floors are FD(train, test) and
FD(test, noise) (docs/gan/notes.md).
cpu preset: 3000 steps, batch 64, Adam 2e-4 (b1 = 0.5). full preset: 30,000 steps (GPU; not run).
MEASURED: docs/gan/README.md.
"""
from configs import common
from configs.gan import _image_common as image_common


def get_config(preset: str = 'cpu'):
  config = image_common.image_gan(preset, 'fmnist_mlp_gan', loss='ns', lr=2e-4)
  config.model.noise = 'uniform'
  config.model.g_arch = config.model.d_arch = 'mlp'
  config.model.g_hidden = (256, 512)
  config.model.d_hidden = (512, 256)
  config.reference = image_common.fd_reference((0.0, 40.0), 'an MLP GAN lands far above the '
                                               'train/test floor and far below noise')
  common.preset(config, preset, smoke=image_common.SMOKE,
                cpu=dict(steps=3000, batch_size=64, eval_every=1000),
                full=dict(steps=30000, batch_size=64, eval_every=5000))
  return config
