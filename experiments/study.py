r"""The one study runner: trains (or reads back) every run of a study, then reports.

  python -m experiments.study <family>/<study> --workdir=DIR [--preset=cpu] [--seeds=N]
      [--only=NAME,...] [--report_only] [--publish] [--progress]

A study is a module `experiments/<family>/<study>.py` with two functions and no flags:

  runs(preset, workdir) -> iterable of (name, config)
      The runs in order. Run `name` trains into <workdir>/<name>; the iterable is consumed lazily,
      so a later run may read an earlier one's workdir (e.g. config.init_from.workdir). A study
      without training yields nothing. An unknown preset raises ValueError.
  report(summaries, out) -> dict
      {name: summary} -> the study's table (a JSON-able dict) and its plots, written into the
      folder `out`. Each summary is the run's summary.json plus 'workdir' (reload the trained
      model with dljax.train.loop.load_run) and, with --seeds > 1, 'seeds': every seed's summary.
      A report that also takes a `preset` argument is given the preset (a study without training
      sizes its computation by it: report(summaries, out, preset)).
Optional module attributes, read by experiments.reproduce and experiments.report: SEEDS (how many
seeds a reproduction runs; default 1, 3 where the conclusion rests on a difference of about a point)
and REFERENCES ({run name: configs.common.reference(...)} for runs with a published number).

The runner trains each run through the shared loop (a finished run is read back, not retrained, and
a killed one resumes), writes <workdir>/study.json (every run's final metrics, mean and std over
seeds, and the report's table), prints the table, and with --publish copies the report's files and
study.json (plus the list of those files) into docs/<family>/. Seed k > 0 of every run trains with
config.seed + k into <workdir>/seed<k>/<name>.
"""
import sys

from dljax.train import preemption

if __name__ == '__main__':
  preemption.install_early()  # before anything slow: a SIGTERM during start-up exits 0 too

# pylint: disable=g-import-not-at-top,wrong-import-position
import importlib
import inspect
import math
import os
import shutil

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STUDY_DIRS = ('basics', 'vision', 'sequence', 'language', 'embeddings', 'memory', 'autoencoders',
              'vae', 'gan', 'density', 'adversarial', 'shift', 'interpretability',
              'self_supervised', 'graphs', 'meta', 'rl', 'segmentation', 'statistics')


class StudyError(Exception):
  """A study name, flag or run that cannot be used; the message names the fix."""


def all_studies() -> list:
  """Every study as '<family>/<name>' (a module of experiments/<family>/ that defines runs and
  report), sorted."""
  out = []
  for family in STUDY_DIRS:
    folder = os.path.join(ROOT, 'experiments', family)
    if not os.path.isdir(folder):
      continue
    for fname in sorted(os.listdir(folder)):
      if fname.endswith('.py') and not fname.startswith('_'):
        out.append(f'{family}/{fname[:-3]}')
  return out


def load_study(name: str):
  """The module of study '<family>/<study>'."""
  family, _, study = name.strip('/').removesuffix('.py').rpartition('/')
  family = family.removeprefix('experiments/')
  if family not in STUDY_DIRS or not os.path.isfile(
      os.path.join(ROOT, 'experiments', family, f'{study}.py')):
    raise StudyError(f'no study {name!r}; name one of {all_studies()} as <family>/<study>.')
  module = importlib.import_module(f'experiments.{family}.{study}')
  for fn in ('runs', 'report'):
    if not callable(getattr(module, fn, None)):
      raise StudyError(f'experiments/{family}/{study}.py defines no {fn}(); a study defines '
                       'runs(preset, workdir) and report(summaries, out).')
  return module


def _read_summary(workdir: str):
  from dljax.train import writers  # pylint: disable=g-import-not-at-top
  return writers.read_json(os.path.join(workdir, 'summary.json'))


def write_json(obj, path: str) -> str:
  """Strict JSON (NaN/inf -> null), written atomically."""
  from dljax.train import writers  # pylint: disable=g-import-not-at-top
  return writers.write_json_atomic(path, obj, strict=True)


def seed_root(workdir: str, k: int) -> str:
  return workdir if k == 0 else os.path.join(workdir, f'seed{k}')


def _mean_std(values):
  values = [v for v in values if v is not None and math.isfinite(v)]
  if not values:
    return None, None
  return float(np.mean(values)), (float(np.std(values, ddof=1)) if len(values) > 1 else 0.0)


