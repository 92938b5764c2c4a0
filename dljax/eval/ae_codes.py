r"""What an autoencoder's codes and reconstructions do beyond the training loss (task 'autoencode').

  config.evals.codes = dict(type='ae_codes', noise=True, knn=5, jacobian=64, every='end')

Metrics (on `split`, default test; all optional but the first two):
  rel_mse          sum ||r(x) - x||^2 / sum ||x - mean x||^2: the fraction of the data's variance the
                   reconstruction misses
  mean_code        mean over examples and units of h (for sigmoid codes: the average activation rho^)
  active_frac      fraction of code entries with |h| > zero_tol (sparsity: 1 - active_frac are zero)
  max_rho_gap      max_j |rho^_j - rho| for a model with a KL penalty (rho = model.rho)
  noise_rel_mse    rel_mse on uniform-noise images U(0, 1)^D (out of distribution; seeded): near 0
                   means the AE has learned the identity, ~1 that it only reconstructs its data
  jac_fro2         mean over `jacobian` examples of ||J_f(x)||_F^2 = sum_ij (dh_i/dx_j)^2 (jax.jacfwd)
  jac_top1_frac    mean share of the largest singular value in sum_i s_i^2 (a contractive AE keeps a
                   few large directions: the local tangents of the data manifold)
  knn_val, knn_test  k-NN accuracy of the codes (Euclidean, `knn` neighbours, majority vote) with the
                   first `knn_memory` training codes as the memory; validation is what chooses
  pca_knn_val, pca_knn_test  the same for the PCA projection of x onto as many components as the
                   code has units (fitted on the same training slice): the linear baseline
  auroc            with anomaly_class = c >= 0 (a run trained without class c, data.classes): the
                   area under the ROC curve of the reconstruction error as the score of
                   "x is of class c" on the full split (every class; own rank-sum implementation)
  psnr_denoised, psnr_noisy   with denoise_sigma > 0: mean PSNR of r(x + sigma eps) and of
                   x + sigma eps against the clean x (pixels clipped to [0, 1])
"""
import jax
import jax.numpy as jnp
import numpy as np

from dljax.errors import ConfigError
from dljax.eval import classification_metrics, common

PARAMS = dict(split='test', noise=True, knn=0, knn_memory=10000, jacobian=0, zero_tol=1e-3,
              anomaly_class=-1, denoise_sigma=0.0, seed=0)
REQUIRES = ('predict', 'features')


def check(task, cfg):
  if not hasattr(task, 'reconstruct'):
    raise ConfigError('ae_codes measures autoencoders (task=autoencode); remove the evaluator.')
  for name in ('knn', 'knn_memory', 'jacobian'):
    value = cfg[name]
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
      raise ConfigError(f'{name}={value!r} must be an integer >= 0 (0 turns it off).')
  if cfg.denoise_sigma < 0:
    raise ConfigError(f'denoise_sigma={cfg.denoise_sigma} must be >= 0 (0 turns it off).')


def auroc(scores_N, positive_N) -> float:
  r"""Area under the ROC curve = P(score of a positive > score of a negative) (+ 1/2 for ties)
  (dljax.eval.classification_metrics.roc_auc; ValueError without both kinds of example)."""
  return classification_metrics.roc_auc(np.asarray(positive_N, bool).astype(np.int64), scores_N)


def knn_accuracy(memory_MxK, labels_M, query_NxK, labels_N, k: int, chunk: int = 1000) -> float:
  """Accuracy of the majority vote of the k nearest memory codes (Euclidean; ties -> lowest label)."""
  memory = jnp.asarray(memory_MxK, jnp.float32)
  sq_M = jnp.sum(memory ** 2, -1)
  n_classes = int(max(labels_M.max(), labels_N.max())) + 1
  labels_M = jnp.asarray(labels_M)

  @jax.jit
  def vote(q_CxK):
    d_CxM = jnp.sum(q_CxK ** 2, -1, keepdims=True) - 2 * q_CxK @ memory.T + sq_M[None]
    _, idx_Cxk = jax.lax.top_k(-d_CxM, k)
    counts_CxL = jax.nn.one_hot(labels_M[idx_Cxk], n_classes).sum(1)
    return jnp.argmax(counts_CxL, -1)

  preds = np.concatenate([np.asarray(vote(jnp.asarray(query_NxK[i:i + chunk], jnp.float32)))
                          for i in range(0, len(query_NxK), chunk)])
  return float(np.mean(preds == np.asarray(labels_N)))


def _apply(task, state, x, batch_size: int):
  """(r, h) of every example of x, in batches."""
  fn = common.cached(task, ('ae_codes', 'apply'), lambda: jax.jit(
      lambda s, v: task.reconstruct(s.nets['model'].params, v)[:2]))
  rs, hs = [], []
  for i in range(0, len(x), batch_size):
    r, h = fn(state, jnp.asarray(x[i:i + batch_size]))
    rs.append(np.asarray(r))
    hs.append(np.asarray(h))
  return np.concatenate(rs), np.concatenate(hs)


