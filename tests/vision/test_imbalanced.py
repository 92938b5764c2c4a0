"""The imbalanced X-ray stand-in (dljax.data.datasets.fashion_mnist_xray), the classification_metrics
evaluator, and experiments/vision/imbalanced.py's decision rules and report without training."""
import os
import types

import ml_collections
import numpy as np
import pytest
from sklearn import metrics

from dljax import data
from dljax.data.datasets import fashion_mnist_xray as xray
from dljax.errors import ConfigError, DataError
from dljax.eval import classification_metrics as cm
from experiments.vision import imbalanced


def _cfg(**kw):
  return ml_collections.ConfigDict(dict(name='fashion_mnist_xray', **kw))


def test_splits_have_the_stated_imbalance_and_views_agree():
  want = {'train': [5000, 500, 500], 'validation': [1000, 100, 100], 'test': [1000, 1000, 1000]}
  for split, counts in want.items():
    tri = data.load(_cfg(), split)
    assert np.bincount(tri['y']).tolist() == counts == list(xray.counts(_cfg(), split))
    dis = data.load(_cfg(view='disease'), split)
    np.testing.assert_array_equal(dis['x'], tri['x'])  # same images, same order
    np.testing.assert_array_equal(dis['y'], tri['y'] > 0)
    sub = data.load(_cfg(view='subtype'), split)
    np.testing.assert_array_equal(np.sort(sub['y']), np.sort(tri['y'][tri['y'] > 0] - 1))
    assert tri['x'].dtype == np.float32 and 0 <= tri['x'].min() and tri['x'].max() <= 1
  assert data.info(_cfg()).num_classes == 3 and data.info(_cfg(view='subtype')).num_classes == 2
  np.testing.assert_allclose(xray.prior(_cfg()), [10 / 12, 1 / 12, 1 / 12])


def test_validation_is_disjoint_from_train_and_the_ratio_is_a_setting():
  tr, va = data.load(_cfg(), 'train'), data.load(_cfg(), 'validation')
  seen = {x.tobytes() for x in tr['x']}
  assert not any(x.tobytes() in seen for x in va['x'])
  assert np.bincount(data.load(_cfg(imbalance=(5, 1, 1)), 'train')['y']).tolist() == [5000, 1000,
                                                                                       1000]
  assert np.bincount(data.load(_cfg(train_limit=600), 'train')['y'])[1:].min() > 20  # mixed
  with pytest.raises(DataError, match='view'):
    data.info(_cfg(view='covid'))
  with pytest.raises(DataError, match='imbalance'):
    data.load(_cfg(imbalance=(1, 10, 1)), 'train')


def _stub(k, n=200, seed=0):
  """A 'task' whose predict returns its input: the evaluator on known logits."""
  rng = np.random.default_rng(seed)
  out = {}
  for split in ('validation', 'test'):
    y = rng.choice(k, n, p=np.r_[0.7, np.full(k - 1, 0.3 / (k - 1))])
    out[split] = {'x': (rng.standard_normal((n, k)) + 2.0 * np.eye(k)[y]).astype(np.float32), 'y': y}
  task = types.SimpleNamespace(loss_name='softmax', predict=lambda state, x: x,
                               config=ml_collections.ConfigDict(dict(data=dict(eval_batch_size=64))))
  return task, out


@pytest.mark.parametrize('k', [2, 3])
def test_evaluator_matches_sklearn(k, tmp_path):
  task, splits = _stub(k)
  cfg = ml_collections.ConfigDict(dict(cm.PARAMS, type='classification_metrics', every='end',
                                       save_predictions=True))
  cm.check(task, cfg)
  out = cm.evaluate(task, None, splits, cfg)
  x, y = splits['test']['x'], splits['test']['y']
  p = np.exp(x) / np.exp(x).sum(1, keepdims=True)
  assert out['macro_f1'] == pytest.approx(metrics.f1_score(y, x.argmax(1), average='macro'))
  assert out['recall_1'] == pytest.approx(metrics.recall_score(y == 1, x.argmax(1) == 1))
  if k == 2:
    assert out['auc'] == pytest.approx(metrics.roc_auc_score(y, p[:, 1]), abs=1e-6)
    t = cm.best_f1_threshold(splits['validation']['y'],
                             (lambda v: np.exp(v[:, 1]) / np.exp(v).sum(1))(
                                 splits['validation']['x'].astype(np.float64)))[0]
    assert out['threshold'] == pytest.approx(t, rel=1e-5)  # chosen on validation
  else:
    assert out['ovr_auc'] == pytest.approx(metrics.roc_auc_score(y, p, multi_class='ovr'), abs=1e-6)
  cm.plots(task, None, splits, cfg, str(tmp_path))
  saved = np.load(tmp_path / 'predictions.npz')
  np.testing.assert_allclose(saved['test_p'], p, rtol=1e-5, atol=1e-6)
  assert os.path.getsize(tmp_path / 'plots' / 'confusion.png') > 1000
  with pytest.raises(ConfigError, match='threshold_split'):
    cm.check(task, ml_collections.ConfigDict(dict(cfg, threshold_split='test')))


