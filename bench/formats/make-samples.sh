#!/usr/bin/env bash
# Samples for the decoder comparison of docs/decisions/0006: one deterministic photo-like picture
# (ImageMagick's seeded plasma fractal, 3456x2304 = 8 MP) in every format that ingest gained, plus
# 64x64 icons. Usage: bench/formats/make-samples.sh [OUT_DIR]   (default bench/data/formats)
# Needs (Debian 12): imagemagick libavif-bin libheif-examples netpbm.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-bench/data/formats}
mkdir -p "$OUT"
W=3456 H=2304
[ -f "$OUT/photo.png" ] || convert -seed 7 -size ${W}x${H} plasma:fractal -blur 0x1 -depth 8 "$OUT/photo.png"
[ -f "$OUT/photo.tif" ] || convert "$OUT/photo.png" -compress lzw "$OUT/photo.tif"
[ -f "$OUT/photo-16bit.tif" ] || convert "$OUT/photo.png" -depth 16 -evaluate add 0.1% -compress zip "$OUT/photo-16bit.tif"
[ -f "$OUT/photo-uncompressed.tif" ] || convert "$OUT/photo.png" -compress none "$OUT/photo-uncompressed.tif"
[ -f "$OUT/photo.ppm" ] || pngtopnm "$OUT/photo.png" > "$OUT/photo.ppm"
[ -f "$OUT/photo.pgm" ] || convert "$OUT/photo.png" -colorspace gray "$OUT/photo.pgm"
[ -f "$OUT/photo.avif" ] || avifenc -s 8 -j 2 --min 20 --max 30 "$OUT/photo.png" "$OUT/photo.avif" >/dev/null
[ -f "$OUT/photo.heic" ] || heif-enc -q 60 "$OUT/photo.png" -o "$OUT/photo.heic" >/dev/null
mkdir -p "$OUT/icons"
for i in $(seq 0 39); do
  f="$OUT/icons/icon-$i.ico"
  [ -f "$f" ] || convert -seed "$i" -size 64x64 plasma:fractal -alpha set -channel A -fx "hypot(i-32,j-32)<30" +channel "$f"
done
ls -l "$OUT"
