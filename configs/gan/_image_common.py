"""The skeleton shared by the Fashion-MNIST GAN configs (task 'image_gan', dljax/train/tasks/gan.py)."""
import ml_collections

from configs import common

# smoke: a few steps, the tiny feature net (dljax.eval.sample_quality.FEATURE_NETS) and 200 samples
SMOKE = dict(steps=4, batch_size=32, eval_batch_size=500, train_limit=256, validation_limit=500,
             test_limit=500)


def image_gan(preset: str, name: str, loss: str, lr: float, b1: float = 0.5, b2: float = 0.999,
              d_lr: float = None):
  """Fashion-MNIST (28 x 28 x 1 in [0, 1]); G and D trained by Adam(lr, b1, b2) each (D at d_lr);
  val/fd on gan.eval_samples samples chooses best/."""
  config = common.base(preset, name=name, task='image_gan')
  config.data.name = 'fashion_mnist'
  config.model.name = 'gan'
  config.model.latent_dim = 64
  config.model.noise = 'normal'
  config.model.out_shape = (28, 28, 1)
  config.optim.name = 'adam'
  config.optim.lr = lr
  config.optim.b1 = b1
  config.optim.b2 = b2
  config.optim_d = ml_collections.ConfigDict(config.optim.to_dict())
  config.optim_d.lr = d_lr or lr
  config.gan = ml_collections.ConfigDict(dict(
      loss=loss, d_steps=1, clip=0.01, gp_weight=10.0, eval_samples=2000,
      feature_net='tiny' if preset == 'smoke' else 'cnn'))
  if preset == 'smoke':
    config.gan.eval_samples = 200
  return config


def fd_reference(band, what: str):
  return common.reference('test/fd', band, unit='', source=f'expectation: {what}. FD in the pinned '
                          'dljax classifier features (sample_quality), not Inception-FID; floors '
                          'FD(train, test) ~0.5 and FD(test, noise) ~300 at n = 2000-5000')
