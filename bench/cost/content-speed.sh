#!/usr/bin/env bash
# Does what the images show change how fast a training step goes? Times the trainer's step (`atelier cost calibrate
# --dataset`) on two snapshots of the same size class, alternating: the 383 sample emoji (flat colours on white) and 383
# uniform-noise images (what the synthetic calibration uses), both at 32 px, DCGAN. Prints each pair's medians and the
# noise/emoji ratio per pair, then the median ratio (figures for docs/BENCHMARKS.md, "Cost planner").
# Usage: bench/cost/content-speed.sh [WORKSPACE] (env: PAIRS=5 REPEATS=5 STEPS=16 MODEL=dcgan ATELIER_CMD=)
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
atelier="${ATELIER_CMD:-$here/atelier}"
ws="${1:-$(mktemp -d)}"
pairs="${PAIRS:-5}" repeats="${REPEATS:-5}" steps="${STEPS:-16}" model="${MODEL:-dcgan}"
a() { $atelier --workspace "$ws" "$@"; }
[ -d "$ws/.atelier" ] || a init >/dev/null
# Noise PNGs written with the standard library only (no imaging package needed): 64x64 RGB, seeded.
/usr/bin/python3 - "$ws/noise" <<'PY'
import os, random, struct, sys, zlib
out = sys.argv[1]; os.makedirs(out, exist_ok=True); rng = random.Random(1)
def chunk(kind, data): return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
for i in range(383):
    rows = b"".join(b"\0" + bytes(rng.getrandbits(8) for _ in range(64 * 3)) for _ in range(64))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    open(os.path.join(out, f"noise-{i:03d}.png"), "wb").write(png)
PY
a ingest "$here/data/emoji-sample" --license Apache-2.0 --source noto >/dev/null
a ingest "$ws/noise" --license CC0-1.0 --source noise >/dev/null
a rate all general >/dev/null
a dataset create emoji --where "source:noto" >/dev/null 2>&1 || true
a dataset create noise --where "source:noise" >/dev/null 2>&1 || true
echo "load before: $(cat /proc/loadavg) on $(nproc) cores"
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
time_on() { a cost calibrate --models "$model" --resolutions 32 --repeats "$repeats" --steps "$steps" --device cpu --dataset "$1" --json | jq '.measured[0].secondsPerKimg | sort | .[length / 2 | floor]'; }
time_on emoji >/dev/null; time_on noise >/dev/null   # warm-up pair (exports built, caches warm), not counted
ratios=()
for p in $(seq 1 "$pairs"); do
  e=$(time_on emoji); n=$(time_on noise); r=$(awk "BEGIN { printf \"%.3f\", $n / $e }")
  ratios+=("$r"); echo "pair $p: emoji $e s/kimg, noise $n s/kimg, noise/emoji $r"
done
echo "load after: $(cat /proc/loadavg)"
echo "median noise/emoji over $pairs pairs: $(printf '%s\n' "${ratios[@]}" | median)"
