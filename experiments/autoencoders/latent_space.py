r"""What an AE's code space is good for (Fashion-MNIST deep AE, configs/autoencoders/deep_ae.py):
2-D codes vs PCA, a generator from a Gaussian fit to the codes, a semi-supervised classifier on
the codes, and linear vs spherical interpolation with the Gaussian norm shell.

  python -m experiments.study autoencoders/latent_space --workdir=runs/latent_space [--preset=cpu] [--publish]

Runs: k2 (the deep AE with a 2-unit code; its evaluator ae_codes gives the 5-NN accuracy of the 2-D
codes on validation and test, and of PCA's 2-D projection) and k32 (k = 32), STEPS steps each.
Report:
  codes_2d.png       test codes of k2 and PCA's 2-D projection, coloured by class
  generator          k32: fit N(mu, Sigma) to the training codes, decode samples; nn_mse = mean
                     per-pixel MSE of each decoded sample to its nearest training image (10,000),
                     for MVN samples, for N(0, I) samples (no fit: the code scale is wrong) and
                     for reconstructions of test images (the floor); ae_generator.png
  semi_supervised    logistic regression (sklearn, C = 1, fixed in advance) on the first n labelled
                     training images, n in (100, 1000), on k32's codes vs the raw pixels;
                     validation and test accuracy
  interpolation      in the whitened code space u = L^{-1}(h - mu) (u ~ N(0, I_32) under the fit):
                     the norm of the midpoint of linear and of spherical (slerp) interpolation
                     between two samples, over sqrt(d) (mean over 200 pairs: ~0.71 and ~1.0);
                     ae_interpolation.png decodes both paths between two test images;
                     norm_shell.png: ||z|| / sqrt(d) of N(0, I_d) samples for d = 2, 32, 512
                     (the shell is at radius sqrt(d), not 1 as the notes say).
"""
import numpy as np

from configs.autoencoders import deep_ae
from experiments.tools import study_utils

STEPS = {'smoke': 4, 'cpu': 3000}
LABELS = (100, 1000)


def runs(preset: str, workdir: str):
  del workdir
  study_utils.check_preset(preset, tuple(STEPS))
  for k in (2, 32):
    config = deep_ae.get_config(preset)
    config.name = f'deep_ae_k{k}'
    config.model.latent_dim = k
    config.train.steps = STEPS[preset]
    config.train.eval_every = config.train.checkpoint_every = STEPS[preset]
    if k == 2:
      config.evals.ae_codes = dict(type='ae_codes', noise=False, knn=5)
    yield f'k{k}', config


def lerp(a, b, t):
  return (1 - t) * np.asarray(a) + t * np.asarray(b)


def slerp(a, b, t):
  """Spherical interpolation: along the great circle between a and b, the norm interpolated
  linearly (Shoemake 1985; White 2016 for latent spaces)."""
  a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
  na, nb = np.linalg.norm(a), np.linalg.norm(b)
  cos = np.clip(np.dot(a / na, b / nb), -1.0, 1.0)
  omega = np.arccos(cos)
  if omega < 1e-8:
    return lerp(a, b, t)
  direction = (np.sin((1 - t) * omega) * a / na + np.sin(t * omega) * b / nb) / np.sin(omega)
  return ((1 - t) * na + t * nb) * direction


def _codes(run, x, bs=1000):
  import jax  # pylint: disable=g-import-not-at-top
  fn = jax.jit(lambda v: run.task.features(run.state, v))
  return np.concatenate([np.asarray(fn(x[i:i + bs])) for i in range(0, len(x), bs)])


def _decode(run, h):
  import jax.numpy as jnp  # pylint: disable=g-import-not-at-top
  params = run.state.nets['model'].params
  x_shape = jnp.zeros((1,) + run.data['test']['x'].shape[1:])
  return np.asarray(run.task.model.apply({'params': params}, x_shape,
                                         code_BxK=jnp.asarray(h, jnp.float32))[0])


def nn_mse(images, memory) -> float:
  """Mean over images of the per-pixel MSE to the nearest memory image."""
  a = images.reshape(len(images), -1).astype(np.float64)
  m = memory.reshape(len(memory), -1).astype(np.float64)
  d2 = (a ** 2).sum(1)[:, None] - 2 * a @ m.T + (m ** 2).sum(1)[None]
  return float(np.mean(np.maximum(d2.min(1), 0.0)) / a.shape[1])


