"""Run outputs: metrics.jsonl, TensorBoard event files and a console progress bar (process 0 only)."""
import json
import os

import jax
import numpy as np
import tqdm


def _scalar(v):
  v = np.asarray(v)
  return v.item() if v.size == 1 else v.tolist()


class MetricWriter:
  """Writes one JSON object per logging step to metrics.jsonl and the same scalars to TensorBoard."""

  def __init__(self, workdir: str, total_steps: int, initial_step: int = 0, progress: bool = True):
    self.active = jax.process_index() == 0
    self.path = os.path.join(workdir, 'metrics.jsonl')
    self.tb = None
    self.bar = None
    if not self.active:
      return
    truncate_after(self.path, initial_step)
    from tensorboardX import SummaryWriter  # pylint: disable=g-import-not-at-top
    self.tb = SummaryWriter(os.path.join(workdir, 'tensorboard'))
    if progress:
      self.bar = tqdm.tqdm(total=total_steps, initial=initial_step, unit='step', dynamic_ncols=True,
                           mininterval=1.0, smoothing=0.1)

  def write(self, step: int, metrics: dict):
    """Logs `metrics` at `step`; 'perf/' timings go to TensorBoard and the bar, not to the JSONL
    file, so that a resumed run's metrics.jsonl is identical to an uninterrupted run's."""
    if not self.active:
      return
    row = {'step': int(step), **{k: _scalar(v) for k, v in sorted(metrics.items())}}
    with open(self.path, 'a') as f:
      f.write(json.dumps({k: v for k, v in row.items() if not k.startswith('perf/')}) + '\n')
    for k, v in row.items():  # non-finite values (a skipped step) stay in the JSONL file only
      if k != 'step' and isinstance(v, (int, float)) and np.isfinite(v):
        self.tb.add_scalar(k, v, step)
    if self.bar is not None:
      shown = {k.split('/')[-1] if k.startswith('train/') else k: f'{v:.4g}'
               for k, v in row.items() if k != 'step' and isinstance(v, float)}
      self.bar.set_postfix(shown, refresh=False)

  def advance(self, n: int = 1):
    if self.bar is not None:
      self.bar.update(n)

  def close(self):
    if self.bar is not None:
      self.bar.close()
    if self.tb is not None:
      self.tb.close()


def truncate_after(path: str, step: int):
  """Drops rows logged after `step`: a resumed run rewrites them, so none is duplicated."""
  if not os.path.exists(path):
    return
  with open(path) as f:
    rows = [line for line in f if line.strip() and json.loads(line)['step'] <= step]
  with open(path, 'w') as f:
    f.writelines(rows)


def read_metrics(workdir: str) -> list:
  path = os.path.join(workdir, 'metrics.jsonl')
  if not os.path.exists(path):
    return []
  with open(path) as f:
    return [json.loads(line) for line in f if line.strip()]
