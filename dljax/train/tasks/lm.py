"""Autoregressive language modelling: minimise -log p(x_t | x_<t) over windows of a token stream.

Data: data.name names a token dataset (shakespeare_char); training batches are random windows of
data.block_size + 1 tokens (x = w[:-1], y = w[1:]), evaluation a fixed set of validation windows.
Reported: test/loss in nats per token (nanoGPT's "val loss"), test/bits_per_token, test/accuracy.
At the end of a run the model writes text samples to <workdir>/samples.txt.

The model is any module with model(tokens_BxT, train) -> logits_BxTxV; a model with a
`decode_step` (dljax.models.transformer) samples with its KV-cache, any other by recomputing the
window at every step.
"""
import math
import os

import jax
import jax.numpy as jnp
import numpy as np
import optax

from dljax import data as data_lib, models
from dljax.data import pipeline
from dljax.errors import ConfigError
from dljax.models import decoding
from dljax.train import kit
from dljax.train.tasks.base import Task


class LanguageModel(Task):
  best_metric = 'loss'
  best_mode = 'min'

  @classmethod
  def load_data(cls, config) -> dict:
    vocab = data_lib.token_vocab(config.data)
    if config.model.vocab_size != len(vocab):
      raise ConfigError(f'model.vocab_size={config.model.vocab_size} does not match the '
                        f'vocabulary of {config.data.name} ({len(vocab)} symbols); set '
                        f'--config.model.vocab_size={len(vocab)}.')
    block = config.data.block_size
    windows = {split: pipeline.eval_windows(data_lib.load_tokens(config.data, split), block,
                                            config.data.get('eval_windows', 0), seed=config.seed)
               for split in ('validation', 'test')}
    return {'train': data_lib.load_tokens(config.data, 'train'), **windows, 'vocab': vocab}

  @classmethod
  def num_train(cls, data):
    return len(data['train']) // data['test']['x'].shape[1]   # one epoch = the tokens once

  @classmethod
  def train_batches(cls, config, data, process_index, process_count):
    return pipeline.window_iterator(data['train'], config.data.block_size, config.data.batch_size,
                                    config.seed, process_index, process_count)

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    self.model = models.build(config.model)
    self.label_smoothing = config.get('label_smoothing', 0.0)

  def init(self, rng, batch):
    return kit.init_single(self.model, rng, (batch['x'],), self.config.optim, self.total_steps,
                           train=False)

  def nll(self, logits_BxTxV, y_BxT, smoothing=0.0):
    """-log p(y_t | x_<=t) per token; with label smoothing eps the target is (1-eps) one-hot + eps/V."""
    if not smoothing:
      return optax.softmax_cross_entropy_with_integer_labels(logits_BxTxV, y_BxT)
    v = logits_BxTxV.shape[-1]
    target = optax.smooth_labels(jax.nn.one_hot(y_BxT, v), smoothing)
    return optax.softmax_cross_entropy(logits_BxTxV, target)

  def train_step(self, state, batch, rng):
    net = state.nets['model']

    def objective(params):
      logits = self.model.apply({**net.variables(), 'params': params}, batch['x'], train=True,
                                rngs={'dropout': rng})
      return self.nll(logits, batch['y'], self.label_smoothing).mean(), logits

    net, logits, metrics = kit.gradient_step(net, objective, has_aux=True)
    metrics['train/accuracy'] = (logits.argmax(-1) == batch['y']).mean()
    return state.replace(nets={'model': net}), metrics

  def eval_step(self, state, batch):
    logits = self.model.apply(state.nets['model'].variables(), batch['x'], train=False)
    mask_BxT = jnp.broadcast_to(batch['mask'][:, None], batch['y'].shape).astype(jnp.float32)
    return {'nll': jnp.sum(self.nll(logits, batch['y']) * mask_BxT),
            'correct': jnp.sum((logits.argmax(-1) == batch['y']) * mask_BxT),
            'count': jnp.sum(mask_BxT)}

  def summarize(self, sums):
    loss = float(sums['nll'] / sums['count'])
    return {'test/loss': loss, 'test/bits_per_token': loss / math.log(2),
            'test/accuracy': float(sums['correct'] / sums['count'])}

  # --- samples --------------------------------------------------------------------------------
  def generate(self, variables, prompt_ids, length: int, rng, temperature=0.8, top_k=0, num=3):
    """`num` continuations of `prompt_ids` (1-D), `length` tokens each, as an int array num x L."""
    block = self.config.data.block_size
    sample = lambda step, cache, last: decoding.sample(  # pylint: disable=unnecessary-lambda-assignment
        step, cache, last, length, eos_id=-1, rng=rng,
        temperature=temperature, top_k=top_k)
    prompt = jnp.tile(jnp.asarray(prompt_ids, jnp.int32)[None], (num, 1))
    p = prompt.shape[1]
    if hasattr(type(self.model), 'decode_step') and p + length <= self.model.max_len:
      step = lambda cache, tok, t: self.model.apply(variables, cache, tok, t,  # pylint: disable=unnecessary-lambda-assignment
                                                    method=type(self.model).decode_step)
      cache = self.model.empty_cache(num)
      for t in range(p - 1):                       # feed the prompt through the cache
        _, cache = step(cache, prompt[:, t], t)

      def shifted(cache, tok, t):                  # continue at absolute position p-1+t
        return step(cache, tok, t + p - 1)
      return sample(shifted, cache, prompt[:, -1])

    # any model: recompute the last `block` tokens at every step
    def window_step(buffer, tok, t):
      buffer = jnp.concatenate([buffer[:, 1:], tok[:, None]], axis=1)
      logits = self.model.apply(variables, buffer, train=False)[:, -1]
      return jax.nn.log_softmax(logits), buffer
    buffer = jnp.zeros((num, block), jnp.int32)
    buffer = buffer.at[:, -min(p - 1, block):].set(prompt[:, :-1][:, -block:]) if p > 1 else buffer
    return sample(window_step, buffer, prompt[:, -1])

  def plots(self, state, workdir, data):
    vocab = data['vocab']
    prompt = self.config.get('sample_prompt', '\n')
    ids = vocab.encode(prompt)
    out = self.generate(state.nets['model'].variables(), ids,
                        self.config.get('sample_length', 300), jax.random.PRNGKey(self.config.seed))
    with open(os.path.join(workdir, 'samples.txt'), 'w') as f:
      for row in np.asarray(out):
        f.write(prompt + vocab.decode(row) + '\n' + '-' * 40 + '\n')
