r"""Fashion-MNIST CNN: the dataset's own benchmark convnet (conv5x5-32, pool, conv5x5-64, pool, FC-1024,
dropout 0.4, FC-10).

  python -m experiments.train --config=configs/vision/fmnist_cnn.py:cpu --workdir=runs/fmnist_cnn

Reference: 91.6 % test accuracy (fashion-mnist README, TF convnet.py, SGD 200k steps).
MEASURED (cpu preset: Adam 1e-3, warm-up + cosine, batch 128, 6 epochs of the 55,000 training
images = 2579 steps, seed 0; 2-core CPU, quiet machine): test accuracy 92.21 % (validation 92.74 %),
test loss 0.219; 331 s of training. Before the validation split (60,000 images): 92.41 %.
Target >= 91.5 % in <= 10 min.
full preset: 30 epochs (GPU/TPU; not measured here).
"""
from configs import common


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='fmnist_cnn', task='classification')
  config.data.name = 'fashion_mnist'
  config.model.name = 'cnn'
  config.model.features = (32, 64)
  config.model.dense = 1024
  config.model.dropout = 0.4
  common.adam_warmup_cosine(config, preset, lr=1e-3)
  config.reference = common.reference(
      'test/accuracy', (0.915, 0.935), value=0.916, source='REFERENCES.md §1: this convnet 91.6 % '
      '(TF convnet.py, 200k SGD steps); from the issue target >= 91.5 % to the anchor top 93.5 %')
  common.preset(config, preset,
                smoke=common.FMNIST_SMOKE,
                cpu=dict(epochs=6, batch_size=128, eval_every=1000),
                full=dict(epochs=30, batch_size=128))
  return config
