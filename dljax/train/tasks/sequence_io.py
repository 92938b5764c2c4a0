"""Per-step sequence prediction of bits: inputs B x T x D in, B x T x K target bits out, masked.

Data: a per-step task of dljax.data.synthetic (data.name = seq_repeat_copy, seq_dynamic_ngram,
seq_associative_recall): arrays `inputs` N x T x D, `targets` N x T x K (or N x T, read as K = 1)
and `mask` N x T (1 where the loss counts). The model maps inputs_BxTxD -> logits_BxTxK; each
target bit is a Bernoulli with p = sigmoid(logit), trained by sigmoid binary cross-entropy.
Regression (config.loss = 'mse'): each target is a real number y and the loss is (f - y)^2; a
dataset with one target per sequence and no mask (seq_adding: targets N) is read as the target of
the last step (mask 1 at t = T only), so the loss is the MSE of the output at h_T; test/loss is then
the mean squared error per target.

Reported (Graves et al. 2014's measures) on the test split drawn with data.args (the training
distribution) as test/*; longer test sequences are the evaluator `length_generalisation`
(dljax/eval/length_generalisation.py: config.evals.test_long = dict(type='length_generalisation',
args=dict(max_len=...)) logs test_long/*, the same metrics):
  */loss                 BCE in nats per target bit
  */bits_per_seq         the cost per sequence: summed BCE in bits (dynamic N-grams)
  */bit_error_per_seq    wrong bits per sequence, thresholding p at 1/2 (copy, repeat copy)
  */bayes_bits_per_seq   the Bayes-optimal predictor's cost, where the data has `bayes_probs`
Models that ponder (Adaptive Computation Time) sow their per-position ponder cost N + R into
'intermediates' as `ponder_cost`; the training loss adds `ponder_weight` (tau) times its mean.

Plots (<workdir>/plots): for the longest test sequence of the training distribution: inputs, targets and outputs, the memory weightings of a model with a `weightings`
method (NTM; also <workdir>/weightings.npz), the ponder time per position of an ACT model.
"""
import math
import os

import jax
import jax.numpy as jnp
import numpy as np
import optax

from dljax import data as data_lib, models
from dljax.errors import ConfigError
from dljax.train import kit
from dljax.train.tasks.base import Task

# loss(logit or output, target) per target: bits (sigmoid cross-entropy) or real numbers (squared)
LOSSES = {'bce': optax.sigmoid_binary_cross_entropy, 'mse': lambda f, y: (f - y) ** 2}


def _as_steps(arrays: dict) -> dict:
  """{'x': inputs N x T x D, 'y': targets N x T x K, 'mask': N x T, + the data's extra keys}; one
  target per sequence (targets N, no mask: the adding problem) becomes the target of step T."""
  out = {k: v for k, v in arrays.items() if k not in ('inputs', 'targets', 'mask')}
  x_NxTxD, y = arrays['inputs'], arrays['targets']
  if 'mask' in arrays:
    y, step_mask = (y[..., None] if y.ndim == 2 else y), arrays['mask']
  else:
    step_mask = np.zeros(x_NxTxD.shape[:2], np.float32)
    step_mask[:, -1] = 1.0
    y = (step_mask * y[:, None])[..., None].astype(np.float32)
  out.update(x=x_NxTxD, y=y, step_mask=step_mask)
  return out


