r"""Imbalanced "chest X-ray" classification (seed 003 §2.2, §2.14, §3, c27): a small CNN,
class-weighted loss vs a decision threshold chosen on validation, precision / recall / F1,
confusion matrices, ROC curves with their operating points, triclass vs a cascade of two binary
classifiers.

  python -m experiments.study vision/imbalanced --workdir=runs/imbalanced [--preset=cpu] [--seeds=3]

Data: dljax.data.datasets.fashion_mnist_xray, a Fashion-MNIST stand-in for normal / bacterial /
viral pneumonia (Shirt / Pullover / Coat) at 10:1:1 in train (5000/500/500) and validation
(1000/100/100); test = the 1,000 natural test images of each class, reported as they are
("balanced") and re-weighted to the deployment prior 10:1:1 ("deployed").
Model: the Fashion-MNIST CNN (dljax.models.cnn.CNN) made small: conv3x3-16, pool, conv3x3-32, pool,
FC-64, dropout 0.4; Adam 1e-3 with warm-up + cosine, batch 64. Four trained runs:
  triclass_plain     3 classes, plain softmax cross-entropy                      (1,200 steps)
  triclass_weighted  3 classes, class-weighted CE, config.class_weights='balanced' = n / (K n_c)
                     from the training labels (0.4 / 4 / 4)                      (1,200 steps)
  disease            stage 1 of the cascade: normal vs disease, plain CE         (1,200 steps)
  subtype            stage 2: bacterial vs viral, trained on the disease images only (400 steps)
and seven decision rules on them (report; every threshold is chosen on VALIDATION, none on test):
  plain_argmax       argmax of the triclass probabilities
  plain_0.5          disease iff 1 - p(normal) >= 0.5, then the larger of p(bacterial), p(viral)
  plain_thr_f1       disease iff 1 - p(normal) >= t, t = the max-F1 threshold of disease vs normal on
                     validation; a disease is then bacterial or viral by the larger probability
  plain_thr_youden   the same with t = argmax of Youden's J = TPR - FPR on the validation ROC
  weighted_argmax    argmax of the class-weighted model
  cascade_0.5        disease iff p_1(disease) >= 0.5, then stage 2's argmax
  cascade_thr_f1     stage 1 thresholded at its validation max-F1 threshold, then stage 2
Per rule: test macro-F1, per-class precision / recall / F1, the minority (bacterial, viral) recall,
disease-vs-normal ROC-AUC and average precision, one-vs-rest triclass AUC (cascade scores
p_1(normal), p_1(disease) p_2(bacterial), p_1(disease) p_2(viral)), confusion matrices; mean and
std over the seeds. Plots imbalanced_roc.png, imbalanced_confusion.png.
Measured (cpu, 3 seeds, 2-core CPU shared at load ~20, 97 / 121 / 109 / 34 s per run): test macro-F1
at the 10:1:1 prior / on the balanced test, minority recall: plain_argmax 0.743 / 0.711, 0.588;
plain_0.5 0.743 / 0.718, 0.600; plain_thr_f1 0.748 / 0.745, 0.647; plain_thr_youden 0.705 / 0.800,
0.770; weighted_argmax 0.697 / 0.814, 0.801; cascade_0.5 0.753 / 0.729, 0.616; cascade_thr_f1
0.756 / 0.755, 0.660. Disease AUC 0.941 / 0.942 / 0.944 (plain / weighted / cascade): weighting
moves the operating point along almost the same ROC curve. Details: docs/vision/notes.md.
"""
import numpy as np

from configs import common
from configs.vision import fmnist_cnn
from experiments.tools import study_utils

SEEDS = 3  # experiments.reproduce: the conclusion rests on differences of a few points
STEPS = {'cpu': {'triclass_plain': 1200, 'triclass_weighted': 1200, 'disease': 1200, 'subtype': 400},
         'smoke': {'triclass_plain': 3, 'triclass_weighted': 3, 'disease': 3, 'subtype': 3}}