def test_decision_rules():
  tri = np.array([[0.6, 0.3, 0.1], [0.45, 0.2, 0.35], [0.1, 0.5, 0.4]])
  p = {'triclass_plain': tri, 'triclass_weighted': tri[:, [1, 0, 2]],
       'disease': np.array([[0.7, 0.3], [0.4, 0.6], [0.2, 0.8]]),
       'subtype': np.array([[0.9, 0.1], [0.3, 0.7], [0.6, 0.4]])}
  t = {'plain_thr_f1': 0.5, 'plain_thr_youden': 0.3, 'cascade_thr_f1': 0.25}
  d = imbalanced.decisions(p, t)
  assert d['plain_argmax'][0].tolist() == [0, 0, 1]
  assert d['plain_0.5'][0].tolist() == [0, 2, 1]        # p(normal) 0.45 < 0.5: disease
  assert d['plain_thr_f1'][0].tolist() == [0, 2, 1]     # 1 - p(normal) >= 0.5, then the larger
  assert d['plain_thr_youden'][0].tolist() == [1, 2, 1]
  assert d['cascade_0.5'][0].tolist() == [0, 2, 1]      # stage 1 at 0.5, then stage 2
  assert d['cascade_thr_f1'][0].tolist() == [1, 2, 1]
  np.testing.assert_allclose(d['cascade_0.5'][1].sum(1), 1.0)  # a proper triclass distribution


def test_report_from_saved_predictions(tmp_path):
  """The report reads each run's predictions.npz (no reloading), chooses thresholds on validation
  and gives per-rule metrics; the deployed (re-weighted) recall equals the balanced one."""
  rng = np.random.default_rng(0)
  y_val = np.repeat([0, 1, 2], [100, 10, 10])
  y_test = np.repeat([0, 1, 2], [50, 50, 50])
  summaries = {}
  for name, (view, _) in imbalanced.RUNS.items():
    wd = tmp_path / name
    os.makedirs(wd)
    arrays = {}
    for split, y in (('validation', y_val), ('test', y_test)):
      k = 3 if view == 'triclass' else 2
      target = {'triclass': y, 'disease': (y > 0).astype(int), 'subtype': np.maximum(y - 1, 0)}[view]
      logits = rng.standard_normal((len(y), k)) + 1.5 * np.eye(k)[target]
      arrays[f'{split}_p'] = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
      arrays[f'{split}_y'] = y
    np.savez(wd / 'predictions.npz', **arrays)
    config = imbalanced.make_config(name, 'smoke')
    with open(wd / 'config.json', 'w') as f:
      f.write(config.to_json())
    summaries[name] = {'workdir': str(wd), 'steps': 3, 'wall_s': 1.0, 'final': {}}
  table = imbalanced.report(summaries, str(tmp_path))
  assert list(table['rules']) == list(imbalanced.RULES)
  plain = table['rules']['plain_argmax']
  assert 0 <= plain['deployed_macro_f1']['mean'] <= 1 and 0.5 < plain['disease_auc']['mean'] <= 1
  assert np.sum(table['confusion']['cascade_0.5']) == pytest.approx(150)
  assert set(table['thresholds']) == {'plain_thr_f1', 'plain_thr_youden', 'cascade_thr_f1'}
  for name in ('imbalanced_roc.png', 'imbalanced_confusion.png'):
    assert os.path.getsize(tmp_path / name) > 1000
  # recall does not depend on the prior: the deployed re-weighting leaves it unchanged
  m = imbalanced.rule_metrics(y_test, *imbalanced.decisions(
      {n: np.load(tmp_path / n / 'predictions.npz')['test_p'] for n in imbalanced.RUNS},
      {'plain_thr_f1': 0.5, 'plain_thr_youden': 0.5, 'cascade_thr_f1': 0.5})['plain_argmax'],
      prior=[10 / 12, 1 / 12, 1 / 12])
  np.testing.assert_allclose(m['deployed']['recall'], m['balanced']['recall'])
  assert m['deployed']['macro_f1'] != pytest.approx(m['balanced']['macro_f1'])


def test_study_runs_and_configs():
  runs = dict(imbalanced.runs('cpu', '/tmp/x'))
  assert list(runs) == list(imbalanced.RUNS)
  assert runs['triclass_weighted'].class_weights == 'balanced'
  assert 'class_weights' not in runs['triclass_plain']
  assert runs['subtype'].data.view == 'subtype' and runs['subtype'].model.num_outputs == 2
  with pytest.raises(ValueError, match='preset'):
    list(imbalanced.runs('full', '/tmp/x'))
