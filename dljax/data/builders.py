"""The tfds builder of every offline dataset, written once: `Spec` -> ArrayRecord cache -> data source.

A dataset module describes its stored data as a `Spec`: a generator function, its parameters,
the features and a version. `prepare(spec)` builds a `tfds.core.GeneratorBasedBuilder` from it
(`make_builder`), writes the splits to ArrayRecord in `dljax.settings.data_dir()/<spec.name>/<version>`
once, and returns `{split: tfds data source}` (random access, nothing loaded into memory).

  spec.generate(**spec.params) -> {split: iterable of example dicts}
                               or ({split: ...}, metadata dict saved with the dataset)

The cache records a hash of (name, version, params, features) in `dljax_params.json`: a cache
whose builder parameters changed (or that was written without the record) is deleted and rebuilt
once, under the dataset's inter-process lock, so no stale split is ever read silently. The record
also holds the sha256 of every file of the cache, checked once per process (a few hundred ms for the
largest cache): a damaged cache (a changed byte anywhere, a missing or truncated file) is rebuilt the
same way, with a warning.
"""
import contextlib
import dataclasses
import fcntl
import gzip
import hashlib
import json
import logging
import os
import shutil
import zlib
from typing import Any, Callable

import numpy as np
import tensorflow_datasets as tfds

from dljax import settings
from dljax.errors import DataError

FASHION_MNIST_FILES = {
    'train': ('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'),
    'test': ('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'),
}
FASHION_MNIST_CLASSES = ('T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt',
                         'Sneaker', 'Bag', 'Ankle boot')


def read_idx(path: str) -> np.ndarray:
  """Reads an IDX file (LeCun's MNIST format, optionally gzipped) into a numpy array."""
  opener = gzip.open if path.endswith('.gz') else open
  try:
    with opener(path, 'rb') as f:
      data = f.read()
  except (EOFError, OSError, zlib.error) as e:  # truncated or corrupt gzip stream, unreadable file
    raise DataError(f'{path} is damaged ({type(e).__name__}: {e}); reinstall the dataset package '
                    '(or restore the file).') from None
  if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
    raise DataError(f'{path} is not an unsigned-byte IDX file; reinstall the dataset package.')
  ndim = data[3]
  shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], 'big') for i in range(ndim))
  body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
  if body.size != int(np.prod(shape)):
    raise DataError(f'{path} is truncated ({body.size} of {int(np.prod(shape))} bytes); '
                    'reinstall the dataset package.')
  return body.reshape(shape)


def fashion_mnist_arrays(folder: str, split: str):
  """(images_Nx28x28x1 uint8, labels_N int64) from the IDX files in `folder`."""
  missing = [f for f in FASHION_MNIST_FILES[split] if not os.path.exists(os.path.join(folder, f))]
  if missing:
    raise DataError(
        f'Fashion-MNIST files {missing} not found in {folder}. Install them with '
        '`sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or point '
        'DLJAX_FASHION_MNIST_DIR at a folder holding the four IDX files, or set '
        '--config.data.source=tfds to download the stock tfds dataset.')
  images, labels = (read_idx(os.path.join(folder, f)) for f in FASHION_MNIST_FILES[split])
  return images[..., None], labels.astype(np.int64)


def mnist1d_arrays(seed: int = 42):
  """The MNIST-1D arrays, regenerated procedurally (never downloaded)."""
  from mnist1d.data import get_dataset_args, make_dataset  # pylint: disable=g-import-not-at-top
  args = get_dataset_args()
  args.seed = seed
  return make_dataset(args)




PARAMS_FILE = 'dljax_params.json'


@dataclasses.dataclass(frozen=True)
class Spec:
  """What a dataset stores: `generate(**params)` yields its splits' examples (module docstring)."""
  name: str                       # the cache folder (and tfds builder name)
  generate: Callable[..., Any]
  features: dict                  # {key: tfds feature}, e.g. tfds.features.Tensor(shape, dtype)
  version: str = '1.0.0'
  params: dict = dataclasses.field(default_factory=dict)   # hashed: a change rebuilds the cache
  description: str = ''
  supervised_keys: tuple = None

  def fingerprint(self) -> str:
    """sha256 of (name, version, params, features): what the cache must have been built from."""
    record = json.dumps({'name': self.name, 'version': self.version, 'params': self.params,
                         'features': {k: repr(v) for k, v in sorted(self.features.items())}},
                        sort_keys=True, default=repr)
    return hashlib.sha256(record.encode()).hexdigest()


