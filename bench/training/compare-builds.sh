#!/usr/bin/env bash
# Training speed of this checkout against another build (BASELINE: a checkout's ./atelier launcher), the
# two alternating, at 32x32 and 64x64 (DCGAN, batch 64, the demo's 383 emoji): what a change to the
# training stage costs or saves (issue 10: decisions 0004 and 0008). Prints each build's steady
# images/s per run (from `train --json`), the medians and the ratio of medians. A run that stopped on
# NaN (001ef50 and older do, at random, on some CPUs) is listed and left out of the medians.
#   BASELINE=/path/to/other/checkout/atelier REPS=5 KIMG32=2 KIMG64=1 bench/training/compare-builds.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
REPS=${REPS:-5}; KIMG32=${KIMG32:-2}; KIMG64=${KIMG64:-1}
BASELINE=${BASELINE:?set BASELINE to another checkout\'s atelier launcher}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
prepare() { # $1 launcher, $2 workspace
  "$1" init "$2" >/dev/null
  "$1" -w "$2" ingest "$ROOT/data/emoji-sample" --license Apache-2.0 --source noto-emoji >/dev/null
  "$1" -w "$2" rate all general >/dev/null
  "$1" -w "$2" dataset create d >/dev/null
}
prepare "$ROOT/atelier" "$OUT/new"
prepare "$BASELINE" "$OUT/base"
for R in 32 64; do
  K=$KIMG32; [ "$R" = 64 ] && K=$KIMG64
  for i in $(seq "$REPS"); do
    for who in new base; do
      launcher="$ROOT/atelier"; [ "$who" = base ] && launcher=$BASELINE
      if "$launcher" -w "$OUT/$who" train --dataset d --model dcgan --resolution "$R" --kimg "$K" --batch 64 --seed "$i" \
           --name "r$R-$i" --device cpu --json >"$OUT/$who-$R-$i.json" 2>"$OUT/$who-$R-$i.err"; then
        /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['imagesPerSecond'])" "$OUT/$who-$R-$i.json" >>"$OUT/$who-$R.ips"
      else
        echo "$who ${R}x$R run $i failed: $(tail -n 1 "$OUT/$who-$R-$i.err")"
      fi
    done
  done
  /usr/bin/python3 - "$OUT/new-$R.ips" "$OUT/base-$R.ips" "$R" <<'PY'
import statistics, sys
new = [float(x) for x in open(sys.argv[1])]
base = [float(x) for x in open(sys.argv[2])] if __import__('os').path.exists(sys.argv[2]) else []
print(f"{sys.argv[3]}x{sys.argv[3]}: this checkout {', '.join(f'{v:.0f}' for v in new)} img/s (median {statistics.median(new):.1f})")
if base:
    print(f"{sys.argv[3]}x{sys.argv[3]}: baseline      {', '.join(f'{v:.0f}' for v in base)} img/s (median {statistics.median(base):.1f})")
    print(f"{sys.argv[3]}x{sys.argv[3]}: ratio of medians this/baseline {statistics.median(new)/statistics.median(base):.3f}")
PY
done
