"""Formula tests of the self-supervised objectives and evaluators (dljax/train/tasks/contrastive.py,
distillation.py, pretext.py, dljax/eval/probe.py, collapse.py)."""
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from dljax.errors import ConfigError
from dljax.eval import collapse, probe
from dljax.train import tasks
from dljax.train.tasks import contrastive, distillation, pretext
from tests.helpers import load_config


def test_ssl_info_nce_is_cross_entropy_over_similarities():
  rng = np.random.RandomState(0)
  z, c = rng.randn(5, 8).astype(np.float32), rng.randn(7, 8).astype(np.float32)
  pos, tau = np.array([0, 3, 6, 2, 1]), 0.3
  got = contrastive.info_nce(jnp.asarray(z), jnp.asarray(c), jnp.asarray(pos), tau)
  logits = z @ c.T / tau
  want = optax.softmax_cross_entropy_with_integer_labels(jnp.asarray(logits), jnp.asarray(pos))
  np.testing.assert_allclose(got, want, rtol=1e-5)
  # the notes' form: -log exp(z.z+/tau) / sum_i exp(z.z_i/tau)
  notes = -np.log(np.exp(logits[np.arange(5), pos]) / np.exp(logits).sum(1))
  np.testing.assert_allclose(got, notes, rtol=1e-4)


def test_ssl_nt_xent_excludes_self_and_pairs_views():
  rng = np.random.RandomState(1)
  z1, z2 = rng.randn(4, 6).astype(np.float32), rng.randn(4, 6).astype(np.float32)
  got = np.asarray(contrastive.nt_xent(jnp.asarray(z1), jnp.asarray(z2), 0.5))
  z = np.concatenate([z1, z2])
  z = z / np.linalg.norm(z, axis=1, keepdims=True)
  sim = z @ z.T / 0.5
  for i in range(8):
    j = (i + 4) % 8
    others = [k for k in range(8) if k != i]
    want = -sim[i, j] + np.log(np.exp(sim[i, others]).sum())
    assert got[i] == pytest.approx(want, rel=1e-4)


def test_ssl_moco_queue_is_fifo():
  queue = jnp.zeros((6, 2))
  ptr = jnp.zeros((), jnp.int32)
  batches = [jnp.full((2, 2), float(i + 1)) for i in range(4)]
  for b in batches[:3]:
    queue, ptr = contrastive.enqueue(queue, ptr, b)
  np.testing.assert_array_equal(queue[:, 0], [1, 1, 2, 2, 3, 3])
  assert int(ptr) == 0
  queue, ptr = contrastive.enqueue(queue, ptr, batches[3])  # the oldest (batch 1) is dequeued
  np.testing.assert_array_equal(queue[:, 0], [4, 4, 2, 2, 3, 3])
  assert int(ptr) == 2


def test_ssl_ema_and_byol_schedule():
  target, online = {'w': jnp.array([1.0, 2.0])}, {'w': jnp.array([3.0, 0.0])}
  out = tasks.ema.ema_update(target, online, 0.9)
  np.testing.assert_allclose(out['w'], 0.9 * np.array([1, 2]) + 0.1 * np.array([3, 0]), rtol=1e-6)
  assert float(distillation.cosine_decay_ema(0.99, 0, 100)) == pytest.approx(0.99)
  assert float(distillation.cosine_decay_ema(0.99, 100, 100)) == pytest.approx(1.0)
  p = jnp.array([[1.0, 0.0]])
  assert float(distillation.byol_loss(p, 3 * p)[0]) == pytest.approx(0.0, abs=1e-6)
  assert float(distillation.byol_loss(p, -p)[0]) == pytest.approx(4.0)


