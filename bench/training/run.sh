#!/usr/bin/env bash
# Training benchmark: Atelier's DCGAN (with its data pipeline) vs the PyTorch DCGAN example on the
# same shard export, at 32x32 and 64x64; libtorch's float32 matmul peak; the analytic FLOPs of a
# DCGAN iteration and the achieved GFLOP/s of Atelier's step; the modern model's sec/kimg and peak
# memory at 64x64 and 128x128. Prepares data under bench/data/ if missing, repeats REPS times with
# the contenders interleaved, prints medians and ratios. Usage (from anywhere):
#   bench/training/run.sh        # REPS=3 KIMG32=0.5 KIMG64=0.25 KIMG_MODERN=0.2 STEP_ITERS=8 by default; MODERN=0 skips the modern model
# Needs: dotnet, npm (first run, for the emoji set), Debian's python3-torch, python3-numpy and
# libopenblas0 (as root: apt-get update && apt-get install -y python3-torch libopenblas0 python3-numpy).
# Extra environment (e.g. OMP_WAIT_POLICY=PASSIVE) applies to every contender alike.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
REPS=${REPS:-3}
KIMG32=${KIMG32:-0.5}
KIMG64=${KIMG64:-0.25}
KIMG_MODERN=${KIMG_MODERN:-0.2}
STEP_ITERS=${STEP_ITERS:-8}
PY=/usr/bin/python3   # Debian's python3 with python3-torch, not a pyenv shim
DATA=$ROOT/bench/data
EMOJI=$DATA/emoji-64
TRAIN=$DATA/training
WS=${WS:-$TRAIN/ws}
ATELIER=${ATELIER:-$ROOT/atelier}   # the CLI launcher (another checkout's ./atelier may be named)
OUT=${OUT:-$ROOT/bench/out/training}
HARNESS=$ROOT/bench/Atelier.Bench.Training/bin/Release/net10.0/Atelier.Bench.Training.dll
mkdir -p "$DATA" "$OUT"

