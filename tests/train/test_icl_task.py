"""The icl task kind: loss on the answers only, per-shot accuracy, config checks, the cpu model size."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax import models
from dljax.data import icl
from dljax.errors import ConfigError
from dljax.train.tasks.icl import InContext, masked_mean
from tests.helpers import load_config

CONFIG = 'configs/language/icl.py'


@pytest.fixture(scope='module')
def setup():
  config = load_config(CONFIG, 'smoke')
  data = InContext.load_data(config)
  task = InContext(config, total_steps=10)
  batch = next(InContext.train_batches(config, data, 0, 1))
  state = jax.jit(task.init)(jax.random.PRNGKey(0), batch)
  return config, data, task, batch, state


def test_masked_mean():
  v = jnp.array([[1.0, 5.0, 3.0]])
  assert float(masked_mean(v, jnp.array([[1.0, 0.0, 1.0]]))) == 2.0


def test_loss_ignores_everything_but_the_answers(setup):
  _, _, task, batch, state = setup
  step = jax.jit(task.train_step)
  rng = jax.random.PRNGKey(1)
  loss = float(step(state, batch, rng)[1]['train/loss'])
  not_answer = batch['answer'] == 0
  assert not_answer.any() and (~not_answer).any()
  changed = dict(batch, y=np.where(not_answer, (batch['y'] + 1) % 7, batch['y']))
  assert float(step(state, changed, rng)[1]['train/loss']) == pytest.approx(loss, rel=1e-6)
  answer_changed = dict(batch, y=np.where(not_answer, batch['y'], (batch['y'] + 1) % 7))
  assert float(step(state, answer_changed, rng)[1]['train/loss']) != pytest.approx(loss, rel=1e-4)


def test_eval_counts_per_family_and_shot_agree_with_the_plot_curves(setup):
  config, data, task, _, state = setup
  test = data['test']
  sums = jax.jit(task.eval_step)(state, dict(test, mask=np.ones(len(test['x']), bool)))
  per_family = config.data.eval_per_family
  np.testing.assert_array_equal(np.asarray(sums['count']), [per_family] * len(icl.FAMILIES))
  metrics = task.summarize(jax.device_get(sums))
  curves = task.shot_curves(state, data)
  for k in config.data.eval_shots:
    for name, (ks, model, bayes) in curves.items():
      assert ks[k] == k
      assert metrics[f'test/{name}/accuracy_k{k}'] == pytest.approx(model[k])
      assert 0.0 <= model[k] <= 1.0 and 1 / 7 - 1e-9 <= bayes[k] <= 1.0
    want = np.mean([curves[name][1][k] for name in icl.FAMILIES])
    assert metrics[f'test/accuracy_k{k}'] == pytest.approx(want)


@pytest.mark.parametrize('override,match', [
    ({'model.vocab_size': 9}, 'vocab_size'),
    ({'data.num_symbols': 8, 'model.vocab_size': 11}, 'prime'),
    ({'data.eval_shots': (0, 5)}, 'eval_shots'),
    ({'model.max_len': 4}, 'max_len'),
    ({'data.families': ('lookup',)}, 'unknown'),
    ({'train.epochs': 1.0}, 'train.steps'),
])
def test_bad_config_is_one_clear_error(override, match):
  with pytest.raises(ConfigError, match=match):
    InContext.load_data(load_config(CONFIG, 'smoke', **override))


def test_golden_parameter_count_of_the_cpu_model():
  config = load_config(CONFIG, 'cpu')
  model = models.build(config.model)
  shapes = jax.eval_shape(model.init, jax.random.PRNGKey(0), jnp.zeros((1, 34), jnp.int32))
  d, v, length, layers = 64, 10, 34, 3
  per_block = (4 * d * d + 4 * d) + 4 * d + (8 * d * d + 5 * d)  # attention, 2 LNs, FFN
  want = v * d + length * d + layers * per_block + 2 * d          # tied output layer
  assert sum(x.size for x in jax.tree.leaves(shapes['params'])) == want == 152_896
