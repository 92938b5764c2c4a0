r"""SimCLR on Fashion-MNIST: a small convnet f and projection head g trained with NT-Xent (InfoNCE
over the 2B augmented views, temperature 0.5), then linearly probed on frozen h = f(x).

  python -m experiments.train --config=configs/self_supervised/simclr.py:cpu --workdir=runs/simclr

Reported: probe/linear_<n> and probe/knn_<n> test accuracies at n = 10, 100, 1000 labels per class
and all (dljax.eval.probe; L2 chosen on validation), the random-init-encoder and raw-pixel probes,
probe/supervised_10 (the same encoder trained on the 10 labels per class), and the collapse
monitors collapse/* during training. cpu: 1000 steps of batch 256 (4.7 epochs).
Reference: REFERENCES.md §13 (UvA SimCLR pattern): SSL + linear beats the random encoder, the
pixels and supervised training at 10 labels per class. Measured: see docs/self_supervised.
full: 20,000 steps of batch 512 (GPU; not measured).
"""
from configs.self_supervised import _ssl


def get_config(preset: str = 'cpu'):
  config = _ssl.fmnist(preset, 'simclr', 'simclr')
  config.ssl.temperature = 0.5
  return _ssl.probe_reference(
      config, (0.80, 0.88), 'expectation: the raw-pixel linear probe reaches ~84 %; a small SSL '
      'convnet after 5 epochs should sit in 80-88 % (SimCLR CIFAR-10 ResNet-50 probes 94 % at scale)')
