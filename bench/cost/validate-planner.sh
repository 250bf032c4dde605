#!/usr/bin/env bash
# Validates the cost planner on the built-in emoji sample: calibrate DCGAN at 32 px with short runs on the snapshot's own
# export (`--dataset emoji`, which builds the export the run then reads, so the one-off export is in neither side), predict
# a run ten times longer than the calibration's timed images, train exactly that run, and print predicted against
# measured wall time and energy (figures for docs/BENCHMARKS.md). Usage: bench/cost/validate-planner.sh [WORKSPACE]
# ATELIER_CMD overrides the CLI (default: ./atelier); REPEATS, STEPS set the calibration (default 3 x 8 steps);
# DATA=synthetic calibrates on synthetic noise images instead (the default before `--dataset` existed).
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
atelier="${ATELIER_CMD:-$here/atelier}"
ws="${1:-$(mktemp -d)}"
repeats="${REPEATS:-3}"; steps="${STEPS:-8}"; batch=64
data=(--dataset emoji); [ "${DATA:-snapshot}" = synthetic ] && data=()
a() { $atelier --workspace "$ws" "$@"; }
[ -d "$ws/.atelier" ] || a init >/dev/null
a ingest "$here/data/emoji-sample" --metadata emoji.json --license Apache-2.0 --map tags:category=category >/dev/null
a rate all general >/dev/null
a dataset create emoji >/dev/null 2>&1 || true
# Without --dataset nothing builds the export before the run: a tiny run does, so it is not part of the compared run.
[ ${#data[@]} -eq 0 ] && a train --dataset emoji --model dcgan --resolution 32 --kimg 0.064 --name export-warmup --device cpu >/dev/null
echo "load before calibrate: $(cat /proc/loadavg) on $(nproc) cores"
a cost calibrate --models dcgan --resolutions 32 --repeats "$repeats" --steps "$steps" --device cpu "${data[@]}"
timed=$((repeats * steps * batch))
kimg=$(awk "BEGIN { print $timed * 10 / 1000 }")
echo "calibration timed $timed images; the validation run is 10x: $kimg kimg"
a cost estimate --model dcgan --resolution 32 --kimg "$kimg"
a cost estimate --model dcgan --resolution 32 --kimg "$kimg" --json > "$ws/estimate.json"
echo "load before train: $(cat /proc/loadavg)"
a train --dataset emoji --model dcgan --resolution 32 --kimg "$kimg" --name validation --device cpu --json > "$ws/train.json"
echo "load after train: $(cat /proc/loadavg)"
jq -r --slurpfile e "$ws/estimate.json" '
  .cost.thisSession as $m | $e[0] as $p |
  "predicted wall \($p.wallSeconds.expected | . * 10 | round / 10) s (\($p.wallSeconds.low | round)-\($p.wallSeconds.high | round)), measured \($m.wallSeconds | . * 10 | round / 10) s, measured/predicted \($m.wallSeconds / $p.wallSeconds.expected | . * 1000 | round / 1000)",
  "predicted energy \($p.kwh.expected) kWh (\($p.kwh.low)-\($p.kwh.high)), measured \($m.kwh) kWh (\($m.method)), measured/predicted \($m.kwh / $p.kwh.expected | . * 1000 | round / 1000)",
  "steady speed in the run: \(.secondsPerKimg | . * 100 | round / 100) s/kimg against the calibration median \($p.secondsPerKimg.expected | . * 100 | round / 100)"' "$ws/train.json"
