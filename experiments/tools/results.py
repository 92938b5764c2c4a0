"""What a family's results are made of: its experiments (every config, every VARIANTS entry of a
config, every study run) and the rows of docs/<family>/results.jsonl, one per trained run and seed.

experiments/reproduce.py appends rows; experiments/report.py turns them into the family's page.

A row (one JSON line):
  family, experiment ('xor', 'xor:linear', or '<study>/<run>'), kind ('config' | 'study'), config
  (the file), variant, overrides, preset, seed, config_sha (sha256 of the run's config without its
  reference: a changed config is a new experiment), final / best / best_step / steps / wall_s /
  steps_per_s / versions / devices (from the run's summary.json), curve ({'step': [...], 'val/<m>':
  [...]} from metrics.jsonl), hardware, load (the 5-minute load average per core at the end),
  commit, date.
"""
import dataclasses
import datetime
import hashlib
import importlib
import json
import os
import platform
import subprocess
from typing import Any, Optional

from dljax.train import writers
from experiments import study

ROOT = study.ROOT
FAMILIES = study.STUDY_DIRS


@dataclasses.dataclass(frozen=True)
class Experiment:
  """One config (or one of its VARIANTS) of configs/<family>/<stem>.py."""
  family: str
  stem: str
  variant: Optional[str]
  overrides: dict
  reference: Any  # a ConfigDict from configs.common.reference / no_reference, or None (undeclared)
  one_seed: Optional[str]  # why the cpu preset runs one seed only (ONE_SEED in the config file)

  @property
  def name(self) -> str:
    return self.stem if self.variant is None else f'{self.stem}:{self.variant}'

  @property
  def path(self) -> str:
    return f'configs/{self.family}/{self.stem}.py'

  def config(self, preset: str):
    """get_config(preset) with the variant's overrides and reference applied."""
    config = config_module(self.family, self.stem).get_config(preset)
    for key, value in self.overrides.items():
      node = config
      *parents, leaf = key.split('.')
      for p in parents:
        node = node[p]
      node[leaf] = value
    if self.variant is not None:
      config.reference = self.reference
    return config

  def command(self, preset: str = 'cpu') -> str:
    flags = ''.join(f' --config.{k}={_flag(v)}' for k, v in self.overrides.items())
    workdir = self.name.replace(':', '_')
    return (f'python -m experiments.train --config={self.path}:{preset} '
            f'--workdir=runs/{workdir}{flags}')


def _flag(value) -> str:
  if isinstance(value, (tuple, list)):
    return '"(' + ','.join(str(v) for v in value) + (',)"' if len(value) == 1 else ')"')
  return str(value)


def config_module(family: str, stem: str):
  return importlib.import_module(f'configs.{family}.{stem}')


def config_stems(family: str) -> list:
  folder = os.path.join(ROOT, 'configs', family)
  if not os.path.isdir(folder):
    return []
  return sorted(f[:-3] for f in os.listdir(folder) if f.endswith('.py') and not f.startswith('_'))


def experiments(family: str, preset: str = 'cpu') -> list:
  """Every config of the family and every VARIANTS entry, in file order."""
  out = []
  for stem in config_stems(family):
    module = config_module(family, stem)
    one_seed = getattr(module, 'ONE_SEED', None)
    reference = module.get_config(preset).get('reference', None)
    out.append(Experiment(family, stem, None, {}, reference, one_seed))
    for variant, (overrides, ref) in getattr(module, 'VARIANTS', {}).items():
      out.append(Experiment(family, stem, variant, dict(overrides), ref, one_seed))
  return out


def studies(family: str) -> list:
  """'<family>/<study>' of every study of the family."""
  return [s for s in study.all_studies() if s.split('/')[0] == family]


def config_sha(config) -> str:
  """sha256 of the config without its reference (a new band does not make a new experiment), and
  without an empty model.size (the config's own model, as before the key existed: the same hash)."""
  d = json.loads(config.to_json_best_effort(sort_keys=True))
  d.pop('reference', None)
  if isinstance(d.get('model'), dict) and d['model'].get('size', None) == '':
    del d['model']['size']
  return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:16]


