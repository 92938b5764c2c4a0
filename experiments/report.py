r"""Generates the results pages from docs/<family>/results.jsonl (experiments/reproduce.py's rows).

  python -m experiments.report [<family> ...]      # default: every family with experiments

For each family, docs/<family>/README.md: every experiment (config, variant, study run) with its
number as mean ± std over seeds, the reference band of config.reference and a verdict (in, below or
above the band), time per run and hardware, the commands, mean ± std learning curves
(docs/<family>/curves/) and the studies' plots; the hand-written method notes and discussion stay in
docs/<family>/notes.md, which the page links. Plus docs/RESULTS.md: per family, how many experiments
are measured and how many land in their band; and docs/PERFORMANCE.md, one row per bench JSON in
bench/ (experiments/tools/bench.py: dljax against its PyTorch twin). Nobody edits a page by hand: a test checks that the
committed pages are what this module generates from the committed rows.
"""
import json
import math
import os
import sys

import numpy as np

from experiments import study as study_runner
from experiments.tools import results

PRESETS = ('cpu', 'full')  # smoke rows (tests) are never published
SHARED_LOAD = 1.25  # a row's load per core above this: a shared machine, its time an upper bound


# --- numbers --------------------------------------------------------------------------------------
def mean_std(values):
  values = [float(v) for v in values if v is not None and math.isfinite(v)]
  if not values:
    return None, None
  return float(np.mean(values)), (float(np.std(values, ddof=1)) if len(values) > 1 else None)


def _num(v, unit: str) -> str:
  if unit == '%':
    return f'{100 * v:.2f}'
  return f'{v:.4g}' if abs(v) < 1e4 else f'{v:.3e}'


def fmt(mean, std, unit: str) -> str:
  if mean is None:
    return 'n/a'
  text = _num(mean, unit) + (f' ± {_num(std, unit)}' if std is not None else '')
  return text + (' %' if unit == '%' else '')


def band_text(ref) -> str:
  if ref is None:
    return '**undeclared**'
  if ref.metric is None:
    return 'no reference'
  lo, hi = ref.band
  text = f'{_num(lo, ref.unit)}–{_num(hi, ref.unit)}' + (' %' if ref.unit == '%' else '')
  if ref.value is not None:
    text += f' (published {_num(ref.value, ref.unit)})'
  return text


def verdict(ref, mean) -> str:
  if ref is None or ref.metric is None:
    return '—'
  if mean is None:
    return 'metric missing'
  lo, hi = ref.band
  return 'in' if lo <= mean <= hi else ('below' if mean < lo else 'above')


def seconds(s) -> str:
  if s is None:
    return 'n/a'
  return f'{s:.0f} s' if s < 600 else f'{s / 60:.0f} min'


def _metric(ref, rows):
  """The metric a row of the table shows: the reference's, else the first test/ metric."""
  if ref is not None and ref.metric:
    return ref.metric
  names = sorted({k for r in rows for k in (r.get('final') or {}) if k.startswith('test/')})
  return names[0] if names else None


def summarize(ref, rows) -> dict:
  metric = _metric(ref, rows)
  values = [(r.get('final') or {}).get(metric) for r in rows]
  mean, std = mean_std(values)
  hardware = sorted({r['hardware'] for r in rows})
  shared = any((r.get('load') or 0) > SHARED_LOAD for r in rows)
  return dict(metric=metric, mean=mean, std=std, n=len(rows), verdict=verdict(ref, mean),
              wall=mean_std([r.get('wall_s') for r in rows])[0], shared=shared,
              hardware=', '.join(hardware),
              one_seed=next((r.get('one_seed') for r in rows if r.get('one_seed')), None),
              commits=sorted({r['commit'] for r in rows}))


# --- a family's page ------------------------------------------------------------------------------
def _title(family: str) -> str:
  return family.replace('_', '-')


def _study_refs(name: str) -> dict:
  return getattr(study_runner.load_study(name), 'REFERENCES', {})