def report(summaries: dict, out: str) -> dict:
  from sklearn import linear_model, preprocessing  # pylint: disable=g-import-not-at-top
  from dljax import viz  # pylint: disable=g-import-not-at-top
  from dljax.train import loop  # pylint: disable=g-import-not-at-top
  plt = viz.plt
  rng = np.random.default_rng(0)
  table = {}
  run2, run32 = (loop.load_run(summaries[n]['workdir']) for n in ('k2', 'k32'))
  data = run32.data
  n_mem = min(10000, len(data['train']['x']))
  x_tr, y_tr = np.asarray(data['train']['x'][:n_mem]), np.asarray(data['train']['y'][:n_mem])
  x_va, y_va = np.asarray(data['validation']['x']), np.asarray(data['validation']['y'])
  x_te, y_te = np.asarray(data['test']['x']), np.asarray(data['test']['y'])

  # --- 2-D codes vs PCA ---
  f2 = summaries['k2']['final']
  table['codes_2d'] = {m: f2.get(f'ae_codes/{m}') for m in
                       ('knn_val', 'knn_test', 'pca_knn_val', 'pca_knn_test')}
  h2 = _codes(run2, x_te[:3000])
  flat = x_tr.reshape(n_mem, -1)
  mean = flat.mean(0)
  _, _, vt = np.linalg.svd(flat - mean, full_matrices=False)
  p2 = (x_te[:3000].reshape(len(h2), -1) - mean) @ vt[:2].T
  fig, axes = plt.subplots(1, 2, figsize=(11, 4.8))
  for ax, z, title in ((axes[0], h2, 'deep AE, 2-unit code (5-NN test {:.1%})'.format(
      table['codes_2d']['knn_test'] or 0)), (axes[1], p2, 'PCA, 2 components (5-NN test {:.1%})'
                                             .format(table['codes_2d']['pca_knn_test'] or 0))):
    sc = ax.scatter(z[:, 0], z[:, 1], c=y_te[:3000], cmap='tab10', s=3, vmin=-0.5, vmax=9.5)
    ax.set_title(title, fontsize=9)
  fig.colorbar(sc, ax=axes, ticks=range(10), label='class')
  viz._write(fig, f'{out}/codes_2d.png')  # pylint: disable=protected-access

  # --- AE -> generator: Gaussian fit to the k32 codes ---
  h_tr = _codes(run32, x_tr)
  mu = h_tr.mean(0)
  cov = np.cov(h_tr.T) + 1e-6 * np.eye(h_tr.shape[1])
  chol = np.linalg.cholesky(cov)
  n_s = 64
  mvn = mu + rng.standard_normal((n_s, len(mu))) @ chol.T
  std_normal = rng.standard_normal((n_s, len(mu)))
  samples = {'mvn': np.clip(_decode(run32, mvn), 0, 1),
             'standard_normal': np.clip(_decode(run32, std_normal), 0, 1)}
  recon = np.clip(_decode(run32, _codes(run32, x_te[:n_s])), 0, 1)
  table['generator'] = {'nn_mse_mvn': nn_mse(samples['mvn'], x_tr),
                        'nn_mse_standard_normal': nn_mse(samples['standard_normal'], x_tr),
                        'nn_mse_reconstructions': nn_mse(recon, x_tr),
                        'code_norm_mean': float(np.linalg.norm(h_tr, axis=1).mean())}
  viz.image_rows({'N(mu, Sigma) fit': samples['mvn'][:10],
                  'N(0, I)': samples['standard_normal'][:10],
                  'test reconstructions': recon[:10]},
                 f'{out}/ae_generator.png', vranges={k: (0, 1) for k in ('N(mu, Sigma) fit',
                                                                          'N(0, I)',
                                                                          'test reconstructions')})

  # --- semi-supervised: logistic regression on codes vs pixels ---
  h_va, h_te = _codes(run32, x_va), _codes(run32, x_te)
  semi = {}
  for n in LABELS:
    n = min(n, n_mem)
    for name, (a, b, c) in (('codes', (h_tr, h_va, h_te)),
                            ('pixels', (flat, x_va.reshape(len(x_va), -1),
                                        x_te.reshape(len(x_te), -1)))):
      scaler = preprocessing.StandardScaler().fit(a[:n])
      clf = linear_model.LogisticRegression(C=1.0, max_iter=2000).fit(scaler.transform(a[:n]),
                                                                       y_tr[:n])
      semi[f'{name}_n{n}'] = {'val': float(clf.score(scaler.transform(b), y_va)),
                              'test': float(clf.score(scaler.transform(c), y_te))}
  table['semi_supervised'] = semi

  # --- interpolation and the norm shell ---
  white = lambda h: np.linalg.solve(chol, (h - mu).T).T  # u = L^{-1} (h - mu)
  unwhite = lambda u: mu + u @ chol.T
  d = len(mu)
  pairs = rng.standard_normal((200, 2, d))
  table['interpolation'] = {
      'd': d,
      'lerp_mid_norm_over_sqrt_d': float(np.mean([np.linalg.norm(lerp(a, b, 0.5))
                                                  for a, b in pairs]) / np.sqrt(d)),
      'slerp_mid_norm_over_sqrt_d': float(np.mean([np.linalg.norm(slerp(a, b, 0.5))
                                                   for a, b in pairs]) / np.sqrt(d)),
      'train_code_white_norm_over_sqrt_d': float(np.linalg.norm(white(h_tr), axis=1).mean()
                                                 / np.sqrt(d))}
  i, j = 0, int(np.argmax(y_te != y_te[0]))
  ua, ub = white(h_te[i]), white(h_te[j])
  ts = np.linspace(0, 1, 9)
  rows = {'linear': np.clip(_decode(run32, unwhite(np.stack([lerp(ua, ub, t) for t in ts]))), 0, 1),
          'slerp': np.clip(_decode(run32, unwhite(np.stack([slerp(ua, ub, t) for t in ts]))), 0,
                           1)}
  viz.image_rows(rows, f'{out}/ae_interpolation.png', vranges={'linear': (0, 1), 'slerp': (0, 1)},
                 title='interpolation in the whitened code space between two test images')
  fig, ax = plt.subplots(figsize=(6, 3.6))
  shell = {}
  for dim in (2, 32, 512):
    r = np.linalg.norm(rng.standard_normal((20000, dim)), axis=1) / np.sqrt(dim)
    shell[dim] = {'mean': float(r.mean()), 'std': float(r.std())}
    ax.hist(r, bins=100, density=True, histtype='step', label=f'd = {dim}')
  ax.axvline(1.0, color='k', lw=0.8)
  ax.set_xlabel('||z|| / sqrt(d),  z ~ N(0, I_d)')
  ax.legend(fontsize=8)
  viz._write(fig, f'{out}/norm_shell.png')  # pylint: disable=protected-access
  table['norm_shell'] = shell
  return table
