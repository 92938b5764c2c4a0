"""Exact resume works for the two-player experiment too (two networks, two optimizer states)."""
import os
import shutil

from dljax.train import loop
from tests.helpers import load_config


def config():
  return load_config('configs/basics/gan_mog.py', 'smoke', **{
      'train.steps': 20, 'train.checkpoint_every': 10, 'train.eval_every': 10,
      'train.log_every': 1, 'train.async_checkpoints': False})


def test_gan_resume_is_bitwise_identical(tmp_path):
  a, b = str(tmp_path / 'a'), str(tmp_path / 'b')
  loop.train_and_evaluate(config(), a, progress=False)
  loop.train_and_evaluate(config(), b, progress=False)
  shutil.rmtree(os.path.join(b, 'checkpoints', 'latest', '20'))
  os.remove(os.path.join(b, 'summary.json'))
  loop.train_and_evaluate(config(), b, progress=False)
  with open(os.path.join(a, 'metrics.jsonl')) as fa, open(os.path.join(b, 'metrics.jsonl')) as fb:
    assert fa.read() == fb.read()