def run_study(name: str, workdir: str, preset: str = 'cpu', seeds: int = 1, only=(),
              report_only: bool = False, publish: bool = False, progress: bool = False,
              log=print) -> dict:
  """Runs study `name` (the module docstring); returns the content of study.json."""
  module = load_study(name)
  if seeds < 1:
    raise StudyError(f'--seeds={seeds}; give at least 1.')
  os.makedirs(workdir, exist_ok=True)
  only = tuple(only or ())
  summaries, names = {}, []
  for k in range(seeds):
    root = seed_root(workdir, k)
    for run_name, config in module.runs(preset, root):
      if k == 0:
        names.append(run_name)
      run_dir = os.path.join(root, run_name)
      if k:
        config.seed = config.seed + k
      if report_only or (only and run_name not in only):
        summary = _read_summary(run_dir)
      else:
        from dljax.train import loop  # pylint: disable=g-import-not-at-top
        summary = loop.train_and_evaluate(config, run_dir, progress=progress)
        log(f'{run_name} (seed {config.seed}): ' +
            ', '.join(f'{m}={v:.4f}' for m, v in summary['final'].items()
                      if isinstance(v, (int, float))) + f' ({summary["wall_s"]:.0f} s)')
      if summary is not None:
        summary = dict(summary, workdir=run_dir)
      summaries.setdefault(run_name, []).append(summary)
  unknown = sorted(set(only) - set(names))
  if unknown:
    raise StudyError(f'--only={",".join(unknown)}: no such run; the runs are {names}.')

  missing = [n for n in names if any(s is None for s in summaries[n])]
  result = {'study': name, 'preset': preset, 'seeds': seeds, 'runs': {}}
  for n in names:
    done = [s for s in summaries[n] if s is not None]
    metrics = sorted({m for s in done for m, v in (s.get('final') or {}).items()
                      if isinstance(v, (int, float))})
    result['runs'][n] = {
        'workdir': os.path.relpath(os.path.join(workdir, n), workdir),
        'final': {m: dict(zip(('mean', 'std'), _mean_std([s['final'].get(m) for s in done])))
                  for m in metrics},
        'seeds_done': len(done), 'wall_s': [s.get('wall_s') for s in done]}
  out = os.path.join(workdir, 'report')
  if missing:
    log(f'report skipped: run(s) {missing} not trained yet (run without --only/--report_only).')
    result['report'] = None
  else:
    os.makedirs(out, exist_ok=True)
    first = {}
    for n in names:
      first[n] = dict(summaries[n][0])
      if seeds > 1:
        first[n]['seeds'] = summaries[n]
    if 'preset' in inspect.signature(module.report).parameters:
      result['report'] = module.report(first, out, preset=preset)
    else:
      result['report'] = module.report(first, out)
  write_json(result, os.path.join(workdir, 'study.json'))
  _print_table(result, log)
  if publish and not missing:
    family, study = name.split('/')
    dest = os.path.join(ROOT, 'docs', family)
    os.makedirs(dest, exist_ok=True)
    files = sorted(os.listdir(out))
    for fname in files:
      shutil.copyfile(os.path.join(out, fname), os.path.join(dest, fname))
    write_json(dict(result, files=files), os.path.join(dest, f'{study}.json'))
    log(f'published to {os.path.relpath(dest, ROOT)}/')
  return result


def _print_table(result: dict, log):
  for n, r in result['runs'].items():
    cells = []
    for m, ms in r['final'].items():
      if ms['mean'] is None:
        cells.append(f'{m}=nan')
      elif result['seeds'] > 1:
        cells.append(f'{m}={ms["mean"]:.4f}±{ms["std"]:.4f}')
      else:
        cells.append(f'{m}={ms["mean"]:.4f}')
    log(f'  {n}: {", ".join(cells) or "(not trained)"}')


def run_command(fn, debug: bool = False):
  """Runs fn() for a command line: a preemption (SIGTERM/SIGINT, checkpoint saved) exits 0, a
  StudyError, DljaxError or ValueError is one `error:` line and exit 2 (a traceback with debug)."""
  from dljax.errors import DljaxError  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  try:
    return fn()
  except loop.Preempted as e:
    print(f'preempted: {e}; run the same command again to go on.', file=sys.stderr)
    sys.exit(0)
  except (StudyError, DljaxError, ValueError) as e:
    if debug:
      raise
    print(f'error: {" ".join(str(e).split())}', file=sys.stderr)
    sys.exit(2)


def main(argv=None):
  from absl import app, flags, logging  # pylint: disable=g-import-not-at-top
  flags.DEFINE_string('workdir', None, 'Folder of the study: one subfolder per run, study.json.')
  flags.DEFINE_string('preset', 'cpu', 'Preset of every run: smoke, cpu or full.')
  flags.DEFINE_integer('seeds', 1, 'Seeds per run (seed k trains with config.seed + k).')
  flags.DEFINE_list('only', [], 'Train only these runs (the others are read back if trained).')
  flags.DEFINE_bool('report_only', False, 'Train nothing; report from the runs already trained.')
  flags.DEFINE_bool('publish', False, 'Copy the report and study.json into docs/<family>/.')
  flags.DEFINE_bool('progress', True, 'Show a progress bar per run.')
  flags.DEFINE_bool('debug', False, 'Show full tracebacks instead of one-line errors.')
  flags.mark_flags_as_required(['workdir'])

  def _main(args):
    if len(args) != 2:
      print(f'error: name one study as <family>/<study>: {all_studies()}', file=sys.stderr)
      sys.exit(2)
    f = flags.FLAGS
    logging.set_verbosity(logging.WARNING)
    run_command(lambda: run_study(args[1], f.workdir, f.preset, f.seeds, f.only, f.report_only,
                                  f.publish, f.progress), f.debug)

  app.run(_main, argv)


if __name__ == '__main__':
  main()
