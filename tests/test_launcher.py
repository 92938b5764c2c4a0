"""The launcher refuses bad input with one clear line and exit code 2, before compiling anything."""
import pytest

from tests.helpers import run_train

MLP = 'configs/vision/fmnist_mlp.py'


@pytest.mark.parametrize('args,expected', [
    (['--config=configs/vision/nope.py:cpu'], 'not found'),
    ([f'--config={MLP}:gpu'], "unknown preset 'gpu'"),
    (['--config=configs/common.py:smoke'], 'has no get_config'),
    ([f'--config={MLP}:smoke', '--config.optim.lrr=1'], 'Did you mean "lr"'),
    ([f'--config={MLP}:smoke', '--config.optim.lr=abc'], 'could not convert'),
    ([f'--config={MLP}:smoke', '--config.optim.lr=-1'], 'optim.lr=-1.0 must be a positive'),
    ([f'--config={MLP}:smoke', '--config.data.batch_size=0'], 'data.batch_size=0'),
    ([f'--config={MLP}:smoke', '--config.data.name=imagenet'], "'imagenet' is unknown"),
])
def test_bad_input_gives_one_line(tmp_path, args, expected):
  result = run_train(args + [f'--workdir={tmp_path / "w"}'], timeout=120)
  assert result.returncode == 2, result.stderr[-2000:]
  lines = [l for l in result.stderr.splitlines() if l.strip() and 'WARNING' not in l]
  assert len(lines) == 1 and lines[0].startswith('error: '), result.stderr
  assert expected in lines[0]
  assert not (tmp_path / 'w' / 'checkpoints').exists()


def test_workdir_that_is_a_file(tmp_path):
  (tmp_path / 'f').write_text('x')
  result = run_train([f'--config={MLP}:smoke', f'--workdir={tmp_path / "f"}'], timeout=120)
  assert result.returncode == 2 and 'is a file' in result.stderr


def test_missing_dataset_files_say_how_to_install(tmp_path):
  env = {'DLJAX_DATA_DIR': str(tmp_path / 'cache'), 'DLJAX_FASHION_MNIST_DIR': str(tmp_path / 'none')}
  result = run_train([f'--config={MLP}:smoke', f'--workdir={tmp_path / "w"}'], env, timeout=120)
  assert result.returncode == 2, result.stderr[-2000:]
  last = result.stderr.strip().splitlines()[-1]
  assert last.startswith('error: ') and 'apt-get install dataset-fashion-mnist' in last


@pytest.mark.parametrize('value', ['nan', 'inf', '-inf'])
def test_non_finite_values_are_refused_before_compiling(tmp_path, value):
  result = run_train([f'--config={MLP}:smoke', f'--config.optim.lr={value}',
                      f'--workdir={tmp_path / "w"}'], timeout=120)
  assert result.returncode == 2, result.stderr[-2000:]
  assert 'optim.lr' in result.stderr and 'finite' in result.stderr
  assert not (tmp_path / 'w').exists()
