r"""Fashion-MNIST autoencoder as an anomaly detector: a deep AE (784-256-16-256-784, ReLU) trained
without one class (data.classes keeps the other nine); the per-image reconstruction MSE scores
"anomalous", and ae_codes/auroc is its AUROC for the held-out class against the rest on the full
test set (own rank-sum AUROC, tested against sklearn's roc_auc_score).

  python -m experiments.train --config=configs/autoencoders/anomaly_ae.py:cpu --workdir=runs/anomaly_ae

cpu preset: anomaly class ANOMALY (trouser, fixed before any run), Adam 1e-3 with warm-up + cosine,
batch 128, 3,000 steps. Variant denoising: the same AE on all ten classes trained as a denoising AE
(noise_std = 0.3, target the clean image); ae_codes gives psnr_denoised of r(x + 0.3 eps) against x
next to psnr_noisy of the noisy input.
Reference: expectation: AUROC above 0.8 for a class of distinct shape (the held-out class is
reconstructed worse); denoising: 17-25 dB from ~10.5 dB noisy (the U-Net of configs/vision/
fmnist_unet.py reaches 19.8 dB).
"""
from configs import common

ANOMALY = 1  # trouser
NORMAL = tuple(c for c in range(10) if c != ANOMALY)
SIGMA = 0.3

VARIANTS = {'denoising': (
    {'data.classes': (), 'noise_std': SIGMA, 'evals.ae_codes.anomaly_class': -1,
     'evals.ae_codes.denoise_sigma': SIGMA},
    common.no_reference(  # an evaluator metric (not test/): the expectation, numbers in notes.md
      'expectation: an MLP denoising AE on sigma=0.3 Gaussian noise; the '
                            'U-Net denoiser of configs/vision/fmnist_unet.py reaches 19.8 dB'))}


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='anomaly_ae', task='autoencode')
  config.data.name = 'fashion_mnist'
  config.data.classes = NORMAL
  config.noise_std = 0.0
  config.model.name = 'mlp_ae'
  config.model.latent_dim = 16
  config.model.hidden = (256,)
  config.model.act = 'relu'
  common.adam_warmup_cosine(config, preset, lr=1e-3, warmup_steps=100)
  config.evals.ae_codes = dict(type='ae_codes', noise=False, anomaly_class=ANOMALY,
                               denoise_sigma=0.0)
  config.reference = common.no_reference(  # an evaluator metric (not test/): the expectation, numbers in notes.md
      'expectation: reconstruction error separates a held-out class of distinct shape '
             '(trouser) from the nine training classes')
  common.preset(config, preset,
                smoke=common.FMNIST_SMOKE,
                cpu=dict(steps=3000, batch_size=128, eval_every=1000, checkpoint_every=3000),
                full=dict(epochs=50, batch_size=128, eval_every=5000))
  return config
