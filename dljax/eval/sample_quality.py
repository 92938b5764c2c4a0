r"""Sample quality of a generative model on Fashion-MNIST, in the features of a pinned dljax classifier.

Inception-FID downloads its network at run time, so every distance here is measured in the
penultimate-layer features phi(x) of a small dljax Fashion-MNIST convnet (FEATURE_NETS; trained once,
deterministically, into <DLJAX_DATA_DIR>/sample_quality/ and reloaded after a sha256 check of its
parameters; always applied in eval mode). The numbers are NOT comparable with Inception-FID numbers.

  FD    Frechet distance between Gaussians fitted to real features (mu_r, S_r) and generated ones:
        ||mu_r - mu_g||^2 + Tr(S_r + S_g - 2 (S_r^{1/2} S_g S_r^{1/2})^{1/2})  (Heusel et al. 2017);
        the square root is taken of symmetric PSD matrices by eigh (float64, negative rounding
        eigenvalues clipped), never by a general sqrtm of the non-symmetric S_r S_g.
  KID   unbiased MMD^2 with the cubic kernel k(a, b) = (a.b / d + 1)^3 (Binkowski et al. 2018),
        mean and std over random subsets of the two sets.
  PRDC  precision / recall / density / coverage with k-NN balls (Naeem et al. 2020; precision and
        recall of Kynkaanniemi et al. 2019): r_k(a) = distance from a to its k-th nearest neighbour
        in its own set;  precision = mean_g [exists r: ||g - r|| <= r_k(r)],
        recall = mean_r [exists g: ||r - g|| <= r_k(g)],
        density = 1/(k M) sum_g #{r: ||g - r|| <= r_k(r)},  coverage = mean_r [min_g ||r - g|| <= r_k(r)].
  IS    classifier Inception Score exp(E_x KL(p(y|x) || p(y))) with the feature net's softmax:
        1 (one class or uninformative) ... 10 (confident and balanced over the 10 classes).
Every score comes with its floors: FD(train, test) (two real sets of the same size: the best a model
can hope for at this n) and FD(test, uniform noise), and with the feature net's name and the first 32
bits of its sha256 (`feature_sha`; the full hash and config are in feature_net_record()).

FD is biased upwards at finite n (the covariance estimate's noise adds a positive trace term of
order 1/n); compare only scores at the same n (the FD(train, test) floor is measured at that n).
"""
import hashlib
import json
import os

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
from flax import traverse_util

from dljax import data as data_lib, models, settings
from dljax.errors import ConfigError, DataError

PARAMS = dict(n_samples=5000, split='test', feature_net='cnn', k=5, kid_subsets=50,
              kid_subset_size=1000, floors=True, seed=0)
REQUIRES = ('sample',)
MIN_SAMPLES = 100  # fewer than this and an FD (and PRDC) is dominated by its estimation noise

# The feature networks: the 'cnn' classification model of dljax.models (configs/vision/fmnist_cnn.py's
# architecture, narrower), trained by `train_feature_net` with this recipe. 'cnn' is the published
# one; 'tiny' is for tests (trains in a second or two).
FEATURE_NETS = {
    'cnn': dict(model=dict(name='cnn', features=(16, 32), kernel=3, dense=128, dropout=0.0),
                data='fashion_mnist', train_limit=0, steps=800, batch_size=128, lr=2e-3, seed=0),
    'tiny': dict(model=dict(name='cnn', features=(4, 8), dense=16, dropout=0.0),
                 data='fashion_mnist', train_limit=1024, steps=30, batch_size=64, lr=3e-3, seed=0),
}


# --- the metrics (numpy, float64) -----------------------------------------------------------------
def psd_sqrt(a):
  """The symmetric square root of a symmetric PSD matrix by eigh (negative round-off clipped)."""
  w, v = np.linalg.eigh((a + a.T) / 2)
  return (v * np.sqrt(np.clip(w, 0, None))) @ v.T


def gaussian_stats(f_NxD):
  f = np.asarray(f_NxD, np.float64)
  return f.mean(0), np.cov(f, rowvar=False)


def frechet_from_stats(mu1, s1, mu2, s2) -> float:
  """||mu1 - mu2||^2 + Tr(S1) + Tr(S2) - 2 Tr((S1^{1/2} S2 S1^{1/2})^{1/2})."""
  r1 = psd_sqrt(s1)
  m = r1 @ s2 @ r1  # symmetric PSD, same eigenvalues as S1 S2
  tr_sqrt = np.sum(np.sqrt(np.clip(np.linalg.eigvalsh((m + m.T) / 2), 0, None)))
  return float(max(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * tr_sqrt, 0.0))


