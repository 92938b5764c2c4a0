"""A Fashion-MNIST stand-in for the chest X-ray small project (seed 003 §3, c27): normal / bacterial
/ viral pneumonia, imbalanced: data.name = 'fashion_mnist_xray'.

The X-ray images are not available offline, so three Fashion-MNIST classes play the three
diagnoses, chosen to have the X-ray task's structure: 'normal' = Shirt (6), the majority;
'bacterial' = Pullover (2) and 'viral' = Coat (4), the two minority "diseases", which look alike
(pullover vs coat is among Fashion-MNIST's most confused pairs, as bacterial vs viral pneumonia is
hard to tell on an X-ray) and both resemble the majority class (shirts), so a model trained on
imbalanced data absorbs them into 'normal'.

Splits, from the 6,000 source training images of each class (read from the local IDX files that
fashion_mnist's cache is built from: the 60,000 training images, not fashion_mnist's carve), fixed
by data.subsample_seed (default 0; the same for every run seed):
  train       n_normal = 5,000 shirts and 5,000 / r pullovers and coats each, for
              data.imbalance = (10, 1, 1) (normal : bacterial : viral; the default) -> 5000/500/500
  validation  the deployment prior too: 1,000 shirts, 100 pullovers, 100 coats (disjoint from
              train); thresholds and other choices are made here
  test        the natural (balanced) Fashion-MNIST test images of the three classes, 1,000 each.
              Recall, ROC and ROC-AUC do not depend on the class prior; precision, F1 and average
              precision do, so the study reports them on test both as they are and re-weighted to the
              deployment prior (sample weight prior_c / (1/3) per class: a 10:1:1 test set without
              throwing test images away).
data.view picks the labels (the task of one classifier of the triclass-vs-cascade comparison):
  'triclass' (default)  0 normal, 1 bacterial, 2 viral
  'disease'             0 normal, 1 disease (bacterial or viral): stage 1 of the cascade
  'subtype'             only the disease images, 0 bacterial, 1 viral: stage 2 of the cascade
Examples are in a seeded random order (so data.{split}_limit keeps the class mix). Inputs in [0, 1].
"""
import functools

import numpy as np

from dljax import settings
from dljax.data import builders, splits
from dljax.data.datasets import fashion_mnist
from dljax.errors import DataError

NAMES = ('fashion_mnist_xray',)
KIND = 'supervised'
SOURCE_CLASSES = (6, 2, 4)  # Shirt, Pullover, Coat of Fashion-MNIST
DIAGNOSES = ('normal', 'bacterial', 'viral')
VIEWS = {'triclass': DIAGNOSES, 'disease': ('normal', 'disease'), 'subtype': ('bacterial', 'viral')}
N_NORMAL = {'train': 5000, 'validation': 1000}  # of the 6,000 source images per class
DEFAULT_IMBALANCE = (10, 1, 1)


def _view(data_cfg) -> str:
  view = data_cfg.get('view', 'triclass')
  if view not in VIEWS:
    raise DataError(f'data.view={view!r} is unknown for fashion_mnist_xray; use one of '
                    f'{list(VIEWS)}.')
  return view


def imbalance(data_cfg) -> tuple:
  """(normal, bacterial, viral) ratio of train and validation, checked."""
  ratio = tuple(float(r) for r in (data_cfg.get('imbalance', None) or DEFAULT_IMBALANCE))
  if len(ratio) != 3 or any(not np.isfinite(r) or r <= 0 for r in ratio) or ratio[0] < max(ratio):
    raise DataError(f'data.imbalance={ratio}; give (normal, bacterial, viral) > 0 with normal the '
                    'largest, e.g. (10, 1, 1).')
  return ratio


def counts(data_cfg, split: str) -> tuple:
  """Images per diagnosis (normal, bacterial, viral) in `split` before the view and the limits."""
  if split == 'test':
    return (1000, 1000, 1000)
  ratio = imbalance(data_cfg)
  return tuple(int(round(N_NORMAL[split] * r / ratio[0])) for r in ratio)


def prior(data_cfg) -> np.ndarray:
  """The deployment prior of the diagnoses (that of train and validation)."""
  ratio = np.asarray(imbalance(data_cfg), np.float64)
  return ratio / ratio.sum()


@functools.lru_cache(maxsize=2)
def _source(split: str):
  """(images in [0, 1], labels) of Fashion-MNIST's 60,000 training / 10,000 test images, read once
  per process from the local IDX files (the files dljax's fashion_mnist is built from)."""
  images, labels = builders.fashion_mnist_arrays(settings.fashion_mnist_dir(), split)
  return splits.scale(images, fashion_mnist.STORED_RANGE, NAMES[0]), labels


@functools.lru_cache(maxsize=4)
def _pools(ratio: tuple, seed: int):
  """{diagnosis: (train images, validation images)}: a seeded draw without replacement from the
  6,000 source training images of each class (so validation is disjoint from train)."""
  x, y = _source('train')
  rng = np.random.default_rng(seed)
  n_tr, n_va = (tuple(int(round(N_NORMAL[s] * r / ratio[0])) for r in ratio)
                for s in ('train', 'validation'))
  out = {}
  for d, c in enumerate(SOURCE_CLASSES):
    idx = rng.permutation(np.flatnonzero(y == c))
    out[d] = (x[idx[:n_tr[d]]], x[idx[n_tr[d]:n_tr[d] + n_va[d]]])
  return out


def load(data_cfg, split):
  splits.check_split(data_cfg.name, split)
  view = _view(data_cfg)
  if split == 'test':
    x_test, y_test = _source('test')
    xs = [x_test[y_test == c] for c in SOURCE_CLASSES]
  else:
    pools = _pools(imbalance(data_cfg), int(data_cfg.get('subsample_seed', 0)))
    xs = [pools[d][0 if split == 'train' else 1] for d in range(3)]
  x = np.concatenate(xs)
  diagnosis = np.concatenate([np.full(len(v), d, np.int32) for d, v in enumerate(xs)])
  if view == 'disease':
    y = (diagnosis > 0).astype(np.int32)
  elif view == 'subtype':
    x, y = x[diagnosis > 0], (diagnosis[diagnosis > 0] - 1).astype(np.int32)
  else:
    y = diagnosis
  seed = int(data_cfg.get('subsample_seed', 0)) + {'train': 1, 'validation': 2, 'test': 3}[split]
  order = np.random.default_rng(seed).permutation(len(y))
  limit = data_cfg.get(f'{split}_limit', 0)
  order = order[:limit] if limit else order
  return {'x': x[order], 'y': y[order]}


def info(data_cfg):
  view = _view(data_cfg)
  imbalance(data_cfg)
  return splits.Info('supervised', shape=(28, 28, 1), num_classes=len(VIEWS[view]),
                     class_names=VIEWS[view], value_range=(0.0, 1.0),
                     description='Fashion-MNIST Shirt / Pullover / Coat standing in for chest X-ray '
                                 'normal / bacterial / viral, imbalanced in train and validation.')
