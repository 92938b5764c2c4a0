"""experiments/augmentation_study.py and finetune_study.py without training: their configs are
valid and switch what they claim to switch, and their plots are drawn from run summaries."""
import json
import os

import pytest

from configs.vision import fmnist_augment, fmnist_finetune
from dljax.data import augment
from dljax.train import config_check
from dljax.train.tasks.classification import Classification
from experiments.vision import augmentation_study
from experiments.vision import finetune_study


@pytest.mark.parametrize('variant', list(augmentation_study.GROUPS))
def test_augmentation_configs(variant):
  config = augmentation_study.make_config(variant, 'cpu')
  config_check.validate(config)
  task = Classification(config, total_steps=100)
  expected = tuple(k for k in augment.OPS if k in augmentation_study.GROUPS[variant])
  assert (task.augment.names if task.augment else ()) == expected
  assert config.evals.tta.views == augmentation_study.TTA_VIEWS and task.normalize
  assert config.evals.tta.type == 'tta'  # the same test-time views for every variant:
  assert config.evals.tta.augment.to_dict() == fmnist_augment.TTA_VIEWS
  assert config.data.train_limit == 5000 and config.train.epochs == 30


@pytest.mark.parametrize('variant', list(finetune_study.VARIANTS))
def test_finetune_configs(variant):
  config = finetune_study.finetune_config(variant, 100, '/runs/pretrain', 'cpu')
  config_check.validate(config)
  assert tuple(config.data.classes) == fmnist_finetune.FINETUNE_CLASSES
  assert config.data.train_limit == 100 and config.model.num_outputs == 5
  restore, trainable = finetune_study.VARIANTS[variant]
  assert config.init_from.workdir == ('/runs/pretrain' if restore else '')
  assert config.optim.trainable == trainable
  pretrain = finetune_study.pretrain_config('cpu')
  assert tuple(pretrain.data.classes) == fmnist_finetune.PRETRAIN_CLASSES
  assert pretrain.model.to_dict() == config.model.to_dict()  # the restored layers fit


def _summary(path, **final):
  os.makedirs(path)
  with open(os.path.join(path, 'summary.json'), 'w') as f:
    json.dump({'final': final, 'steps': 10, 'wall_s': 1.0}, f)


def test_study_tables_and_plots(tmp_path):
  for i, name in enumerate(['none', 'all']):
    _summary(tmp_path / 'aug' / name, **{'test/accuracy': 0.8 + i / 100,
                                         'tta/accuracy': 0.81 + i / 100})
  table = augmentation_study.summarize(str(tmp_path / 'aug'), ['none', 'all'])
  assert table['all']['test_accuracy_tta'] == pytest.approx(0.82)
  assert os.path.getsize(augmentation_study.plot(table, str(tmp_path / 'a.png'))) > 10_000
  for name in ['scratch_100', 'last1_100', 'scratch_all', 'last1_all']:
    _summary(tmp_path / 'ft' / name, **{'test/accuracy': 0.5 + len(name) / 100})
  table = finetune_study.summarize(str(tmp_path / 'ft'), ['scratch', 'last1'], [100, 0])
  assert table['last1']['all']['test_accuracy'] == pytest.approx(0.59)
  assert os.path.getsize(finetune_study.plot(table, str(tmp_path / 'f.png'))) > 10_000
  assert fmnist_augment.TTA_VIEWS == {'flip': True, 'shift': 2}
