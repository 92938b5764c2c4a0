r"""Fashion-MNIST Vision Transformer: 4x4 patches (7x7 = 49 tokens + [class]), learned position
embedding, pre-norm encoder blocks (LN -> MHA -> residual, LN -> MLP(GELU) -> residual), final LN,
linear head on the [class] token.

  python -m experiments.train --config=configs/vision/fmnist_vit.py:cpu --workdir=runs/fmnist_vit

Options: --config.model.pos_embedding=learned|sincos2d|none, --config.model.stem=linear|conv,
--config.model.patch=4|7, --config.model.pool=cls|mean.
Reference: 93.0 % test accuracy for a small ViT on Fashion-MNIST with longer training
(REFERENCES.md §1/§8). Issue target (cpu preset): >= 89 % in <= 20 min on a 2-core CPU.
cpu preset: width 64, depth 4, 4 heads, MLP 128, a convolutional stem (two stride-2 conv3x3 + ReLU,
then 1x1 to the width; Xiao et al. 2021), AdamW 2e-3 (weight decay 0.05, grad clip 1), 300 warm-up
steps + cosine, batch 128, 12 epochs = 5625 steps, augmentation: horizontal flips and shifts of up
to 1 px (dljax.data.augment).
MEASURED (cpu preset, 144,778 params, seed 0; 2-core Xeon, jax 0.10.2 CPU, as the queue's priority
job: the other lane's job ran at nice 19 beside it): test accuracy 90.03 % (test loss 0.273; 83.1 /
85.3 / 88.2 / 89.0 / 89.9 % at steps 1000-5000), target >= 89 % MET; 1017 s of training (17.0 min,
5.53 steps/s), target <= 20 min MET. An earlier run of the same preset, slowed for its first ~1100
steps by a second job holding half the CPU (a queue priority bug, since fixed), gave the identical
accuracy in 1233 s.
Previous cpu preset (the same with AdamW 1e-3, shifts up to 2 px, 10 epochs = 4688 steps; 144,778
params, seed 0, measurement queue on the shared 2-core Xeon): test accuracy 87.97 %, test loss
0.328; 850 s of training (14.2 min). It underfit: train accuracy on the augmented batches was
about 88 %, like the test accuracy (86.6 / 87.8 % at steps 3000 / 4000).
Older cpu preset (linear patch embedding, 138,954 params, no augmentation, 12 epochs = 5625
steps), seed 0; 2-core Intel Xeon, jax 0.10.2 CPU, measurement queue on a machine
loaded by other jobs, load average 13-16): test accuracy 87.61 %, test loss 0.357 (last-20-batch
train accuracy 92.5 %); 1267 s of training, 1277 s queue wall time (21.3 min). Both issue targets
(>= 89 %, <= 20 min) are MISSED by this preset. Test accuracy was 86.6 / 87.4 / 87.5 % at steps
3000 / 4000 / 5000: it plateaus while the train accuracy still rises (no augmentation).
Attention distance of this run (experiments/vit_attention_distance.py, 500 test images): every
head of every layer attends over 14.3-15.4 px on average, about the 14.4 px of uniform attention.
full preset: width 192, depth 9, 12 heads, MLP 384, dropout 0.1, 100 epochs (about 2.7M params;
aims at the reference 93.0 %); for a GPU/TPU, not yet measured.
"""
from configs import common

MODEL = {
    'smoke': dict(width=16, depth=1, num_heads=2, mlp_dim=32),
    'cpu': dict(width=64, depth=4, num_heads=4, mlp_dim=128),
    'full': dict(width=192, depth=9, num_heads=12, mlp_dim=384, dropout=0.1),
}


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='fmnist_vit', task='classification')
  config.data.name = 'fashion_mnist'
  config.model.name = 'vit'
  config.model.patch = 4
  config.model.pos_embedding = 'learned'
  config.model.stem = 'linear' if preset == 'smoke' else 'conv'
  config.model.pool = 'cls'
  config.model.dropout = 0.0
  for key, value in MODEL[preset].items():
    config.model[key] = value
  common.adam_warmup_cosine(config, preset, lr=2e-3 if preset == 'cpu' else 1e-3, warmup_steps=300)
  config.optim.name = 'adamw'
  config.optim.weight_decay = 0.05
  config.optim.grad_clip_norm = 1.0
  if preset != 'smoke':   # flips are valid for clothes; small shifts (1 px on cpu: it underfit)
    config.augment = dict(flip=True, shift=1 if preset == 'cpu' else 2)
  common.preset(config, preset,
                smoke=common.FMNIST_SMOKE,
                cpu=dict(epochs=12, batch_size=128, eval_every=1000),
                full=dict(epochs=100, batch_size=128, eval_every=5000))
  return config
