r"""BatchNorm: train vs eval mode, and the failure at small batch sizes; LayerNorm and no norm beside it.

  python -m experiments.vision.batchnorm_study --workdir=/tmp/study_runs/bn [--preset=cpu|smoke]
      [--steps=1500] [--batch_sizes=1,2,4,8,32,128] [--norms=batch,layer,none] [--plot_only]

The model is the Fashion-MNIST MLP 784-128-128-10 (ReLU, no dropout) with dljax's own BatchNorm or
LayerNorm after each hidden Dense (dljax.models.norm), or neither; Adam at a constant 1e-3.

(b) Each norm trains --steps steps at each batch size in --batch_sizes (the same number of steps, so
    batch size 1 sees 1/128 of the examples batch 128 sees: compare the norms at one batch size, not
    the batch sizes with each other). Test accuracy in evaluation mode (BatchNorm: running averages).
    At batch size 1, BatchNorm in training mode subtracts the example's own value from every
    feature: x - mu_B = 0, so each BN output is exactly beta and no signal reaches the read-out;
    the study measures max |BN(x) - beta| over the test set at batch size 1 (it is 0).
(a) The BN network trained at the largest batch size, evaluated on the test set with batch
    statistics (training mode) at each eval batch size in EVAL_BATCH_SIZES, against the running
    averages (evaluation mode).

Outputs: <workdir>/batchnorm_batch_size.png ((b) left, (a) right) and <workdir>/batchnorm_study.json.
MEASURED (default settings, seed 0, 2-core Xeon via the measurement queue, 139 s for all 18 runs;
docs/vision/batchnorm_study.json, docs/vision/batchnorm_batch_size.png): test accuracy at training batch
size 1 / 2 / 4 / 8 / 32 / 128 - BatchNorm 4.4 / 55.7 / 77.6 / 82.2 / 84.5 / 86.5 %, LayerNorm 73.6 /
70.2 / 78.2 / 80.4 / 86.0 / 85.7 %, no norm 72.9 / 67.1 / 79.1 / 80.2 / 84.9 / 85.7 %. The batch-128
BN net: 86.5 % with running averages; with batch statistics 10.0 / 47.0 / 69.1 / 80.0 / 86.0 / 86.8 /
87.4 % at eval batch size 1 / 2 / 4 / 8 / 32 / 128 / 1000.
"""
import os
import time

from absl import app, flags

from experiments import study_utils

NORMS = {'batch': dict(batch_norm=True), 'layer': dict(layer_norm=True), 'none': {}}
LABELS = {'batch': 'BatchNorm (eval: running averages)', 'layer': 'LayerNorm', 'none': 'no norm'}
EVAL_BATCH_SIZES = (1, 2, 4, 8, 32, 128, 1000)

FLAGS = flags.FLAGS


def define_flags():
  study_utils.define_flags(1500, 'Training steps of every run.')
  flags.DEFINE_list('batch_sizes', ['1', '2', '4', '8', '32', '128'], 'Training batch sizes.')
  flags.DEFINE_list('norms', list(NORMS), 'Normalisations to compare.')


def make_config(norm: str, batch_size: int, preset: str, steps: int):
  return study_utils.mlp_config(preset, steps, batch_size, name='batchnorm_study',
                                hidden=(128, 128), **NORMS[norm])


