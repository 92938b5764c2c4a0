"""The pieces the Fashion-MNIST self-supervised configs share (not a config: the leading underscore
keeps it out of the config glob): the small convnet SSLNet, the augmentation pairs, the probe and
collapse evaluators, and the presets.

Encoder f: relu(conv3x3) 16-32-64 with 2x average pools and a global average pool (h in R^64),
projection head g: 64-256-64. Views: dljax.data.augment's flip, shift by up to 4 pixels,
brightness 0.3, contrast 0.5 and gamma 0.3 (grey images: no colour jitter, no crop-and-resize).
"""
import ml_collections

from configs import common

AUGMENT = dict(flip=True, shift=4, brightness=0.3, contrast=0.5, gamma=0.3)
PROBE_LABELS = (10, 100, 1000, 0)  # labelled images per class (0 = all 5,500)
SUPERVISED_LABELS = 10


def fmnist(preset: str, name: str, task: str, steps: int = 1000, lr: float = 1e-3,
           augment=True, probe=True):
  config = common.base(preset, name=name, task=task)
  config.data.name = 'fashion_mnist'
  config.model.name = 'ssl_net'
  config.model.features = (8, 16) if preset == 'smoke' else (16, 32, 64)
  config.model.proj_hidden = 32 if preset == 'smoke' else 256
  config.model.proj_dim = 16 if preset == 'smoke' else 64
  config.model.pred_hidden = 0
  config.model.num_outputs = 0
  config.model.pair_outputs = 0
  if augment:
    config.augment = dict(AUGMENT)
  config.ssl = ml_collections.ConfigDict()
  common.adam_warmup_cosine(config, preset, lr=lr, warmup_steps=100)
  smoke = preset == 'smoke'
  if probe:
    config.evals.probe = dict(  # smoke: the probe alone (the baselines have their unit tests)
        type='probe', labels=(2,) if smoke else PROBE_LABELS, knn=3 if smoke else 20,
        steps=5 if smoke else 300, baselines=not smoke, supervised=0 if smoke else SUPERVISED_LABELS,
        supervised_steps=300)
  config.evals.collapse = dict(type='collapse', every='eval', n=200 if smoke else 2000)
  common.preset(config, preset,
                smoke=dict(common.FMNIST_SMOKE, train_limit=128, validation_limit=200, test_limit=200),
                cpu=dict(steps=steps, batch_size=256, eval_batch_size=1000, eval_every=500,
                         checkpoint_every=500),
                full=dict(steps=20 * steps, batch_size=512, eval_batch_size=1000,
                          eval_every=2000))
  return config


def probe_reference(config, band, source: str):
  """The reference of an SSL config: the all-labels linear probe (test, chosen on validation)."""
  config.reference = common.reference('probe/linear_all', band, source=source)
  return config