RUNS = {  # name: (data.view, config.class_weights)
    'triclass_plain': ('triclass', None), 'triclass_weighted': ('triclass', 'balanced'),
    'disease': ('disease', None), 'subtype': ('subtype', None)}
RULES = ('plain_argmax', 'plain_0.5', 'plain_thr_f1', 'plain_thr_youden', 'weighted_argmax',
         'cascade_0.5', 'cascade_thr_f1')
CLASSES = ('normal', 'bacterial', 'viral')


def make_config(name: str, preset: str):
  """configs/vision/fmnist_cnn.py, small, on the stand-in's view of run `name`."""
  study_utils.check_preset(preset)
  view, weights = RUNS[name]
  config = fmnist_cnn.get_config(preset)
  config.name = f'imbalanced_{name}'
  config.data.name = 'fashion_mnist_xray'
  config.data.view = view
  config.model.update(features=(16, 32), kernel=3, dense=64, dropout=0.4,
                      num_outputs=3 if view == 'triclass' else 2)
  if weights is not None:
    config.class_weights = weights
  common.adam_warmup_cosine(config, preset, lr=1e-3, warmup_steps=100)
  steps = STEPS[preset][name]
  config.train.steps, config.train.epochs = steps, 0.0
  config.train.eval_every = config.train.checkpoint_every = steps
  config.train.log_every = max(1, steps // 20)
  if preset == 'cpu':
    config.data.batch_size = 64
  else:  # smoke: a tiny net on a slice, for the wiring
    config.model.update(features=(4, 8), dense=16)
    config.data.update(train_limit=128, validation_limit=300, test_limit=300)
  # test metrics of the run's own argmax decisions (and, for stage 1, its validation threshold), and
  # the probabilities of the triclass validation and test images for the report's decision rules
  config.evals.cls = dict(type='classification_metrics', threshold='f1' if view == 'disease'
                          else 'none', save_predictions=True, predict_on=dict(view='triclass'))
  config.reference = common.no_reference('a comparison of decision rules: the study report')
  return config


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset)
  for name in RUNS:
    yield name, make_config(name, preset)


# --- the report: decision rules on the four models -----------------------------------------------
def predictions(workdir: str) -> dict:
  """{'validation_p', 'validation_y', 'test_p', 'test_y'}: the probabilities N x K of the triclass
  validation and test images and their diagnoses, kept by the run's classification_metrics
  evaluator (save_predictions) at the end of training."""
  import os  # pylint: disable=g-import-not-at-top
  with np.load(os.path.join(workdir, 'predictions.npz')) as f:
    return {k: f[k] for k in f.files}


def decisions(p: dict, thresholds: dict) -> dict:
  """{rule: (predicted class N, triclass scores N x 3, disease score N)} for one split, from the
  probabilities p[run] (N x K) and the validation thresholds {rule: t}."""
  tri, wtd, d1, s2 = p['triclass_plain'], p['triclass_weighted'], p['disease'], p['subtype']
  sub_tri = 1 + np.argmax(tri[:, 1:], 1)  # bacterial / viral by the larger triclass probability
  sub_cas = 1 + np.argmax(s2, 1)          # by stage 2
  cascade_scores = np.stack([d1[:, 0], d1[:, 1] * s2[:, 0], d1[:, 1] * s2[:, 1]], 1)
  out = {'plain_argmax': (np.argmax(tri, 1), tri, 1 - tri[:, 0]),
         'plain_0.5': (np.where(1 - tri[:, 0] >= 0.5, sub_tri, 0), tri, 1 - tri[:, 0]),
         'weighted_argmax': (np.argmax(wtd, 1), wtd, 1 - wtd[:, 0]),
         'cascade_0.5': (np.where(d1[:, 1] >= 0.5, sub_cas, 0), cascade_scores, d1[:, 1])}
  for rule in ('plain_thr_f1', 'plain_thr_youden'):
    out[rule] = (np.where(1 - tri[:, 0] >= thresholds[rule], sub_tri, 0), tri, 1 - tri[:, 0])
  out['cascade_thr_f1'] = (np.where(d1[:, 1] >= thresholds['cascade_thr_f1'], sub_cas, 0),
                           cascade_scores, d1[:, 1])
  return {rule: out[rule] for rule in RULES}


