"""Arithmetic chains with a direct answer or a scratchpad (chain of thought): a causal LM on the
completion only.

Data (dljax.data.arith): "7+3-5+8=" followed by the completion "13." (data.format='direct') or
"10,5,13>13." ('scratchpad': the running sums, then the answer), with data.min_ops..data.max_ops
operations on digits 0..9. The loss is the cross-entropy of the completion's characters given the
problem (the problem itself is random, so predicting it teaches nothing):
  L = -sum_{t in completion} log p(c_t | problem, c_<t) / |completion|.
Evaluation decodes every held-out problem greedily from its prompt (KV-cache,
dljax.models.decoding.complete) and reports
  test/exact_match            the answer after '=' (direct) or after '>' (scratchpad) is right
  test/exact_match_ops{n}     the same for the problems with n operations
  test/chain_match            the whole completion (the steps too) equals the reference
  test/loss, test/token_accuracy   teacher-forced, per completion character.
`complete` gives greedy or sampled completions as text for the self-consistency and
sample-and-filter studies (experiments/language/cot_study.py).
"""
import functools
import os

import jax
import jax.numpy as jnp
import numpy as np

from dljax.data import arith
from dljax.errors import ConfigError
from dljax.models import decoding
from dljax.train import kit
from dljax.train.tasks.icl import masked_mean
from dljax.train.tasks.lm import LanguageModel

ANSWER_CHARS = 4   # at most '-54.': three characters and the end


def _args(data_cfg) -> dict:
  return {'fmt': data_cfg.format, 'min_ops': data_cfg.min_ops, 'max_ops': data_cfg.max_ops}


def answer_window(seq_NxL):
  """The ANSWER_CHARS characters after the last '=' or '>' of each sequence, '.' after the first
  '.': N x ANSWER_CHARS (two sequences with the same window have the same answer)."""
  n, length = seq_NxL.shape
  pos_L = jnp.arange(length)
  is_marker = (seq_NxL == arith.EQUALS) | (seq_NxL == arith.ARROW)
  marker_N = jnp.max(jnp.where(is_marker, pos_L, -1), axis=1)
  idx_NxA = marker_N[:, None] + 1 + jnp.arange(ANSWER_CHARS)[None, :]
  window = jnp.where(idx_NxA < length,
                     jnp.take_along_axis(seq_NxL, jnp.minimum(idx_NxA, length - 1), axis=1),
                     arith.PAD)
  ended = jnp.cumsum(window == arith.END, axis=1) > 0
  return jnp.where(ended, arith.END, window), ended[:, -1]


