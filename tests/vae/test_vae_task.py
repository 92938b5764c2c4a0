"""The 'vae' task: bad input is one clear ConfigError before anything compiles; the training step
lowers the negative ELBO; beta annealing and free bits change the objective as documented."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dljax.errors import ConfigError
from dljax.train.tasks.vae import VAETask
from tests.helpers import load_config

PATH = 'configs/vae/fmnist_vae.py'


@pytest.mark.parametrize('overrides, match', [
    ({'vae.iwae_ks': (0, 5)}, 'k >= 1'),
    ({'vae.beta': -1.0}, 'beta'),
    ({'vae.binarize': 'otsu'}, 'binarize'),
    ({'model.likelihood': 'poisson'}, 'likelihood'),
    ({'model.name': 'mlp_ae'}, 'not a field of MLPAE|VAE model'),
])
def test_bad_config_is_one_clear_error(overrides, match):
  config = load_config(PATH, 'smoke', **overrides)
  with pytest.raises(ConfigError, match=match):
    VAETask.check_config(config)


def test_data_checks_before_compiling():
  config = load_config(PATH, 'smoke', **{'model.input_shape': (32, 32, 1)})
  with pytest.raises(ConfigError, match='input_shape'):
    VAETask.load_data(config)
  config = load_config(PATH, 'smoke', **{'data.name': 'toy_moons', 'model.input_shape': (2,),
                                         'model.likelihood': 'cbernoulli'})
  with pytest.raises(ConfigError, match=r'needs data in \[0, 1\]'):
    VAETask.load_data(config)


def test_steps_lower_the_negative_elbo_and_beta_schedule():
  config = load_config(PATH, 'smoke', **{'vae.kl_warmup_steps': 10})
  task = VAETask(config, total_steps=60)
  x = jnp.asarray((np.random.default_rng(0).uniform(size=(32, 28, 28, 1)) > 0.7).astype(np.float32))
  state = task.init(jax.random.PRNGKey(0), {'x': x})
  step = jax.jit(task.train_step)
  first = None
  for i in range(60):
    state, m = step(state, {'x': x}, jax.random.PRNGKey(i))
    state = state.replace(step=state.step + 1)
    first = float(m['train/nelbo']) if first is None else first
  assert float(m['train/nelbo']) < first - 50
  assert float(task.beta_at(5)) == pytest.approx(0.5) and float(task.beta_at(50)) == 1.0
  # evaluation: -L_5 <= -L_1 (IWAE is tighter), and every metric is finite
  sums = jax.jit(task.eval_step)(state, {'x': x, 'mask': jnp.ones(32)})
  out = task.summarize(jax.device_get(sums))
  assert out['test/iwae5'] <= out['test/iwae1'] + 1.0
  assert all(np.isfinite(v) for v in out.values())