# --- prerequisites (checked, not installed) --------------------------------------------------------
missing=()
"$PY" -c 'import torch' 2>/dev/null || missing+=(python3-torch)
"$PY" -c 'import numpy' 2>/dev/null || missing+=(python3-numpy)
[ -n "$(ldconfig -p | grep 'libopenblas\.so\.0')" ] || missing+=(libopenblas0)  # no grep -q: SIGPIPE under pipefail
if [ ${#missing[@]} -gt 0 ]; then
  echo "missing: ${missing[*]}; install as root: apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi

# --- data: the full emoji set (as bench/ingest/run.sh), one workspace, shard exports ---------------
bench/fetch-emoji.sh "$DATA" "$EMOJI"
atelier() { "$ATELIER" -w "$WS" "$@"; }
# A workspace made by an older build may no longer pass the policy (images without licences): make it again.
if [ -d "$WS" ] && ! atelier policy check --dataset emoji >/dev/null 2>&1; then
  echo "rebuilding $WS: its dataset does not pass the current policy" >&2
  rm -rf "$WS" "$TRAIN"/emoji-32 "$TRAIN"/emoji-64 "$TRAIN"/emoji-128
fi
if [ ! -d "$WS" ]; then
  mkdir -p "$TRAIN"
  "$ATELIER" init "$WS" >/dev/null
  atelier ingest "$EMOJI" --workers 2 --license Apache-2.0 >/dev/null
  atelier dataset create emoji >/dev/null
fi
for R in 32 64 128; do  # the peer's input; the Atelier trainer reads the snapshot itself
  [ -f "$TRAIN/emoji-$R/dataset.json" ] || { rm -rf "$TRAIN/emoji-$R"; atelier dataset export emoji --format shards --resolution "$R" --out "$TRAIN/emoji-$R" >/dev/null; }
done

# --- builds ----------------------------------------------------------------------------------------
[ -f "$HARNESS" ] && [ -z "${REBUILD:-}" ] || dotnet build -c Release bench/Atelier.Bench.Training -v q -nologo >/dev/null
HAS_TRAIN=0
atelier train --help 2>/dev/null | grep -q -- '--model' && HAS_TRAIN=1

STAMP=$(date -u +%Y%m%dT%H%M%S)   # run names are unique per invocation
RESULTS=$OUT/results.tsv
: > "$RESULTS"
# record CONTENDER RESOLUTION JSON_FILE KEY... : one row per key found in the JSON document
record() {
  local who=$1 res=$2 file=$3; shift 3
  "$PY" - "$who" "$res" "$file" "$@" >> "$RESULTS" <<'PYEOF'
import json, sys
who, res, path, keys = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
text = open(path).read()
try:
    doc = json.loads(text)
except ValueError:  # one JSON line after other output
    doc = json.loads(text.strip().splitlines()[-1])
for k in keys:
    if k in doc:
        print(f"{who}\t{res}\t{k}\t{doc[k]}")
PYEOF
}
load() { cut -d' ' -f1 /proc/loadavg; }

echo "$REPS repetitions, contenders interleaved; atelier train: $([ $HAS_TRAIN = 1 ] && echo yes || echo 'not yet (peer, peak, step only)')" >&2
for rep in $(seq "$REPS"); do
  echo "repetition $rep/$REPS (load $(load))" >&2
  printf 'machine\t-\tload\t%s\n' "$(load)" >> "$RESULTS"
  for R in 32 64; do
    K=$KIMG32; [ "$R" = 64 ] && K=$KIMG64
    if [ $HAS_TRAIN = 1 ]; then
      atelier train --dataset emoji --model dcgan --resolution "$R" --kimg "$K" --batch 64 --ema 0 --seed 1 --name "bench$R-$rep-$STAMP" --json > "$OUT/atelier.json"
      record "atelier dcgan" "$R" "$OUT/atelier.json" imagesPerSecond secPerKimg secondsPerKimg peakRssBytes
    fi
    "$PY" bench/training/dcgan_peer.py "$TRAIN/emoji-$R" --kimg "$K" > "$OUT/peer.json"
    record "pytorch dcgan" "$R" "$OUT/peer.json" imagesPerSecond peakRssBytes
    # the peak right before the step, so the share compares figures taken under the same load
    dotnet "$HARNESS" peak --samples 5 > "$OUT/peak.json" 2>/dev/null
    record "libtorch matmul" "$R" "$OUT/peak.json" peakGflops
    dotnet "$HARNESS" step "$R" --iterations "$STEP_ITERS" > "$OUT/step.json" 2>/dev/null
    record "atelier dcgan step" "$R" "$OUT/step.json" msPerIteration gflopsPerSecond imagesPerSecond
  done
  if [ $HAS_TRAIN = 1 ] && [ "${MODERN:-1}" = 1 ]; then
    for R in 64 128; do
      # the modern model as shipped (its own batch, EMA and augmentation defaults)
      atelier train --dataset emoji --model modern --resolution "$R" --kimg "$KIMG_MODERN" --seed 1 --name "modern$R-$rep-$STAMP" --json > "$OUT/modern.json"
      record "atelier modern" "$R" "$OUT/modern.json" imagesPerSecond secPerKimg secondsPerKimg peakRssBytes
    done
  fi
  printf 'machine\t-\tload\t%s\n' "$(load)" >> "$RESULTS"
done

for R in 32 64 128; do dotnet "$HARNESS" flops "$R" 2>/dev/null > "$OUT/flops-$R.json"; done
"$PY" - "$RESULTS" "$OUT" <<'PYEOF'
import collections, json, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    who, res, key, value = line.rstrip("\n").split("\t")
    rows[(who, res, key)].append(float(value))
med = {k: statistics.median(v) for k, v in rows.items()}
flops = {r: json.load(open(f"{sys.argv[2]}/flops-{r}.json")) for r in ("32", "64", "128")}
loads = rows.get(("machine", "-", "load"), [])
print(f"1-min load average at the start/end of each repetition: {', '.join(f'{l:.1f}' for l in loads)} (2 cores)")
print()
print("contender | R | metric | runs | median (min-max)")
print("--- | ---: | --- | ---: | ---:")
for (who, res, key), v in rows.items():
    if who == "machine": continue
    print(f"{who} | {res} | {key} | {len(v)} | {statistics.median(v):.4g} ({min(v):.4g}-{max(v):.4g})")
print()
print("R | GFLOP per iteration (analytic) | MMAC/image G fwd | D fwd")
print("---: | ---: | ---: | ---:")
for r, f in flops.items():
    print(f"{r} | {f['flops'] / 1e9:.1f} | {f['generatorMacs'] / 1e6:.1f} | {f['discriminatorMacs'] / 1e6:.1f}")
print()
def per_rep(num, den):  # ratio of each repetition's adjacent runs, then the median: robust to load drift
    a, b = rows.get(num, []), rows.get(den, [])
    return statistics.median(x / y for x, y in zip(a, b)) if a and b else None
print("ratio | median of per-repetition ratios | ratio of medians | target")
print("--- | ---: | ---: | ---")
for r in ("32", "64"):
    ips = lambda who: (who, r, "imagesPerSecond")
    a, p, s = med.get(ips("atelier dcgan")), med.get(ips("pytorch dcgan")), med.get(ips("atelier dcgan step"))
    if a and p: print(f"{r}x{r}: atelier images/s over pytorch images/s | {per_rep(ips('atelier dcgan'), ips('pytorch dcgan')):.2f} | {a / p:.2f} | >= 1.5")
    else: print(f"{r}x{r}: atelier images/s over pytorch images/s | (to be measured: needs atelier train) | | >= 1.5")
    if s and p: print(f"{r}x{r}: atelier step alone (no data pipeline) images/s over pytorch images/s | {per_rep(ips('atelier dcgan step'), ips('pytorch dcgan')):.2f} | {s / p:.2f} | - (reference)")
    g, peak = ("atelier dcgan step", r, "gflopsPerSecond"), ("libtorch matmul", r, "peakGflops")
    if g in med and peak in med:
        print(f"{r}x{r}: atelier step GFLOP/s over libtorch matmul peak (median peak {med[peak]:.0f} GFLOP/s) | {100 * per_rep(g, peak):.0f}% | {100 * med[g] / med[peak]:.0f}% | >= 50%")
        if p: print(f"{r}x{r}: pytorch peer GFLOP/s (analytic FLOPs x images/s) over the same peak | | {100 * flops[r]['flops'] / 64 * p / 1e9 / med[peak]:.0f}% | - (reference)")
PYEOF
