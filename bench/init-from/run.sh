#!/usr/bin/env bash
# Transfer benchmark (issue 11, item 6): time and energy for a small snapshot to reach an FD-ResNet18 target, training
# from scratch against training from an earlier run on other data (`atelier train --init-from`).
#   data:     SOURCE (default data/emoji-sample: a folder of emoji PNGs with their emoji.json); "smileys" = the Smileys & Emotion emoji (the small target snapshot), "others" = every
#             emoji but Smileys & Emotion and People & Body (the earlier run's data: no image in common).
#   earlier:  DCGAN 32 px on "others", PRE_KIMG kimg (its cost is reported, not counted in the transfer's).
#   compared: DCGAN 32 px on "smileys", KIMG kimg, a checkpoint every SNAP kimg, for each seed in SEEDS a pair with
#             that seed, from scratch and --init-from the earlier run, both trained at once (side by side: the same
#             machine load for both); EMA half-life EMA kimg (0: none, DCGAN's default) for the pairs and the earlier run.
#             FREEZE_D=K adds a third run to each seed's set, "freezed-sN": --init-from the earlier run with --freeze-d K
#             (D's first K blocks kept as the earlier run left them), trained side by side with the pair.
#   scored:   every checkpoint with `atelier eval --n N --seed 0` (FD-ResNet18 against the smileys snapshot); with
#             UNTIL_TARGET=1 the scratch run's every checkpoint, the others' in order up to the first at or below its
#             target (all the summary needs: their curves beyond it are left out).
#   target:   TARGET if given, else the best FD the pair's scratch run reached; time to reach = from the run's start to the
#             first checkpoint at or below it (catalog times); energy = the run's kWh × that share of its wall time.
#             The summary gives each pair's speed-up and, with several seeds, their median.
# Usage: bench/init-from/run.sh [WORKDIR]   (env: PRE_KIMG=30 KIMG=16 SNAP=1 N=256 SEEDS=2 EMA=0 TARGET= SOURCE= FREEZE_D= UNTIL_TARGET=)
# The full emoji set's base images (1,911; bench/fetch-emoji.sh gets them, emoji.json lists them) make a larger target
# (169 smileys) than the sample's 34: bench/init-from/full-set.sh prepares that folder and runs this script on it.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="${1:-$(mktemp -d /tmp/init-from-bench.XXXXXX)}"
PRE_KIMG="${PRE_KIMG:-30}" KIMG="${KIMG:-16}" SNAP="${SNAP:-1}" N="${N:-256}" SEEDS="${SEEDS-2}" EMA="${EMA:-0}" TARGET="${TARGET:-}" SOURCE="${SOURCE:-$repo/data/emoji-sample}"
FREEZE_D="${FREEZE_D:-}" UNTIL_TARGET="${UNTIL_TARGET:-}"
a() { "$repo/atelier" --workspace "$work/ws" "$@"; }
mkdir -p "$work"
echo "workdir $work; source $SOURCE; PRE_KIMG=$PRE_KIMG KIMG=$KIMG SNAP=$SNAP N=$N SEEDS=$SEEDS EMA=$EMA FREEZE_D=$FREEZE_D UNTIL_TARGET=$UNTIL_TARGET; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$work/setup.txt"
# A WORKDIR whose earlier run is done is taken as it is: the earlier run can be made first (SEEDS= empty) and the pairs later.
if [ ! -d "$work/ws" ]; then
  "$repo/atelier" init "$work/ws" >/dev/null
  a ingest "$SOURCE" --metadata emoji.json --map tags:category=category --license Apache-2.0 --source noto >/dev/null
  a rate all general >/dev/null
  a dataset create smileys --where "tag:smileys_&_emotion" >/dev/null
  a dataset create others --where "all -tag:smileys_&_emotion -tag:people_&_body" >/dev/null
fi
common=(--model dcgan --resolution 32 --device cpu --ema "$EMA")
if [ ! -s "$work/show-earlier.json" ]; then
  a train --dataset others "${common[@]}" --seed 2 --kimg "$PRE_KIMG" --snapshot-kimg "$PRE_KIMG" --name earlier --json >"$work/earlier.json" 2>"$work/earlier.log"
  a runs show earlier --json >"$work/show-earlier.json"
fi
# Each checkpoint of RUN in order, scored; with a target (a number), the first at or below it ends the list.
score() {
  local run=$1 target=${2:-} id fd
  a runs show "$run" --json >"$work/show-$run.json"
  for id in $(python3 -c 'import json,sys; print(" ".join(str(c["id"]) for c in sorted(json.load(open(sys.argv[1]))["checkpoints"], key=lambda c: c["imagesSeen"]) if not c["deleted"]))' "$work/show-$run.json"); do
    a eval --run "$run" --checkpoint "$id" --n "$N" --seed 0 --device cpu --json >"$work/eval-$run-$id.json"
    fd=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["frechetDistance"]["value"])' "$work/eval-$run-$id.json")
    if [ -n "$target" ] && python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)' "$fd" "$target"; then break; fi
  done
}
# The target a seed's other runs are scored up to: TARGET, or the best its scratch run reached.
target_of() {
  [ -n "$TARGET" ] && { echo "$TARGET"; return; }
  python3 -c 'import glob,json,sys; print(min(json.load(open(p))["frechetDistance"]["value"] for p in glob.glob(sys.argv[1] + "/eval-scratch-s" + sys.argv[2] + "-*.json")))' "$work" "$1"
}
# One of a seed's runs on the target snapshot, in the background: RUN SEED [extra train options].
target_run() {
  local run=$1 seed=$2; shift 2
  a train --dataset smileys "${common[@]}" --seed "$seed" --kimg "$KIMG" --snapshot-kimg "$SNAP" --keep 1000 --name "$run" "$@" --json >"$work/$run.json" 2>"$work/$run.log" &
}
for seed in $SEEDS; do
  target_run "scratch-s$seed" "$seed"
  target_run "transfer-s$seed" "$seed" --init-from earlier
  if [ -n "$FREEZE_D" ]; then target_run "freezed-s$seed" "$seed" --init-from earlier --freeze-d "$FREEZE_D"; fi
  wait
  score "scratch-s$seed"
  target=""
  if [ -n "$UNTIL_TARGET" ]; then target=$(target_of "$seed"); fi
  score "transfer-s$seed" "$target"
  if [ -n "$FREEZE_D" ]; then score "freezed-s$seed" "$target"; fi
done
python3 "$repo/bench/init-from/summarise.py" "$work" "$SEEDS" "$TARGET" | tee "$work/summary.md"
