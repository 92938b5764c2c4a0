"""T5-style multitask mixture (`dljax.data.text2text`): data.name = 'text2text'.

All tasks in one character vocabulary, each input prefixed by its task's name, plus `task` ids;
data.mix = {task: weight}; train / validation / test drawn from their own seeds (g2p examples from
the matching cmudict_g2p split). info(cfg).groups names the tasks (per-task metrics).
"""
from dljax.data import splits, text2text
from dljax.data.datasets import sequences

NAMES = ('text2text',)
KIND = 'sequences'


def load(data_cfg, split):
  splits.check_split(data_cfg.name, split)
  limit = data_cfg.get(f'{split}_limit', 0)
  arrays = text2text.make(data_cfg, split, data_cfg.get(f'{split}_size', sequences.SIZES[split]))
  return {k: v[:limit] for k, v in arrays.items()} if limit else arrays


def info(data_cfg):
  del data_cfg
  return splits.Info('sequences', vocab=(text2text.vocab(), text2text.vocab()),
                     groups=tuple(text2text.TASKS))
