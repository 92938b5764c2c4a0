"""Sequence-to-sequence learning (G2P, synthetic translation tasks): p(y | x) = prod_t p(y_t | y_<t, x).

Training is teacher forcing: the decoder reads the shifted target (BOS, y_1, ..., y_{T-1}) and the
loss is the cross-entropy of every real target token (targets != PAD; optional label smoothing).
Evaluation decodes the test split without the targets (greedy, and beam search with
`eval.beam` > 1) and reports sequence metrics on the host:
  test/wer, test/per          (dljax.eval.sequence_metrics; the beam's best hypothesis)
  test/wer_greedy, test/per_greedy, test/loss (teacher-forced nats per token), test/mean_length
  test/exact_<task>           with a multitask dataset (text2text): exact-match accuracy per task
                              (1 - WER of that task's examples; beam's best hypothesis)

Data: data.name is a seq2seq dataset of dljax.data (cmudict_g2p, seq_<task>), in the format of
dljax.data.text. The model (dljax.models.transformer.EncoderDecoder or dljax.models.seq2seq) has
model(src, tgt_in, train) -> logits, `encode`, `decode_step` and `empty_cache(enc, src)`.
"""
import jax
import jax.numpy as jnp
import numpy as np
import optax

from dljax import data as data_lib, models
from dljax.data import pipeline, text as text_lib
from dljax.errors import ConfigError
from dljax.eval import sequence_metrics
from dljax.models import decoding
from dljax.train import kit
from dljax.train.tasks.base import Task


def _with_decoder_inputs(arrays: dict) -> dict:
  out = {'src': arrays['inputs'], 'tgt_in': text_lib.shift_right(arrays['targets']),
         'tgt': arrays['targets']}
  if 'task' in arrays:   # text2text: which task each example belongs to (per-task metrics)
    out['task'] = arrays['task']
  return out


