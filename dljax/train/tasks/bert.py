"""BERT: pretraining (masked LM + next-sentence prediction) and fine-tuning on Shakespeare lines.

bert_pretrain: batches of NSP pairs of training lines of the dataset shakespeare_bpe_lines (dljax.data.mlm.nsp_batch, a function of
(seed, step)); the masking is drawn inside train_step from the step's rng (dljax.data.mlm.mask_tokens).
  loss = mean over chosen positions of -log p(x_t | masked input) + mean over pairs of NSP CE
Evaluation: a fixed set of data.eval_pairs pairs of the validation (and of the test) lines, masked
once with key(seed).
Reported: test/mlm_loss (nats per masked token), test/mlm_accuracy, test/nsp_accuracy, test/loss
(their sum of losses).

Which play a line comes from (configs/language/bert_play.py) is the ordinary classification task
on the dataset shakespeare_plays (dljax.data.datasets.shakespeare_plays).
"""
import sys

import grain
import jax
import jax.numpy as jnp
import numpy as np
import optax

from dljax import data as data_lib, models
from dljax.data import mlm
from dljax.errors import ConfigError
from dljax.train import kit
from dljax.train.tasks.base import Task


def _check_vocab(config, tok):
  if config.model.vocab_size != tok.vocab_size:
    raise ConfigError(f'model.vocab_size={config.model.vocab_size} does not match the BPE '
                      f'vocabulary with data.num_merges={config.data.num_merges} '
                      f'({tok.vocab_size} ids with the 4 specials); set '
                      f'--config.model.vocab_size={tok.vocab_size}.')
  if config.model.max_len < config.data.max_len:
    raise ConfigError(f'data.max_len={config.data.max_len} > model.max_len='
                      f'{config.model.max_len}; set them equal.')


class BertPretrain(Task):
  best_metric = 'loss'
  best_mode = 'min'

  @classmethod
  def load_data(cls, config) -> dict:
    tok = data_lib.info(config.data).vocab
    _check_vocab(config, tok)
    out = {'train': data_lib.load(config.data, 'train'), 'tokenizer': tok}
    for split in ('validation', 'test'):
      pairs = mlm.nsp_batch(data_lib.load(config.data, split), config.data.eval_pairs,
                            config.data.max_len, seed=config.seed, step=0)
      inputs, chosen = mlm.mask_tokens(jax.random.PRNGKey(config.seed),
                                       jnp.asarray(pairs['tokens']), tok.vocab_size,
                                       config.get('mask_rate', 0.15))
      out[split] = dict(pairs, inputs=np.asarray(inputs), chosen=np.asarray(chosen))
    return out

  @classmethod
  def num_train(cls, data):
    return len(data['train'])

  @classmethod
  def train_batches(cls, config, data, process_index, process_count):
    return iter(grain.MapDataset.range(sys.maxsize).map(mlm.NSPBatches(
        data['train'], config.data.batch_size, config.data.max_len, config.seed, process_index,
        process_count)).to_iter_dataset())

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    self.model = models.build(config.model)
    self.mask_rate = config.get('mask_rate', 0.15)

  def init(self, rng, batch):
    return kit.init_single(self.model, rng, (batch['tokens'], batch['segments']),
                           self.config.optim, self.total_steps, train=False)

  def losses(self, mlm_BxTxV, nsp_Bx2, batch, chosen_BxT):
    """(per-position MLM NLL weighted by the chosen mask, per-pair NSP CE)."""
    nll_BxT = optax.softmax_cross_entropy_with_integer_labels(mlm_BxTxV, batch['tokens'])
    return nll_BxT * chosen_BxT, optax.softmax_cross_entropy_with_integer_labels(nsp_Bx2,
                                                                                 batch['nsp'])

  def train_step(self, state, batch, rng):
    net = state.nets['model']
    k_mask, k_dropout = jax.random.split(rng)
    inputs, chosen = mlm.mask_tokens(k_mask, batch['tokens'], self.model.vocab_size, self.mask_rate)
    chosen = chosen.astype(jnp.float32)

    def objective(params):
      mlm_logits, nsp_logits = self.model.apply({**net.variables(), 'params': params}, inputs,
                                                batch['segments'], train=True,
                                                rngs={'dropout': k_dropout})
      mlm_nll, nsp_ce = self.losses(mlm_logits, nsp_logits, batch, chosen)
      mlm_loss = mlm_nll.sum() / jnp.maximum(chosen.sum(), 1.0)
      return mlm_loss + nsp_ce.mean(), (mlm_loss, nsp_ce.mean(), mlm_logits, nsp_logits)

    net, (mlm_loss, nsp_loss, mlm_logits, nsp_logits), metrics = kit.gradient_step(
        net, objective, has_aux=True)
    hit = (mlm_logits.argmax(-1) == batch['tokens']) * chosen
    metrics.update({'train/mlm_loss': mlm_loss, 'train/nsp_loss': nsp_loss,
                    'train/mlm_accuracy': hit.sum() / jnp.maximum(chosen.sum(), 1.0),
                    'train/nsp_accuracy': (nsp_logits.argmax(-1) == batch['nsp']).mean()})
    return state.replace(nets={'model': net}), metrics

  def eval_step(self, state, batch):
    mlm_logits, nsp_logits = self.model.apply(state.nets['model'].variables(), batch['inputs'],
                                              batch['segments'], train=False)
    real = batch['mask'].astype(jnp.float32)
    chosen = batch['chosen'].astype(jnp.float32) * real[:, None]
    mlm_nll, nsp_ce = self.losses(mlm_logits, nsp_logits, batch, chosen)
    return {'mlm_nll': mlm_nll.sum(), 'masked': chosen.sum(),
            'mlm_correct': jnp.sum((mlm_logits.argmax(-1) == batch['tokens']) * chosen),
            'nsp_ce': jnp.sum(nsp_ce * real),
            'nsp_correct': jnp.sum((nsp_logits.argmax(-1) == batch['nsp']) * real),
            'count': real.sum()}

  def summarize(self, sums):
    mlm_loss = float(sums['mlm_nll'] / sums['masked'])
    nsp_loss = float(sums['nsp_ce'] / sums['count'])
    return {'test/loss': mlm_loss + nsp_loss, 'test/mlm_loss': mlm_loss,
            'test/mlm_accuracy': float(sums['mlm_correct'] / sums['masked']),
            'test/nsp_loss': nsp_loss,
            'test/nsp_accuracy': float(sums['nsp_correct'] / sums['count'])}
