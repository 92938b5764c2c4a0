"""experiments/vision/augmentation_study.py and finetune_study.py without training: their configs
are valid and switch what they claim to switch, the fine-tuning runs read the pretraining run's
workdir, and the tables and plots are drawn from run summaries."""
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
  task_augment = task.transform.augment
  assert (task_augment.names if task_augment else ()) == expected
  assert task.transform.normalize
  tta = config.evals.tta  # the same test-time views for every variant, through the evaluator
  assert tta.type == 'tta' and tta.views == augmentation_study.TTA_VIEWS
  assert sorted(tta.augment.keys()) == ['flip', 'shift']
  assert config.data.train_limit == 5000 and config.train.epochs == 30


def test_augmentation_runs():
  runs = list(augmentation_study.runs('cpu', '/runs/aug'))
  assert [n for n, _ in runs] == list(augmentation_study.GROUPS)
  assert runs[0][1].augment.to_dict() == {}
  with pytest.raises(ValueError, match="preset 'gpu'"):
    list(augmentation_study.runs('gpu', '/runs/aug'))


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


def test_finetune_runs_start_from_the_pretraining_workdir():
  runs = list(finetune_study.runs('cpu', '/runs/ft'))
  names = [n for n, _ in runs]
  assert names[0] == 'pretrain' and len(names) == 1 + 3 * len(finetune_study.VARIANTS)
  assert names[1:5] == ['scratch_100', 'last1_100', 'last2_100', 'all_100']
  assert names[-1] == 'all_all'
  for name, config in runs[1:]:
    restore = finetune_study.VARIANTS[name.split('_')[0]][0]
    assert config.init_from.workdir == ('/runs/ft/pretrain' if restore else '')
    assert (config.train.steps, config.train.epochs) == (400, 0.0)


def test_study_reports_from_summaries(tmp_path):
  summaries = {name: {'final': {'test/accuracy': 0.8 + i / 100, 'tta/accuracy': 0.81 + i / 100},
                      'steps': 10, 'wall_s': 1.0}
               for i, name in enumerate(augmentation_study.GROUPS)}
  table = augmentation_study.report(summaries, str(tmp_path))
  assert table['all']['test_accuracy_tta'] == pytest.approx(0.85)
  assert table['geometric']['augment'] == ['flip', 'shift', 'rotate']
  assert os.path.getsize(tmp_path / 'augmentation.png') > 10_000
  summaries = {'pretrain': {'final': {'test/accuracy': 0.92}, 'wall_s': 3.0}}
  for variant in finetune_study.VARIANTS:
    for labels in finetune_study.LABELS:
      name = f'{variant}_{labels or "all"}'
      summaries[name] = {'final': {'test/accuracy': 0.5 + len(name) / 100}, 'wall_s': 1.0}
  table = finetune_study.report(summaries, str(tmp_path))
  assert table['last1']['all']['test_accuracy'] == pytest.approx(0.59)
  assert table['pretrain']['test_accuracy'] == 0.92
  assert os.path.getsize(tmp_path / 'finetune.png') > 10_000
  assert fmnist_augment.TTA_VIEWS == {'flip': True, 'shift': 2}
