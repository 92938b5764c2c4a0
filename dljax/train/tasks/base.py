"""The contract between an experiment and the training loop.

A task owns the networks, the losses, the evaluation and which data it reads; the loop owns
everything else (sharding, compilation, checkpoints, logging). Every method that runs on device is
pure:

  prepare(train_arrays)              -> None: host-side statistics of the training split (once)
  init(rng, batch)                   -> TrainState
  train_step(state, batch, rng)      -> (state, metrics)   the loop bumps state.step and jits it
  eval_step(state, batch)            -> dict of sums over the real (mask == 1) examples
  summarize(sums)                    -> {'test/<metric>': value}      (on the host)
  evaluate(state, arrays, ...)       -> {'test/<metric>': value}  on any split's arrays; the loop
                                        calls evaluate_split, which names them '<split>/<metric>'
                                        ('val/...' on data['validation'], 'test/...' on data['test'])
  plots(state, workdir, data)        -> writes PNGs under <workdir>/plots (on the host)

On the host, before the task is built (classmethods, so the step count can depend on the data):

  check_config(config)               -> None, or ConfigError naming the key and the fix: the task's
                                        own model/optimizer keys (called by config_check.validate)
  load_data(config)                  -> {'train': ..., 'validation': ..., 'test': ...}
                                        (default: dljax.data.load of the three splits)
  num_train(data)                    -> examples per epoch (for train.epochs)
  train_batches(config, data, i, n)  -> checkpointable iterator of process i's batches (of n), or
                                        None for a task that makes its data inside train_step (RL,
                                        synthetic streams): the loop then passes batch=None to
                                        init and train_step and checkpoints no iterator state

Class attributes: best_metric / best_mode (the metric, without a split prefix, whose validation
value chooses best/: 'accuracy' -> val/accuracy), and batch_sharding:
'data' (default: the batch axis split over the mesh's `data` axis) or 'replicated' (every device
sees the whole batch, e.g. full-graph training on one graph).

The single-network pieces (init, one gradient step with its metrics, the optimizer with clipping,
weight decay, layer-wise decay and freezing) are in dljax.train.kit.

Validation discipline: the loop evaluates data['validation'] during training and selects best/
checkpoints on 'val/' + best_metric; test is evaluated once at the end and never used to choose.

Task functions that evaluators call (dljax/eval, config.evals), defined by the tasks that can give
them; pure and jittable, in eval mode, on raw inputs x as the data holds them:

  predict(state, x)                  -> logits (or the model's outputs)   Classification
  features(state, x)                 -> B x D embeddings (penultimate layer)   Classification
  sample(state, rng, n)              -> n samples of a generative model   GAN
  log_prob(state, x)                 -> B log-likelihoods in nats of a density model
  load_split(data_cfg, split)        -> the arrays of one split of another data config, in the
                                        task's batch layout (host; e.g. longer sequences)   SequenceIO
An evaluator lists the ones it needs (REQUIRES); a task without one is refused before compiling.

Several networks and optimizers (GAN), EMA targets, inner loops or non-gradient updates live inside
`train_step` and in `TrainState.nets` / `TrainState.extra`: the loop never looks inside them.
"""
import jax
import numpy as np

from dljax import data as data_lib, models
from dljax.data import pipeline
from dljax.train import kit


class Task:
  """Base class; subclasses implement init/train_step and usually eval_step/summarize."""

  best_metric = 'loss'
  best_mode = 'min'
  batch_sharding = 'data'  # or 'replicated'

  def __init__(self, config, total_steps: int):
    self.config = config
    self.total_steps = total_steps

  @classmethod
  def check_config(cls, config):
    """Checks the task's own keys before any data is read: by default config.model builds
    (dljax.models.build) and config.optim is a valid optimizer (kit.check_optimizer)."""
    models.build(config.model)
    kit.check_optimizer(config.optim)

  @classmethod
  def load_data(cls, config) -> dict:
    check_model(config, data_lib.info(config.data))
    return {split: data_lib.load_split(config.data, split) for split in SPLITS}

  @classmethod
  def num_train(cls, data: dict) -> int:
    return len(data['train']['y'])

  @classmethod
  def train_batches(cls, config, data: dict, process_index: int, process_count: int):
    """Shuffled examples, global batch data.batch_size, seeded by config.seed (resumable)."""
    return pipeline.train_iterator(data['train'], config.data.batch_size, seed=config.seed,
                                   process_index=process_index, process_count=process_count)

  def prepare(self, train: dict):
    """Called once on the host with the whole training split, before `init` (e.g. to compute
    normalisation statistics that `init` stores in the state)."""
    del train

  def init(self, rng, batch):
    raise NotImplementedError

  def train_step(self, state, batch, rng):
    raise NotImplementedError

  def eval_step(self, state, batch):
    raise NotImplementedError

  def summarize(self, sums: dict) -> dict:
    raise NotImplementedError

  def evaluate(self, state, arrays: dict, eval_fn, put_batch) -> dict:
    """Runs the compiled `eval_fn` over every example once (padded, masked) and summarizes."""
    total = None
    for batch in pipeline.eval_batches(arrays, self.config.data.eval_batch_size,
                                       jax.process_index(), jax.process_count()):
      sums = eval_fn(state, put_batch(batch))
      total = sums if total is None else jax.tree.map(np.add, total, sums)
      total = jax.device_get(total)
    return self.summarize(total)

  def evaluate_split(self, state, arrays: dict, eval_fn, put_batch, split: str = 'test') -> dict:
    """`evaluate` with its metrics named for `split`: 'test/m' -> 'val/m' for 'validation'."""
    return rename(self.evaluate(state, arrays, eval_fn, put_batch), split)

  def plots(self, state, workdir: str, data: dict):
    del state, workdir, data


SPLITS = ('train', 'validation', 'test')
PREFIXES = {'validation': 'val', 'test': 'test'}


def rename(metrics: dict, split: str) -> dict:
  """{'test/m': v, 'test_long/m': w} -> {'val/m': v, 'val_long/m': w} for split 'validation'."""
  prefix = PREFIXES[split]
  return {(prefix + k[len('test'):] if k.startswith('test') else k): v for k, v in metrics.items()}


def check_model(config, info):
  """The model's sizes against the data's (before anything is built): model.num_classes (softmax
  loss) = the classes, model.vocab_size = the vocabulary size, model.max_len >= the input length."""
  from dljax.errors import ConfigError  # pylint: disable=g-import-not-at-top
  model = config.model.get(config.model.get('name', ''), None)
  model = model if hasattr(model, 'items') else config.model
  want = {}
  if info.num_classes and config.get('loss', 'softmax') == 'softmax':
    want['num_classes'] = info.num_classes
  if info.num_classes and config.get('loss', 'softmax') == 'multilabel':  # one score per label
    want['num_outputs'] = info.num_classes
  if isinstance(info.vocab, int):
    want['vocab_size'] = info.vocab
  for key, value in want.items():
    if model.get(key, None) not in (None, 0, value):
      raise ConfigError(f'model.{key}={model[key]} does not match {config.data.name} ({value}); '
                        f'set --config.model.{key}={value}.')
  if isinstance(info.vocab, int) and info.shape and model.get('max_len', 0):
    if model.max_len < info.shape[0]:
      raise ConfigError(f'data.max_len={info.shape[0]} > model.max_len={model.max_len}; set '
                        'them equal.')