def choose_thresholds(p_val: dict, y_val) -> dict:
  """The thresholds of the rules that have one, chosen on the validation split only."""
  from dljax.eval import classification_metrics as cm  # pylint: disable=g-import-not-at-top
  disease = (np.asarray(y_val) > 0).astype(int)
  return {'plain_thr_f1': cm.best_f1_threshold(disease, 1 - p_val['triclass_plain'][:, 0])[0],
          'plain_thr_youden': cm.youden_threshold(disease, 1 - p_val['triclass_plain'][:, 0])[0],
          'cascade_thr_f1': cm.best_f1_threshold(disease, p_val['disease'][:, 1])[0]}


def rule_metrics(y, yhat, scores_Nx3, disease_score, prior) -> dict:
  """Every metric of one rule on one split: as it is ('balanced') and re-weighted to `prior`."""
  from dljax.eval import classification_metrics as cm  # pylint: disable=g-import-not-at-top
  y = np.asarray(y)
  share = np.bincount(y, minlength=3) / len(y)
  weight = (np.asarray(prior) / share)[y]  # the deployment prior without dropping test images
  out = {}
  for tag, w in (('balanced', None), ('deployed', weight)):
    r = cm.report(y, yhat, 3, w)
    out[tag] = dict(r, disease_ap=cm.average_precision(y > 0, disease_score, w))
  d_pred = yhat > 0
  out['minority_recall'] = float(np.mean(out['balanced']['recall'][1:]))  # prior-free
  out['disease_recall'] = float(np.mean(d_pred[y > 0]))
  out['false_alarm_rate'] = float(np.mean(d_pred[y == 0]))  # normal called disease: 1 - specificity
  out['disease_auc'] = cm.roc_auc(y > 0, disease_score)  # prior-free, threshold-free
  out['ovr_auc'] = cm.roc_auc_ovr(y, scores_Nx3)
  return out


def _flat(m: dict) -> dict:
  """The scalar metrics of rule_metrics, flat: {name: value}."""
  out = {k: v for k, v in m.items() if not isinstance(v, dict)}
  for tag in ('balanced', 'deployed'):
    r = m[tag]
    out[f'{tag}_macro_f1'] = r['macro_f1']
    out[f'{tag}_accuracy'] = r['accuracy']
    out[f'{tag}_disease_ap'] = r['disease_ap']
    for k, c in enumerate(CLASSES):
      for q in ('precision', 'recall', 'f1'):
        if q == 'recall' and tag == 'deployed':
          continue  # recall does not depend on the prior
        out[f'{tag}_{q}_{c}'] = r[q][k]
  return out


def _mean_std(values):
  v = np.asarray(values, np.float64)
  return {'mean': float(v.mean()), 'std': float(v.std(ddof=1)) if len(v) > 1 else 0.0}


