"""In-context learning: a causal LM trained on sequences of (x, f(x)) pairs with a fresh f each time.

Data (dljax.data.icl): [family] x_1 f(x_1) ... x_n f(x_n) with f drawn per sequence from the
families in data.families over data.num_symbols symbols; n = data.num_pairs. The loss is the
cross-entropy of the answers f(x_j) only (the x's are random, so predicting them teaches nothing):
  L = -sum_j log p(f(x_j) | family, x_1, f(x_1), ..., x_j) / n.
Because the pairs are i.i.d., the answer to pair k + 1 is a k-shot prompt; evaluation on held-out
sequences reports, for each k in data.eval_shots:
  test/accuracy_k{k}            over all families
  test/<family>/accuracy_k{k}   per family
and test/loss (nats per answer), test/accuracy (all answers). The plot <workdir>/plots/icl_shots.png
shows accuracy against k for every k with the Bayes-optimal ceiling and chance.

This is the LM task (dljax.train.tasks.lm) with its own data and a loss mask: `init` and the
cross-entropy are inherited; the data stream, the masked objective and the per-k metrics differ.
"""
import os

import jax
import jax.numpy as jnp
import numpy as np

from dljax import viz
from dljax.data import icl
from dljax.errors import ConfigError
from dljax.train import kit
from dljax.train.tasks.lm import LanguageModel


def _args(data_cfg) -> dict:
  return {'families': tuple(data_cfg.families), 'num_symbols': data_cfg.num_symbols,
          'num_pairs': data_cfg.num_pairs}


def masked_mean(values_BxT, mask_BxT):
  """sum(values * mask) / sum(mask): the mean over the answer positions only."""
  return jnp.sum(values_BxT * mask_BxT) / jnp.maximum(jnp.sum(mask_BxT), 1.0)


