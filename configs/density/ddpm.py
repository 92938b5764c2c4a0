r"""DDPM (Ho et al. 2020) on 8-bit Fashion-MNIST: a small time-conditioned U-Net predicts the noise
eps (the catalog's erratum: the target is eps), T = 1000 steps of a linear beta schedule; variant
'cosine': the cosine schedule (Nichol & Dhariwal 2021). Ancestral sampling (1000 steps) and DDIM
(50 steps, eta = 0) in plots/samples.png.

  python -m experiments.train --config=configs/density/ddpm.py:cpu --workdir=runs/ddpm

test/bpd: the variational bound in bits per 8-bit dimension (L_T + sum L_{t-1} + L_0 with the
discretised Gaussian decoder; the sum over t estimated from 8 stratified steps per image,
dljax/train/tasks/diffusion.py); test/eps_mse: ||eps - eps_hat||^2 per pixel.
cpu preset: U-Net widths (32, 64) (28 -> 14), one ResBlock per level, Adam 2e-4 warm-up + cosine,
batch 64, 300 steps (far from converged: Ho et al. train 800k steps), evaluated on 1,000 test
images. MEASURED (seed 0, 2-core CPU shared at load ~7): test/bpd 4.81, test/eps_mse 0.063, 242 s. full: widths (64, 128, 256), 2 blocks, 100k steps, the whole test set (untested here).
Reference: the 4.588 bits/dim floor of independent pixels (REFERENCES.md §9); Ho et al. report
<= 3.70 bits/dim on CIFAR-10 (not comparable).
Measured numbers: docs/density/README.md; notes: docs/density/diffusion_notes.md.
"""
from configs import common

FLOOR = 4.588  # REFERENCES.md §9


def bpd_reference():
  return common.reference(
      'test/bpd', (1.0, 6.0), unit='', value=FLOOR,
      source=f'expectation: a short cpu run of a small U-Net; the {FLOOR} bits/dim floor of '
             'independent pixels (REFERENCES.md §9) is the number to compare; no published '
             'Fashion-MNIST DDPM bound')


VARIANTS = {'cosine': ({'diffusion.schedule': 'cosine'}, bpd_reference())}


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='ddpm', task='diffusion')
  config.data.name = 'fashion_mnist'
  config.model.name = 'time_unet'
  config.model.widths = {'smoke': (8, 16), 'cpu': (32, 64), 'full': (64, 128, 256)}[preset]
  config.model.blocks = {'smoke': 1, 'cpu': 1, 'full': 2}[preset]
  config.model.emb_dim = {'smoke': 16, 'cpu': 64, 'full': 256}[preset]
  config.model.input_shape = (28, 28, 1)
  config.diffusion = dict(steps={'smoke': 50, 'cpu': 1000, 'full': 1000}[preset], schedule='linear',
                          beta_1=1e-4, beta_T=0.02, param='eps',
                          vlb_t={'smoke': 2, 'cpu': 8, 'full': 32}[preset],
                          sampler='ancestral', sample_steps={'smoke': 5, 'cpu': 50, 'full': 50}[preset],
                          eta=0.0)
  if preset == 'smoke':  # 50 steps of a linear schedule need larger betas to reach noise
    config.diffusion.beta_T = 0.3
  common.adam_warmup_cosine(config, preset, lr=2e-4 if preset == 'full' else 1e-3, warmup_steps=200)
  config.optim.grad_clip_norm = 1.0
  config.reference = bpd_reference()
  common.preset(config, preset,
                smoke=common.FMNIST_SMOKE,
                cpu=dict(steps=300, batch_size=64, eval_batch_size=500, test_limit=1000,
                         validation_limit=500, eval_every=300, checkpoint_every=300),
                full=dict(steps=100000, batch_size=128, eval_every=10000))
  return config
