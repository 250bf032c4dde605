#!/usr/bin/env bash
# Which model and settings give the best FD-ResNet18 on the built-in sample within a few CPU minutes: the
# measurement behind the demo's choice (docs/decisions/0011). Trains each candidate at 32x32 on the demo's
# snapshot (the sample, rated general, near duplicates and low-information images out), keeps every checkpoint,
# scores each with `atelier eval` (all snapshot images, seed 0) and prints one TSV row per checkpoint:
# candidate, kimg, process CPU seconds of training up to it (the run's CPU time in proportion to kimg), FD, KID.
# Usage: bench/demo-choice/run.sh [WORKDIR]   env: ATELIER (the CLI command, default ./atelier),
#        CANDIDATES (names to run, default all), SCALE (multiplies every length, default 1).
set -euo pipefail
cd "$(dirname "$0")/../.."
work="$(realpath -m "${1:-bench/data/demo-choice}")"
at="${ATELIER:-./atelier}"
scale="${SCALE:-1}"
a() { $at --workspace "$work/ws" "$@"; }
len() { python3 -c "print(round($1 * $scale, 3))"; }
if [ ! -f "$work/ws/.atelier/catalog.db" ]; then
  rm -rf "$work"; mkdir -p "$work"
  $at init "$work/ws" >/dev/null
  a ingest data/emoji-sample --metadata emoji.json --license Apache-2.0 --source noto-emoji \
    --map tags:short_names=general --map tags:category=category --map tags:subcategory=subcategory >/dev/null
  a curate >/dev/null
  a exclude flag:near-duplicate --reason "near duplicate" >/dev/null
  a rate all general >/dev/null
  a dataset create emoji-v1 --where "-flag:low-information" >/dev/null
fi
# name | arguments (lengths in kimg, scaled by SCALE)
declare -A args=(
  [dcgan]="--model dcgan --kimg $(len 60) --snapshot-kimg $(len 10)"
  [dcgan-ada-ema]="--model dcgan --augment ada --mirror true --ema 1 --kimg $(len 60) --snapshot-kimg $(len 10)"
  [modern]="--model modern --kimg $(len 12) --snapshot-kimg $(len 2)"
  [modern-wide-lr]="--model modern --lr 5e-4 --kimg $(len 12) --snapshot-kimg $(len 2)"
)
names="${CANDIDATES:-dcgan dcgan-ada-ema modern modern-wide-lr}"
printf 'candidate\tkimg\tcpu_s\tfd_resnet18\tkid\n'
for name in $names; do
  if ! a runs show "$name" >/dev/null 2>&1; then
    # shellcheck disable=SC2086
    a train --dataset emoji-v1 --resolution 32 --tick-kimg 1 --keep 1000 --device cpu --name "$name" ${args[$name]} --json > "$work/$name.train.json" 2> "$work/$name.train.log"
  fi
  a runs show "$name" --json > "$work/$name.show.json"
  for id in $(python3 -c "import json,sys; print(' '.join(str(c['id']) for c in json.load(open(sys.argv[1]))['checkpoints'] if not c['deleted']))" "$work/$name.show.json"); do
    [ -f "$work/$name.$id.eval.json" ] || a eval --run "$name" --checkpoint "$id" --json > "$work/$name.$id.eval.json"
    python3 - "$work/$name.show.json" "$work/$name.$id.eval.json" "$name" <<'PY'
import json, sys
show, ev, name = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
train = [e for e in show["energy"]["invocations"] if e["stage"] == "train"]
cpu = sum(e["cpuSeconds"] for e in train)
frac = ev["checkpointImages"] / show["imagesSeen"]
print(f'{name}\t{ev["checkpointImages"] / 1000:.1f}\t{cpu * frac:.0f}\t{ev["frechetDistance"]["value"]:.2f}\t{ev["kid"]["value"]:.4f}')
PY
  done
done