def report(summaries: dict, out: str) -> dict:
  """{setup, thresholds, rules: {rule: {metric: {mean, std}}}, confusion: {rule: mean counts}}."""
  from dljax.data.datasets import fashion_mnist_xray as xray  # pylint: disable=g-import-not-at-top
  seeds = {n: s.get('seeds', [s]) for n, s in summaries.items()}
  n_seeds = len(seeds['triclass_plain'])
  data_cfg = _run_config(seeds['triclass_plain'][0]['workdir']).data
  prior = xray.prior(data_cfg)
  per_seed, thresholds, curves = [], [], {}
  for k in range(n_seeds):
    pred = {n: predictions(seeds[n][k]['workdir']) for n in RUNS}
    y_val, y_test = pred['triclass_plain']['validation_y'], pred['triclass_plain']['test_y']
    for n in RUNS:  # every run predicted the same triclass images, in the same order
      np.testing.assert_array_equal(pred[n]['test_y'], y_test)
    t = choose_thresholds({n: pred[n]['validation_p'] for n in RUNS}, y_val)
    thresholds.append(t)
    test = decisions({n: pred[n]['test_p'] for n in RUNS}, t)
    per_seed.append({rule: rule_metrics(y_test, *test[rule], prior) for rule in RULES})
    if k == 0:
      curves = _roc_points(y_test, test)
  table = {
      'setup': {'data': 'fashion_mnist_xray: Shirt/Pullover/Coat as normal/bacterial/viral',
                'train_counts': list(xray.counts(data_cfg, 'train')),
                'validation_counts': list(xray.counts(data_cfg, 'validation')),
                'test_counts': [int(c) for c in np.bincount(y_test, minlength=3)],
                'deployment_prior': prior.tolist(), 'seeds': n_seeds,
                'model': 'CNN conv3x3-16, pool, conv3x3-32, pool, FC-64, dropout 0.4',
                'steps': {n: seeds[n][0]['steps'] for n in RUNS},
                'wall_s': {n: _mean_std([s['wall_s'] for s in seeds[n]]) for n in RUNS}},
      'thresholds': {r: _mean_std([t[r] for t in thresholds]) for r in thresholds[0]},
      'rules': {}, 'confusion': {}}
  for rule in RULES:
    flats = [_flat(s[rule]) for s in per_seed]
    table['rules'][rule] = {m: _mean_std([f[m] for f in flats]) for m in flats[0]}
    table['confusion'][rule] = np.mean([s[rule]['balanced']['confusion'] for s in per_seed],
                                       0).tolist()
  plot_roc(curves, table, f'{out}/imbalanced_roc.png')
  plot_confusion(table, f'{out}/imbalanced_confusion.png')
  return table


def _run_config(workdir: str):
  import os  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  with open(os.path.join(workdir, 'config.json')) as f:
    return loop.config_from_json(f.read())


def _roc_points(y, test: dict) -> dict:
  """Seed 0's disease-vs-normal test ROC of each model and each rule's operating point on it."""
  from dljax.eval import classification_metrics as cm  # pylint: disable=g-import-not-at-top
  y = np.asarray(y)
  out = {'curves': {}, 'points': {}}
  for rule, model in (('plain_argmax', 'triclass plain CE'), ('weighted_argmax',
                      'triclass class-weighted CE'), ('cascade_0.5', 'cascade stage 1')):
    fpr, tpr, _ = cm.roc_curve(y > 0, test[rule][2], drop_intermediate=True)
    out['curves'][model] = (fpr.tolist(), tpr.tolist())
  for rule, (yhat, _, _) in test.items():
    d = yhat > 0
    out['points'][rule] = (float(np.mean(d[y == 0])), float(np.mean(d[y > 0])))
  return out


def plot_roc(curves: dict, table: dict, path: str):
  from dljax import viz  # pylint: disable=g-import-not-at-top
  auc = {m: table['rules'][r]['disease_auc']['mean'] for r, m in (
      ('plain_argmax', 'triclass plain CE'), ('weighted_argmax', 'triclass class-weighted CE'),
      ('cascade_0.5', 'cascade stage 1'))}
  return viz.roc_curves({f'{m} (AUC {auc[m]:.3f})': c for m, c in curves['curves'].items()},
                        curves['points'], path,
                        title='disease vs normal on test (seed 0); points: each rule\'s decisions '
                              '(thresholds chosen on validation)')


def plot_confusion(table: dict, path: str):
  from dljax import viz  # pylint: disable=g-import-not-at-top
  m = table['rules']
  titles = {r: f'{r}\nmacro-F1 {m[r]["balanced_macro_f1"]["mean"]:.3f} (balanced test), '
               f'{m[r]["deployed_macro_f1"]["mean"]:.3f} (10:1:1)' for r in RULES}
  return viz.confusion_matrices({titles[r]: table['confusion'][r] for r in RULES}, CLASSES, path,
                                title='test confusion matrices (rows true, columns predicted; mean '
                                      f'counts over {table["setup"]["seeds"]} seed(s); colour: '
                                      'row share = recall)')