class Seq2Seq(Task):
  best_metric = 'per'
  best_mode = 'min'

  @classmethod
  def load_data(cls, config) -> dict:
    vocabs = data_lib.sequence_vocab(config.data)
    if vocabs is None:
      raise ConfigError(f'data.name={config.data.name!r} is a per-step task, not a seq2seq one; '
                        'use a seq2seq dataset (cmudict_g2p, seq_copy, seq_reverse, seq_sort, ...).')
    for side, vocab in zip(('src_vocab', 'tgt_vocab'), vocabs):
      if config.model.get(side, 0) != len(vocab):
        raise ConfigError(f'model.{side}={config.model.get(side, 0)} does not match the '
                          f'{config.data.name} vocabulary ({len(vocab)} symbols); set '
                          f'--config.model.{side}={len(vocab)}.')
    split = config.get('eval', {}).get('split', 'test')
    return {'train': _with_decoder_inputs(data_lib.load_sequences(config.data, 'train')),
            'validation': _with_decoder_inputs(data_lib.load_sequences(config.data, 'validation')),
            'test': _with_decoder_inputs(data_lib.load_sequences(config.data, split)),
            'vocabs': vocabs}

  @classmethod
  def num_train(cls, data):
    return len(data['train']['src'])

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    self.model = models.build(config.model)
    self.label_smoothing = config.get('label_smoothing', 0.0)
    ev = config.get('eval', {})
    self.beam = ev.get('beam', 1)
    self.length_penalty = ev.get('length_penalty', 'gnmt')
    self.alpha = ev.get('alpha', 0.6)
    self.word_reward = ev.get('word_reward', 0.0)
    self.groups = data_lib.sequence_groups(config.data)   # task names of text2text, else None

  def init(self, rng, batch):
    return kit.init_single(self.model, rng, (batch['src'], batch['tgt_in']), self.config.optim,
                           self.total_steps, train=False)

  def token_losses(self, logits, tgt, smoothing=0.0):
    """Cross-entropy per target token, and the mask of real (non-PAD) tokens."""
    mask = (tgt != text_lib.PAD).astype(jnp.float32)
    if smoothing:   # target (1 - eps) one-hot + eps / V
      target = optax.smooth_labels(jax.nn.one_hot(tgt, logits.shape[-1]), smoothing)
      return optax.softmax_cross_entropy(logits, target), mask
    return optax.softmax_cross_entropy_with_integer_labels(logits, tgt), mask

  def train_step(self, state, batch, rng):
    net = state.nets['model']

    def objective(params):
      logits = self.model.apply({**net.variables(), 'params': params}, batch['src'],
                                batch['tgt_in'], train=True, rngs={'dropout': rng})
      losses, mask = self.token_losses(logits, batch['tgt'], self.label_smoothing)
      return jnp.sum(losses * mask) / jnp.maximum(mask.sum(), 1.0), (logits, mask)

    net, (logits, mask), metrics = kit.gradient_step(net, objective, has_aux=True)
    correct = jnp.sum((logits.argmax(-1) == batch['tgt']) * mask) / jnp.maximum(mask.sum(), 1.0)
    metrics['train/token_accuracy'] = correct
    return state.replace(nets={'model': net}), metrics

  # --- evaluation: teacher-forced loss on device, decoding, metrics on the host ---------------
  def decode(self, variables, src_BxS, beam: int):
    """Best output per example, B x T (beam 1 = greedy)."""
    max_len = self.config.eval.get('max_len', 0) or self.model.max_len
    enc = self.model.apply(variables, src_BxS, method=type(self.model).encode)
    cache = self.model.empty_cache(enc, src_BxS)

    def step(cache, tok, t):
      return self.model.apply(variables, cache, tok, t, method=type(self.model).decode_step)
    bos = jnp.full((src_BxS.shape[0],), text_lib.BOS, jnp.int32)
    if beam == 1:
      return decoding.greedy(step, cache, bos, max_len, text_lib.EOS)
    tokens, _ = decoding.beam_search(step, cache, bos, max_len, text_lib.EOS, beam,
                                     self.length_penalty, self.alpha, self.word_reward)
    return tokens[:, 0]

  def eval_step(self, state, batch):
    variables = state.nets['model'].variables()
    logits = self.model.apply(variables, batch['src'], batch['tgt_in'], train=False)
    losses, mask = self.token_losses(logits, batch['tgt'])
    mask = mask * batch['mask'][:, None]
    out = {'nll': jnp.sum(losses * mask), 'tokens': jnp.sum(mask),
           'greedy': self.decode(variables, batch['src'], 1)}
    if self.beam > 1:
      out['beam'] = self.decode(variables, batch['src'], self.beam)
    return out

  def predictions(self, state, arrays, eval_fn, put_batch) -> dict:
    """Decodes every real example of `arrays`: {'greedy', 'beam' (empty unless eval.beam > 1),
    'refs': trimmed id lists; 'task': group ids (empty without 'task'); 'nll', 'tokens'}."""
    out = {'greedy': [], 'beam': [], 'refs': [], 'task': [], 'nll': 0.0, 'tokens': 0.0}
    for batch in pipeline.eval_batches(arrays, self.config.data.eval_batch_size,
                                       jax.process_index(), jax.process_count()):
      res = jax.device_get(eval_fn(state, put_batch(batch)))
      real = batch['mask'].astype(bool)
      out['nll'] += float(res['nll'])
      out['tokens'] += float(res['tokens'])
      out['refs'] += [sequence_metrics.trim(t) for t in batch['tgt'][real]]
      if 'task' in batch:
        out['task'] += np.asarray(batch['task'])[real].tolist()
      for kind in ('greedy', 'beam'):
        if kind in res:
          out[kind] += [sequence_metrics.trim(p) for p in np.asarray(res[kind])[real]]
    return out

  def evaluate(self, state, arrays, eval_fn, put_batch):
    pred = self.predictions(state, arrays, eval_fn, put_batch)
    refs = pred['refs']
    greedy = sequence_metrics.error_rates(pred['greedy'], refs)
    best = sequence_metrics.error_rates(pred['beam'], refs) if pred['beam'] else greedy
    chosen = pred['beam'] or pred['greedy']
    metrics = {'test/loss': pred['nll'] / max(pred['tokens'], 1.0),
               'test/wer': best['wer'], 'test/per': best['per'],
               'test/wer_greedy': greedy['wer'], 'test/per_greedy': greedy['per'],
               'test/mean_length': float(np.mean([len(p) for p in chosen])),
               'test/ref_length': float(np.mean([len(r) for r in refs]))}
    if self.groups and pred['task']:
      task = np.asarray(pred['task'])
      for g, name in enumerate(self.groups):
        if np.any(task == g):
          metrics[f'test/exact_{name}'] = float(np.mean(
              [c == r for c, r, t in zip(chosen, refs, task) if t == g]))
    return metrics

  def plots(self, state, workdir, data):
    """Cross-attention heat-maps of a few test examples (last decoder layer, mean over heads)."""
    from dljax import viz  # pylint: disable=g-import-not-at-top
    if not hasattr(self.model, 'cross_attention_maps'):
      return
    model = self.model.clone(sow_weights=True)
    variables = state.nets['model'].variables()
    src = jnp.asarray(data['test']['src'][:4])
    pred = self.decode(variables, src, 1)
    tgt_in = jnp.asarray(text_lib.shift_right(np.asarray(pred)))
    _, inter = model.apply(variables, src, tgt_in, mutable=['intermediates'])
    maps = model.cross_attention_maps(inter['intermediates'])     # B x T x S
    src_vocab, tgt_vocab = data['vocabs']
    viz.attention_maps(np.asarray(maps), [[src_vocab.symbols[i] for i in s if i]
                                          for s in np.asarray(src)],
                       [[tgt_vocab.symbols[i] for i in sequence_metrics.trim(p)] + ['<eos>']
                        for p in np.asarray(pred)], workdir)
