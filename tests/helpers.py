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


def assert_smoke_outputs(summary: dict, workdir):
  """What every smoke run must leave: steps done, finite final metrics, the run's files."""
  import math  # pylint: disable=g-import-not-at-top
  assert summary['steps'] >= 1
  assert summary['final'] and all(math.isfinite(v) for v in summary['final'].values()), (
      summary['final'])
  for name in ('config.json', 'metrics.jsonl', 'summary.json', 'plots/curves.png'):
    assert os.path.exists(os.path.join(workdir, name)), name


def assert_resume_is_bitwise_identical(make_config, workdir, last_step: int, stray_row=None,
                                       make_first_config=None):
  """Trains once (with make_first_config() if given, else make_config()); in a copy of the workdir,
  undoes everything after the checkpoint before `last_step` (as a kill would: the newest
  checkpoint, the summary, plus an optional stray metrics row), resumes with make_config(), and
  asserts both metrics.jsonl files are byte-identical. Returns the first run's summary."""
  import shutil  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  a, b = os.path.join(workdir, 'a'), os.path.join(workdir, 'b')
  first = loop.train_and_evaluate((make_first_config or make_config)(), a, progress=False)
  shutil.copytree(a, b)  # the same run, up to the kill below
  shutil.rmtree(os.path.join(b, 'checkpoints', 'latest', str(last_step)))
  os.remove(os.path.join(b, 'summary.json'))
  if stray_row is not None:
    with open(os.path.join(b, 'metrics.jsonl'), 'a') as f:
      f.write(json.dumps(stray_row) + '\n')
  loop.train_and_evaluate(make_config(), b, progress=False)
  with open(os.path.join(a, 'metrics.jsonl')) as fa, open(os.path.join(b, 'metrics.jsonl')) as fb:
    assert fa.read() == fb.read()  # bitwise: same batches, same RNG streams, same optimizer state
  return first