def family_table(family: str, rows: list, preset: str = 'cpu'):
  """[(experiment name, kind, reference, summary or None)] of every experiment and study run."""
  latest = results.latest_rows(rows)
  out = []
  for e in results.experiments(family, preset):
    got = latest.get((e.name, preset))
    out.append((e.name, 'config', e.reference, summarize(e.reference, got) if got else None))
  for name in results.studies(family):
    study = name.split('/')[1]
    refs = _study_refs(name)
    for (experiment, p), got in latest.items():
      if p == preset and experiment.split('/')[0] == study and '/' in experiment:
        run = experiment.split('/', 1)[1]
        out.append((experiment, 'study', refs.get(run), summarize(refs.get(run), got)))
  return out


def _row(name, kind, ref, s, unit) -> str:
  label = f'`{name}`'
  if s is None:
    return f'| {label} | {ref.metric if ref is not None and ref.metric else "—"} | not measured ' \
           f'yet | 0 | {band_text(ref)} | — | — | — |'
  seeds = f'{s["n"]}' + (' (1 seed: see below)' if s['one_seed'] else '')
  return (f'| {label} | {s["metric"] or "—"} | {fmt(s["mean"], s["std"], unit)} | {seeds} | '
          f'{band_text(ref) if kind == "config" or ref is not None else "—"} | {s["verdict"]} | '
          f'{seconds(s["wall"])}{" *shared*" if s["shared"] else ""} | {s["hardware"]} |')


def _unit(ref, metric) -> str:
  if ref is not None and ref.metric:
    return ref.unit
  return '%' if metric and ('accuracy' in metric) else ''


def render_family(family: str, rows: list) -> str:
  """The text of docs/<family>/README.md (a pure function of the rows and the configs)."""
  lines = [f'# {_title(family)}: results', '',
           f'Generated by `python -m experiments.report {family}` from '
           '[results.jsonl](results.jsonl) (one row per run and seed, appended by '
           f'`python -m experiments.reproduce {family}`); do not edit by hand. Methods, discussion '
           'and the measurements made before these rows: [notes.md](notes.md). Back to the '
           '[index](../../README.md) and [all families](../RESULTS.md).', '']
  for preset in PRESETS:
    table = family_table(family, rows, preset)
    if preset != 'cpu' and not any(s for *_, s in table):
      continue
    lines += [f'## {preset} preset', '',
              'Mean ± sample std over seeds (the newest row of each seed); the verdict compares '
              'the mean with the reference band.', '',
              '| Experiment | Metric | Result | Seeds | Reference band | Verdict | Time / run | '
              'Hardware |', '|---|---|---|---|---|---|---|---|']
    for name, kind, ref, s in table:
      if kind == 'study' and s is None:
        continue
      lines.append(_row(name, kind, ref, s, _unit(ref, s['metric'] if s else None)))
    lines.append('')
    if any(s and s['shared'] for *_, s in table):
      lines += ['*shared*: the machine ran other work beside the run (5-minute load above '
                f'{SHARED_LOAD} per core), so its time is an upper bound.', '']
    one_seed = [(n, s['one_seed']) for n, _, _, s in table if s and s['one_seed']]
    if one_seed:
      lines += ['One seed only: ' + '; '.join(f'`{n}`: {why}' for n, why in one_seed) + '.', '']
  lines += ['## References', '']
  for e in results.experiments(family):
    ref = e.reference
    text = '**no reference declared**' if ref is None else ref.source
    lines.append(f'- `{e.name}`: {text}')
  lines += ['', '## Commands', '', '```bash']
  lines += [e.command() for e in results.experiments(family)]
  lines += [f'python -m experiments.study {s} --workdir=runs/{s.split("/")[1]}'
            for s in results.studies(family)]
  lines += ['```', '']
  curves = [e.name for e in results.experiments(family)
            if os.path.exists(os.path.join(_docs(family), 'curves', _curve_file(e.name)))]
  if curves:
    lines += ['## Learning curves (validation, mean ± std over seeds)', '']
    lines += [f'![{n}](curves/{_curve_file(n)})' for n in curves] + ['']
  plots = [(s, f) for s in results.studies(family) for f in study_plots(s)]
  if plots:
    lines += ['## Study plots', '']
    lines += [f'![{s.split("/")[1]}]({f})' for s, f in plots] + ['']
  return '\n'.join(lines)


def _docs(family: str) -> str:
  return os.path.join(results.ROOT, 'docs', family)


def _curve_file(name: str) -> str:
  return name.replace(':', '_') + '.png'


