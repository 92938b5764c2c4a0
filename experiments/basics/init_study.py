r"""Initialisation: He vs too small vs too large, forward signal per layer and training curves.

  python -m experiments.study basics/init_study --workdir=runs/init_study [--preset=cpu] [--publish]

A deep Fashion-MNIST MLP (6 hidden ReLU layers of 256, MLP(init_scheme=...)): he W ~ N(0, 2/n_in)
(the notes write the variance as (2/n_in)^2, an error); too_small N(0, 1e-6); too_large N(0, 1);
biases 0. 2,000 steps of SGD with momentum 0.9, lr 0.01, batch 128 (smoke: 6 steps); a non-finite
step is skipped (train.nonfinite=skip) and the report names the first one. Plot init_study.png:
the std of every Dense output a_l on 1,000 test images at init and trained, and the training loss.
Expected (cpu, 2-core CPU, ~40 s): std(a_l) at init He 0.62-0.79 (test accuracy 87.10 %), too
small shrinks ~100x per layer to 3.3e-14 (10.0 %), too large grows ~12x per layer to 3.3e7
(non-finite at step 2). Symmetry of identical weights: basics/vanishing_gradients.
"""
import math

from experiments.tools import study_utils

INITS = ('he', 'too_small', 'too_large')
HIDDEN = (256,) * 6
STEPS = 2000


def make_config(init: str, preset: str, steps: int = STEPS):
  config = study_utils.mlp_config(preset, steps, name='init_study', hidden=HIDDEN, init_scheme=init)
  config.optim.name, config.optim.lr, config.optim.momentum = 'momentum', 0.01, 0.9
  # every step is logged, so the first non-finite one is known; it is skipped, not halting the study
  config.train.log_every = 1
  config.train.nonfinite = 'skip'
  return config


def runs(preset: str, workdir: str):
  del workdir
  for init in INITS:
    yield init, make_config(init, preset)


def activation_stds(task, state, x, n=1000):
  """[std of a_l] of every Dense output on the first n images (dljax.eval.gradients)."""
  from dljax.eval import gradients  # pylint: disable=g-import-not-at-top
  return gradients.layer_activation_stds(task.model, state.nets['model'].variables(), x[:n])


def _first_nonfinite(workdir: str):
  """The first logged row whose step was skipped or whose loss is not finite, or None."""
  from dljax.train import writers  # pylint: disable=g-import-not-at-top
  for row in writers.read_metrics(workdir):
    loss = row.get('train/loss')
    if row.get('train/skipped') or (loss is not None and not math.isfinite(loss)):
      return row
  return None


def report(summaries: dict, out: str) -> dict:
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  first = summaries[INITS[0]]
  table = {'setup': {'model': f'MLP 784-{"-".join(map(str, HIDDEN))}-10 relu',
                     'optimizer': 'momentum 0.9, lr 0.01', 'batch_size': 128,
                     'steps': first['steps']}, 'runs': {}}
  for init in INITS:
    summary = summaries[init]
    run = loop.load_run(summary['workdir'])
    x = run.data['test']['x']
    rec = {'act_std_init': activation_stds(run.task, run.run.init_state(), x)}
    bad = _first_nonfinite(summary['workdir'])
    if bad is None:
      rec.update(test_accuracy=summary['final']['test/accuracy'], wall_s=summary['wall_s'],
                 act_std_trained=activation_stds(run.task, run.state, x))
    else:
      rec.update(test_accuracy=None, diverged=(
          f'non-finite loss ({bad["train/loss"]}) or gradient norm at step {bad["step"]}'))
    steps, losses = study_utils.train_losses(summary['workdir'])
    every = max(1, min(50, summary['steps'] // 40))  # the curve's points: every 50th step at cpu
    keep = [i for i, s in enumerate(steps) if s % every == 0 and (bad is None or s < bad['step'])]
    rec['loss_steps'], rec['train_loss'] = [steps[i] for i in keep], [losses[i] for i in keep]
    table['runs'][init] = rec
  plot(table, f'{out}/init_study.png')
  return table


def plot(result, path):
  from dljax import viz  # pylint: disable=g-import-not-at-top
  runs_ = result['runs']
  stds, losses = {}, {}
  for init, rec in runs_.items():
    layers = list(range(1, len(rec['act_std_init']) + 1))
    stds[f'{init}, at init'] = (layers, rec['act_std_init'])
    if rec.get('act_std_trained'):
      stds[f'{init}, trained'] = (layers, rec['act_std_trained'])
    if rec['test_accuracy'] is not None:
      label = f'{init}: test acc {rec["test_accuracy"]:.3f}'
    else:  # the message ends '... at step N'
      label = f'{init}: loss non-finite at step {rec["diverged"].rsplit(" ", 1)[-1]}'
    losses[label] = (rec['loss_steps'], rec['train_loss'])
  setup = result['setup']
  return viz.line_panels(
      [dict(series=stds, logy=10, xlabel='layer l (Dense output a_l; last = logits)',
            ylabel='std of a_l over 1,000 test images', title='forward signal per layer'),
       dict(series=losses, logy=10, xlabel='step', ylabel='training loss (minibatch)',
            title=f'SGD ({setup["optimizer"]}), batch {setup["batch_size"]}')],
      path, title=f'Fashion-MNIST {setup["model"]}: initialisation')
