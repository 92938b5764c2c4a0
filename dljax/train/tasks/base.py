"""The contract between an experiment and the training loop.

A task owns the networks, the losses, the evaluation and which data it reads; the loop owns
everything else (sharding, compilation, checkpoints, logging). Every method that runs on device is
pure:

  prepare(train_arrays)              -> None: host-side statistics of the training split (once)
  init(rng, batch)                   -> TrainState
  train_step(state, batch, rng)      -> (state, metrics)   the loop bumps state.step and jits it
  eval_step(state, batch)            -> dict of sums over the real (mask == 1) examples
  summarize(sums)                    -> {'test/<metric>': value}      (on the host)
  plots(state, workdir, data)        -> writes PNGs under <workdir>/plots (on the host)

On the host, before the task is built (classmethods, so the step count can depend on the data):

  load_data(config)                  -> {'train': ..., 'test': ...}   (default: load_split images)
  num_train(data)                    -> examples per epoch (for train.epochs)
  train_batches(config, data, i, n)  -> checkpointable iterator of process i's batches (of n)

Task functions that evaluators call (dljax/eval, config.evals), defined by the tasks that can give
them; pure and jittable, in eval mode, on raw inputs x as the data holds them:

  predict(state, x)                  -> logits (or the model's outputs)   Classification
  features(state, x)                 -> B x D embeddings (penultimate layer)   Classification
  sample(state, rng, n)              -> n samples of a generative model   GAN
  log_prob(state, x)                 -> B log-likelihoods in nats of a density model
An evaluator lists the ones it needs (REQUIRES); a task without one is refused before compiling.

Several networks and optimizers (GAN), EMA targets, inner loops or non-gradient updates live inside
`train_step` and in `TrainState.nets` / `TrainState.extra`: the loop never looks inside them.
"""
import jax
import numpy as np

from dljax import data as data_lib
from dljax.data import pipeline


class Task:
  """Base class; subclasses implement init/train_step and usually eval_step/summarize."""

  best_metric = 'test/loss'
  best_mode = 'min'

  def __init__(self, config, total_steps: int):
    self.config = config
    self.total_steps = total_steps

  @classmethod
  def load_data(cls, config) -> dict:
    return {split: data_lib.load_split(config.data, split) for split in ('train', 'test')}

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

  def plots(self, state, workdir: str, data: dict):
    del state, workdir, data