class Arithmetic(LanguageModel):
  best_metric = 'exact_match'
  best_mode = 'max'

  @classmethod
  def load_data(cls, config) -> dict:
    d = config.data
    try:
      arith.check(d.format, d.min_ops, d.max_ops)
    except ValueError as e:
      raise ConfigError(f'{e} (config.data.format / min_ops / max_ops)') from None
    if config.model.vocab_size != arith.vocab_size():
      raise ConfigError(f'model.vocab_size={config.model.vocab_size} does not match the '
                        f'{arith.vocab_size()} characters {arith.VOCAB!r}; set '
                        f'--config.model.vocab_size={arith.vocab_size()}.')
    if config.model.max_len < arith.seq_len(d.max_ops) - 1:
      raise ConfigError(f'model.max_len={config.model.max_len} is shorter than the inputs '
                        f'(arith.seq_len({d.max_ops}) - 1 = {arith.seq_len(d.max_ops) - 1}); '
                        'raise model.max_len.')
    if config.train.epochs:
      raise ConfigError('arithmetic training streams fresh problems (no epochs); set train.steps '
                        'and --config.train.epochs=0.')
    seed = config.seed
    keep = ('x', 'y', 'loss_mask', 'prompt_len', 'num_ops')
    out = {}
    for split in ('validation', 'test'):
      full = arith.eval_set(d.eval_size, seed, split, **_args(d))
      out[split] = {k: full[k] for k in keep}
      out[f'{split}_problems'] = {k: full[k] for k in ('answer', 'digits', 'signs', 'num_ops')}
    return out

  @classmethod
  def num_train(cls, data):
    return len(data['test']['x'])   # no epochs (load_data refuses them): a nominal size

  @classmethod
  def train_batches(cls, config, data, process_index, process_count):
    return arith.train_iterator(config.data.batch_size, config.seed, process_index, process_count,
                                **_args(config.data))

  def train_step(self, state, batch, rng):
    net = state.nets['model']

    def objective(params):
      logits = self.model.apply({**net.variables(), 'params': params}, batch['x'], train=True,
                                rngs={'dropout': rng})
      return masked_mean(self.nll(logits, batch['y']), batch['loss_mask']), logits

    net, logits, metrics = kit.gradient_step(net, objective, has_aux=True)
    correct = (logits.argmax(-1) == batch['y']).astype(jnp.float32)
    metrics['train/token_accuracy'] = masked_mean(correct, batch['loss_mask'])
    return state.replace(nets={'model': net}), metrics

  def decode(self, variables, x_NxT, prompt_len_N, rng=None, temperature=0.0):
    """Full sequences N x (T + 1): each prompt followed by its greedy / sampled completion."""
    n = x_NxT.shape[0]
    tokens = jnp.concatenate([x_NxT, jnp.full((n, 1), arith.PAD, x_NxT.dtype)], axis=1)
    step = lambda cache, tok, t: self.model.apply(variables, cache, tok, t,  # pylint: disable=unnecessary-lambda-assignment
                                                  method=type(self.model).decode_step)
    return decoding.complete(step, self.model.empty_cache(n), tokens, prompt_len_N, arith.END,
                             rng=rng, temperature=temperature)

  def eval_step(self, state, batch):
    variables = state.nets['model'].variables()
    logits = self.model.apply(variables, batch['x'], train=False)
    real_B = batch['mask'].astype(jnp.float32)
    loss_mask = batch['loss_mask'] * real_B[:, None]
    target_NxL = jnp.concatenate([batch['x'][:, :1], batch['y']], axis=1)
    out_NxL = self.decode(variables, batch['x'], batch['prompt_len'])
    ans_out, ended = answer_window(out_NxL)
    ans_ref, _ = answer_window(target_NxL)
    exact_B = jnp.all(ans_out == ans_ref, axis=1) & ended
    chain_B = jnp.all(out_NxL == target_NxL, axis=1)
    ops_BxO = jax.nn.one_hot(batch['num_ops'], self.config.data.max_ops + 1) * real_B[:, None]
    return {'nll': jnp.sum(self.nll(logits, batch['y']) * loss_mask),
            'token_correct': jnp.sum((logits.argmax(-1) == batch['y']) * loss_mask),
            'tokens': jnp.sum(loss_mask),
            'exact_O': jnp.einsum('bo,b->o', ops_BxO, exact_B.astype(jnp.float32)),
            'chain': jnp.sum(chain_B * real_B), 'count_O': ops_BxO.sum(0)}

  def summarize(self, sums):
    exact_O, count_O = np.asarray(sums['exact_O']), np.asarray(sums['count_O'])
    out = {'test/loss': float(sums['nll'] / sums['tokens']),
           'test/token_accuracy': float(sums['token_correct'] / sums['tokens']),
           'test/exact_match': float(exact_O.sum() / count_O.sum()),
           'test/chain_match': float(sums['chain'] / count_O.sum())}
    for n in range(len(count_O)):
      if count_O[n]:
        out[f'test/exact_match_ops{n}'] = float(exact_O[n] / count_O[n])
    return out

  @functools.cached_property
  def _decode_jit(self):
    return jax.jit(self.decode)   # temperature traced: one compilation for greedy and every T

  def complete(self, state, arrays: dict, temperature: float = 0.0, rng=None,
               num_samples: int = 1, batch_size: int = 0) -> list:
    """Completions as text, [problem][sample] (num_samples of them; greedy when temperature = 0),
    each the characters after the problem's '='."""
    variables = state.nets['model'].variables()
    x, plen = np.asarray(arrays['x']), np.asarray(arrays['prompt_len'])
    size = batch_size or self.config.data.eval_batch_size
    rng = jax.random.PRNGKey(0) if rng is None else rng
    texts = [[] for _ in range(len(x))]
    for s in range(num_samples):
      key = jax.random.fold_in(rng, s)
      for i in range(0, len(x), size):
        xb, pb = x[i:i + size], plen[i:i + size]
        real = len(xb)
        if real < size:                                   # pad to one compiled shape
          xb = np.concatenate([xb, np.repeat(xb[-1:], size - real, 0)])
          pb = np.concatenate([pb, np.repeat(pb[-1:], size - real, 0)])
        seq = np.asarray(self._decode_jit(variables, jnp.asarray(xb), jnp.asarray(pb),
                                          rng=jax.random.fold_in(key, i),
                                          temperature=jnp.float32(temperature)))
        for j in range(real):
          texts[i + j].append(arith.decode(seq[j, pb[j]:]))
    return texts

  def plots(self, state, workdir, data):
    """<workdir>/samples.txt: the greedy completions of the first 20 test problems."""
    test = {k: v[:20] for k, v in data['test'].items()}
    texts = self.complete(state, test, batch_size=len(test['x']))
    with open(os.path.join(workdir, 'samples.txt'), 'w') as f:
      for i, (sample,) in enumerate(texts):
        prompt = arith.decode(test['x'][i][:test['prompt_len'][i]])
        f.write(f'{prompt}{sample.split(".")[0]}.   (answer {data["test_problems"]["answer"][i]})\n')
