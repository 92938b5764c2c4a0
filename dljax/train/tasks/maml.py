"""Model-agnostic meta-learning (Finn et al. 2017) on sine-wave regression tasks.

For a task tau with support set S and query set Q, the inner loop adapts a copy of the parameters by
n steps of plain gradient descent on the support loss, and the outer (meta) loss scores the adapted
copy on the query set:
  theta'_0 = theta,   theta'_{i+1} = theta'_i - alpha grad_theta' L_S(theta'_i)     (i < n)
  L_meta(theta) = (1/T) sum_tau L_Q(theta'_n(tau)),   L = mean squared error
The outer update differentiates L_meta through the inner steps (second order; meta.first_order=True
drops the second-order terms, FOMAML: grad_theta' L_S is treated as a constant). theta is trained by
the task kit's optimizer (config.optim, usually Adam).

Data (dljax.data.sine_tasks) is generated inside train_step from the step's key: T = data.batch_size
fresh tasks of data.shots support and data.queries query points each, so `train_batches` returns
None and a resumed run draws exactly the same tasks. Evaluation adapts to each of data.eval_tasks
fixed tasks (meta.eval_inner_steps steps) and reports
  test/loss       query MSE after adaptation
  test/loss_pre   query MSE of theta itself (before adaptation; E[A^2] / 2 = 4.2 for theta = 0,
                  the best a single function can do on average)
The plot <workdir>/plots/maml_sine.png shows theta and the adapted model on a few test tasks.
"""
import os

import jax
import jax.numpy as jnp
import numpy as np

from dljax import models
from dljax import data as data_lib
from dljax.data import sine_tasks
from dljax.errors import ConfigError
from dljax.train import kit
from dljax.train.tasks.base import Task


def _mse(pred, y):
  return jnp.mean((pred - y) ** 2)


class MAML(Task):
  """Meta-learns an initialisation theta that n gradient steps adapt to a new sine task."""

  best_metric = 'loss'
  best_mode = 'min'

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    self.model = models.build(config.model)
    meta = config.meta
    self.inner_lr = meta.inner_lr
    self.inner_steps = meta.inner_steps
    self.eval_inner_steps = meta.get('eval_inner_steps', 0) or meta.inner_steps
    self.first_order = meta.get('first_order', False)

  @classmethod
  def check_config(cls, config):
    super().check_config(config)
    if config.data.name != 'sine_tasks':
      raise ConfigError(f"task=maml draws its own sine tasks; set --config.data.name=sine_tasks "
                        f'(not {config.data.name!r}).')
    if 'meta' not in config or not config.meta.get('inner_steps', 0) or config.meta.inner_steps < 1:
      raise ConfigError('task=maml needs config.meta.inner_steps >= 1 (and meta.inner_lr), e.g. '
                        'meta=dict(inner_lr=0.01, inner_steps=1).')
    if config.train.get('epochs', 0):
      raise ConfigError('MAML draws fresh tasks every step (no epochs); set train.steps and '
                        '--config.train.epochs=0.')

  @classmethod
  def load_data(cls, config) -> dict:
    return {split: data_lib.load(config.data, split) for split in ('validation', 'test')}

  @classmethod
  def num_train(cls, data):
    return len(data['test']['amplitude'])  # no epochs (check_config refuses them): nominal

  @classmethod
  def train_batches(cls, config, data, process_index, process_count):
    return None  # the tasks are drawn inside train_step

  def init(self, rng, batch):
    del batch  # None: there is no host batch
    return kit.init_single(self.model, rng, (jnp.zeros((1, 1)),), self.config.optim,
                           self.total_steps, train=False)

  def forward(self, params, x_Nx1):
    """f_theta(x): N x 1 (an MLP with one output may return N)."""
    return self.model.apply({'params': params}, x_Nx1).reshape(x_Nx1.shape[0], 1)

  def adapt(self, params, x_s, y_s, steps: int):
    """theta'_n: `steps` steps of gradient descent with rate alpha on the support loss."""
    for _ in range(steps):
      grads = jax.grad(lambda p: _mse(self.forward(p, x_s), y_s))(params)
      if self.first_order:
        grads = jax.lax.stop_gradient(grads)
      params = jax.tree.map(lambda w, g: w - self.inner_lr * g, params, grads)
    return params

  def task_losses(self, params, tasks, steps: int):
    """(query MSE after adaptation, query MSE before) per task, each T."""
    def one(x_s, y_s, x_q, y_q):
      adapted = self.adapt(params, x_s, y_s, steps)
      return _mse(self.forward(adapted, x_q), y_q), _mse(self.forward(params, x_q), y_q)
    return jax.vmap(one)(tasks['x_support'], tasks['y_support'], tasks['x_query'],
                         tasks['y_query'])

  def train_step(self, state, batch, rng):
    del batch  # None
    d = self.config.data
    tasks = sine_tasks.draw(rng, d.batch_size, d.shots, d.queries)

    def meta_loss(params):
      post_T, pre_T = self.task_losses(params, tasks, self.inner_steps)
      return post_T.mean(), pre_T.mean()

    net, loss_pre, metrics = kit.gradient_step(state.nets['model'], meta_loss, has_aux=True)
    metrics['train/loss_pre'] = loss_pre
    return state.replace(nets={'model': net}), metrics

  def eval_step(self, state, batch):
    post_T, pre_T = self.task_losses(state.nets['model'].params, batch, self.eval_inner_steps)
    mask_T = batch['mask'].astype(jnp.float32)
    return {'loss': jnp.sum(post_T * mask_T), 'loss_pre': jnp.sum(pre_T * mask_T),
            'count': jnp.sum(mask_T)}

  def summarize(self, sums):
    return {'test/loss': float(sums['loss'] / sums['count']),
            'test/loss_pre': float(sums['loss_pre'] / sums['count'])}

  def plots(self, state, workdir, data, n=4):
    """A few test tasks: the true sine, the support points, theta and the adapted model."""
    import matplotlib  # pylint: disable=g-import-not-at-top
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
    params = state.nets['model'].params
    test = data['test']
    grid_Gx1 = np.linspace(*sine_tasks.X_RANGE, 200, dtype=np.float32)[:, None]
    fig, axes = plt.subplots(1, n, figsize=(3.2 * n, 2.8), squeeze=False)
    for i, ax in enumerate(axes[0]):
      adapted = jax.jit(lambda p, x, y: self.adapt(p, x, y, self.eval_inner_steps))(
          params, test['x_support'][i], test['y_support'][i])
      ax.plot(grid_Gx1[:, 0], test['amplitude'][i] * np.sin(grid_Gx1[:, 0] - test['phase'][i]),
              'k-', lw=1, label='task')
      ax.plot(grid_Gx1[:, 0], np.asarray(self.forward(params, grid_Gx1))[:, 0], '--',
              label='theta')
      ax.plot(grid_Gx1[:, 0], np.asarray(self.forward(adapted, grid_Gx1))[:, 0],
              label=f'{self.eval_inner_steps} steps')
      ax.plot(test['x_support'][i, :, 0], test['y_support'][i, :, 0], 'o', ms=3, label='support')
    axes[0, 0].legend(fontsize=7)
    fig.tight_layout()
    os.makedirs(os.path.join(workdir, 'plots'), exist_ok=True)
    fig.savefig(os.path.join(workdir, 'plots', 'maml_sine.png'), dpi=100)
    plt.close(fig)
