r"""Training options and architectures on Fashion-MNIST-C: clean, corrupted and calibration metrics
(seed 002 §2.14, c22, §3.4; the Fashion-MNIST analogue of the MAE paper's robustness table).

  python -m experiments.study shift/robustness_table --workdir=runs/shift_table [--preset=cpu] [--publish]

Runs (1 epoch each at the cpu preset, evaluators `calibration` and `corruptions` at the end, the
first 1,000 test images for Fashion-MNIST-C, all 15 corruptions x 5 severities):
  baseline  the small BatchNorm ResNet of configs/shift/fmnist_resnet_bn.py
  mixup     the same with Mixup (config.mix = dict(kind='mixup', alpha=0.2))
  cutmix    the same with CutMix (config.mix = dict(kind='cutmix', alpha=1.0))
  cnn       a small CNN without BatchNorm (conv3x3-16, pool, conv3x3-32, pool, FC-128)
  mlp       a 784-256-256-10 ReLU MLP
Report: per run the clean test accuracy, mean corruption error, mCE and relative mCE against
`baseline` (Hendrycks & Dietterich: CE_c = sum_s E_{c,s} / sum_s E^base_{c,s}), ECE before and
after temperature scaling (fitted on validation), NLL, and ECE at severity 5; plot
robustness_table_severity.png (error and ECE against severity per run). Smoke: baseline, cutmix
and mlp, 2 corruptions.
"""

from configs.adversarial import fmnist_standard
from configs.shift import fmnist_resnet_bn
from dljax.data import corruptions as ops
from dljax.eval import corruptions as corr_eval
from experiments.tools import study_utils

RUNS = ('baseline', 'mixup', 'cutmix', 'cnn', 'mlp')
MIX = {'mixup': dict(kind='mixup', alpha=0.2), 'cutmix': dict(kind='cutmix', alpha=1.0)}


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset)
  smoke = preset == 'smoke'
  for name in RUNS:
    if smoke and name in ('mixup', 'cnn'):
      continue  # the wiring check: one mixing option, one model without BatchNorm
    config = fmnist_resnet_bn.get_config(preset)
    config.name = f'shift_table_{name}'
    if name in MIX:
      config.mix = MIX[name]
    if name in ('cnn', 'mlp'):
      config.model = type(config.model)(dict(name=''))
      (fmnist_standard.cnn if name == 'cnn' else fmnist_standard.mlp)(config)
    config.evals = {}
    config.evals.calibration = dict(type='calibration', bootstrap=0)
    config.evals.corruptions = dict(type='corruptions', limit=64 if smoke else 1000,
                                    corruptions=('shot_noise', 'rotate') if smoke else None)
    if not smoke:
      config.train.epochs = 1.0
    yield name, config


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  study_utils.check_preset(preset)
  ev = {name: s.get('evals', {}) for name, s in summaries.items()}
  base = ev['baseline']['corruptions']
  base_err = {c: base[f'err_{c}'] for c in ops.NAMES if f'err_{c}' in base}
  base_err['clean'] = base['clean_error']
  table = {}
  for name, e in ev.items():
    c, cal = e['corruptions'], e['calibration']
    errors = {k: c[f'err_{k}'] for k in ops.NAMES if f'err_{k}' in c}
    row = {'clean_accuracy': 1 - c['clean_error'], 'mean_error': c['mean_error'],
           **corr_eval.ce(errors, c['clean_error'], base_err),
           'ece': cal['ece'], 'ece_ts': cal['ece_ts'], 'nll': cal['nll'],
           'ece_s5': c.get('ece_s5'), 'err_s5': c.get('err_s5')}
    table[name] = row
  plot(ev, out)
  return table


def plot(ev, out):
  from dljax import viz  # pylint: disable=g-import-not-at-top
  fig, axes = viz.plt.subplots(1, 2, figsize=(9, 3.4))
  for name, e in ev.items():
    c = e['corruptions']
    sev = sorted(int(k[5:]) for k in c if k.startswith('err_s') and k[5:].isdigit())
    axes[0].plot([0] + sev, [c['clean_error']] + [c[f'err_s{s}'] for s in sev], 'o-', label=name)
    axes[1].plot([0] + sev, [c['clean_ece']] + [c[f'ece_s{s}'] for s in sev], 'o-', label=name)
  for ax, what in zip(axes, ('error', 'ECE (15 bins)')):
    ax.set_xlabel('severity (0 = clean)')
    ax.set_ylabel(what)
    ax.legend(fontsize=7)
  fig.suptitle('Fashion-MNIST-C: mean over the corruptions', fontsize=9)
  viz._write(fig, f'{out}/robustness_table_severity.png')  # pylint: disable=protected-access

