r"""DINO on Fashion-MNIST: the student matches the centred (momentum 0.9), sharpened (teacher
temperature 0.04 vs student 0.1) probabilities over 64 prototypes of its EMA teacher (0.99).

  python -m experiments.train --config=configs/self_supervised/dino.py:cpu --workdir=runs/dino

Reported: the probe sweep of the teacher's encoder probe/* (see simclr.py); collapse/* on the
teacher's prototype scores; train/teacher_entropy (log 64 = 4.16 is the uniform collapse, 0 the
one-prototype collapse). cpu: 1000 steps of batch 256. full: 20,000 steps.
Reference: REFERENCES.md §13 bars (beat the random encoder and the pixels).
"""
from configs.self_supervised import _ssl


def get_config(preset: str = 'cpu'):
  config = _ssl.fmnist(preset, 'dino', 'dino')
  config.ssl.teacher_temperature = 0.04
  config.ssl.student_temperature = 0.1
  config.ssl.center_momentum = 0.9
  config.ssl.ema = 0.99
  return _ssl.probe_reference(
      config, (0.80, 0.88), 'expectation: as SimCLR; the raw-pixel probe reaches ~84 %')
