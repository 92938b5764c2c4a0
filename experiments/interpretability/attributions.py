r"""Every attribution method of dljax.eval.attribution on one trained Fashion-MNIST convnet (seed 001
§2 c45-c47, seed 003 §2.12 c25): maps, faithfulness, cost, sanity checks, feature maps.

  python -m experiments.study interpretability/attributions --workdir=runs/attributions [--preset=cpu] [--publish]

Run `gap_cnn` trains configs/interpretability/fmnist_gap_cnn.py (GAP + linear head). report()
reloads it (load_run) and, on the first 16 test images (cpu), with c = the predicted class:
1. attributions.png: each method's map for 6 images (saliency, gradient x input, SmoothGrad, IG,
   guided backprop, CAM, Grad-CAM, occlusion, LIME, LRP-epsilon, LRP-z+).
2. ig_completeness.png: IG's relative completeness error |sum IG - (S_c(x) - S_c(0))| /
   |S_c(x) - S_c(0)| against the number of steps, midpoint Riemann and Gauss-Legendre.
3. The methods table (backward vs forward): cost in ms per image (jitted, after compilation),
   deletion and insertion AUC of p(c | x) (lower / higher is more faithful), the rank agreement
   (Spearman) of each map's |values| with occlusion's (a forward method), and LRP's conservation.
4. sanity_checks.png: cascading randomisation (Adebayo et al. 2018): the layers re-drawn from the
   head down (kernels N(0, std of the trained kernel), biases 0), and the Spearman correlation of
   each method's |map| with the trained model's (saliency, IG, guided backprop, Grad-CAM).
5. tsne.png: t-SNE and PCA of the GAP features of test images (scikit-learn's TSNE; our PCA by SVD,
   parity-tested), with trustworthiness (k = 5) and 5-NN accuracy of the 2-D maps (2-fold), and
   activation_maximisation.png: per class the image that maximises its logit (L2 + TV + jitter).
Measured numbers: docs/interpretability/notes.md. The smoke preset trains 4 steps and uses 4
images, few steps and 200 t-SNE points.
"""
import time

import jax
import jax.numpy as jnp
import numpy as np

from configs.interpretability import fmnist_gap_cnn
from dljax.eval import attribution as A
from experiments.tools import study_utils

PRESETS = {
    'smoke': dict(images=2, ig_steps=(1, 4), methods_n=2, tsne_n=60, am_steps=2, samples=2,
                  lime_samples=10, show=('saliency', 'occlusion', 'lrp_zplus'),
                  sanity=('saliency',), rules=('riemann',)),
    # sized for a shared 2-core machine: 16 images (the config's evaluator scores 64)
    'cpu': dict(images=4, ig_steps=(1, 4, 16, 64), methods_n=16, tsne_n=800, am_steps=150,
                samples=16, lime_samples=200, show=None,
                sanity=('saliency', 'integrated_gradients', 'guided_backprop', 'gradcam'),
                rules=None),
}
SHOW = ('saliency', 'grad_x_input', 'smoothgrad', 'integrated_gradients', 'guided_backprop',
        'cam', 'gradcam', 'occlusion', 'lime', 'lrp_epsilon', 'lrp_zplus')
SANITY = ('saliency', 'integrated_gradients', 'guided_backprop', 'gradcam', 'lrp_zplus')


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(PRESETS))
  yield 'gap_cnn', fmnist_gap_cnn.get_config(preset)


def spearman(a_BxN, b_BxN) -> np.ndarray:
  """Per-row Spearman rank correlation (ties broken by position)."""
  ra = np.argsort(np.argsort(a_BxN, -1), -1).astype(np.float64)
  rb = np.argsort(np.argsort(b_BxN, -1), -1).astype(np.float64)
  ra -= ra.mean(-1, keepdims=True)
  rb -= rb.mean(-1, keepdims=True)
  return (ra * rb).sum(-1) / np.sqrt((ra ** 2).sum(-1) * (rb ** 2).sum(-1))


