r"""BERT pretraining (masked LM + next-sentence prediction) on Shakespeare lines, BPE tokens.

  python -m experiments.train --config=configs/language/bert_pretrain.py:cpu --workdir=runs/bert_pretrain

Data: the lines of the Shakespeare training text (dljax.data.shakespeare, 90/10 by position),
tokenised with our BPE (1000 merges trained on the training lines; 1088 ids with the specials
[PAD] [CLS] [SEP] [MASK]); pairs [CLS] A [SEP] B [SEP], B the next line or a random one (50/50);
15 % of the tokens chosen, 80/10/10 [MASK]/random/unchanged (dljax.data.mlm).
Model: a small post-norm BERT (dljax.models.bert), MLM output tied to the token embedding.
Metrics on 1,000 fixed validation pairs: test/mlm_loss, test/mlm_accuracy, test/nsp_accuracy.
Reference: BERT-base (Devlin et al. 2019) is 110 M parameters on 3.3 B words; this is a tiny
reproduction for the downstream study (experiments/language/bert_study.py), not a comparable number.
MEASURED (cpu preset: 4000 steps at batch 64, lr 2e-3, seed 0; 867 s on a 2-core Xeon shared with
another job): test MLM accuracy 12.9 % (MLM loss 4.27 nats; 6.3 / 10.1 / 12.6 % at steps 1000 / 2000 /
3000), NSP accuracy 69.6 %. The previous preset (600 steps at batch 32, lr 1e-3, 47 s) had barely
started: MLM 2.1 %, NSP 53.6 %.
"""
from configs import common


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='bert_pretrain', task='bert_pretrain')
  config.data.name = 'shakespeare_bpe_lines'
  config.data.num_merges = 1000
  config.data.max_len = {'smoke': 32, 'cpu': 48, 'full': 128}[preset]
  config.data.eval_pairs = {'smoke': 16, 'cpu': 1000, 'full': 5000}[preset]
  config.mask_rate = 0.15
  config.model.name = 'bert'
  config.model.vocab_size = 1088           # 4 specials + the BPE vocabulary (checked)
  config.model.max_len = config.data.max_len
  config.model.d_model, config.model.num_heads, config.model.num_layers = {
      'smoke': (16, 2, 1), 'cpu': (64, 2, 2), 'full': (256, 4, 4)}[preset]
  config.model.dropout = 0.0 if preset == 'smoke' else 0.1
  config.optim.name = 'adamw'
  config.optim.weight_decay = 0.01
  config.optim.grad_clip_norm = 1.0
  common.adam_warmup_cosine(config, preset, lr=2e-3 if preset == 'cpu' else 1e-3,
                            warmup_steps=200 if preset == 'cpu' else 60)
  config.optim.name = 'adamw'
  config.reference = common.reference(
      'test/mlm_accuracy', (0.15, 0.45) if preset == 'full' else (0.08, 0.30),
      source='expectation: no comparable number (BERT-base: 110M parameters, 3.3B words); a tiny '
      'BERT on ~1M characters learns frequent tokens and some local context')
  common.preset(config, preset,
                smoke=dict(steps=3, batch_size=4, eval_batch_size=8, train_limit=2000),
                cpu=dict(steps=4000, batch_size=64, eval_batch_size=500, eval_every=1000,
                         log_every=50),
                full=dict(steps=20000, batch_size=128, eval_batch_size=1000, eval_every=1000))
  return config
