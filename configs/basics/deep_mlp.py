r"""A deep narrow MLP (10 hidden layers of 64) trained by full-batch plain SGD (lr 0.1) on the first
512 Fashion-MNIST training images: the network of the vanishing-gradient study (notes: backprop,
section 2.4), with the activation and the initialisation as options.

  python -m experiments.train --config=configs/basics/deep_mlp.py:cpu --workdir=runs/deep_mlp \
      --config.model.act=sigmoid --config.model.init_scheme=too_small

model.act: sigmoid | tanh | relu. model.init_scheme (dljax.models.mlp.INITS): he N(0, 2/n_in),
too_small N(0, 1e-6), too_large N(0, 1), constant (every weight 0.1: all units of a layer identical,
and SGD keeps them so). A diverging run (relu with too_large overflows within a few steps) keeps its
last finite state: train.nonfinite='skip' skips and counts the non-finite steps instead of halting.
The cpu preset (100 steps, a few seconds) is what experiments/basics/vanishing_gradients.py trains
per (activation, init); see that study for the measured gradient norms. No reference number.
"""
from configs import common


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='deep_mlp', task='classification')
  config.data.name = 'fashion_mnist'
  config.model.name = 'mlp'
  config.model.hidden = (64,) * 10
  config.model.act = 'relu'
  config.model.init_scheme = 'he'
  config.model.dropout = 0.0
  config.optim.name = 'sgd'
  config.optim.lr = 0.1
  config.optim.schedule = common.schedule('constant')
  config.train.nonfinite = 'skip'
  config.reference = common.no_reference(
      'a demonstration: the gradient norm per layer by activation and initialisation (the study '
      'basics/vanishing_gradients); the accuracy after 100 steps on 512 images is not the point')
  # full batch: batch_size = train_limit, so every step is one gradient step on the same images
  common.preset(config, preset,
                smoke=dict(steps=2, train_limit=64, batch_size=64, test_limit=500,
                           eval_batch_size=500),
                cpu=dict(steps=100, train_limit=512, batch_size=512, log_every=1, eval_every=100,
                         checkpoint_every=100),
                full=dict(steps=1000, train_limit=512, batch_size=512, log_every=1,
                          eval_every=1000, checkpoint_every=1000))
  return config
