"""experiments/tools/bench.py from the command line: it times any classification model alone with
--notorch, and refuses a torch comparison it cannot make, with the fix in the message."""
import json
import os
import subprocess
import sys

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