def rel_mse(r, x) -> float:
  axes = tuple(range(1, x.ndim))
  return float(np.sum((r - x) ** 2) / np.sum((x - x.mean(0, keepdims=True)) ** 2)) if axes else 0.0


def evaluate(task, state, data, cfg):
  arrays = common.split(data, cfg.split, 'ae_codes')
  bs = task.config.data.eval_batch_size
  x = np.asarray(arrays['x'])
  r, h = _apply(task, state, x, bs)
  out = {'rel_mse': rel_mse(r, x), 'mean_code': float(h.mean()),
         'active_frac': float(np.mean(np.abs(h) > cfg.zero_tol))}
  model = task.model
  if getattr(model, 'penalty', 'none') == 'kl':
    out['max_rho_gap'] = float(np.max(np.abs(h.mean(0) - model.rho)))
  rng = np.random.default_rng(cfg.seed)
  if cfg.noise:
    noise = rng.uniform(size=(min(len(x), 2000),) + x.shape[1:]).astype(np.float32)
    out['noise_rel_mse'] = rel_mse(_apply(task, state, noise, bs)[0], noise)
  if cfg.jacobian:
    out.update(jacobian_stats(task, state, x[:cfg.jacobian]))
  if cfg.knn:
    out.update(knn_metrics(task, state, data, cfg, bs))
  if cfg.anomaly_class >= 0:
    out['auroc'] = anomaly_auroc(task, state, cfg, bs)
  if cfg.denoise_sigma > 0:
    noisy = x + cfg.denoise_sigma * rng.standard_normal(x.shape).astype(np.float32)
    r_noisy = _apply(task, state, noisy, bs)[0]
    out['psnr_denoised'] = psnr(r_noisy, x)
    out['psnr_noisy'] = psnr(noisy, x)
  return out


def psnr(y, x) -> float:
  axes = tuple(range(1, x.ndim))
  mse_N = np.mean((np.clip(y, 0, 1) - x) ** 2, axis=axes)
  return float(np.mean(10 * np.log10(1.0 / np.maximum(mse_N, 1e-10))))


def jacobian_stats(task, state, x) -> dict:
  """Mean ||J_f(x)||_F^2 and the top singular value's share, J = dh/dx (k x D) by jax.jacfwd."""
  params = state.nets['model'].params

  def encode(x_D):
    return task.reconstruct(params, x_D[None])[1][0]
  jac = jax.jit(jax.vmap(lambda v: jax.jacfwd(encode)(v).reshape(-1, v.size)))(jnp.asarray(x))
  s = np.linalg.svd(np.asarray(jac, np.float64), compute_uv=False)  # N x min(k, D)
  s2 = s ** 2
  return {'jac_fro2': float(s2.sum(-1).mean()),
          'jac_top1_frac': float(np.mean(s2[:, 0] / np.maximum(s2.sum(-1), 1e-30)))}


def knn_metrics(task, state, data, cfg, bs) -> dict:
  train = data['train']
  m = min(cfg.knn_memory, len(train['x']))
  x_mem, y_mem = np.asarray(train['x'][:m]), np.asarray(train['y'][:m])
  h_mem = _apply(task, state, x_mem, bs)[1]
  k_code = h_mem.shape[-1]
  flat_mem = x_mem.reshape(m, -1)
  mean = flat_mem.mean(0)
  _, _, vt = np.linalg.svd(flat_mem - mean, full_matrices=False)
  proj = vt[:k_code].T
  out = {}
  for split, name in (('validation', 'val'), ('test', 'test')):
    xs, ys = np.asarray(data[split]['x']), np.asarray(data[split]['y'])
    out[f'knn_{name}'] = knn_accuracy(h_mem, y_mem, _apply(task, state, xs, bs)[1], ys, cfg.knn)
    out[f'pca_knn_{name}'] = knn_accuracy((flat_mem - mean) @ proj, y_mem,
                                          (xs.reshape(len(xs), -1) - mean) @ proj, ys, cfg.knn)
  return out


def anomaly_auroc(task, state, cfg, bs) -> float:
  """AUROC of the per-example reconstruction MSE as the score of the held-out class."""
  from dljax import data as data_lib  # pylint: disable=g-import-not-at-top
  data_cfg = task.config.data.copy_and_resolve_references()
  kept = tuple(data_cfg.get('classes', None) or ())
  if cfg.anomaly_class in kept:
    raise ConfigError(f'anomaly_class={cfg.anomaly_class} is among the training classes {kept}; '
                      'train without it (data.classes) or pick another class.')
  data_cfg.classes = ()
  full = data_lib.load_split(data_cfg, cfg.split)
  x = np.asarray(full['x'])
  r = _apply(task, state, x, bs)[0]
  score_N = np.mean((r - x) ** 2, axis=tuple(range(1, x.ndim)))
  return auroc(score_N, np.asarray(full['y']) == cfg.anomaly_class)
