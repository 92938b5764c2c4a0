"""The one place where dljax reads environment variables.

DLJAX_DATA_DIR            where prepared datasets are cached (default ~/.cache/dljax).
DLJAX_FASHION_MNIST_DIR   folder with the Fashion-MNIST IDX files
                          (default /usr/share/datasets/fashion-mnist, Debian's `dataset-fashion-mnist`).
"""
import os


def data_dir() -> str:
  return os.path.expanduser(os.environ.get('DLJAX_DATA_DIR', '~/.cache/dljax'))


def fashion_mnist_dir() -> str:
  return os.environ.get('DLJAX_FASHION_MNIST_DIR', '/usr/share/datasets/fashion-mnist')
