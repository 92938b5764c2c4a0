"""Two processes on localhost (jax.distributed, gloo CPU collectives) train one experiment
data-parallel; their checkpoint is restored by a single-process run on another device count."""
import os
import shutil
import socket
import subprocess
import sys

from tests.helpers import ROOT, read_jsonl, run_train

ARGS = ['--config=configs/vision/fmnist_mlp.py:smoke', '--config.train.steps=20',
        '--config.train.log_every=1', '--config.train.checkpoint_every=10',
        '--config.train.eval_every=10', '--config.data.batch_size=64',
        '--config.data.eval_batch_size=200', '--config.train.async_checkpoints=false',
        '--progress=false']


def _free_port():
  with socket.socket() as s:
    s.bind(('127.0.0.1', 0))
    return s.getsockname()[1]


def _env(devices):
  return dict(os.environ, PYTHONPATH=ROOT, JAX_PLATFORMS='cpu',
              XLA_FLAGS=f'--xla_force_host_platform_device_count={devices}')


def test_two_processes_match_one_and_checkpoint_restores_on_one_process(tmp_path):
  multi, single = tmp_path / 'multi', tmp_path / 'single'
  port = _free_port()
  procs = [subprocess.Popen(
      [sys.executable, '-m', 'experiments.train', *ARGS, f'--workdir={multi}',
       f'--coordinator=127.0.0.1:{port}', '--num_processes=2', f'--process_id={i}'],
      cwd=ROOT, env=_env(2), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
      for i in range(2)]
  outs = [p.communicate(timeout=240) for p in procs]
  for p, (_, err) in zip(procs, outs):
    assert p.returncode == 0, err[-3000:]

  one = run_train(ARGS + [f'--workdir={single}'], _env(1))
  assert one.returncode == 0, one.stderr[-2000:]
  loss_multi = [r['train/loss'] for r in read_jsonl(multi / 'metrics.jsonl') if 'train/loss' in r]
  loss_one = [r['train/loss'] for r in read_jsonl(single / 'metrics.jsonl') if 'train/loss' in r]
  assert len(loss_multi) == len(loss_one) == 20
  for a, b in zip(loss_multi, loss_one):
    assert abs(a - b) <= 1e-5 * abs(a), (a, b)

  # a single process with 1 device resumes the 2-process run from its step-10 checkpoint
  reference = read_jsonl(multi / 'metrics.jsonl')
  shutil.rmtree(multi / 'checkpoints' / 'latest' / '20')
  os.remove(multi / 'summary.json')
  resumed = run_train(ARGS + [f'--workdir={multi}'], _env(1))
  assert resumed.returncode == 0, resumed.stderr[-2000:]
  rows = read_jsonl(multi / 'metrics.jsonl')
  assert [r['step'] for r in rows] == [r['step'] for r in reference]
  for a, b in zip(rows, reference):
    for k in a:
      assert abs(a[k] - b[k]) <= 1e-5 * max(abs(b[k]), 1e-6), (k, a[k], b[k])