def frechet_distance(f1_NxD, f2_MxD) -> float:
  return frechet_from_stats(*gaussian_stats(f1_NxD), *gaussian_stats(f2_MxD))


def kid(f1_NxD, f2_MxD, subsets: int = 50, subset_size: int = 1000, seed: int = 0):
  """(mean, std) over `subsets` random subsets of the unbiased MMD^2 with k = (a.b/d + 1)^3."""
  f1, f2 = np.asarray(f1_NxD, np.float64), np.asarray(f2_MxD, np.float64)
  d, m = f1.shape[1], min(subset_size, len(f1), len(f2))
  rng = np.random.default_rng(seed)
  vals = []
  for _ in range(subsets):
    a, b = f1[rng.choice(len(f1), m, replace=False)], f2[rng.choice(len(f2), m, replace=False)]
    kaa, kbb, kab = (a @ a.T / d + 1) ** 3, (b @ b.T / d + 1) ** 3, (a @ b.T / d + 1) ** 3
    off = m * (m - 1)
    vals.append((kaa.sum() - np.trace(kaa)) / off + (kbb.sum() - np.trace(kbb)) / off
                - 2 * kab.mean())
  return float(np.mean(vals)), float(np.std(vals))


def _pairwise(a, b):
  d2 = (a ** 2).sum(1)[:, None] + (b ** 2).sum(1)[None] - 2 * a @ b.T
  return np.sqrt(np.clip(d2, 0, None))


def prdc(real_NxD, fake_MxD, k: int = 5) -> dict:
  """Precision, recall, density and coverage with k-NN balls (Naeem et al. 2020)."""
  r, f = np.asarray(real_NxD, np.float64), np.asarray(fake_MxD, np.float64)
  radius_r = np.sort(_pairwise(r, r), axis=1)[:, k]  # column 0 is the point itself
  radius_f = np.sort(_pairwise(f, f), axis=1)[:, k]
  d_rf = _pairwise(r, f)  # N x M
  inside = d_rf <= radius_r[:, None]  # fake j inside real i's ball
  return {'precision': float(inside.any(0).mean()),
          'recall': float((d_rf <= radius_f[None, :]).any(1).mean()),
          'density': float(inside.sum() / (k * f.shape[0])),
          'coverage': float((d_rf.min(1) <= radius_r).mean())}


def inception_score(probs_NxK) -> float:
  """exp(E_x KL(p(y|x) || p(y))) of classifier probabilities."""
  p = np.clip(np.asarray(probs_NxK, np.float64), 1e-12, 1)
  py = p.mean(0, keepdims=True)
  return float(np.exp(np.mean(np.sum(p * (np.log(p) - np.log(py)), 1))))


def bootstrap(fn, f1, f2, reps: int = 20, seed: int = 0, level: float = 0.95):
  """(lo, hi) percentile interval of fn(f1*, f2*) over bootstrap resamples of both sets."""
  rng = np.random.default_rng(seed)
  vals = [fn(f1[rng.integers(0, len(f1), len(f1))], f2[rng.integers(0, len(f2), len(f2))])
          for _ in range(reps)]
  a = (1 - level) / 2
  return float(np.quantile(vals, a)), float(np.quantile(vals, 1 - a))


# --- the pinned feature network -------------------------------------------------------------------
def params_sha256(params) -> str:
  """sha256 over the parameters' names, shapes and float32 bytes, in sorted name order."""
  h = hashlib.sha256()
  for path, leaf in sorted(traverse_util.flatten_dict(params, sep='/').items()):
    arr = np.ascontiguousarray(np.asarray(leaf, np.float32))
    h.update(f'{path}:{arr.shape}'.encode())
    h.update(arr.tobytes())
  return h.hexdigest()


