r"""Which play is a line from? A BERT classifier fine-tuned from bert_pretrain, or from scratch.

  scratch:     python -m experiments.train --config=configs/language/bert_play.py:cpu --workdir=runs/bert_play
  pretrained:  ... --workdir=runs/bert_play_ft --config.init_from.workdir=runs/bert_pretrain
  label budget: --config.data.train_limit=100 (1000, 0 = all training lines)

(the study of both against the label budget: python -m experiments.language.bert_study --workdir=runs/bert_study).
Data: every line of Hamlet, Macbeth, King Lear, Othello, Romeo and Juliet (5 classes, speaker
names and stage directions included), BPE-tokenised as in bert_pretrain, [CLS] line [SEP]: the
dataset shakespeare_plays, read by the classification task; a seeded permutation, the last 20 % the
test set, a seeded 10 % of all lines held out of the rest for validation. These plays lie in the (unlabelled) pretraining
text. init_from.params='^model/params/encoder/' copies the embeddings, blocks and pooler; the head starts at random.
Chance: the share of the largest play's lines.
MEASURED (experiments/language/bert_study.py, cpu presets, seed 0, pretraining 4000 steps; 2-core Xeon shared
with another job): test accuracy from scratch / from the pretrained encoder: 28.6 / 31.4 % with 100
lines, 37.2 / 33.5 % with 1000, 35.6 / 35.3 % with all 17,794 (chance 23.5 %). Pretraining helps
only at 100 labels (+2.8 points); the tiny encoder (MLM accuracy 12.9 %) has learned little.
"""
import ml_collections

from configs import common
from configs.language import bert_pretrain

PLAYS = ('hamlet_gut', 'macbeth_gut', 'lear_gut', 'othello_gut', 'romeo_and_juliet_gut')
_PLAYS = ('expectation: chance (the share of the largest play) is 23.5 %; names and stage '
          'directions give some lines away, most lines of verse do not; ')
# the label budgets of the study, from scratch (the pretrained arm needs a bert_pretrain run)
VARIANTS = {
    'labels100': ({'data.train_limit': 100}, common.reference(
        'test/accuracy', (0.235, 0.32), source=_PLAYS + '100 labelled lines: just above chance')),
    'labels1000': ({'data.train_limit': 1000}, common.reference(
        'test/accuracy', (0.25, 0.40), source=_PLAYS + '1000 labelled lines')),
}


def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='bert_play', task='classification')
  pre = bert_pretrain.get_config(preset)
  config.data.name = 'shakespeare_plays'
  config.data.plays = PLAYS
  config.data.num_merges = pre.data.num_merges
  config.data.max_len = {'smoke': 16, 'cpu': 32, 'full': 64}[preset]
  config.data.test_fraction = 0.2
  config.data.split_seed = 0
  config.model.name = 'bert_classifier'
  for key in ('vocab_size', 'd_model', 'num_heads', 'num_layers', 'max_len', 'dropout'):
    config.model[key] = pre.model[key]     # the encoder of bert_pretrain (max_len: its table)
  config.model.num_classes = len(PLAYS)
  config.init_from = ml_collections.ConfigDict(dict(workdir='', params='^model/params/encoder/'))
  config.optim.trainable = ''
  common.adam_warmup_cosine(config, preset, lr=3e-4, warmup_steps=20)
  config.optim.name = 'adamw'
  config.optim.weight_decay = 0.01
  config.reference = common.reference('test/accuracy', (0.28, 0.45),
                                      source=_PLAYS + 'all 17,794 lines')
  common.preset(config, preset,
                smoke=dict(steps=3, batch_size=4, eval_batch_size=64, train_limit=100),
                cpu=dict(steps=150, batch_size=32, eval_batch_size=500, train_limit=0,
                         eval_every=150, log_every=15),
                full=dict(steps=3000, batch_size=64, eval_batch_size=1000, train_limit=0,
                          eval_every=500))
  return config
