"""Mean teacher (Tarvainen & Valpola 2017) for regression: an EMA target network updated in the step.

The student f_theta is trained on the labels and to agree with a teacher f_xi whose weights are an
exponential moving average of the student's (the target network of BYOL, DINO, MoCo):
  x1 = x + sigma eps1,  x2 = x + sigma eps2           (two noisy views, eps ~ N(0, I))
  L(theta) = mean (f_theta(x1) - y)^2 + w mean (f_theta(x1) - sg[f_xi(x2)])^2
  theta <- optimizer step on L;   xi <- tau xi + (1 - tau) theta     (after the update)
sg = stop-gradient: the teacher gets no gradient. xi lives in TrainState.extra['teacher'] and is
checkpointed with the state, so a resumed run continues the same average.

Config: data.name a regression dataset of x -> y (toy_regression1d), model any network
x_BxD -> B x 1 (an MLP), ema.decay tau, ema.consistency w, ema.noise sigma.
Reported: test/loss (student MSE), test/loss_teacher (teacher MSE, chooses best/: the average of
the weights usually generalises better), train/mse, train/consistency, train/teacher_distance
||xi - theta||_2. Plot: <workdir>/plots/mean_teacher.png (both fits on the test points).
"""
import os

import jax
import jax.numpy as jnp
import numpy as np

from dljax import models
from dljax.errors import ConfigError
from dljax.train import kit
from dljax.train.tasks.base import Task


def ema_update(target, online, decay: float):
  """xi <- tau xi + (1 - tau) theta, leaf by leaf."""
  return jax.tree.map(lambda t, o: decay * t + (1.0 - decay) * o, target, online)


class MeanTeacher(Task):
  """Student trained on labels + consistency with its EMA teacher; both evaluated."""

  best_metric = 'loss_teacher'
  best_mode = 'min'

  def __init__(self, config, total_steps):
    super().__init__(config, total_steps)
    self.model = models.build(config.model)
    self.decay = config.ema.decay
    self.consistency = config.ema.get('consistency', 1.0)
    self.noise = config.ema.get('noise', 0.0)

  @classmethod
  def check_config(cls, config):
    super().check_config(config)
    decay = config.get('ema', {}).get('decay', None)
    if decay is None or not 0.0 <= decay < 1.0:
      raise ConfigError(f'ema.decay={decay!r} must be in [0, 1) (tau of xi <- tau xi + (1 - tau) '
                        'theta); e.g. --config.ema.decay=0.99.')

  def init(self, rng, batch):
    state = kit.init_single(self.model, rng, (batch['x'],), self.config.optim, self.total_steps,
                            train=False)
    teacher = jax.tree.map(jnp.copy, state.nets['model'].params)  # xi_0 = theta_0
    return state.replace(extra={'teacher': teacher})

  def forward(self, params, x_BxD):
    return self.model.apply({'params': params}, x_BxD).reshape(x_BxD.shape[0])  # B (one output)

  def train_step(self, state, batch, rng):
    k1, k2 = jax.random.split(rng)
    x, y = batch['x'], batch['y']
    x1 = x + self.noise * jax.random.normal(k1, x.shape, x.dtype)
    x2 = x + self.noise * jax.random.normal(k2, x.shape, x.dtype)
    target_B = jax.lax.stop_gradient(self.forward(state.extra['teacher'], x2))

    def loss_fn(params):
      pred_B = self.forward(params, x1)
      mse = jnp.mean((pred_B - y) ** 2)
      consistency = jnp.mean((pred_B - target_B) ** 2)
      return mse + self.consistency * consistency, (mse, consistency)

    net, (mse, consistency), metrics = kit.gradient_step(state.nets['model'], loss_fn,
                                                         has_aux=True)
    teacher = ema_update(state.extra['teacher'], net.params, self.decay)
    distance = jnp.sqrt(sum(jnp.sum((t - o) ** 2) for t, o in
                            zip(jax.tree.leaves(teacher), jax.tree.leaves(net.params))))
    metrics.update({'train/mse': mse, 'train/consistency': consistency,
                    'train/teacher_distance': distance})
    return state.replace(nets={'model': net}, extra={'teacher': teacher}), metrics

  def eval_step(self, state, batch):
    mask = batch['mask'].astype(jnp.float32)
    student = (self.forward(state.nets['model'].params, batch['x']) - batch['y']) ** 2
    teacher = (self.forward(state.extra['teacher'], batch['x']) - batch['y']) ** 2
    return {'loss': jnp.sum(student * mask), 'loss_teacher': jnp.sum(teacher * mask),
            'count': jnp.sum(mask)}

  def summarize(self, sums):
    return {'test/loss': float(sums['loss'] / sums['count']),
            'test/loss_teacher': float(sums['loss_teacher'] / sums['count'])}

  def plots(self, state, workdir, data):
    x, y = data['test']['x'], data['test']['y']
    if x.ndim != 2 or x.shape[1] != 1:
      return
    import matplotlib  # pylint: disable=g-import-not-at-top
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
    grid_Gx1 = np.linspace(x.min(), x.max(), 300, dtype=np.float32)[:, None]
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.plot(x[:, 0], y, '.', ms=2, color='0.6', label='test data')
    ax.plot(grid_Gx1[:, 0], np.asarray(self.forward(state.nets['model'].params, grid_Gx1)),
            label='student theta')
    ax.plot(grid_Gx1[:, 0], np.asarray(self.forward(state.extra['teacher'], grid_Gx1)), '--',
            label=f'teacher xi (EMA, tau={self.decay})')
    ax.legend(fontsize=8)
    fig.tight_layout()
    os.makedirs(os.path.join(workdir, 'plots'), exist_ok=True)
    fig.savefig(os.path.join(workdir, 'plots', 'mean_teacher.png'), dpi=100)
    plt.close(fig)
