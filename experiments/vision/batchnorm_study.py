r"""BatchNorm: train vs eval mode, and the failure at small batch sizes; LayerNorm and no norm beside it.

  python -m experiments.study vision/batchnorm_study --workdir=runs/batchnorm [--preset=cpu] [--publish]

The Fashion-MNIST MLP 784-128-128-10 (ReLU, no dropout) with dljax's BatchNorm or LayerNorm after
each hidden Dense (dljax.models.norm) or neither, Adam at a constant 1e-3, 1,500 steps at each
training batch size 1..128 (smoke: 6 steps, batch 1 and 8). At batch 1 BatchNorm in training mode
outputs exactly beta (x - mu_B = 0): the report measures max |BN(x) - beta|. The BN net of the
largest batch is also tested with batch statistics at eval batch sizes 1..1000. Plot
batchnorm_batch_size.png. Expected (cpu, 2-core CPU, ~140 s for 18 runs): test accuracy at batch
1 / 2 / 4 / 8 / 32 / 128 - BatchNorm 4.4 / 55.7 / 77.6 / 82.2 / 84.5 / 86.5 %, LayerNorm 73.6 /
70.2 / 78.2 / 80.4 / 86.0 / 85.7 %, no norm 72.9 / 67.1 / 79.1 / 80.2 / 84.9 / 85.7 %; the batch-128
BN net 86.5 % with running averages, 10.0 / 47.0 / 69.1 / 80.0 / 86.0 / 86.8 / 87.4 % with batch
statistics at eval batch 1 / 2 / 4 / 8 / 32 / 128 / 1000.
"""
from experiments.tools import study_utils

NORMS = {'batch': dict(batch_norm=True), 'layer': dict(layer_norm=True), 'none': {}}
LABELS = {'batch': 'BatchNorm (eval: running averages)', 'layer': 'LayerNorm', 'none': 'no norm'}
EVAL_BATCH_SIZES = (1, 2, 4, 8, 32, 128, 1000)
BATCH_SIZES = {'cpu': (1, 2, 4, 8, 32, 128), 'smoke': (1, 8)}
STEPS = 1500


def make_config(norm: str, batch_size: int, preset: str, steps: int = STEPS):
  return study_utils.mlp_config(preset, steps, batch_size, name='batchnorm_study',
                                hidden=(128, 128), **NORMS[norm])


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset)
  for norm in NORMS:
    for bs in BATCH_SIZES[preset]:
      yield f'{norm}_{bs}', make_config(norm, bs, preset)


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


def report(summaries: dict, out: str) -> dict:
  """The table of the old script's JSON: test accuracy per (norm, batch size), the batch-1 BN
  deviation, and the eval-mode comparison of the largest-batch BN net (reloaded with load_run)."""
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  sizes = sorted(int(n.split('_')[1]) for n in summaries if n.startswith('batch_'))
  table = {'setup': {'model': 'MLP 784-128-128-10 relu', 'optimizer': 'adam 1e-3 constant',
                     'steps': summaries[f'batch_{sizes[0]}']['steps']}, 'train_batch_size': {}}
  for name, summary in summaries.items():
    norm, bs = name.split('_')
    rec = {'test_accuracy': summary['final']['test/accuracy'], 'wall_s': summary['wall_s']}
    if name == 'batch_1':
      run = loop.load_run(summary['workdir'])
      rec['bn0_minus_beta_max_at_batch_1'] = bn_batch_of_one_deviation(run.task, run.state,
                                                                       run.data['test'])
    table['train_batch_size'][f'{norm}/{bs}'] = rec
  run = loop.load_run(summaries[f'batch_{sizes[-1]}']['workdir'])
  test = run.data['test']
  table['eval_mode'] = {
      'trained_batch_size': sizes[-1],
      'running_averages': running_average_accuracy(run.task, run.state, test),
      'batch_stats': {str(b): batch_stat_accuracy(run.task, run.state, test, b)
                      for b in EVAL_BATCH_SIZES if b <= len(test['y'])}}
  plot(table, f'{out}/batchnorm_batch_size.png')
  return table


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