def study_plots(name: str) -> list:
  """The PNG files the study published into docs/<family>/ (listed in its <study>.json)."""
  family, study = name.split('/')
  published = results.writers.read_json(os.path.join(_docs(family), f'{study}.json')) or {}
  return [f for f in published.get('files', []) if f.endswith('.png')
          and os.path.exists(os.path.join(_docs(family), f))]


def plot_curves(family: str, rows: list, preset: str = 'cpu') -> list:
  """docs/<family>/curves/<experiment>.png: the reference metric on validation against the step,
  mean ± std over the seeds whose evaluation steps agree. Returns the files written."""
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  latest = results.latest_rows(rows)
  written = []
  for e in results.experiments(family, preset):
    got = latest.get((e.name, preset))
    metric = _metric(e.reference, got) if got else None
    if not metric:
      continue
    key = 'val/' + metric.split('/', 1)[1]
    curves = [r['curve'] for r in got if key in r.get('curve', {})]
    curves = [c for c in curves if c['step'] == curves[0]['step']] if curves else []
    if not curves or len(curves[0]['step']) < 2:
      continue
    steps = np.array(curves[0]['step'])
    values = np.array([[np.nan if v is None else v for v in c[key]] for c in curves], float)
    mean = np.nanmean(values, 0)
    std = np.nanstd(values, 0, ddof=1) if len(values) > 1 else np.zeros_like(mean)
    fig, ax = plt.subplots(figsize=(4.5, 3))
    label = f'mean ± std, {len(curves)} seeds' if len(curves) > 1 else '1 seed'
    ax.plot(steps, mean, color='C0', label=label)
    ax.fill_between(steps, mean - std, mean + std, color='C0', alpha=0.25)
    if e.reference is not None and e.reference.metric == metric:
      ax.axhspan(*e.reference.band, color='C2', alpha=0.12, label='reference band (test)')
    ax.set(xlabel='step', ylabel=key, title=f'{family}/{e.name}')
    ax.legend(fontsize=7)
    fig.tight_layout()
    path = os.path.join(_docs(family), 'curves', _curve_file(e.name))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    written.append(path)
  return written


# --- the summary over families --------------------------------------------------------------------
def families() -> list:
  return [f for f in results.FAMILIES if results.config_stems(f) or results.studies(f)]


def render_summary(rows_by_family: dict) -> str:
  lines = ['# Results', '',
           'Generated by `python -m experiments.report` from every family\'s `results.jsonl`; do '
           'not edit by hand. Per family, at the cpu preset: how many configs and variants are '
           'measured and how many land in their reference band (mean over seeds). Back to the '
           '[index](../README.md).', '',
           '| Family | Experiments | Measured | 3+ seeds | In band | Below | Above | No reference '
           '| Study runs measured |', '|---|---|---|---|---|---|---|---|---|']
  for family in families():
    table = family_table(family, rows_by_family.get(family, []))
    configs = [(r, s) for _, kind, r, s in table if kind == 'config']
    measured = [(r, s) for r, s in configs if s]

    def count(v, measured=measured):
      return sum(1 for _, s in measured if s['verdict'] == v)
    no_ref = sum(1 for r, _ in configs if r is None or r.metric is None)
    study_runs = sum(1 for _, kind, _, s in table if kind == 'study' and s)
    lines.append(f'| [{_title(family)}]({family}/README.md) | {len(configs)} | {len(measured)} | '
                 f'{sum(1 for _, s in measured if s["n"] >= 3)} | {count("in")} | {count("below")} '
                 f'| {count("above")} | {no_ref} | {study_runs} |')
  return '\n'.join(lines) + '\n'


# --- the performance page (experiments/tools/bench.py's JSONs) -------------------------------------
BENCH_DIR = os.path.join(results.ROOT, 'bench')


def read_bench(folder: str = BENCH_DIR) -> list:
  """(file name, result dict) of every bench JSON, sorted by name."""
  if not os.path.isdir(folder):
    return []
  out = []
  for name in sorted(os.listdir(folder)):
    if name.endswith('.json'):
      with open(os.path.join(folder, name)) as f:
        out.append((name, json.load(f)))
  return out


def _ms(side: dict, key: str = 'ms_per_step') -> str:
  return f'{side[key]:.1f}' if side and key in side else '—'


