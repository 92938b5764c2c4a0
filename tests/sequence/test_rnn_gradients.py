"""The gradient/clipping study on the adding problem: gradients at initialisation, the clipping
runs' configs, and the clipping table and plot from run logs."""
import json
import math
import os

import numpy as np

from experiments.sequence import rnn_gradients


def test_grads_vs_lag_at_initialisation_are_finite(tmp_path):
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  runs = dict(rnn_gradients.runs('smoke', str(tmp_path)))
  for cell in rnn_gradients.CELLS:
    run = loop.Run(runs[cell], str(tmp_path / cell), progress=False, read_only=True)
    norms = np.asarray(rnn_gradients.grad_vs_lag(run, run.init_state()), np.float64)
    assert norms.shape == (8,) and np.all(np.isfinite(norms))   # smoke: T = 8
    assert norms[-1] > 0  # dL/dh_T: the head reads h_T directly


def test_clipping_runs_differ_only_in_the_clipping_threshold():
  runs = dict(rnn_gradients.runs('smoke', ''))
  assert list(runs) == list(rnn_gradients.CELLS) + list(rnn_gradients.CLIP_RUNS)
  plain, clipped = runs['sgd_no_clip'], runs['sgd_clip']
  assert plain.optim.grad_clip_norm == 0.0 and clipped.optim.grad_clip_norm == 1.0
  clipped.optim.grad_clip_norm = 0.0
  # both start from the same initialisation and see the same batches
  assert plain.to_json() == clipped.to_json() and plain.train.nonfinite == 'skip'


def test_clipping_log_and_plot_from_metrics(tmp_path):
  rows = [{'step': 1, 'train/loss': 0.2, 'train/grad_norm': 3.0},
          {'step': 2, 'train/loss': float('inf'), 'train/grad_norm': float('nan'),
           'train/skipped': 1},
          {'step': 3, 'train/loss': 0.19, 'train/grad_norm': 2.0, 'train/skipped': 0}]
  with open(tmp_path / 'metrics.jsonl', 'w') as f:
    f.writelines(json.dumps(r) + '\n' for r in rows)
  log = rnn_gradients.clipping_log(str(tmp_path))
  assert log['steps'] == [1, 2, 3] and log['loss'] == [0.2, None, 0.19]
  assert log['grad_norm'] == [3.0, None, 2.0]
  assert log['skipped_steps'] == 1 and log['first_nonfinite_step'] == 2
  path = rnn_gradients.plot_clipping({'no clipping': dict(log, test_mse=math.nan),
                                      'clip': dict(log, test_mse=0.17)}, 1.0,
                                     str(tmp_path / 'c.png'), 'clipping')
  assert os.path.getsize(path) > 1000
