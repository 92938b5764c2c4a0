#!/usr/bin/env bash
# Installs dljax into ./.venv with its pinned dependencies (and the dev/test extras with --dev),
# and Debian's Fashion-MNIST package where apt is available. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"
extras=""
[ "${1:-}" = "--dev" ] && extras="[dev]"

fmnist="${DLJAX_FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}"
if [ ! -f "$fmnist/train-images-idx3-ubyte.gz" ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""; [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo"
    echo "== installing Debian's dataset-fashion-mnist"
    ($sudo apt-get update -qq && $sudo apt-get install -y -qq dataset-fashion-mnist >/dev/null) ||
      echo "warning: could not install dataset-fashion-mnist; Fashion-MNIST configs need it (or data.source=tfds)."
  else
    echo "note: no apt-get; for Fashion-MNIST set DLJAX_FASHION_MNIST_DIR or use --config.data.source=tfds."
  fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".${extras}"
echo "== dljax installed in .venv"
