"""The dataset registry: `DATASETS[name]` -> a module with `load(data_cfg, split)` and `info(data_cfg)`.

One module per dataset (or per family of datasets, which reads its variant from data_cfg.name):
  load(data_cfg, split)  split in 'train' / 'validation' / 'test'; what it returns depends on
                         info(data_cfg).kind (dljax.data.splits.Info): {'x', 'y'} arrays for
                         'supervised', an int32 stream for 'tokens', ...
  info(data_cfg)         kind, shapes, classes, vocabulary, value range
  NAMES                  the data.name values the module answers to
Modules that store data describe it as a `dljax.data.builders.Spec` (prepared once into the cache).
`get('tfds:<name>')` gives any stock tfds image-classification dataset (dljax.data.datasets.tfds_stock).
How to add a dataset: docs/datasets.md.
"""
from dljax.data.datasets import (cmudict, digits, envs, fashion_mnist, fashion_mnist_watermark,
                                 graphs, icl, loan, mnist1d, sequences, shakespeare_char,
                                 shakespeare_lines, shakespeare_plays, shakespeare_words, shapes,
                                 sine_tasks, text2text, tfds_stock, toys)
from dljax.data.datasets import shapes_edges, shapes_prompts
from dljax.data.datasets import arith
from dljax.data.datasets import fashion_mnist_xray
from dljax.errors import DataError

MODULES = (fashion_mnist, mnist1d, toys, shapes, digits, shakespeare_char, shakespeare_words,
           shakespeare_lines, shakespeare_plays, cmudict, sequences, text2text, icl, sine_tasks,
           graphs, envs, loan, fashion_mnist_watermark,
           shapes_prompts, shapes_edges, fashion_mnist_xray, arith)
DATASETS = {name: module for module in MODULES for name in module.NAMES}


def get(name: str):
  """The registry entry of data.name `name` (a stock tfds dataset for 'tfds:<name>')."""
  if name.startswith(tfds_stock.PREFIX) and len(name) > len(tfds_stock.PREFIX):
    return tfds_stock.Stock(name)
  if name not in DATASETS:
    raise DataError(f'data.name={name!r} is unknown; known: {sorted(DATASETS)}, or '
                    "'tfds:<name>' for a stock tfds image-classification dataset.")
  return DATASETS[name]