def batch_stat_accuracy(task, state, test, eval_batch_size: int) -> float:
  """Test accuracy with BatchNorm in training mode: every chunk of `eval_batch_size` test images
  is normalised with its own statistics (the last incomplete chunk is left out)."""
  import jax  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  net = state.nets['model']
  n = len(test['y']) // eval_batch_size * eval_batch_size
  x = test['x'][:n].reshape(n // eval_batch_size, eval_batch_size, *test['x'].shape[1:])
  logits = jax.jit(jax.vmap(lambda xb: task.model.apply(net.variables(), xb, train=True,
                                                         mutable=['batch_stats'])[0]))(x)
  return float(np.mean(np.asarray(logits).argmax(-1).reshape(-1) == test['y'][:n]))


def running_average_accuracy(task, state, test) -> float:
  import jax  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  logits = jax.jit(lambda x: task.predict(state, x))(test['x'])
  return float(np.mean(np.asarray(logits).argmax(-1) == test['y']))


def bn_batch_of_one_deviation(task, state, test) -> float:
  """max over the test images and features of |BN_0(x) - beta_0| with batch size 1 in training
  mode: 0 means the first BatchNorm layer outputs beta whatever the image."""
  import jax  # pylint: disable=g-import-not-at-top
  import jax.numpy as jnp  # pylint: disable=g-import-not-at-top
  variables = state.nets['model'].variables()

  def one(x_1xD):
    _, inter = task.model.apply(variables, x_1xD, train=True, capture_intermediates=True,
                                mutable=['batch_stats', 'intermediates'])
    return jnp.abs(inter['intermediates']['BatchNorm_0']['__call__'][0] -
                   variables['params']['BatchNorm_0']['bias'].reshape(1, -1)).max()

  return float(jax.jit(jax.vmap(one))(test['x'][:, None]).max())


def study(workdir, preset, steps, batch_sizes, norms):
  out = {'setup': {'model': 'MLP 784-128-128-10 relu', 'optimizer': 'adam 1e-3 constant',
                   'steps': make_config('none', 1, preset, steps).train.steps, 'preset': preset},
         'train_batch_size': {}}
  for norm in norms:
    for bs in batch_sizes:
      config = make_config(norm, bs, preset, steps)
      wd = study_utils.workdir_of(workdir, norm, bs)
      summary = study_utils.run(config, wd, overwrite=True)
      rec = {'test_accuracy': summary['final']['test/accuracy'], 'wall_s': summary['wall_s']}
      if norm == 'batch' and bs == 1:
        rec['bn0_minus_beta_max_at_batch_1'] = bn_batch_of_one_deviation(
            *study_utils.restore(config, wd))
      out['train_batch_size'][f'{norm}/{bs}'] = rec
      print(f'{norm:>6} batch {bs:>4}: test accuracy {rec["test_accuracy"]:.4f} '
            f'({rec["wall_s"]:.0f} s)', flush=True)
  if 'batch' in norms:
    bs = max(batch_sizes)
    task, state, test = study_utils.restore(make_config('batch', bs, preset, steps),
                                            study_utils.workdir_of(workdir, 'batch', bs))
    evals = [b for b in EVAL_BATCH_SIZES if b <= len(test['y'])]
    out['eval_mode'] = {
        'trained_batch_size': bs,
        'running_averages': running_average_accuracy(task, state, test),
        'batch_stats': {str(b): batch_stat_accuracy(task, state, test, b) for b in evals}}
    print(f'BN net trained at batch {bs}: test accuracy with running averages '
          f'{out["eval_mode"]["running_averages"]:.4f}; with batch statistics at eval batch size ' +
          ', '.join(f'{b}: {a:.4f}' for b, a in out['eval_mode']['batch_stats'].items()),
          flush=True)
  return out


def plot(result, path):
  from dljax import viz  # pylint: disable=g-import-not-at-top
  records = result['train_batch_size']
  norms = list(dict.fromkeys(k.split('/')[0] for k in records))
  series = {}
  for norm in norms:
    pts = sorted((int(k.split('/')[1]), v['test_accuracy']) for k, v in records.items()
                 if k.split('/')[0] == norm)
    series[LABELS[norm]] = ([p[0] for p in pts], [p[1] for p in pts])
  note = ''
  if 'batch/1' in records and 'bn0_minus_beta_max_at_batch_1' in records['batch/1']:
    note = ('batch size 1, training mode: max |BN(x) - beta| = '
            f'{records["batch/1"]["bn0_minus_beta_max_at_batch_1"]:.1g}')
  panels = [dict(series=series, logx=2, xlabel='training batch size',
                 ylabel='test accuracy (evaluation mode)', note=note,
                 title=f'{result["setup"]["steps"]} steps at every batch size')]
  if 'eval_mode' in result:
    ev = result['eval_mode']
    xs = [int(b) for b in ev['batch_stats']]
    panels.append(dict(
        series={'batch statistics (training mode)': (xs, list(ev['batch_stats'].values()))},
        hlines={'running averages (evaluation mode)': ev['running_averages']}, logx=2,
        xlabel='evaluation batch size', ylabel='test accuracy',
        title=f'BN net trained at batch {ev["trained_batch_size"]}: which statistics at test'))
  return viz.line_panels(panels, path, title='Fashion-MNIST MLP 784-128-128-10: BatchNorm')


def main(argv):
  del argv
  import json  # pylint: disable=g-import-not-at-top
  from absl import logging  # pylint: disable=g-import-not-at-top
  logging.set_verbosity(logging.WARNING)
  workdir = FLAGS.workdir
  os.makedirs(workdir, exist_ok=True)
  unknown = sorted(set(FLAGS.norms) - set(NORMS))
  if unknown:
    raise app.UsageError(f'--norms: {unknown} not in {sorted(NORMS)}.')
  json_path = os.path.join(workdir, 'batchnorm_study.json')
  t0 = time.time()
  if FLAGS.plot_only:
    with open(json_path) as f:
      result = json.load(f)
  else:
    result = study(workdir, FLAGS.preset, FLAGS.steps, sorted(int(b) for b in FLAGS.batch_sizes),
                   FLAGS.norms)
    result['wall_s'] = time.time() - t0
    study_utils.write_json(result, json_path)
  path = plot(result, os.path.join(workdir, 'batchnorm_batch_size.png'))
  print(f'plot: {path}; json: {json_path}; total {time.time() - t0:.0f} s')


if __name__ == '__main__':
  define_flags()
  app.run(main)
