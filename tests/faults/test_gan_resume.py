"""Exact resume works for the two-player experiment too (two networks, two optimizer states)."""
from tests.helpers import assert_resume_is_bitwise_identical, load_config


def config():
  return load_config('configs/gan/gan_mog.py', 'smoke', **{
      'train.steps': 20, 'train.checkpoint_every': 10, 'train.eval_every': 10,
      'train.log_every': 1, 'train.async_checkpoints': False})


def test_gan_resume_is_bitwise_identical(tmp_path):
  assert_resume_is_bitwise_identical(config, str(tmp_path), last_step=20)
