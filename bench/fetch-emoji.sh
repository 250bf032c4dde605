#!/usr/bin/env bash
# Puts the full 64 px Noto emoji set (3,786 PNGs of emoji-datasource-google@16.0.0, via npm pack)
# into DIR unless it is already there. Usage: bench/fetch-emoji.sh DATA_DIR EMOJI_DIR
set -euo pipefail
data=$1 emoji=$2
if [ "$(ls "$emoji" 2>/dev/null | wc -l)" -ne 3786 ]; then
  ( cd "$data" && [ -f emoji-datasource-google-16.0.0.tgz ] || npm pack --loglevel=error emoji-datasource-google@16.0.0 >/dev/null )
  rm -rf "$emoji" && mkdir -p "$emoji"
  tar -xzf "$data/emoji-datasource-google-16.0.0.tgz" -C "$emoji" --strip-components=4 --wildcards 'package/img/google/64/*.png'
fi
