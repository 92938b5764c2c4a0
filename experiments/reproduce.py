r"""Reproduces a family's published numbers: every config (and each of its VARIANTS) over seeds, and
every study, appending one row per trained run and seed to docs/<family>/results.jsonl.

  python -m experiments.reproduce <family> [--preset=cpu] [--seeds=3] [--only=NAME,...]
      [--workdir=runs/reproduce] [--results=docs/<family>/results.jsonl] [--publish_studies]
  python -m experiments.report <family>        # then: the family's page from results.jsonl

Seed k of an experiment trains with config.seed + k into <workdir>/<family>/<name>/<config_sha>/
seed<k>; a run whose row is already in results.jsonl (same experiment, preset, seed and config) is
skipped, a killed run resumes from its checkpoint, so the same command finishes an interrupted
reproduction. A config file that sets ONE_SEED = '<why>' runs one seed at the cpu preset (a run
that takes more than ~15 minutes on 2 cores); its rows say so. Studies run through the study runner
with their module's SEEDS (default 1) and publish their report with --publish_studies. NAME in
--only is an experiment ('xor', 'xor:linear') or a study ('init_study').
"""
import sys

from dljax.train import preemption

if __name__ == '__main__':
  preemption.install_early()  # before anything slow: a SIGTERM during start-up exits 0 too

# pylint: disable=g-import-not-at-top,wrong-import-position
import os

from experiments import study as study_runner
from experiments.tools import results

DEFAULT_SEEDS = 3


def _done(rows: list) -> set:
  return {(r['experiment'], r['preset'], r['seed'], r['config_sha']) for r in rows}


def plan(family: str, preset: str = 'cpu', seeds: int = DEFAULT_SEEDS, only=()) -> list:
  """[(kind, name, seeds)] of the family's experiments and studies (--only filters by name)."""
  if family not in results.FAMILIES:
    raise study_runner.StudyError(f'no family {family!r}; name one of {list(results.FAMILIES)}.')
  if seeds < 1:
    raise study_runner.StudyError(f'--seeds={seeds}; give at least 1.')
  items = []
  for e in results.experiments(family, preset):
    n = 1 if (e.one_seed and preset == 'cpu') else seeds
    items.append(('config', e, n))
  for name in results.studies(family):
    module = study_runner.load_study(name)
    items.append(('study', name, max(1, min(seeds, getattr(module, 'SEEDS', 1)))))
  if only:
    names = {e.name if kind == 'config' else e.split('/')[1] for kind, e, _ in items}
    unknown = sorted(set(only) - names)
    if unknown:
      raise study_runner.StudyError(f'--only={",".join(unknown)}: not in {family}; its experiments '
                                    f'and studies are {sorted(names)}.')
    items = [(kind, e, n) for kind, e, n in items
             if (e.name if kind == 'config' else e.split('/')[1]) in only]
  return items


def reproduce(family: str, workdir: str, preset: str = 'cpu', seeds: int = DEFAULT_SEEDS, only=(),
              results_path: str = '', publish_studies: bool = False, progress: bool = False,
              log=print) -> list:
  """Runs the plan; returns the rows it appended."""
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  if preset == 'smoke' and not results_path:
    raise study_runner.StudyError('smoke runs are not published: pass --results=FILE to keep their '
                                  'rows elsewhere.')
  path = results_path or results.results_path(family)
  done = _done(results.read_rows(family, path))
  appended = []
  for kind, item, n in plan(family, preset, seeds, only):
    if kind == 'config':
      for k in range(n):
        config = item.config(preset)
        config.seed = config.seed + k
        sha = results.config_sha(config)
        if (item.name, preset, config.seed, sha) in done:
          log(f'{item.name} seed {config.seed}: in {os.path.relpath(path)}, skipped')
          continue
        run_dir = os.path.join(workdir, family, item.name.replace(':', '_'), sha, f'seed{k}')
        summary = loop.train_and_evaluate(config, run_dir, progress=progress)
        row = results.make_row(family, item.name, 'config', config, summary, run_dir,
                               path=item.path, variant=item.variant, overrides=item.overrides)
        row['one_seed'] = item.one_seed if n == 1 else None
        results.append_row(row, path)
        appended.append(row)
        log(_line(row))
    else:
      appended += _study(item, family, workdir, preset, n, path, done, publish_studies, progress,
                         log)
  return appended


def _study(name, family, workdir, preset, seeds, path, done, publish, progress, log) -> list:
  module = study_runner.load_study(name)
  study = name.split('/')[1]
  root = os.path.join(workdir, family, study)
  wanted = []  # (experiment, seed k, config) of every run and seed
  for k in range(seeds):
    for run_name, config in module.runs(preset, study_runner.seed_root(root, k)):
      config.seed = config.seed + k
      wanted.append((f'{study}/{run_name}', k, run_name, config))
  missing = [w for w in wanted
             if (w[0], preset, w[3].seed, results.config_sha(w[3])) not in done]
  if wanted and not missing:
    log(f'{name}: every run in {os.path.relpath(path)}, skipped')
    return []
  study_runner.run_study(name, root, preset, seeds, publish=publish, progress=progress, log=log)
  rows = []
  for experiment, k, run_name, config in missing:
    run_dir = os.path.join(study_runner.seed_root(root, k), run_name)
    summary = results.writers.read_json(os.path.join(run_dir, 'summary.json'))
    row = results.make_row(family, experiment, 'study', config, summary, run_dir,
                           path=f'experiments/{name}.py')
    results.append_row(row, path)
    rows.append(row)
    log(_line(row))
  return rows


def _line(row) -> str:
  final = ', '.join(f'{k}={v:.4f}' for k, v in sorted(row['final'].items())
                    if k.startswith('test/') and isinstance(v, (int, float)))
  return f'{row["experiment"]} seed {row["seed"]}: {final} ({row["wall_s"]:.0f} s) -> row added'


def main(argv=None):
  from absl import app, flags, logging  # pylint: disable=g-import-not-at-top
  flags.DEFINE_string('workdir', 'runs/reproduce', 'Root of the run folders.')
  flags.DEFINE_string('preset', 'cpu', 'Preset of every run: smoke, cpu or full.')
  flags.DEFINE_integer('seeds', DEFAULT_SEEDS, 'Seeds per config (studies: their SEEDS, at most '
                       'this).')
  flags.DEFINE_list('only', [], 'Only these experiments or studies of the family.')
  flags.DEFINE_string('results', '', 'The rows file (default docs/<family>/results.jsonl).')
  flags.DEFINE_bool('publish_studies', True, "Copy each study's report into docs/<family>/.")
  flags.DEFINE_bool('progress', True, 'Show a progress bar per run.')
  flags.DEFINE_bool('debug', False, 'Show full tracebacks instead of one-line errors.')

  def _main(args):
    if len(args) != 2:
      print(f'error: name one family: {list(results.FAMILIES)}', file=sys.stderr)
      sys.exit(2)
    f = flags.FLAGS
    logging.set_verbosity(logging.WARNING)
    study_runner.run_command(lambda: reproduce(args[1], f.workdir, f.preset, f.seeds, f.only,
                                               f.results, f.publish_studies, f.progress), f.debug)

  app.run(_main, argv)


if __name__ == '__main__':
  main()