def make_builder(spec: Spec, data_dir: str = None):
  """A GeneratorBasedBuilder instance for `spec`, writing ArrayRecord under `data_dir`."""

  def _info(self):
    return tfds.core.DatasetInfo(
        builder=self, description=spec.description or spec.name,
        disable_shuffling=True,  # keep the generator order: splits and limits depend on positions
        features=tfds.features.FeaturesDict(dict(spec.features)),
        supervised_keys=spec.supervised_keys, metadata=tfds.core.MetadataDict())

  def _split_generators(self, dl_manager):
    del dl_manager
    out = spec.generate(**spec.params)
    splits, metadata = out if isinstance(out, tuple) else (out, {})
    self.info.metadata.update(metadata)
    return {split: self._generate_examples(examples) for split, examples in splits.items()}

  def _generate_examples(self, examples):
    for i, example in enumerate(examples):
      yield i, example

  cls = type(f'Builder_{spec.name}', (tfds.core.GeneratorBasedBuilder,),
             dict(name=spec.name, VERSION=tfds.core.Version(spec.version), _info=_info,
                  _split_generators=_split_generators, _generate_examples=_generate_examples,
                  __module__=__name__),
             skip_registration=True)   # dljax's registry names datasets, not tfds's
  return cls(data_dir=data_dir or settings.data_dir(), file_format='array_record')


@contextlib.contextmanager
def exclusive(name: str):
  """An inter-process lock per dataset: two processes (pytest workers, hosts sharing a cache) that
  prepare the same dataset at once take turns instead of reading each other's half-written files."""
  os.makedirs(settings.data_dir(), exist_ok=True)
  with open(os.path.join(settings.data_dir(), f'.{name}.lock'), 'w') as f:
    fcntl.flock(f, fcntl.LOCK_EX)
    try:
      yield
    finally:
      fcntl.flock(f, fcntl.LOCK_UN)


def checksums(folder: str) -> dict:
  """{relative path: sha256} of every file under `folder` except the record itself."""
  out = {}
  for root, _, files in os.walk(folder):
    for name in files:
      path = os.path.join(root, name)
      rel = os.path.relpath(path, folder)
      if rel != PARAMS_FILE:
        with open(path, 'rb') as f:
          out[rel] = hashlib.file_digest(f, 'sha256').hexdigest()
  return dict(sorted(out.items()))


_VERIFIED = set()   # (cache folder, its record's mtime) whose files this process has checked


def _stale_reason(builder, spec: Spec):
  """Why the prepared cache cannot be used (None if it can)."""
  path = os.path.join(builder.data_dir, PARAMS_FILE)
  if not os.path.exists(path):
    return f'it has no {PARAMS_FILE} (written by an older dljax)'
  with open(path) as f:
    saved = json.load(f)
  if saved.get('fingerprint') != spec.fingerprint():
    return f'its builder parameters changed ({saved.get("params")} -> {spec.params})'
  if 'files' not in saved:
    return f'its {PARAMS_FILE} has no checksums (written by an older dljax)'
  key = (builder.data_dir, os.stat(path).st_mtime_ns)
  if key not in _VERIFIED:
    found = checksums(builder.data_dir)
    damaged = sorted(f for f in set(saved['files']) | set(found)
                     if saved['files'].get(f) != found.get(f))
    if damaged:
      what = 'is missing' if damaged[0] not in found else 'does not match its checksum'
      more = f' (and {len(damaged) - 1} more files)' if len(damaged) > 1 else ''
      return f'it is damaged: {damaged[0]} {what}{more}'
    _VERIFIED.add(key)
  return None


def prepare(spec: Spec) -> dict:
  """{split: tfds data source} of `spec`, built into the cache first if needed (module docstring)."""
  with exclusive(spec.name):
    builder = make_builder(spec)
    if builder.is_prepared():
      try:
        reason = _stale_reason(builder, spec)
      except Exception as e:  # pylint: disable=broad-except
        reason = f'it is damaged ({type(e).__name__}: {e})'
      if reason is None:
        return builder.as_data_source()
      logging.warning('Data cache %s is rebuilt: %s.', builder.data_dir, reason)
      shutil.rmtree(builder.data_dir, ignore_errors=True)
      builder = make_builder(spec)
    builder.download_and_prepare()
    record = {'fingerprint': spec.fingerprint(), 'params': spec.params, 'version': spec.version,
              'files': checksums(builder.data_dir)}
    tmp = os.path.join(builder.data_dir, f'{PARAMS_FILE}.tmp.{os.getpid()}')
    with open(tmp, 'w') as f:   # written last and atomically: a cache without it is rebuilt
      json.dump(record, f, default=repr)
    os.replace(tmp, os.path.join(builder.data_dir, PARAMS_FILE))
    return builder.as_data_source()


def metadata(spec: Spec) -> dict:
  """The metadata saved with the prepared dataset (e.g. a vocabulary)."""
  prepare(spec)
  return dict(make_builder(spec).info.metadata)
