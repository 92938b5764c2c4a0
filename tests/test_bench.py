"""experiments/tools/bench.py from the command line: it times any task kind's train step alone with
--notorch (a classifier, a step that makes its own data, a two-network task), times a language
model against its PyTorch twin, writes every field of the JSON, and refuses a torch comparison it
cannot make, with the fix in the message."""
import json
import os
import subprocess
import sys

import pytest

from tests.helpers import ROOT


def run_bench(*args):
  env = dict(os.environ, JAX_PLATFORMS='cpu')
  env['PYTHONPATH'] = ROOT + os.pathsep + env.get('PYTHONPATH', '')
  return subprocess.run([sys.executable, '-m', 'experiments.tools.bench', *args], cwd=ROOT, env=env,
                        capture_output=True, text=True, timeout=300)


def test_notorch_times_a_model_without_a_torch_twin(tmp_path):
  out = tmp_path / 'convnext.json'
  proc = run_bench('--config=configs/vision/fmnist_convnext.py:smoke', '--notorch', '--steps=2',
                   '--warmup=1', '--windows=1', '--batch_size=8', f'--out={out}')
  assert proc.returncode == 0, proc.stderr[-2000:]
  result = json.loads(out.read_text())
  assert result['model']['class'] == 'ConvNeXt' and 'torch' not in result
  assert result['jax']['ms_per_step'] > 0 and result['jax']['steps_per_s'] > 0


def test_torch_comparison_of_a_model_without_a_twin_is_refused(tmp_path):
  proc = run_bench('--config=configs/vision/fmnist_convnext.py:smoke', '--steps=2',
                   f'--out={tmp_path / "x.json"}')
  assert proc.returncode != 0
  assert 'not supported' in proc.stderr and '--notorch' in proc.stderr
  assert not (tmp_path / 'x.json').exists()


JAX_FIELDS = ('ms_per_step', 'steps_per_s', 'examples_per_s', 'compile_s', 'lower_s', 'xla_compile_s',
              'final_loss', 'flops_per_step', 'temp_bytes')


@pytest.mark.parametrize('config', ['configs/rl/dqn_cartpole.py:smoke', 'configs/gan/gan_mog.py:smoke'])
def test_notorch_times_other_task_kinds(config, tmp_path):
  out = tmp_path / 'b.json'
  proc = run_bench(f'--config={config}', '--notorch', '--steps=2', '--warmup=1', '--windows=1',
                   f'--out={out}')
  assert proc.returncode == 0, proc.stderr[-2000:]
  result = json.loads(out.read_text())
  for field in JAX_FIELDS:
    assert field in result['jax'], field
  assert result['jax']['steps_per_s'] > 0 and result['model']['params'] > 0
  assert {'devices', 'versions', 'matmul_peak_gflops', 'loadavg_before', 'timestamp'} <= set(result)


def test_language_model_against_its_torch_twin(tmp_path):
  out = tmp_path / 'lstm.json'
  proc = run_bench('--config=configs/language/shakespeare_lstm.py:smoke', '--steps=2', '--warmup=1',
                   '--windows=1', '--batch_size=4', f'--out={out}')
  assert proc.returncode == 0, proc.stderr[-2000:]
  result = json.loads(out.read_text())
  assert result['torch']['twin'] == 'TorchLSTMLM'
  assert result['ratio'] == pytest.approx(result['jax']['steps_per_s'] / result['torch']['steps_per_s'])