# --- rows -----------------------------------------------------------------------------------------
def results_path(family: str) -> str:
  return os.path.join(ROOT, 'docs', family, 'results.jsonl')


def read_rows(family: str, path: Optional[str] = None) -> list:
  """Every complete row (a torn last line, from a kill during an append, is dropped)."""
  rows = writers._rows(path or results_path(family))  # pylint: disable=protected-access
  return [row for row, _ in rows]


def append_row(row: dict, path: str):
  """Appends one row as one line, flushed and fsynced: a kill leaves at most a torn last line,
  which read_rows drops."""
  os.makedirs(os.path.dirname(path), exist_ok=True)
  strict = writers._strict(row)  # pylint: disable=protected-access
  line = json.dumps(strict, sort_keys=True, allow_nan=False) + '\n'
  try:
    with open(path, 'a') as f:
      f.write(line)
      f.flush()
      os.fsync(f.fileno())
  except OSError as e:
    raise writers.StorageError(path, e) from None


def latest_rows(rows: list) -> dict:
  """{(experiment, preset): [row per seed]}: the newest row of every (experiment, preset, seed)."""
  newest = {}
  for row in rows:
    key = (row['experiment'], row['preset'], row['seed'])
    if key not in newest or row['date'] >= newest[key]['date']:
      newest[key] = row
  out = {}
  for (experiment, preset, _), row in sorted(newest.items(), key=lambda kv: kv[0]):
    out.setdefault((experiment, preset), []).append(row)
  return out


def curve(workdir: str) -> dict:
  """{'step': [...], 'val/<m>': [...]} of every evaluation in <workdir>/metrics.jsonl."""
  rows = [r for r in writers.read_metrics(workdir) if any(k.startswith('val/') for k in r)]
  keys = sorted({k for r in rows for k in r if k.startswith('val/')})
  out = {'step': [r['step'] for r in rows]}
  for k in keys:
    out[k] = [r.get(k) for r in rows]
  return out


def hardware() -> str:
  """'<CPU model>, <n> cores' or the accelerator's name, for the results table."""
  import jax  # pylint: disable=g-import-not-at-top
  device = jax.devices()[0]
  if device.platform != 'cpu':
    return f'{jax.device_count()}x {device.device_kind}'
  model = platform.processor() or platform.machine()
  try:
    with open('/proc/cpuinfo') as f:
      model = next(line.split(':', 1)[1].strip() for line in f if line.startswith('model name'))
  except (OSError, StopIteration):
    pass
  return f'{model}, {os.cpu_count()} cores'


def _load():
  """The 5-minute load average per core at the end of the run: above ~1.25 the run shared the
  machine with other work and its wall time is an upper bound."""
  try:
    return round(os.getloadavg()[1] / os.cpu_count(), 2)
  except (OSError, AttributeError):
    return None


def git_commit() -> str:
  """HEAD's short hash, '+dirty' when the tree has uncommitted changes; 'unknown' outside git."""
  try:
    head = subprocess.run(['git', 'rev-parse', '--short=12', 'HEAD'], cwd=ROOT, text=True,
                          capture_output=True, check=True).stdout.strip()
    dirty = subprocess.run(['git', 'status', '--porcelain', '--untracked-files=no'], cwd=ROOT,
                           text=True, capture_output=True, check=True).stdout.strip()
  except (OSError, subprocess.CalledProcessError):
    return 'unknown'
  return head + ('+dirty' if dirty else '')


def make_row(family: str, experiment: str, kind: str, config, summary: dict, workdir: str,
             path: Optional[str] = None, variant=None, overrides=None) -> dict:
  keep = ('final', 'best', 'best_step', 'steps', 'wall_s', 'steps_per_s', 'versions', 'devices')
  return dict(
      family=family, experiment=experiment, kind=kind, config=path, variant=variant,
      overrides=dict(overrides or {}), preset=config.preset, seed=int(config.seed),
      config_sha=config_sha(config), **{k: summary.get(k) for k in keep},
      curve=curve(workdir), hardware=hardware(), load=_load(), commit=git_commit(),
      date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'))
