r"""Runs evaluators (dljax/eval) on a finished run and merges their metrics into its summary.json.

  python -m experiments.evaluate --workdir=runs/fmnist_augment \
      --config.evals.tta.type=tta --config.evals.tta.views=6 [--config.evals.tta.augment.shift=2]
  python -m experiments.evaluate --workdir=runs/ntm_copy --evals=test_long   (re-run configured ones)
      [--best] [--debug]
  python -m experiments.evaluate --workdir=runs/adv_std --card=robustness   (a card: see below)

The run is read back with dljax.train.loop.load_run(workdir) (its config.json, data and newest
checkpoint, or best/ with --best). The evaluators are those of --config.evals.<name>.<key>=VALUE
(new ones, or overrides of the run's config.evals; VALUE is a Python literal or else a string),
restricted to --evals=name,... if given (default: every evaluator named on the command line, or all
of the run's config.evals if none is). Results go into summary.json as summary['evals'][name] =
{metric: value} and summary['final']['<name>/<metric>'] (with --best: summary['evals_best'] and
summary['best']); summary.json is written atomically (temporary file, fsync, os.replace).
Override values are read with ast.literal_eval (Python values, never code).
--card=NAME is shorthand for the evaluator of type NAME under the same name (--card=robustness:
--config.evals.robustness.type=robustness, other --config.evals.robustness.<key>=V still apply);
the card's text (the evaluator module's card_text) is printed and saved by its plots() under
<workdir>/plots. Cards: robustness (dljax/eval/robustness.py, accuracy under every attack across
eps with sanity checks for gradient masking).
"""
import ast
import json
import os
import sys

from absl import app, flags

from dljax.errors import DljaxError

_WORKDIR = flags.DEFINE_string('workdir', None, 'The finished run to evaluate.')
_EVALS = flags.DEFINE_list('evals', [], 'Evaluator names to run (default: see the docstring).')
_BEST = flags.DEFINE_bool('best', False, 'Evaluate the best/ checkpoint instead of the newest.')
_DEBUG = flags.DEFINE_bool('debug', False, 'Show full tracebacks instead of one-line errors.')
_CARD = flags.DEFINE_enum('card', None, ['robustness'], 'Run and print a card evaluator.')

PREFIX = '--config.evals.'


def _literal(text: str):
  try:
    return ast.literal_eval(text)
  except (ValueError, SyntaxError):
    return text  # a plain string, e.g. tta


def split_overrides(argv):
  """(the remaining argv, {name: {key: value}} of the --config.evals.<name>.<key>=VALUE flags)."""
  rest, evals = [], {}
  for arg in argv:
    if not arg.startswith(PREFIX):
      rest.append(arg)
      continue
    path, eq, value = arg[len(PREFIX):].partition('=')
    parts = path.split('.')
    if not eq or len(parts) < 2 or not all(parts):
      raise DljaxError(f'{arg}: write --config.evals.<name>.<key>=VALUE, e.g. '
                       '--config.evals.tta.type=tta.')
    node = evals.setdefault(parts[0], {})
    for part in parts[1:-1]:
      node = node.setdefault(part, {})
    node[parts[-1]] = _literal(value)
  return rest, evals


def _deep_update(base: dict, new: dict) -> dict:
  out = dict(base)
  for k, v in new.items():
    out[k] = _deep_update(out.get(k) or {}, v) if isinstance(v, dict) and isinstance(
        out.get(k), dict) else v
  return out


def evaluate(workdir: str, overrides: dict = None, names=(), best: bool = False) -> dict:
  """Runs the evaluators on the run in `workdir`, merges the results into its summary.json and
  returns {'<name>/<metric>': value}."""
  from dljax.errors import ConfigError, WorkdirError  # pylint: disable=g-import-not-at-top
  from dljax.eval import common  # pylint: disable=g-import-not-at-top
  from dljax.train import loop, writers  # pylint: disable=g-import-not-at-top
  overrides = overrides or {}
  path = os.path.join(workdir, 'config.json')
  if not os.path.exists(path):
    raise WorkdirError(f'{workdir} holds no run (no config.json); train it first with python -m '
                       f'experiments.train --config=... --workdir={workdir}.')
  with open(path) as f:
    config_dict = json.load(f)
  evals = _deep_update(config_dict.get('evals') or {}, overrides)
  names = list(names) or list(overrides) or list(evals)
  if not names:
    raise ConfigError('no evaluator to run: give one with --config.evals.<name>.type=<type> '
                      f'(types: {common.available()}), or --evals=NAME of the run\'s config.evals.')
  missing = [n for n in names if n not in evals]
  if missing:
    raise ConfigError(f'--evals={",".join(names)}: {missing[0]} is not in the run\'s config.evals '
                      f'({sorted(config_dict.get("evals") or {})}); define it with '
                      f'--config.evals.{missing[0]}.type=<type>.')
  config_dict['evals'] = {n: evals[n] for n in names}
  config = loop.config_from_json(json.dumps(config_dict))
  run = loop.load_run(workdir, config=config, best=best)  # validates the evaluators first
  specs = run.run.evals
  results = common.run(run.task, run.state, run.data, specs)
  summary_path = os.path.join(workdir, 'summary.json')
  summary = run.summary or {}
  summary = writers.read_json(summary_path) or summary  # the newest, if it changed since load_run
  summary = common.merge_summary(summary, results, specs, key='best' if best else 'final')
  import jax  # pylint: disable=g-import-not-at-top
  if jax.process_index() == 0:
    common.plots(run.task, run.state, run.data, specs, workdir)
    writers.write_json_atomic(summary_path, summary)
  return results


def main(argv):
  del argv
  from absl import logging  # pylint: disable=g-import-not-at-top
  logging.set_verbosity(logging.WARNING)
  overrides, names = _OVERRIDES, _EVALS.value
  if _CARD.value:
    overrides = dict(overrides)
    overrides[_CARD.value] = {'type': _CARD.value, **overrides.get(_CARD.value, {})}
    names = names or [_CARD.value]
  try:
    results = evaluate(_WORKDIR.value, overrides, names, _BEST.value)
    if _CARD.value:
      print_card(_WORKDIR.value, _CARD.value, results)
  except DljaxError as e:
    if _DEBUG.value:
      raise
    print(f'error: {e}', file=sys.stderr)
    sys.exit(2)
  if not _CARD.value:
    print(', '.join(f'{k}={v:.4f}' for k, v in results.items()) + '; ', end='')
  print(f'merged into {os.path.join(_WORKDIR.value, "summary.json")}')


def print_card(workdir: str, name: str, results: dict):
  """Prints the card saved by the evaluator's plots() (<workdir>/plots/<name>_card.md)."""
  path = os.path.join(workdir, 'plots', f'{name}_card.md')
  if os.path.exists(path):
    with open(path) as f:
      print(f.read())
    print(f'card saved to {path}')
  else:
    print(', '.join(f'{k}={v:.4f}' for k, v in results.items()))


_OVERRIDES = {}


def parse_flags(argv):
  global _OVERRIDES
  try:
    rest, _OVERRIDES = split_overrides(argv)
  except DljaxError as e:
    print(f'error: {e}', file=sys.stderr)
    sys.exit(2)
  return flags.FLAGS(rest)


if __name__ == '__main__':
  flags.mark_flags_as_required(['workdir'])
  app.run(main, flags_parser=parse_flags)
