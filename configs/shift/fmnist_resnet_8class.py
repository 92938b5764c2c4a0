r"""Near-OOD detection on Fashion-MNIST: the small BatchNorm ResNet of fmnist_resnet_bn.py trained on 8
classes (T-shirt .. Sneaker, data.classes=(0, ..., 7)); the 2 held-out classes (Bag, Ankle boot) of
the test split are the near OOD set, next to digits (far), noise, inverted and flipped images.

  python -m experiments.train --config=configs/shift/fmnist_resnet_8class.py:cpu --workdir=runs/shift_8class

Metrics: ood/heldout_<score>_auroc (and aupr, fpr95) for MSP, max-logit, energy, Mahalanobis and
ViM on the penultimate features; the test accuracy is over the 8 kept classes. cpu preset: 2 epochs
of the ~44k kept training images. MEASURED: docs/shift/README.md.
Reference (pattern): near OOD (held-out classes of the same dataset) is much harder than far OOD;
no published number for this split.
"""
from configs import common
from configs.shift import fmnist_resnet_bn


def get_config(preset: str = 'cpu'):
  config = fmnist_resnet_bn.get_config(preset)
  config.name = 'fmnist_resnet_8class'
  config.data.classes = tuple(range(8))
  smoke = preset == 'smoke'
  config.evals = {}
  config.evals.ood = dict(type='ood', sets=('heldout', 'digits', 'noise', 'inverted', 'flipped'),
                          scores=('msp', 'max_logit', 'energy', 'mahalanobis', 'vim'),
                          limit=64 if smoke else 2000, fit_limit=256 if smoke else 5000)
  config.reference = common.no_reference(
      'near-OOD demonstration: held-out-class AUROC next to far-OOD AUROC (ood/heldout_*_auroc)')
  return config