def pca(x_NxD, k: int = 2):
  """The top-k principal-component scores (SVD of the centred data)."""
  xc = x_NxD - x_NxD.mean(0)
  _, _, vt = np.linalg.svd(xc, full_matrices=False)
  return xc @ vt[:k].T


def map_scores(x2_Nx2, high_NxD, y_N, k: int = 5) -> dict:
  """Trustworthiness of the 2-D map w.r.t. the features, and k-NN accuracy on it (2-fold)."""
  from sklearn.manifold import trustworthiness  # pylint: disable=g-import-not-at-top
  from sklearn.model_selection import cross_val_score  # pylint: disable=g-import-not-at-top
  from sklearn.neighbors import KNeighborsClassifier  # pylint: disable=g-import-not-at-top
  knn = KNeighborsClassifier(k)
  return {'trustworthiness': float(trustworthiness(high_NxD, x2_Nx2, n_neighbors=k)),
          'knn_accuracy': float(cross_val_score(knn, x2_Nx2, y_N, cv=2).mean())}


def _randomised(params, layers, seed=0):
  """params with the layers named in `layers` re-drawn: kernels N(0, std of the trained kernel),
  biases zero."""
  params = jax.tree_util.tree_map(lambda a: a, params)  # a copy
  for i, name in enumerate(layers):
    node = params
    for part in name.split('/'):
      node = node[part]
    for key, leaf in list(node.items()):
      if isinstance(leaf, dict):  # ConvBlock -> Conv_0
        for k2, l2 in list(leaf.items()):
          leaf[k2] = _redraw(l2, k2, seed + i)
      else:
        node[key] = _redraw(leaf, key, seed + i)
  return params


def _redraw(leaf, key, seed):
  if key == 'bias':
    return jnp.zeros_like(leaf)
  return jax.random.normal(jax.random.PRNGKey(seed), leaf.shape) * jnp.std(leaf)