class InContext(LanguageModel):
  best_metric = 'loss'
  best_mode = 'min'

  @classmethod
  def load_data(cls, config) -> dict:
    d = config.data
    try:
      icl.check(tuple(d.families), d.num_symbols)
    except ValueError as e:
      raise ConfigError(f'{e} (config.data.families / config.data.num_symbols)') from None
    if config.model.vocab_size != icl.vocab_size(d.num_symbols):
      raise ConfigError(f'model.vocab_size={config.model.vocab_size} does not match '
                        f'{d.num_symbols} symbols + {len(icl.FAMILIES)} family tokens; set '
                        f'--config.model.vocab_size={icl.vocab_size(d.num_symbols)}.')
    if config.model.max_len < 2 * d.num_pairs:
      raise ConfigError(f'model.max_len={config.model.max_len} is shorter than the sequences '
                        f'(2 * data.num_pairs = {2 * d.num_pairs}); raise model.max_len.')
    if any(not 0 <= k < d.num_pairs for k in d.eval_shots):
      raise ConfigError(f'data.eval_shots={tuple(d.eval_shots)} must lie in 0..num_pairs-1 = '
                        f'{d.num_pairs - 1} (k examples, then the query); raise data.num_pairs.')
    if config.train.epochs:
      raise ConfigError('in-context training streams fresh tasks (no epochs); set train.steps '
                        'and --config.train.epochs=0.')
    test = icl.eval_set(d.eval_per_family, config.seed, **_args(d))
    val = icl.eval_set(d.eval_per_family, config.seed + 1, **_args(d))   # another seed stream
    return {'validation': {k: val[k] for k in ('x', 'y', 'answer', 'family')},
            'test': {k: test[k] for k in ('x', 'y', 'answer', 'family')},
            'bayes': icl.bayes_accuracy(test, d.num_symbols), 'family': test['family']}

  @classmethod
  def num_train(cls, data):
    return len(data['test']['x'])   # no epochs (load_data refuses them): a nominal size

  @classmethod
  def train_batches(cls, config, data, process_index, process_count):
    stream = icl.train_iterator(config.data.batch_size, config.seed, process_index, process_count,
                                **_args(config.data))
    return stream

  def train_step(self, state, batch, rng):
    net = state.nets['model']

    def objective(params):
      logits = self.model.apply({**net.variables(), 'params': params}, batch['x'], train=True,
                                rngs={'dropout': rng})
      return masked_mean(self.nll(logits, batch['y']), batch['answer']), logits

    net, logits, metrics = kit.gradient_step(net, objective, has_aux=True)
    correct = (logits.argmax(-1) == batch['y']).astype(jnp.float32)
    metrics['train/accuracy'] = masked_mean(correct, batch['answer'])
    return state.replace(nets={'model': net}), metrics

  def eval_step(self, state, batch):
    logits = self.model.apply(state.nets['model'].variables(), batch['x'], train=False)
    real_B = batch['mask'].astype(jnp.float32)
    correct_BxN = (logits.argmax(-1) == batch['y'])[:, 1::2].astype(jnp.float32)  # answer j
    nll_BxN = self.nll(logits, batch['y'])[:, 1::2]
    fam_BxF = jax.nn.one_hot(batch['family'], len(icl.FAMILIES)) * real_B[:, None]
    return {'correct': jnp.einsum('bf,bn->fn', fam_BxF, correct_BxN),   # F x num_pairs
            'count': fam_BxF.sum(0),                                     # F
            'nll': jnp.sum(nll_BxN * real_B[:, None])}

  def summarize(self, sums):
    correct_FxN, count_F = np.asarray(sums['correct']), np.asarray(sums['count'])
    out = {'test/loss': float(sums['nll'] / (count_F.sum() * correct_FxN.shape[1])),
           'test/accuracy': float(correct_FxN.sum() / (count_F.sum() * correct_FxN.shape[1]))}
    for k in self.config.data.eval_shots:
      out[f'test/accuracy_k{k}'] = float(correct_FxN[:, k].sum() / count_F.sum())
      for f, name in enumerate(icl.FAMILIES):
        if count_F[f]:
          out[f'test/{name}/accuracy_k{k}'] = float(correct_FxN[f, k] / count_F[f])
    return out

  def shot_curves(self, state, data) -> dict:
    """{family: (k, model accuracy, Bayes-optimal accuracy)} for k = 0..num_pairs-1 (host arrays)."""
    test = data['test']
    apply = jax.jit(lambda v, x: self.model.apply(v, x, train=False).argmax(-1))
    size = self.config.data.eval_batch_size
    pred = np.concatenate([np.asarray(apply(state.nets['model'].variables(), test['x'][i:i + size]))
                           for i in range(0, len(test['x']), size)])
    correct_BxN = (pred == test['y'])[:, 1::2]
    ks = np.arange(correct_BxN.shape[1])
    return {name: (ks, correct_BxN[data['family'] == f].mean(0),
                   data['bayes'][data['family'] == f].mean(0))
            for f, name in enumerate(icl.FAMILIES) if np.any(data['family'] == f)}

  def plots(self, state, workdir, data):
    shot_plot(self.shot_curves(state, data), self.config.data.num_symbols,
              os.path.join(workdir, 'plots', 'icl_shots.png'))


def shot_plot(curves: dict, num_symbols: int, path: str, title: str = None) -> str:
  """One panel per family {name: (k, model accuracy, Bayes accuracy)}: accuracy against the number
  of in-context examples, with the Bayes-optimal ceiling and chance (the best without context)."""
  panels = []
  for name, (ks, model, bayes) in curves.items():
    panels.append({'title': name, 'xlabel': 'examples in the prompt (k)', 'ylabel': 'accuracy',
                   'series': {'transformer': (ks, model), 'Bayes-optimal in context': (ks, bayes)},
                   'hlines': {f'chance 1/{num_symbols} = best without context': 1 / num_symbols}})
  return viz.line_panels(panels, path, title=title)