def test_ssl_dino_centering():
  t = jnp.array([[1.0, 3.0], [3.0, 5.0]])
  c = distillation.update_center(jnp.array([0.0, 10.0]), t, 0.9)
  np.testing.assert_allclose(c, [0.9 * 0 + 0.1 * 2, 0.9 * 10 + 0.1 * 4], rtol=1e-6)
  # a constant shift of every teacher score does not change P_t once the centre absorbs it
  s = jnp.array([[0.2, -0.1], [0.5, 0.3]])
  a = distillation.dino_loss(t, s, t.mean(0), 0.04, 0.1)
  b = distillation.dino_loss(t + 7.0, s, t.mean(0) + 7.0, 0.04, 0.1)
  np.testing.assert_allclose(a, b, rtol=1e-5)
  # sharpening: a lower teacher temperature gives a lower-entropy target
  ent = lambda tau: float(-jnp.sum(jax.nn.softmax(t / tau) * jax.nn.log_softmax(t / tau)))
  assert ent(0.04) < ent(1.0)


def test_ssl_rotations_and_context_pairs():
  x = jnp.arange(16.0).reshape(1, 4, 4, 1)
  r = pretext.rotations(x)
  np.testing.assert_array_equal(r[1, 0, :, :, 0], np.rot90(np.arange(16.0).reshape(4, 4)))
  img = jnp.arange(28 * 28, dtype=jnp.float32).reshape(1, 28, 28, 1).repeat(64, 0)
  c, n, pos = pretext.context_pairs(jax.random.PRNGKey(0), img, 7, 2)
  assert c.shape == n.shape == (64, 7, 7, 1) and set(np.asarray(pos)) <= set(range(8))
  # the neighbour lies in the grid cell its label names (row/col of its top-left pixel)
  row = np.asarray(n[:, 0, 0, 0]) // 28 // 9
  col = np.asarray(n[:, 0, 0, 0]) % 28 // 9
  np.testing.assert_array_equal(np.stack([row, col], 1), np.asarray(pretext.NEIGHBOURS)[pos])


def test_ssl_collapse_monitor():
  rng = np.random.RandomState(0)
  healthy = collapse.stats(rng.randn(4000, 16))
  assert healthy['std_sqrt_d'] == pytest.approx(1.0, abs=0.05)
  assert healthy['effective_rank'] > 14
  dead = collapse.stats(np.ones((100, 16)) + 1e-9 * rng.randn(100, 16))
  assert dead['std_sqrt_d'] < 1e-6
  line = collapse.stats(rng.randn(500, 1) * np.ones((1, 16)))
  assert line['effective_rank'] == pytest.approx(1.0, abs=1e-3)


def test_ssl_probe_subset_and_logistic():
  y = np.repeat(np.arange(3), 50)
  idx = probe.subset(y, 5, seed=0)
  assert len(idx) == 15 and np.all(np.bincount(y[idx]) == 5)
  assert len(probe.subset(y, 0, seed=0)) == 150
  rng = np.random.RandomState(0)
  h = rng.randn(300, 4).astype(np.float32) + 3 * np.eye(3, 4)[np.repeat(np.arange(3), 100)]
  yy = np.repeat(np.arange(3), 100)
  w, b = probe.fit_logistic(h, yy, 3, (1e-4, 1e-1), 200, 0.05)
  acc = np.mean(np.argmax(h @ np.asarray(w[0]) + np.asarray(b[0]), -1) == yy)
  assert acc > 0.9 and float(jnp.abs(w[1]).sum()) < float(jnp.abs(w[0]).sum())  # L2 shrinks


@pytest.mark.parametrize('path,key,value,match', [
    ('configs/self_supervised/simclr.py', 'ssl.temperature', 0.0, 'temperature'),
    ('configs/self_supervised/moco.py', 'ssl.temperature', -1.0, 'temperature'),
    ('configs/self_supervised/moco.py', 'ssl.momentum', 1.5, 'momentum'),
    ('configs/self_supervised/byol.py', 'ssl.ema', -0.1, r'ema.*\[0, 1\]'),
    ('configs/self_supervised/dino.py', 'ssl.teacher_temperature', 0.0, 'teacher_temperature'),
    ('configs/self_supervised/dino.py', 'ssl.ema', 2.0, 'ema'),
    ('configs/self_supervised/moco.py', 'ssl.queue', 100, 'multiple'),
])
def test_ssl_bad_input_is_one_clear_error(path, key, value, match):
  config = load_config(path, 'smoke', **{key: value})
  with pytest.raises(ConfigError, match=match):
    tasks.TASKS[config.task].check_config(config)