class FeatureNet:
  """A trained feature classifier: `features(x)` (penultimate layer, B x dense) and `probs(x)`."""

  def __init__(self, name: str, spec: dict, params, sha256: str):
    self.name, self.spec, self.params, self.sha256 = name, spec, params, sha256
    self.model = models.build(ml_collections.ConfigDict(spec['model']))
    self._apply = jax.jit(self._forward)

  def _forward(self, params, x):
    logits, inter = self.model.apply({'params': params}, x, train=False,  # eval mode
                                     capture_intermediates=lambda mdl, _: mdl.name == 'Dense_0')
    return jax.nn.relu(inter['intermediates']['Dense_0']['__call__'][0]), jax.nn.softmax(logits)

  def __call__(self, x_NxHxWxC, batch_size: int = 1000):
    feats, probs = [], []
    for i in range(0, len(x_NxHxWxC), batch_size):
      f, p = self._apply(self.params, jnp.asarray(x_NxHxWxC[i:i + batch_size], jnp.float32))
      feats.append(np.asarray(f))
      probs.append(np.asarray(p))
    return np.concatenate(feats), np.concatenate(probs)

  def record(self) -> dict:
    return {'name': self.name, 'spec': self.spec, 'sha256': self.sha256}


def _spec(name: str) -> dict:
  if name not in FEATURE_NETS:
    raise ConfigError(f'feature_net={name!r} is unknown; use one of {sorted(FEATURE_NETS)}.')
  return FEATURE_NETS[name]


def train_feature_net(spec: dict):
  """Adam on cross-entropy, a fixed seed and a fixed batch order: the same parameters every time."""
  cfg = ml_collections.ConfigDict(dict(name=spec['data'], source='local',
                                       train_limit=spec['train_limit']))
  train = data_lib.load_split(cfg, 'train')
  x, y = np.asarray(train['x'], np.float32), np.asarray(train['y'], np.int32)
  model = models.build(ml_collections.ConfigDict(spec['model']))
  params = model.init(jax.random.PRNGKey(spec['seed']), jnp.asarray(x[:2]))['params']
  tx = optax.adam(spec['lr'])
  opt = tx.init(params)

  @jax.jit
  def step(params, opt, xb, yb):
    def loss(p):
      logits = model.apply({'params': p}, xb, train=False)
      return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean()
    grads = jax.grad(loss)(params)
    updates, opt = tx.update(grads, opt, params)
    return optax.apply_updates(params, updates), opt

  rng = np.random.default_rng(spec['seed'])
  order, pos, b = rng.permutation(len(x)), 0, spec['batch_size']
  for _ in range(spec['steps']):
    if pos + b > len(x):
      order, pos = rng.permutation(len(x)), 0
    idx = order[pos:pos + b]
    pos += b
    params, opt = step(params, opt, jnp.asarray(x[idx]), jnp.asarray(y[idx]))
  return jax.device_get(params)


def _spec_key(name: str, spec: dict) -> str:
  return f'{name}_' + hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:10]


def feature_net(name: str = 'cnn', cache_dir: str = None) -> FeatureNet:
  """The pinned feature net `name`: loaded from the cache (after checking its recorded sha256), or
  trained once and cached. DataError if the cached parameters do not match their recorded hash."""
  spec = _spec(name)
  folder = cache_dir or os.path.join(settings.data_dir(), 'sample_quality')
  base = os.path.join(folder, _spec_key(name, spec))
  if os.path.exists(base + '.npz') and os.path.exists(base + '.json'):
    with open(base + '.json') as f:
      recorded = json.load(f)
    with np.load(base + '.npz') as z:
      params = traverse_util.unflatten_dict({tuple(k.split('/')): z[k] for k in z.files})
    sha = params_sha256(params)
    if sha != recorded['sha256']:
      raise DataError(f'the feature net checkpoint {base}.npz has sha256 {sha[:16]}... but its record '
                      f'says {recorded["sha256"][:16]}...: it was modified or damaged. Delete '
                      f'{base}.npz and {base}.json to retrain it (scores before and after are then '
                      'not comparable).')
    return FeatureNet(name, spec, params, sha)
  params = train_feature_net(spec)
  sha = params_sha256(params)
  os.makedirs(folder, exist_ok=True)
  np.savez(base + '.tmp.npz', **traverse_util.flatten_dict(params, sep='/'))
  os.replace(base + '.tmp.npz', base + '.npz')
  with open(base + '.json', 'w') as f:
    json.dump({'name': name, 'spec': spec, 'sha256': sha}, f, indent=1)
  return FeatureNet(name, spec, params, sha)