def render_performance(benches: list) -> str:
  """docs/PERFORMANCE.md: every bench JSON as one row (dljax against its PyTorch twin where it has
  one), and the machine each ran on."""
  lines = ['# Performance', '',
           'Generated by `python -m experiments.report` from the JSONs of `bench/` (written by '
           '`python -m experiments.tools.bench --config=<config>:<preset> --out=bench/<name>.json`, '
           'which times the compiled train step of any config, and with a twin its PyTorch eager '
           'equivalent in a child process on the same machine); do not edit by hand. Ratio = '
           'dljax steps/s ÷ PyTorch steps/s (above 1: dljax is faster). GFLOP/s is XLA\'s cost '
           'analysis of the step × steps/s; "of peak" is that against the machine\'s measured '
           'float32 matmul rate. Back to the [index](../README.md).', '',
           '| Bench | Config | Task | Batch | Params | dljax ms/step | PyTorch ms/step | Ratio | '
           'Compile s | GFLOP/s | of peak | Load (1 min) | When |',
           '|---|---|---|---|---|---|---|---|---|---|---|---|---|']
  machines = {}
  for name, b in benches:
    jx, tr = b.get('jax', {}), b.get('torch')
    ratio = f'**{b["ratio"]:.2f}×**' if 'ratio' in b else '—'
    flops = f'{jx["gflops_per_s"]:.1f}' if 'gflops_per_s' in jx else '—'
    share = f'{100 * jx["share_of_matmul_peak"]:.0f} %' if 'share_of_matmul_peak' in jx else '—'
    load = max(b.get('loadavg_before', [0])[0], b.get('loadavg_after', [0])[0])
    compile_s = f'{jx["compile_s"]:.1f}' if 'compile_s' in jx else '—'
    overrides = ''.join(f' {k}={v}' for k, v in b.get('overrides', {}).items())
    lines.append(f'| {name[:-5]} | `{b.get("config", "")}`{overrides} | {b.get("task", "")} | '
                 f'{b.get("batch_size", "")} | {b.get("model", {}).get("params", "")} | '
                 f'{_ms(jx)} | {_ms(tr)} | {ratio} | {compile_s} | {flops} | {share} | '
                 f'{load:.1f}{" (loaded)" if load > b.get("cpu_count", 1) else ""} | '
                 f'{b.get("timestamp", "")[:10]} |')
    dev = b.get('devices', {})
    key = (f'{dev.get("platform", "?")} {dev.get("kind", "?")}, {b.get("affinity_cpus")} CPUs, '
           f'jax {b.get("versions", {}).get("jax", "?")}'
           + (f', torch {b["versions"]["torch"]}' if 'torch' in b.get('versions', {}) else ''))
    machines.setdefault(key, []).append(name[:-5])
  lines += ['', '## Machines', '']
  lines += [f'- {key}: {", ".join(names)}' for key, names in machines.items()]
  return '\n'.join(lines) + '\n'


def write(family_list=None, log=print):
  """Writes the pages (and curves) of `family_list` (default: all) and docs/RESULTS.md."""
  rows_by_family = {f: results.read_rows(f) for f in families()}
  for family in family_list or families():
    if family not in rows_by_family:
      raise study_runner.StudyError(f'no family {family!r} with experiments; name one of '
                                    f'{families()}.')
    plot_curves(family, rows_by_family[family])
    path = os.path.join(_docs(family), 'README.md')
    os.makedirs(os.path.dirname(path), exist_ok=True)  # a new family's first page
    results.writers.write_text_atomic(path, render_family(family, rows_by_family[family]))
    log(f'wrote {os.path.relpath(path, results.ROOT)}')
  path = os.path.join(results.ROOT, 'docs', 'RESULTS.md')
  results.writers.write_text_atomic(path, render_summary(rows_by_family))
  log(f'wrote {os.path.relpath(path, results.ROOT)}')
  path = os.path.join(results.ROOT, 'docs', 'PERFORMANCE.md')
  results.writers.write_text_atomic(path, render_performance(read_bench()))
  log(f'wrote {os.path.relpath(path, results.ROOT)}')


def main(argv):
  try:
    write(argv[1:] or None)
  except study_runner.StudyError as e:
    print(f'error: {e}', file=sys.stderr)
    sys.exit(2)


if __name__ == '__main__':
  main(sys.argv)