def compute(summaries: dict, preset: str) -> dict:
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  p = PRESETS[preset]
  run = loop.load_run(summaries['gap_cnn']['workdir'])
  task, state = run.task, run.state
  test = run.data['test']
  n = p['methods_n']
  x = jnp.asarray(test['x'][:n])
  y = np.asarray(test['y'][:n])
  opts = dict(samples=p['samples'], lime_samples=p['lime_samples'])

  show, sanity_methods = p['show'] or SHOW, p['sanity'] or SANITY
  compiled = {}

  def make(method, **kw):  # one compiled function per method and options, the state an argument
    key = (method, tuple(sorted(kw.items())))
    if key not in compiled:
      def fn(state, x):
        f = lambda z: task.predict(state, z)
        return A.explain(f, x, method, **{**opts, **kw})
      compiled[key] = jax.jit(fn)
    return compiled[key]

  predict = jax.jit(task.predict)
  c = jnp.argmax(predict(state, x), -1)
  out = {'accuracy_shown': float(np.mean(np.asarray(c) == y))}

  # 1 + 3. maps, cost, faithfulness, agreement with occlusion
  maps, table = {}, {}
  for method in show:
    fn = make(method)
    jax.block_until_ready(fn(state, x))  # compile
    t0 = time.perf_counter()
    attr = jax.block_until_ready(fn(state, x))
    cost = (time.perf_counter() - t0) / n * 1e3
    maps[method] = np.asarray(attr)
    f = lambda z: task.predict(state, z)
    dele = float(A.deletion_curve(f, x, attr, c, 11).mean())
    ins = float(A.deletion_curve(f, x, attr, c, 11, insertion=True).mean())
    table[method] = {'kind': 'forward' if method in A.FORWARD_METHODS else 'backward',
                     'ms_per_image': cost, 'deletion_auc': dele, 'insertion_auc': ins}
  occ = np.abs(maps['occlusion'].reshape(n, -1))
  for method in show:
    table[method]['spearman_vs_occlusion'] = float(np.mean(spearman(
        np.abs(maps[method].reshape(n, -1)), occ)))
  s_x = np.take_along_axis(np.asarray(predict(state, x)), np.asarray(c)[:, None], -1)[:, 0]
  for method in [m for m in ('lrp_epsilon', 'lrp_zplus') if m in show]:
    total = maps[method].reshape(n, -1).sum(-1)
    table[method]['conservation_error'] = float(np.mean(np.abs(total - s_x) / np.abs(s_x)))
  out['methods'] = table
  out['maps'] = {m: v[:p['images']] for m, v in maps.items()}
  out['images'] = np.asarray(x[:p['images']])
  out['labels'] = y[:p['images']].tolist()

  # 2. IG completeness against steps
  s0 = np.take_along_axis(np.asarray(predict(state, jnp.zeros_like(x))),
                          np.asarray(c)[:, None], -1)[:, 0]
  ig = {}
  for rule in p['rules'] or A.IG_RULES:
    ig[rule] = {}
    for steps in p['ig_steps']:
      attr = np.asarray(make('integrated_gradients', steps=steps, rule=rule)(state, x))
      err = np.abs(attr.reshape(n, -1).sum(-1) - (s_x - s0)) / np.abs(s_x - s0)
      ig[rule][str(steps)] = float(np.mean(err))
  out['ig_completeness'] = ig

  # 4. cascading randomisation
  net = state.nets['model']
  order = sorted(net.params.keys(), key=lambda k: (not k.startswith('Dense'), k), reverse=False)
  heads = [k for k in order if k.startswith('Dense')] + sorted(
      [k for k in order if not k.startswith('Dense')], reverse=True)
  sanity = {m: {'trained': 1.0} for m in sanity_methods}
  base = {m: np.abs(np.asarray(make(m)(state, x)).reshape(n, -1)) for m in sanity_methods}
  for depth in range(1, len(heads) + 1):
    params = _randomised(net.params, heads[:depth])
    st = state.replace(nets={'model': net.replace(params=params)})
    for m in sanity_methods:
      attr = np.abs(np.asarray(make(m)(st, x)).reshape(n, -1))
      ok = attr.std(-1) > 0
      sanity[m][heads[depth - 1]] = float(np.mean(spearman(attr[ok], base[m][ok]))) if ok.any() \
          else 0.0
  out['sanity'] = sanity
  out['randomised_order'] = heads

  # 5. t-SNE / PCA of the GAP features; activation maximisation
  from sklearn.manifold import TSNE  # pylint: disable=g-import-not-at-top
  m = p['tsne_n']
  xs, ys = jnp.asarray(test['x'][:m]), np.asarray(test['y'][:m])
  feats = np.asarray(jax.jit(task.features)(state, xs))
  emb = {'tsne': TSNE(2, perplexity=min(30, m // 4), max_iter=250 if preset == 'smoke' else 500, init='pca', random_state=0).fit_transform(
      feats), 'pca': pca(feats)}
  out['feature_maps'] = {k: map_scores(v, feats, ys) for k, v in emb.items()}
  from sklearn.model_selection import cross_val_score  # pylint: disable=g-import-not-at-top
  from sklearn.neighbors import KNeighborsClassifier  # pylint: disable=g-import-not-at-top
  out['feature_maps']['features_64d'] = {'knn_accuracy': float(cross_val_score(
      KNeighborsClassifier(5), feats, ys, cv=2).mean())}
  out['embeddings'] = {k: v for k, v in emb.items()}
  out['embedding_labels'] = ys
  f = lambda z: task.predict(state, z)
  am_x, am_p = jax.jit(lambda: A.activation_maximisation(f, (28, 28, 1), list(range(10)),
                                                         steps=p['am_steps']))()
  out['activation_maximisation'] = {'images': np.asarray(am_x), 'p': np.asarray(am_p).tolist()}
  return out


def report(summaries: dict, out: str, preset: str = 'cpu') -> dict:
  study_utils.check_preset(preset, tuple(PRESETS))
  r = compute(summaries, preset)
  plot_maps(r, f'{out}/attributions.png')
  plot_ig(r, f'{out}/ig_completeness.png')
  plot_sanity(r, f'{out}/sanity_checks.png')
  plot_tsne(r, f'{out}/tsne.png')
  plot_am(r, f'{out}/activation_maximisation.png')
  return {'accuracy_shown': r['accuracy_shown'], 'methods': r['methods'],
          'ig_completeness': r['ig_completeness'], 'sanity': r['sanity'],
          'randomised_order': r['randomised_order'], 'feature_maps': r['feature_maps'],
          'activation_maximisation_p': r['activation_maximisation']['p']}


def _plt():
  from dljax import viz  # pylint: disable=g-import-not-at-top
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  return viz, plt


def plot_maps(r, path):
  viz, plt = _plt()
  imgs = r['images']
  k = len(imgs)
  show = list(r['maps'])
  fig, axes = plt.subplots(k, len(show) + 1, figsize=(1.3 * (len(show) + 1), 1.4 * k),
                           squeeze=False)
  for i in range(k):
    axes[i, 0].imshow(imgs[i, ..., 0], cmap='gray')
    axes[i, 0].set_title(f'label {r["labels"][i]}', fontsize=7)
    for j, m in enumerate(show):
      a = r['maps'][m][i, ..., 0]
      lim = np.abs(a).max() + 1e-12
      axes[i, j + 1].imshow(a, cmap='bwr', vmin=-lim, vmax=lim)
      if i == 0:
        axes[i, j + 1].set_title(m.replace('integrated_gradients', 'IG'), fontsize=7)
  for ax in axes.ravel():
    ax.axis('off')
  fig.suptitle('attributions of the predicted class (red +, blue -)', fontsize=9)
  return viz._write(fig, path)  # pylint: disable=protected-access


def plot_ig(r, path):
  viz, plt = _plt()
  fig, ax = plt.subplots(figsize=(5, 3.8))
  for rule, rows in r['ig_completeness'].items():
    ax.loglog([int(s) for s in rows], list(rows.values()), 'o-', label=rule)
  ax.set_xlabel('steps (quadrature nodes)')
  ax.set_ylabel('|sum IG - (S(x) - S(0))| / |S(x) - S(0)|')
  ax.set_title('integrated gradients: completeness error')
  ax.legend()
  return viz._write(fig, path)  # pylint: disable=protected-access


def plot_sanity(r, path):
  viz, plt = _plt()
  fig, ax = plt.subplots(figsize=(6, 3.8))
  for m, rows in r['sanity'].items():
    ax.plot(list(rows), list(rows.values()), 'o-', label=m)
  ax.axhline(0, color='k', lw=0.5)
  ax.set_ylabel('Spearman(|map|, trained |map|)')
  ax.set_xlabel('layers re-drawn, from the head down (cumulative)')
  ax.tick_params(axis='x', labelsize=7, rotation=20)
  ax.legend(fontsize=7)
  ax.set_title('cascading randomisation sanity check')
  return viz._write(fig, path)  # pylint: disable=protected-access


def plot_tsne(r, path):
  viz, plt = _plt()
  fig, axes = plt.subplots(1, 2, figsize=(10, 4.6))
  for ax, (name, emb) in zip(axes, r['embeddings'].items()):
    s = r['feature_maps'][name]
    sc = ax.scatter(emb[:, 0], emb[:, 1], c=r['embedding_labels'], cmap='tab10', s=4)
    ax.set_title(f'{name}: trustworthiness {s["trustworthiness"]:.3f}, '
                 f'5-NN {s["knn_accuracy"]:.1%}', fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
  fig.colorbar(sc, ax=axes, label='class')
  return viz._write(fig, path)  # pylint: disable=protected-access


def plot_am(r, path):
  viz, plt = _plt()
  am = r['activation_maximisation']
  fig, axes = plt.subplots(1, 10, figsize=(13, 1.8))
  for k, ax in enumerate(axes):
    ax.imshow(am['images'][k, ..., 0], cmap='gray', vmin=0, vmax=1)
    ax.set_title(f'class {k}: p {am["p"][k]:.2f}', fontsize=7)
    ax.axis('off')
  fig.suptitle('activation maximisation (L2 + total variation + jitter)', fontsize=9)
  return viz._write(fig, path)  # pylint: disable=protected-access
