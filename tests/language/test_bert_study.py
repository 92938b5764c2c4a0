"""experiments/language/bert_study.py: the runs (pretraining first, the pretrained arm reads it)."""
import os

from experiments.language import bert_study


def test_cpu_runs_pretrain_then_both_arms_at_every_budget(tmp_path):
  runs = list(bert_study.runs('cpu', str(tmp_path)))
  names = [n for n, _ in runs]
  assert names == ['pretrain', 'scratch_100', 'scratch_1000', 'scratch_all', 'pretrained_100',
                   'pretrained_1000', 'pretrained_all']
  configs = dict(runs)
  assert configs['pretrain'].task == 'bert_pretrain' and configs['pretrain'].train.steps == 4000
  for name in names[1:]:
    config = configs[name]
    assert (config.name, config.task, config.train.steps) == ('bert_play', 'classification', 150)
    assert config.data.train_limit == {'100': 100, '1000': 1000, 'all': 0}[name.split('_')[1]]
    expected = os.path.join(str(tmp_path), 'pretrain') if name.startswith('pretrained') else ''
    assert config.init_from.workdir == expected
