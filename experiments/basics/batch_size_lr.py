r"""SGD vs mini-batch vs full batch, and the learning-rate "cliff" (seed 003 §2.3: "What is the
trade-off in the batch size?"; a too large learning rate diverges).

  python -m experiments.study basics/batch_size_lr --workdir=runs/batch_size_lr [--preset=cpu] [--publish]

Plain SGD, w_{t+1} = w_t - eta g_t with g_t the mean gradient over a batch of B examples, trains the
MNIST-1D residual MLP (configs/basics/mnist1d.py, model mlp, 15,210 parameters) for STEPS steps at
every (B, eta) of BATCHES x LRS: B = 1 is SGD, B = 3500 the full training set (full-batch gradient
descent). Equal steps, so B = 1 sees 1,000 examples and B = 3500 a thousand epochs. A run diverged
when its final val/loss is not finite or above log 10 (worse than predicting the uniform
distribution); non-finite steps are skipped (train.nonfinite=skip) so every run finishes.
Table: per B, every eta's val/loss, val/accuracy, test/accuracy and wall_s; cliff = the smallest
eta that diverged; chosen = the eta with the lowest val/loss and its test accuracy (chosen on val).
Plot batch_size_lr.png: final val loss and val accuracy against eta, one curve per B.
Measured (cpu, 24 runs, seed 0, 2-core CPU, 177 s, 2026-12-05): the cliff (first diverging eta of
the grid) is 0.3 for B = 1 and 3 for B = 16, 256 and 3500; chosen on val/loss, eta = 0.03 for
B = 1 (test 27.0 %: 1,000 examples seen) and 0.1 for B = 16 / 256 / 3500 (test 56.0 / 56.6 /
56.3 %), at 2-3 s of training per run for B <= 256 and 9 s for the full batch. The smoke preset trains B in {1, 64} at eta = 0.1 for 5 steps.
"""
import math

from configs import common
from configs.basics import mnist1d
from experiments.tools import study_utils

BATCHES = (1, 16, 256, 3500)  # 3500 = every training sequence (after the 500-sequence val slice)
LRS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
STEPS = 1000
CHANCE_LOSS = math.log(10)  # cross-entropy of the uniform prediction over 10 classes


def run_name(batch: int, lr: float) -> str:
  return f'b{batch}_lr{lr:g}'


def make_config(batch: int, lr: float, preset: str):
  """configs/basics/mnist1d.py (model mlp) with plain SGD at a constant lr, batch `batch`."""
  study_utils.check_preset(preset)
  config = mnist1d.get_config(preset)
  config.name = 'batch_size_lr'
  config.model.name = 'mlp'
  config.optim.name, config.optim.lr = 'sgd', lr
  config.optim.schedule = common.schedule('constant')
  config.data.batch_size = batch
  steps = 5 if preset == 'smoke' else STEPS
  config.train.update(steps=steps, epochs=0.0, eval_every=steps, checkpoint_every=steps,
                      log_every=max(1, steps // 50), nonfinite='skip')
  config.reference = common.no_reference('a sweep: where SGD diverges, per batch size')
  return config


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset)
  grid = [(1, 0.1), (64, 0.1)] if preset == 'smoke' else [(b, lr) for b in BATCHES for lr in LRS]
  for batch, lr in grid:
    yield run_name(batch, lr), make_config(batch, lr, preset)


def diverged(final: dict) -> bool:
  loss = final.get('val/loss')
  return loss is None or not math.isfinite(loss) or loss > CHANCE_LOSS


def report(summaries: dict, out: str) -> dict:
  """{'B=<b>': {'runs': {lr: {val_loss, val_accuracy, test_accuracy, diverged, wall_s}},
  'cliff_lr', 'chosen_lr', 'chosen_test_accuracy'}} and batch_size_lr.png."""
  from dljax import viz  # pylint: disable=g-import-not-at-top
  by_batch = {}
  for name, summary in summaries.items():
    batch, lr = name.removeprefix('b').split('_lr')
    final = summary['final']
    by_batch.setdefault(int(batch), {})[float(lr)] = {
        'val_loss': final.get('val/loss'), 'val_accuracy': final.get('val/accuracy'),
        'test_accuracy': final.get('test/accuracy'), 'diverged': diverged(final),
        'wall_s': summary.get('wall_s')}
  table, losses, accs = {}, {}, {}
  for batch in sorted(by_batch):
    rows = dict(sorted(by_batch[batch].items()))
    ok = {lr: r for lr, r in rows.items() if not r['diverged']}
    chosen = min(ok, key=lambda lr: ok[lr]['val_loss']) if ok else None  # on val/ only
    table[f'B={batch}'] = {
        'runs': {f'{lr:g}': r for lr, r in rows.items()},
        'cliff_lr': min((lr for lr, r in rows.items() if r['diverged']), default=None),
        'chosen_lr': chosen,
        'chosen_test_accuracy': ok[chosen]['test_accuracy'] if chosen is not None else None}
    label = f'B = {batch}' + (' (SGD)' if batch == 1 else ' (full batch)' if batch >= 3500 else '')
    keep = list(ok)  # a diverged run's loss is left out of the curve
    losses[label] = (keep, [ok[lr]['val_loss'] for lr in keep])
    accs[label] = (keep, [ok[lr]['val_accuracy'] for lr in keep])
  viz.line_panels(
      [dict(series=losses, hlines={'log 10 (uniform prediction)': CHANCE_LOSS}, logx=10, logy=10,
            xlabel='learning rate eta (diverged runs left out)', ylabel='final val loss',
            title='plain SGD, equal steps'),
       dict(series=accs, logx=10, xlabel='learning rate eta', ylabel='final val accuracy',
            title='the cliff: each curve ends where SGD diverges')],
      f'{out}/batch_size_lr.png', title='MNIST-1D residual MLP: batch size x learning rate')
  return table
