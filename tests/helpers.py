"""Small helpers for tests that run experiments."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_config(path: str, preset: str = 'smoke', **overrides):
  """get_config(preset) of configs/<path>, with dotted overrides {'optim.lr': 0.1}."""
  import importlib.util  # pylint: disable=g-import-not-at-top
  spec = importlib.util.spec_from_file_location('cfg', os.path.join(ROOT, path))
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  config = module.get_config(preset)
  for key, value in overrides.items():
    node = config
    *parents, leaf = key.split('.')
    for p in parents:
      node = node[p]
    node[leaf] = value
  return config


def read_jsonl(path):
  with open(path) as f:
    return [json.loads(line) for line in f if line.strip()]


def run_train(args, env_extra=None, timeout=300):
  """Runs `python -m experiments.train ARGS` in a subprocess; returns CompletedProcess."""
  env = dict(os.environ, **(env_extra or {}))
  env['PYTHONPATH'] = ROOT + os.pathsep + env.get('PYTHONPATH', '')
  return subprocess.run([sys.executable, '-m', 'experiments.train', '--progress=false', *args],
                        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
