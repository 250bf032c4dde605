#!/usr/bin/env bash
# The share of training time that `train --eval-every` takes (issue 11, items 3 and 9): DCGAN at 32x32 on the 383
# sample emoji, K kimg with an FD-ResNet18 evaluation (default sample count: the snapshot's 383) every E kimg,
# against the same run without evaluations, the two alternating under farm-bench (whole processes, medians).
# Also prints, for each evaluating run, the time the trainer itself spent evaluating over its training time
# (from `train --json`: evaluation.sessionSeconds / seconds).
#   K=2 E=1 N=3 bench/training/eval-share.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
K=${K:-2}; E=${E:-1}; N=${N:-3}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
A="$ROOT/atelier"
"$A" init "$OUT/ws" >/dev/null
"$A" -w "$OUT/ws" ingest "$ROOT/data/emoji-sample" --license Apache-2.0 --source noto-emoji >/dev/null
"$A" -w "$OUT/ws" rate all general >/dev/null
"$A" -w "$OUT/ws" dataset create d >/dev/null
# The export and the snapshot's reference features are made once, before timing (a later run reads them from the cache).
"$A" -w "$OUT/ws" train --dataset d --resolution 32 --kimg 0.064 --eval-every 0.064 --name prime --device cpu >/dev/null 2>&1
TRAIN="$A -w $OUT/ws train --dataset d --model dcgan --resolution 32 --kimg $K --device cpu --json"
farm-bench -n "$N" --warmup 1 --timeout 3000 --vs "$TRAIN" -- sh -c "exec $TRAIN --eval-every $E >>$OUT/eval.jsonl 2>/dev/null"
# `train --json` prints one indented document per run: read them one after another.
/usr/bin/python3 - "$OUT/eval.jsonl" <<'PY'
import json, statistics, sys
s = open(sys.argv[1]).read()
d = json.JSONDecoder(); i = 0; runs = []
while True:
    while i < len(s) and s[i].isspace(): i += 1
    if i >= len(s): break
    r, i = d.raw_decode(s, i); runs.append(r)
shares = [r["evaluation"]["sessionSeconds"] / r["seconds"] for r in runs]
for r, sh in zip(runs, shares):
    e = r["evaluation"]
    print(f"{r['run']}: {e['sessionEvaluations']} evaluations of {e['generated']} images, {e['sessionSeconds']:.1f} s of {r['seconds']:.1f} s training = {sh:.1%}")
print(f"median share of training time spent evaluating: {statistics.median(shares):.1%} ({len(runs)} runs, the warm-up included)")
PY
