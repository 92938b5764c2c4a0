r"""Multilabel classification (seed 003 §1.2, §2.2): which of circle / square / triangle appear in a
generated image (1-3 shapes each, so the labels are not exclusive). One logistic loss per label,
  L(x, y) = sum_l -[y_l log s(f_l(x)) + (1 - y_l) log(1 - s(f_l(x)))],   y in {0, 1}^3,
instead of a softmax over mutually exclusive classes (config.loss = 'multilabel').

  python -m experiments.train --config=configs/basics/multilabel.py:cpu --workdir=runs/multilabel

Data: shapes_multilabel (dljax.data.datasets.shapes; 3,500 train / 500 validation / 1,000 test).
Metrics: test/accuracy is the Hamming accuracy (share of the 3 labels right), test/exact_match
every label right, test/micro_f1 over all labels. cpu preset: a CNN conv5x5-16, pool, conv5x5-32,
pool, FC-128, 3 scores; Adam 2e-3 with warm-up + cosine, batch 64, 3,000 steps, flips and shifts up to 3 px, dropout 0.3.
Measured and reference band: docs/basics/README.md (generated), details in docs/basics/notes.md.
Floor: the per-label majority answer scores 52.6 % Hamming and 7.5 % exact match on test.
"""
from configs import common
from dljax.data.datasets import shapes

_FLOOR = ('expectation: generated data, no published number; the per-label majority answer (rates '
          'of the training split) scores 52.6 % Hamming accuracy and 7.5 % exact match on test; '
          'the shapes are read from their outlines (contrast >= 0.25, noise 0.08), partly covered '
          'by later shapes, so a small CNN should get most labels right: ')


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='multilabel', task='classification')
  config.data.name = 'shapes_multilabel'
  config.class_names = shapes.LABELS
  config.loss = 'multilabel'
  config.model.name = 'cnn'
  config.model.features = {'smoke': (4, 8), 'cpu': (16, 32), 'full': (32, 64)}[preset]
  config.model.dense = {'smoke': 16, 'cpu': 128, 'full': 256}[preset]
  config.model.dropout = 0.3
  # the labels do not change under flips and small shifts: augmentation against overfitting
  config.augment = dict(flip=True, shift=3)
  config.model.num_outputs = len(shapes.LABELS)  # one score f_l(x) per label
  common.adam_warmup_cosine(config, preset, lr=2e-3, warmup_steps=100)
  config.reference = common.reference('test/accuracy', (0.90, 1.0),
                                      source=_FLOOR + '>= 90 % Hamming accuracy')
  common.preset(config, preset,
                smoke=dict(steps=4, batch_size=32, eval_batch_size=200, train_limit=256,
                           validation_limit=200, test_limit=200),
                cpu=dict(steps=3000, batch_size=64, eval_every=1000),
                full=dict(steps=20000, batch_size=128, eval_every=2000))
  return config
