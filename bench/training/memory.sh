#!/usr/bin/env bash
# Resident memory of a long training run: 10,000 DCGAN steps at 32x32, batch 8, on the sample emoji.
# Prints the RSS at each tick (every 500 steps) and the spread after the first 1,000 steps.
# Usage: bench/training/memory.sh [MODEL] [STEPS]     (defaults: dcgan 10000)
set -euo pipefail
cd "$(dirname "$0")/../.."
model="${1:-dcgan}"; steps="${2:-10000}"; batch=8
ws="$(mktemp -d)"; trap 'rm -rf "$ws"' EXIT
a() { ./atelier --workspace "$ws" "$@"; }
a init "$ws" >/dev/null
a ingest data/emoji-sample --metadata emoji.json --map tags:category=category --license Apache-2.0 >/dev/null
a dataset create emoji >/dev/null
kimg=$(python3 -c "print($steps*$batch/1000)"); tick=$(python3 -c "print(500*$batch/1000)")
a train --dataset emoji --model "$model" --resolution 32 --batch $batch --kimg "$kimg" --tick-kimg "$tick" \
  --snapshot-kimg "$kimg" --name mem --device cpu --json > "$ws/result.json"
python3 - "$ws/.atelier/runs/mem/metrics.jsonl" "$batch" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
batch = int(sys.argv[2])
for r in rows:
    print(f"step {r['images'] // batch:6d}  rss {r['memory/rss_mib']:7.1f} MiB")
after = [r['memory/rss_mib'] for r in rows if r['images'] // batch > 1000]
print(f"after step 1000: min {min(after):.1f} MiB, max {max(after):.1f} MiB, spread {100 * (max(after) / min(after) - 1):.1f}%")
PY
cat "$ws/result.json"
