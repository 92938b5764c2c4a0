"""Non-contrastive self-distillation: BYOL and DINO (seed 002 §1.26, §2.21). No negatives: an online
network (student) predicts a target network (teacher) whose weights are an EMA of its own.

BYOL (Grill et al. 2020). Online theta: f, g, predictor q; target xi: f, g (no predictor).
  p1 = q(g(f_theta(v1))),  z2' = g(f_xi(v2))       (and symmetrically v1 <-> v2)
  L = 2 - 2 <p1 / ||p1||, sg[z2'] / ||z2'||>          (the normalised MSE, per view pair)
  xi <- tau_k xi + (1 - tau_k) theta,   tau_k = 1 - (1 - tau_base)(cos(pi k / K) + 1) / 2
The predictor and the stop-gradient sg are what keep it from collapsing to a constant.

DINO (Caron et al. 2021). Student theta, teacher xi (the same network, K prototype scores):
  P_t(v) = softmax((g(f_xi(v)) - c) / tau_t),   P_s(v) = softmax(g(f_theta(v)) / tau_s)
  L = sum over view pairs a != b of  -sum_k P_t(v_a)_k log P_s(v_b)_k
  c <- m c + (1 - m) mean over the batch and views of g(f_xi(v))        (centering)
  xi <- lambda xi + (1 - lambda) theta                                    (EMA teacher)
Centering (subtracting c) stops one prototype from dominating; sharpening (tau_t < tau_s) stops
the uniform output: each alone collapses. The teacher starts as a copy of the random student: it
"knows nothing" and still teaches (the notes' remark).

The EMA weights (and DINO's centre) live in TrainState.extra and are checkpointed with the state.
Config: model = SSLNet (BYOL: pred_hidden > 0), augment, ssl.ema (tau_base / lambda in [0, 1]);
DINO: ssl.teacher_temperature, ssl.student_temperature (> 0), ssl.center_momentum m in [0, 1].
"""
import jax
import jax.numpy as jnp

from dljax.errors import ConfigError
from dljax.train.tasks.contrastive import (SSLPretrain, alignment, check_decay, check_temperature,
                                           normalize)
from dljax.train.tasks.ema import ema_update


def byol_loss(p_BxD, z_BxD):
  """2 - 2 cos(p, z) per example (z is the target: the caller stops its gradient)."""
  return 2.0 - 2.0 * jnp.sum(normalize(p_BxD) * normalize(z_BxD), -1)


def cosine_decay_ema(base: float, step, total_steps: int):
  """tau_k = 1 - (1 - tau_base)(cos(pi k / K) + 1) / 2: from tau_base at k = 0 to 1 at k = K."""
  frac = jnp.clip(step / max(total_steps, 1), 0.0, 1.0)
  return 1.0 - (1.0 - base) * (jnp.cos(jnp.pi * frac) + 1.0) / 2.0


class BYOL(SSLPretrain):
  """Online network with predictor regresses the EMA target's projection of the other view."""

  @classmethod
  def check_config(cls, config):
    check_decay(config, 'ema')
    if not config.model.get('pred_hidden', 0):
      raise ConfigError('BYOL needs the predictor q: set --config.model.pred_hidden (e.g. 256).')
    super().check_config(config)

  def init_extra(self, params, batch):
    return {'target': jax.tree.map(jnp.copy, params)}  # xi_0 = theta_0

  def objective(self, params, extra, batch, rng, step):
    v1, v2 = self.views(rng, batch['x'])
    b = v1.shape[0]
    online = self.apply(params, jnp.concatenate([v1, v2], axis=0))
    target = jax.lax.stop_gradient(self.apply(extra['target'], jnp.concatenate([v2, v1], 0))['z'])
    loss_2B = byol_loss(online['p'], target)  # p(v1) -> z'(v2) and p(v2) -> z'(v1)
    loss_B = loss_2B[:b] + loss_2B[b:]
    return loss_B, {'alignment': alignment(online['z'][:b], online['z'][b:])}, None

  def after_step(self, state, net, aux):
    tau = cosine_decay_ema(self.ssl.ema, state.step, self.total_steps)
    return {'target': ema_update(state.extra['target'], net.params, tau)}


def dino_loss(teacher_BxK, student_BxK, center_K, teacher_temperature, student_temperature):
  """-sum_k P_t log P_s per example, P_t = softmax((t - c) / tau_t), P_s = softmax(s / tau_s)."""
  p_t = jax.nn.softmax((teacher_BxK - center_K[None]) / teacher_temperature, axis=-1)
  return -jnp.sum(p_t * jax.nn.log_softmax(student_BxK / student_temperature, axis=-1), -1)


def update_center(center_K, teacher_NxK, momentum: float):
  """c <- m c + (1 - m) mean_n t_n (DINO's centering)."""
  return momentum * center_K + (1.0 - momentum) * teacher_NxK.mean(0)


class DINO(SSLPretrain):
  """Student matches the centred, sharpened probabilities of its EMA teacher (two views)."""

  @classmethod
  def check_config(cls, config):
    check_temperature(config, 'teacher_temperature')
    check_temperature(config, 'student_temperature')
    check_decay(config, 'ema')
    check_decay(config, 'center_momentum')
    super().check_config(config)

  def init_extra(self, params, batch):
    return {'teacher': jax.tree.map(jnp.copy, params),
            'center': jnp.zeros((self.model.proj_dim,), jnp.float32)}

  def objective(self, params, extra, batch, rng, step):
    v1, v2 = self.views(rng, batch['x'])
    b = v1.shape[0]
    both = jnp.concatenate([v1, v2], axis=0)
    s = self.apply(params, both)['z']
    t = jax.lax.stop_gradient(self.apply(extra['teacher'], both)['z'])
    t_swapped = jnp.concatenate([t[b:], t[:b]], axis=0)  # the teacher sees the other view
    loss_2B = dino_loss(t_swapped, s, extra['center'], self.ssl.teacher_temperature,
                        self.ssl.student_temperature)
    p_t = jax.nn.softmax((t - extra['center'][None]) / self.ssl.teacher_temperature, -1)
    entropy = -jnp.mean(jnp.sum(p_t * jnp.log(p_t + 1e-12), -1))
    metrics = {'alignment': alignment(s[:b], s[b:]), 'teacher_entropy': entropy}
    return 0.5 * (loss_2B[:b] + loss_2B[b:]), metrics, t

  eval_metrics = ('alignment', 'teacher_entropy')

  def after_step(self, state, net, teacher_2BxK):
    return {'teacher': ema_update(state.extra['teacher'], net.params, self.ssl.ema),
            'center': update_center(state.extra['center'], teacher_2BxK,
                                    self.ssl.center_momentum)}

  def embed(self, state, x):
    """The teacher's prototype scores (the network DINO keeps)."""
    return self.apply(state.extra['teacher'], x)['z']

  def features(self, state, x):
    """h of the teacher (DINO evaluates the teacher)."""
    return self.apply(state.extra['teacher'], x, method=type(self.model).features_of)