class SequenceIO(Task):
  best_metric = 'loss'
  best_mode = 'min'

  @classmethod
  def load_data(cls, config) -> dict:
    if not config.data.name.startswith('seq_') or data_lib.sequence_vocab(config.data) is not None:
      raise ConfigError(f'data.name={config.data.name!r} is not a per-step bits task; use '
                        'seq_repeat_copy, seq_dynamic_ngram or seq_associative_recall.')
    loss = config.get('loss', 'bce')
    if loss not in LOSSES:
      raise ConfigError(f'loss={loss!r} is unknown for task=sequence_io; use one of {sorted(LOSSES)}.')
    arrays = data_lib.load_sequences(config.data, 'train')
    if 'mask' not in arrays and loss != 'mse':
      raise ConfigError(f'{config.data.name} has no per-step targets (its target is one real '
                        "number per sequence, read at the last step): set config.loss='mse'.")
    train = _as_steps(arrays)
    k = train['y'].shape[-1]
    if config.model.get(config.model.name, config.model).get('num_outputs', 0) != k:
      raise ConfigError(f'the model must output {k} logits per step for {config.data.name} '
                        f'(its targets have {k} channels); set num_outputs={k} in the model config.')
    if config.data.get('test_args', None):
      raise ConfigError('data.test_args (a longer test set) moved to an evaluator: set '
                        "config.evals.test_long = dict(type='length_generalisation', "
                        'args=dict(max_len=...), every=...) and remove data.test_args.')
    return {'train': train,
            'validation': _as_steps(data_lib.load_sequences(config.data, 'validation')),
            'test': _as_steps(data_lib.load_sequences(config.data, 'test'))}

  @classmethod
  def num_train(cls, data):
    return len(data['train']['x'])

  @staticmethod
  def load_split(data_cfg, split: str) -> dict:
    """The arrays of `split` of the sequence data `data_cfg`, one target per step (for evaluators
    that redraw a split with other data arguments)."""
    return _as_steps(data_lib.load_sequences(data_cfg, split))

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    self.model = models.build(config.model)
    self.ponder_weight = config.get('ponder_weight', 0.0)
    self.loss_name = config.get('loss', 'bce')
    self.loss_fn = LOSSES[self.loss_name]

  def init(self, rng, batch):
    return kit.init_single(self.model, rng, (batch['x'],), self.config.optim, self.total_steps,
                           train=False)  # without the 'intermediates' sown at initialisation

  def forward(self, net, x, train=False, rng=None, params=None):
    """(logits_BxTxK, ponder cost B x T or None)."""
    variables = {**net.variables(), 'params': net.params if params is None else params}
    logits, inter = self.model.apply(variables, x, train=train, mutable=['intermediates'],
                                     rngs={'dropout': rng} if train else None)
    ponder = inter.get('intermediates', {}).get('ponder_cost', None)
    return logits, (None if ponder is None else ponder[0])

  def train_step(self, state, batch, rng):
    net = state.nets['model']
    mask_BxTx1 = batch['step_mask'][..., None]
    bits = jnp.sum(jnp.broadcast_to(mask_BxTx1, batch['y'].shape))

    def objective(params):
      logits, ponder = self.forward(net, batch['x'], train=True, rng=rng, params=params)
      loss = jnp.sum(self.loss_fn(logits, batch['y']) * mask_BxTx1) / bits  # per target
      if ponder is None:
        return loss, (loss, {}, logits)
      ponder_cost = jnp.mean(ponder)  # mean over positions of N + R
      return loss + self.ponder_weight * ponder_cost, (loss, {'train/ponder_cost': ponder_cost},
                                                       logits)

    net, (loss, extra, logits), metrics = kit.gradient_step(net, objective, has_aux=True)
    metrics.update({'train/loss': loss, **extra})  # the data term (without the ponder cost)
    if self.loss_name == 'bce':
      errors = jnp.sum((logits > 0) != (batch['y'] > 0.5), axis=-1) * batch['step_mask']
      metrics['train/bit_error_per_seq'] = jnp.mean(jnp.sum(errors, -1))
    return state.replace(nets={'model': net}), metrics

  def eval_step(self, state, batch):
    logits, ponder = self.forward(state.nets['model'], batch['x'])
    seq_mask_B = batch['mask'].astype(jnp.float32)
    step_mask_BxT = batch['step_mask'] * seq_mask_B[:, None]
    bce_BxT = jnp.sum(self.loss_fn(logits, batch['y']), -1) * step_mask_BxT  # (or squared error)
    errors_BxT = jnp.sum((logits > 0) != (batch['y'] > 0.5), -1) * step_mask_BxT
    sums = {'nll': jnp.sum(bce_BxT), 'errors': jnp.sum(errors_BxT),
            'bits': jnp.sum(step_mask_BxT) * batch['y'].shape[-1], 'seqs': jnp.sum(seq_mask_B)}
    if 'bayes_probs' in batch:
      p = jnp.clip(batch['bayes_probs'], 1e-7, 1 - 1e-7)
      y = batch['y'][..., 0]
      sums['bayes_nll'] = -jnp.sum((y * jnp.log(p) + (1 - y) * jnp.log(1 - p)) * step_mask_BxT)
    if ponder is not None:
      sums['ponder'] = jnp.sum(jnp.mean(ponder, -1) * seq_mask_B)
    return sums

  def summarize(self, sums, prefix='test'):
    seqs = sums['seqs']
    if self.loss_name == 'mse':
      return {f'{prefix}/loss': float(sums['nll'] / sums['bits'])}  # mean squared error
    out = {f'{prefix}/loss': float(sums['nll'] / sums['bits']),
           f'{prefix}/bits_per_seq': float(sums['nll'] / seqs / math.log(2)),
           f'{prefix}/bit_error_per_seq': float(sums['errors'] / seqs)}
    if 'bayes_nll' in sums:
      out[f'{prefix}/bayes_bits_per_seq'] = float(sums['bayes_nll'] / seqs / math.log(2))
    if 'ponder' in sums:
      out[f'{prefix}/ponder_time'] = float(sums['ponder'] / seqs)
    return out

  # --- plots ------------------------------------------------------------------------------------
  def _host_predict(self, state, x):
    net = state.nets['model']
    logits, ponder = jax.jit(lambda x: self.forward(net, x))(x)
    return np.asarray(logits), None if ponder is None else np.asarray(ponder)

  def length_errors(self, state, arrays, batch_size=500):
    """{length: mean bit errors per sequence} over the sequences of each input length."""
    errors = []
    for start in range(0, len(arrays['x']), batch_size):
      logits, _ = self._host_predict(state, arrays['x'][start:start + batch_size])
      y = arrays['y'][start:start + batch_size]
      m = arrays['step_mask'][start:start + batch_size]
      errors.append((((logits > 0) != (y > 0.5)).sum(-1) * m).sum(-1))
    errors = np.concatenate(errors)
    lengths = arrays['lengths']
    return {int(l): float(errors[lengths == l].mean()) for l in np.unique(lengths)}

  def plots(self, state, workdir, data):
    from dljax import viz  # pylint: disable=g-import-not-at-top
    short = data['test']
    i = int(np.argmax(short['lengths'])) if 'lengths' in short else 0
    example = {k: v[i:i + 1] for k, v in short.items()}  # the longest of the training lengths
    logits, ponder = self._host_predict(state, example['x'])
    output = logits[0] if self.loss_name == 'mse' else 1 / (1 + np.exp(-logits[0]))
    panels = {'input': example['x'][0], 'target': example['y'][0] * example['step_mask'][0, :, None],
              'output': output * example['step_mask'][0, :, None]}
    if hasattr(type(self.model), 'weightings'):
      _, read_w, write_w = jax.jit(lambda x: self.model.apply(
          state.nets['model'].variables(), x, method=type(self.model).weightings))(example['x'])
      panels.update({'write weighting': np.asarray(write_w)[0, :, 0],
                     'read weighting': np.asarray(read_w)[0, :, 0]})
      np.savez(os.path.join(workdir, 'weightings.npz'), **panels)
    viz.sequence_panels(panels, os.path.join(workdir, 'plots', 'example.png'))
    if ponder is not None:
      np.savez(os.path.join(workdir, 'ponder.npz'), ponder=ponder[0], **panels)
      viz.ponder_times(ponder[0], panels['input'], os.path.join(workdir, 'plots', 'ponder.png'),
                      panels['target'])
