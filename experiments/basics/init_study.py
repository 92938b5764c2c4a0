r"""Initialisation: He vs too small vs too large, forward signal per layer and training curves.

  python -m experiments.basics.init_study --workdir=/tmp/study_runs/init [--preset=cpu|smoke]
      [--steps=2000] [--plot_only]

A deep Fashion-MNIST MLP (6 hidden ReLU layers of 256) initialised with MLP(init_scheme=...):
  he:        W ~ N(0, 2/n_in) (the notes write the variance as (2/n_in)^2, an error);
  too_small: W ~ N(0, 1e-6);   too_large: W ~ N(0, 1);   biases 0.
Left: the std of every Dense output a_l on 1,000 test images, at initialisation and after training
(dljax.eval.layer_activation_stds). Right: the training loss of --steps steps of SGD with momentum
0.9, lr 0.01, batch 128 (a run whose loss becomes non-finite stops there; the JSON says when).
That identical weights never break symmetry is shown by experiments/vanishing_gradients.py and
tested in tests/test_gradients.py. Outputs: <workdir>/init_study.png, <workdir>/init_study.json.
MEASURED (default settings, seed 0, 2-core Xeon via the measurement queue, 36 s; docs/basics/init_study.json,
docs/basics/init_study.png): std of each layer's output at init - He 0.62-0.79 (test accuracy
86.47 %), too small shrinks ~100x per layer to 3.3e-14 (stays at 10.0 %), too large grows ~12x per
layer to 3.3e7 (non-finite loss at step 2).
"""
import os
import time

from absl import app, flags

from experiments import study_utils

INITS = ('he', 'too_small', 'too_large')
HIDDEN = (256,) * 6

FLAGS = flags.FLAGS


def make_config(init: str, preset: str, steps: int):
  config = study_utils.mlp_config(preset, steps, name='init_study', hidden=HIDDEN, init_scheme=init)
  config.optim.name, config.optim.lr, config.optim.momentum = 'momentum', 0.01, 0.9
  return config


def activation_stds(task, state, test, n=1000):
  from dljax.eval import gradients  # pylint: disable=g-import-not-at-top
  return gradients.layer_activation_stds(task.model, state.nets['model'].variables(), test['x'][:n])


def study(workdir, preset, steps):
  from dljax.errors import NonFiniteError  # pylint: disable=g-import-not-at-top
  out = {'setup': {'model': f'MLP 784-{"-".join(map(str, HIDDEN))}-10 relu',
                   'optimizer': 'momentum 0.9, lr 0.01', 'batch_size': 128,
                   'steps': make_config('he', preset, steps).train.steps, 'preset': preset},
         'runs': {}}
  for init in INITS:
    config = make_config(init, preset, steps)
    wd = study_utils.workdir_of(workdir, init)
    rec = {'act_std_init': activation_stds(*study_utils.initial(config))}
    try:
      summary = study_utils.run(config, wd, overwrite=True)
      rec.update(test_accuracy=summary['final']['test/accuracy'], wall_s=summary['wall_s'],
                 act_std_trained=activation_stds(*study_utils.restore(config, wd)))
    except NonFiniteError as e:
      rec.update(test_accuracy=None, diverged=str(e).split(';')[0])
    rec['loss_steps'], rec['train_loss'] = study_utils.train_losses(wd)
    out['runs'][init] = rec
    stds = ' '.join(f'{s:.2g}' for s in rec['act_std_init'])
    acc = (f'test accuracy {rec["test_accuracy"]:.4f}' if rec['test_accuracy'] is not None
           else rec['diverged'])
    print(f'{init:>9}: std(a_l) at init {stds}; {acc}', flush=True)
  return out


def plot(result, path):
  from dljax import viz  # pylint: disable=g-import-not-at-top
  runs = result['runs']
  stds, losses = {}, {}
  for init, rec in runs.items():
    layers = list(range(1, len(rec['act_std_init']) + 1))
    stds[f'{init}, at init'] = (layers, rec['act_std_init'])
    if rec.get('act_std_trained'):
      stds[f'{init}, trained'] = (layers, rec['act_std_trained'])
    if rec['test_accuracy'] is not None:
      label = f'{init}: test acc {rec["test_accuracy"]:.3f}'
    else:  # the loop's message ends '... at step N'
      label = f'{init}: loss non-finite at step {rec["diverged"].rsplit(" ", 1)[-1]}'
    losses[label] = (rec['loss_steps'], rec['train_loss'])
  setup = result['setup']
  return viz.line_panels(
      [dict(series=stds, logy=10, xlabel='layer l (Dense output a_l; last = logits)',
            ylabel='std of a_l over 1,000 test images', title='forward signal per layer'),
       dict(series=losses, logy=10, xlabel='step', ylabel='training loss (minibatch)',
            title=f'SGD ({setup["optimizer"]}), batch {setup["batch_size"]}')],
      path, title=f'Fashion-MNIST {setup["model"]}: initialisation')


def main(argv):
  del argv
  import json  # pylint: disable=g-import-not-at-top
  from absl import logging  # pylint: disable=g-import-not-at-top
  logging.set_verbosity(logging.WARNING)
  workdir = FLAGS.workdir
  os.makedirs(workdir, exist_ok=True)
  json_path = os.path.join(workdir, 'init_study.json')
  t0 = time.time()
  if FLAGS.plot_only:
    with open(json_path) as f:
      result = json.load(f)
  else:
    result = study(workdir, FLAGS.preset, FLAGS.steps)
    result['wall_s'] = time.time() - t0
    study_utils.write_json(result, json_path)
  path = plot(result, os.path.join(workdir, 'init_study.png'))
  print(f'plot: {path}; json: {json_path}; total {time.time() - t0:.0f} s')


if __name__ == '__main__':
  study_utils.define_flags(2000, 'SGD steps per initialisation (batch 128).')
  app.run(main)