# --- scores ---------------------------------------------------------------------------------------
def check_samples(x, n_min: int = MIN_SAMPLES, shape=(28, 28, 1)):
  x = np.asarray(x)
  if x.ndim != 4 or tuple(x.shape[1:]) != tuple(shape):
    raise DataError(f'sample quality needs Fashion-MNIST-shaped images N x {shape}; got {x.shape}.')
  if len(x) < n_min:
    raise DataError(f'{len(x)} samples are too few for a stable FD / precision-recall (at least '
                    f'{n_min}; 5000 or more for published numbers): raise n_samples.')
  if not np.all(np.isfinite(x)):
    raise DataError('the samples contain NaN or Inf.')
  return x


def score_features(real_f, fake_f, fake_p=None, k: int = 5, kid_subsets: int = 50,
                   kid_subset_size: int = 1000, seed: int = 0) -> dict:
  out = {'fd': frechet_distance(real_f, fake_f)}
  out['kid'], out['kid_std'] = kid(real_f, fake_f, kid_subsets, kid_subset_size, seed)
  out.update(prdc(real_f, fake_f, k))
  if fake_p is not None:
    out['is'] = inception_score(fake_p)
  return out


def floors(net: FeatureNet, real_x, train_x, n: int, seed: int = 0) -> dict:
  """FD(train, test) on n images each and FD(test, U(0, 1) noise), in this feature space."""
  rng = np.random.default_rng(seed)
  f_real = net(real_x[:n])[0]
  f_train = net(train_x[rng.choice(len(train_x), n, replace=False)])[0]
  noise = rng.uniform(0, 1, (n,) + real_x.shape[1:]).astype(np.float32)
  return {'floor_fd_train_test': frechet_distance(f_train, f_real),
          'floor_fd_test_noise': frechet_distance(net(noise)[0], f_real)}


def score_images(fake_x, real_x, net: FeatureNet, train_x=None, **kw) -> dict:
  """The scores of images fake_x against real_x (and the floors if train_x is given)."""
  fake_x = check_samples(fake_x)
  n = min(len(fake_x), len(real_x))
  f_real = net(real_x[:n])[0]
  f_fake, p_fake = net(fake_x[:n])
  out = score_features(f_real, f_fake, p_fake, **kw)
  if train_x is not None:
    out.update(floors(net, real_x, train_x, n, kw.get('seed', 0)))
  out['n'] = n
  out['feature_sha'] = float(int(net.sha256[:8], 16))  # exact in a float64
  return out


# --- the evaluator --------------------------------------------------------------------------------
def check(task, cfg):
  _spec(cfg.feature_net)
  if cfg.n_samples < MIN_SAMPLES:
    raise ConfigError(f'n_samples={cfg.n_samples} is too few for a stable FD (at least '
                      f'{MIN_SAMPLES}).')
  if cfg.k < 1 or cfg.kid_subsets < 1 or cfg.kid_subset_size < 2:
    raise ConfigError('k >= 1, kid_subsets >= 1 and kid_subset_size >= 2 are needed.')
  if not callable(getattr(task, 'sample', None)):
    raise ConfigError(f'{type(task).__name__} has no sample(state, rng, n): it is not a generative '
                      'model this evaluator can score.')


def generate(task, state, n: int, seed: int = 0, chunk: int = 1000):
  """n samples of the task's `sample`, drawn in chunks, as a numpy array."""
  fn = jax.jit(task.sample, static_argnums=2)
  out = []
  for i in range(0, n, chunk):
    out.append(np.asarray(fn(state, jax.random.fold_in(jax.random.PRNGKey(seed), i), min(chunk, n - i))))
  return np.concatenate(out)


def evaluate(task, state, data, cfg):
  real = data[cfg.split]['x']
  if len(real) < MIN_SAMPLES:
    raise DataError(f'the {cfg.split} split has {len(real)} images, too few for a stable FD (at least '
                    f'{MIN_SAMPLES}).')
  n = min(cfg.n_samples, len(real))
  net = feature_net(cfg.feature_net)
  fake = generate(task, state, n, cfg.seed)
  return score_images(fake, real, net, data['train']['x'] if cfg.floors else None, k=cfg.k,
                      kid_subsets=cfg.kid_subsets, kid_subset_size=cfg.kid_subset_size, seed=cfg.seed)


def plots(task, state, data, cfg, workdir):
  """<workdir>/plots/sample_quality.json: the feature net's config and full sha256."""
  del task, state, data
  net = feature_net(cfg.feature_net)
  os.makedirs(os.path.join(workdir, 'plots'), exist_ok=True)
  with open(os.path.join(workdir, 'plots', 'sample_quality.json'), 'w') as f:
    json.dump(net.record(), f, indent=1)
