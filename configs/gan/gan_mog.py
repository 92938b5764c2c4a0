r"""GAN (Goodfellow et al. 2014, non-saturating generator loss) on a ring of 8 Gaussians (radius 2,
std 0.02): the mode-collapse toy of seed 003's GAN lectures (l.1324-1445).

  python -m experiments.train --config=configs/gan/gan_mog.py:cpu --workdir=runs/gan_mog

Metrics (on 1024 samples of G): test/modes = modes holding >= 1 % of the samples (8 is all of them),
test/high_quality = fraction of samples within 3 std (0.06) of a mode centre. Samples are drawn in
<workdir>/plots/samples.png.
Reference: the notes give no numbers. The toy and both metrics follow the mode-collapse benchmarks
of VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018); their numbers are not reproduced here.
MEASURED (cpu preset: Adam lr 1e-3 -> 0 cosine, b1 = 0.5, for G and D; 10,000 steps, batch 256, seed 0;
2-core CPU, quiet machine): test/modes = 8, test/high_quality = 0.964; 23 s training, 28 s per
command. At evaluation steps 6000-10,000 it stays at 0.95-0.96. Latent dimension 2: the few samples
off the modes are G's continuous bridges between them (plots/samples.png).
VARIANTS (--only=gan_mog:<name>): the same ring with other objectives (dljax/train/tasks/gan.py):
wgan_gp (critic + gradient penalty, 5 critic steps), sngan (hinge loss, spectral-norm D), wgan (weight
clipping), mmd (MMD-GAN), f_kl and f_rkl (f-GAN), minimax (the saturating G loss).
"""
import ml_collections

from configs import common

_RING = 'expectation: all 8 modes covered (VEEGAN / PacGAN count modes; no number in REFERENCES.md)'
VARIANTS = {
    'wgan_gp': ({'gan.loss': 'wgan_gp', 'gan.d_steps': 5},
                common.reference('test/modes', (7, 8), unit='', source=_RING)),
    'sngan': ({'gan.loss': 'hinge', 'model.d_norm': 'spectral'},
              common.reference('test/modes', (7, 8), unit='', source=_RING)),
    'wgan': ({'gan.loss': 'wgan', 'gan.d_steps': 5, 'optim.name': 'rmsprop',
              'optim_d.name': 'rmsprop', 'optim.lr': 5e-4, 'optim_d.lr': 5e-4},
             common.no_reference('WGAN with clipping on the ring: a slow, capacity-limited critic')),
    'mmd': ({'gan.loss': 'mmd'}, common.no_reference('MMD-GAN objective on the ring')),
    'f_kl': ({'gan.loss': 'f_kl'}, common.no_reference('f-GAN, KL: mode-covering in theory')),
    'f_rkl': ({'gan.loss': 'f_rkl'}, common.no_reference('f-GAN, reverse KL: mode-seeking')),
    'minimax': ({'gan.loss': 'minimax'},
                common.no_reference('the saturating G loss log(1 - D(G(z)))')),
}


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='gan_mog', task='gan')
  config.data.name = 'toy_rings'
  config.model.name = 'mlp_gan'
  config.model.latent_dim = 2
  config.model.g_hidden = (128, 128)
  config.model.d_hidden = (128, 128)
  config.model.d_norm = 'none'  # 'spectral' in the sngan variant
  config.optim.name = 'adam'  # the generator's optimizer
  config.optim.lr = 1e-3
  config.optim.b1 = 0.5
  # decaying both rates to 0 damps the G/D oscillation around the modes (constant 1e-3: 0.3-0.7
  # high quality, jumping between evaluations; cosine: ~0.96, steady)
  config.optim.schedule = common.schedule('warmup_cosine', warmup_steps=1)
  config.optim_d = ml_collections.ConfigDict(config.optim.to_dict())  # the discriminator's
  config.gan = ml_collections.ConfigDict(dict(loss='ns', d_steps=1, clip=0.01, gp_weight=1.0))
  config.reference = common.reference(
      'test/modes', (7, 8), unit='', source='expectation: a GAN that does not collapse covers '
      'all 8 modes (the VEEGAN / PacGAN benchmarks count them; no number in REFERENCES.md)')
  common.preset(config, preset,
                smoke=dict(steps=10, batch_size=64, eval_batch_size=512),
                cpu=dict(steps=10000, batch_size=256, log_every=50, eval_every=1000),
                full=dict(steps=30000, batch_size=256, log_every=50, eval_every=2000))
  return config
