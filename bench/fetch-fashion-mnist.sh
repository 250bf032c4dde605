#!/usr/bin/env bash
# Puts Fashion-MNIST's 10,000 test images (t10k-images-idx3-ubyte.gz, 28x28 grey, from Debian's
# dataset-fashion-mnist package via apt-get download; no root needed) into DIR unless already there.
# Usage: bench/fetch-fashion-mnist.sh DIR
set -euo pipefail
dir=$1
file="$dir/t10k-images-idx3-ubyte.gz"
if [ ! -f "$file" ]; then
  mkdir -p "$dir"
  tmp=$(mktemp -d) && chmod 755 "$tmp" # apt-get download runs as _apt where it can
  trap 'rm -rf "$tmp"' EXIT
  ( cd "$tmp" && apt-get download dataset-fashion-mnist >/dev/null )
  dpkg-deb -x "$tmp"/dataset-fashion-mnist_*.deb "$tmp/x"
  cp "$tmp/x/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz" "$file"
fi
