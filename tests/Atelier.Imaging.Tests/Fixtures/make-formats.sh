#!/usr/bin/env bash
# Recreates the fixtures of the formats Skia cannot read (README.md, second table). Run once by hand; the tests read the
# committed files and need none of these tools. Debian 12: imagemagick libavif-bin libheif-examples netpbm libtiff-tools.
set -euo pipefail
cd "$(dirname "$0")"
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
# The reference picture: 32x24 quadrants, top-left red, top-right lime, bottom-left blue, bottom-right white.
convert -size 16x12 xc:red xc:lime +append \( -size 16x12 xc:blue xc:white +append \) -append -depth 8 PNG24:"$t/quads.png"
convert "$t/quads.png" -alpha set -channel A -evaluate set 50% +channel PNG32:"$t/quads-alpha.png"
cp "$t/quads.png" quads.png
convert "$t/quads.png" -compress lzw quads.tif
convert "$t/quads-alpha.png" -compress zip quads-alpha.tif
convert "$t/quads.png" -orient RightTop quads-orientation6.tif
convert "$t/quads.png" \( -size 32x24 xc:black \) quads-2pages.tif
convert -size 8x8 xc:"gray(25%)" -depth 16 -compress none gray16.tif     # 16384 = 0x4000 in every sample
cp gray16.tif huge.tif && tiffset -s 256 20000 huge.tif && tiffset -s 257 20000 huge.tif   # 400 MP declared
avifenc -l "$t/quads.png" quads.avif >/dev/null
avifenc -l "$t/quads-alpha.png" quads-alpha.avif >/dev/null
avifenc -l --irot 1 "$t/quads.png" quads-irot90.avif >/dev/null   # displayed turned 90 degrees anti-clockwise
convert "$t/quads.png" -scale 200% +repage PNG24:"$t/quads-64.png"   # heif-enc 1.15 swaps the colours of palette PNGs
heif-enc -q 95 "$t/quads-64.png" -o quads-64.heic >/dev/null           # 64x48, HEVC (libx265)
convert "$t/quads-alpha.png" quads-alpha.ico
convert "$t/quads.png" -resize 16x12 "$t/small.png" && convert "$t/small.png" "$t/quads.png" quads-2sizes.ico
pngtopnm "$t/quads.png" > quads.ppm
pnmtoplainpnm quads.ppm > quads-ascii.ppm
convert -size 8x8 xc:"gray(25%)" -depth 16 gray16.pgm
ls -l
