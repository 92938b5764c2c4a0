r"""MoCo on Fashion-MNIST: InfoNCE of a query against its momentum-encoded key (m = 0.99) and a FIFO
queue of the K = 4096 previous keys (16 batches), temperature 0.2.

  python -m experiments.train --config=configs/self_supervised/moco.py:cpu --workdir=runs/moco

Reported: the probe sweep probe/* (see simclr.py), collapse/*. The queue, its pointer and the
momentum encoder are in the checkpoint. cpu: 1000 steps of batch 256. full: 20,000 steps.
Reference: REFERENCES.md §13 bars (beat the random encoder and the pixels).
"""
from configs.self_supervised import _ssl


def get_config(preset: str = 'cpu'):
  config = _ssl.fmnist(preset, 'moco', 'moco')
  config.ssl.temperature = 0.2
  config.ssl.momentum = 0.99
  config.ssl.queue = 4 * 32 if preset == 'smoke' else 16 * 256
  return _ssl.probe_reference(
      config, (0.80, 0.88), 'expectation: as SimCLR (He et al. 2020: MoCo ~ SimCLR at equal '
      'batch); the raw-pixel probe reaches ~84 %')
