#!/usr/bin/env bash
# PDQ agreement with Meta's C++ reference: ingests a folder with an Atelier CLI build, takes each image's
# hash from `images show all --json` and compares it with the reference hasher's output for the same files.
# Usage: bench/pdq/agreement.sh CLI_DLL FOLDER REFERENCE_TXT [--stored-hex]
#   REFERENCE_TXT: `pdq-photo-hasher FOLDER/*.jpg` output (hash,quality,path); build the hasher from
#   github.com/facebook/ThreatExchange pdq/cpp, e.g. with libjpeg-turbo and libpng:
#     g++ -std=c++11 -O2 -I../.. -I. -Dcimg_use_jpeg -Dcimg_use_png -Dcimg_display=0 bin/pdq-photo-hasher.cpp \
#       common/pdqhashtypes.cpp io/hashio.cpp common/pdqhamming.cpp hashing/pdqhashing.cpp downscaling/downscaling.cpp \
#       io/pdqio.cpp hashing/torben.cpp common/pdqutils.cpp -o pdq-photo-hasher -ljpeg -lpng -lz -lm -lpthread
#   --stored-hex: the build prints the catalog's storage bytes (before the reference-hex fix); undo that.
#   PER_IMAGE=1 also prints each file's distance.
# Needs /usr/bin/python3 (standard library only).
set -euo pipefail
CLI=$(realpath "$1"); FOLDER=$(realpath "$2"); REF=$(realpath "$3"); MODE=${4:-}
WS=$(mktemp -d)
trap 'rm -rf "$WS"' EXIT
dotnet "$CLI" init "$WS" > /dev/null
( cd "$WS" && dotnet "$CLI" ingest "$FOLDER" --license CC0-1.0 --json > "$WS/ingest.json" )
( cd "$WS" && dotnet "$CLI" images show all --json > "$WS/show.json" )
/usr/bin/python3 - "$WS/show.json" "$REF" "$MODE" <<'PYEOF'
import json, os, statistics, sys
show, ref, mode = sys.argv[1], sys.argv[2], sys.argv[3]
def from_stored(h):
    # storage bytes: W0..W3, each little-endian; reference hex prints W3 first, big-endian
    b = bytes.fromhex(h)
    return "".join(int.from_bytes(b[i*8:(i+1)*8], "little").to_bytes(8, "big").hex() for i in (3, 2, 1, 0))
expected = {}
for line in open(ref):
    parts = line.strip().split(",")
    if len(parts) >= 3: expected[os.path.basename(parts[2])] = (parts[0], int(parts[1]))
dist, sizes = [], {}
for img in json.load(open(show))["images"]:
    name = img["provenance"][0]["fileName"]
    h = img["pdq"]
    if mode == "--stored-hex": h = from_stored(h)
    if name not in expected: continue
    d = bin(int(h, 16) ^ int(expected[name][0], 16)).count("1")
    dist.append(d)
    if os.environ.get("PER_IMAGE"): print(f"{name} {img['width']}x{img['height']} distance {d}")
n = len(dist)
dist.sort()
print(f"images compared: {n} of {len(expected)} reference hashes")
print(f"median distance {statistics.median(dist):g}, mean {statistics.mean(dist):.2f}, max {dist[-1]}, "
      f"90th percentile {dist[int(0.9 * (n - 1))]}")
print(f"bit for bit {sum(d == 0 for d in dist)}/{n}; within 2 bits {sum(d <= 2 for d in dist)}/{n}; "
      f"within 31 bits {sum(d <= 31 for d in dist)}/{n} ({100 * sum(d <= 31 for d in dist) / n:.1f} %)")
PYEOF
