r"""Grapheme-to-phoneme with a Transformer encoder-decoder on CMUdict (letters -> ARPAbet phones).

  python -m experiments.train --config=configs/sequence/cmudict_transformer.py:cpu --workdir=runs/cmudict_transformer

Data: cmudict_g2p (first pronunciation, stress removed, seeded 90/5/5 split by word). Training:
teacher forcing with label smoothing 0.1. Evaluation: greedy and beam search (beam 5, GNMT length
penalty alpha 0.6) on the test words; test/wer (a word is wrong if any phone is) and test/per
(phone edit distance / reference length); attention maps in plots/attention.png.
Reference (REFERENCES.md §3): a 3x256 Transformer reaches WER 30.2 on a random split of the latest
dictionary without stress. Issue targets: cpu preset WER <= 40 %, PER <= 12 % with beam search; full
preset WER <= 31 %.
MEASURED (cpu preset: d=128, 4 heads, 2+2 layers, 5 epochs = 4432 steps at batch 128, seed 0;
2-core Xeon shared with a second job for most of the run, so the wall time is an upper bound):
beam 5 test WER 39.18 %, PER 9.93 %; greedy WER 39.89 %, PER 10.19 % (both issue targets met, beam
no worse than greedy); 3123 s of training and evaluation (three full-test-set beam evaluations).
At step 2000: WER 45.0 %, PER 11.6 %. Cross-attention maps: docs/plots/cmudict_transformer_attention.png.
"""
from configs import common


# experiments.reproduce runs one seed at the cpu preset (3 on a GPU when one is lent)
ONE_SEED = 'a cpu run takes ~52 min on 2 cores'

def get_config(preset: str = 'cpu'):
  config = common.base(preset, name='cmudict_transformer', task='seq2seq')
  config.data.name = 'cmudict_g2p'
  config.model.name = 'transformer'
  config.model.size = ''  # '': this model; a paper's size: transformer.VASWANI_SIZES, e.g. 'base'
  config.model.src_vocab = 32      # 29 letters + 3 specials (checked against the data)
  config.model.tgt_vocab = 42      # 39 phones + 3 specials (72 for cmudict_g2p_stress)
  config.model.max_len = 32
  config.model.positions = 'sinusoidal'
  config.model.d_model, config.model.num_heads, config.model.num_layers = {
      'smoke': (16, 2, 1), 'cpu': (128, 4, 2), 'full': (256, 4, 3)}[preset]
  config.model.dropout = {'smoke': 0.0, 'cpu': 0.1, 'full': 0.1}[preset]
  config.label_smoothing = 0.1
  config.eval = dict(beam=5 if preset != 'smoke' else 2, length_penalty='gnmt', alpha=0.6,
                     max_len=32 if preset != 'smoke' else 8, split='test')
  common.adam_warmup_cosine(config, preset, lr=2e-3, warmup_steps=300)
  config.reference = common.reference(
      'test/wer', (0.29, 0.31) if preset == 'full' else (0.302, 0.40), value=0.302,
      source='REFERENCES.md §3: 3x256 Transformer 30.2 % on split (c) (latest dict, no stress, '
      'random split); issue targets: cpu <= 40 %, full <= 31 %')
  common.preset(config, preset,
                smoke=dict(steps=3, batch_size=16, eval_batch_size=16, train_limit=256,
                           validation_limit=32, test_limit=32),
                cpu=dict(epochs=5, batch_size=128, eval_batch_size=500, eval_every=2000),
                full=dict(epochs=60, batch_size=256, eval_batch_size=1000, eval_every=5000))
  return config
