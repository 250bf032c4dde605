#!/usr/bin/env bash
# Ingest benchmark: Atelier ingest end to end vs a Pillow peer, and (JPEG set) the libjpeg-turbo
# decode floor. Prepares data under bench/data/ if missing, repeats every measurement REPS times
# with the contenders interleaved, prints medians and ratios. Usage (from anywhere):
#   bench/ingest/run.sh            # REPS=5 STAGES=1 EATMYDATA=1 by default
#   BASELINE_CLI=/path/to/other/atelier.dll bench/ingest/run.sh
#                                  # adds "baseline --workers 2" rows run by another build of the CLI,
#                                  # interleaved with the others, for before/after comparisons
#   JPEG_COUNT=60 PEERS=0 bench/ingest/run.sh
#                                  # a smaller JPEG set (bench/data/jpeg-8mp-60) and no Pillow/djpeg rows:
#                                  # a quicker before/after when the machine is too loaded for the full run
# Needs: dotnet, npm, /usr/bin/python3 with python3-pil + python3-numpy, djpeg (libjpeg-turbo-progs);
# optional: eatmydata (adds a reference row with every fsync turned into a no-op).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
REPS=${REPS:-5}
STAGES=${STAGES:-1}
EATMYDATA=${EATMYDATA:-1}
PY=/usr/bin/python3   # Debian's python3 with python3-pil, not a pyenv shim
DATA=$ROOT/bench/data
OUT=$ROOT/bench/out/ingest
EMOJI=$DATA/emoji-64
JPEG_COUNT=${JPEG_COUNT:-300}
PEERS=${PEERS:-1}
JPEG=$DATA/jpeg-8mp; [ "$JPEG_COUNT" = 300 ] || JPEG=$DATA/jpeg-8mp-$JPEG_COUNT
CLI=$ROOT/src/Atelier.Cli/bin/Release/net10.0/atelier.dll
HARNESS=$ROOT/bench/Atelier.Bench.Ingest/bin/Release/net10.0/Atelier.Bench.Ingest.dll
mkdir -p "$DATA" "$OUT"

# --- data -------------------------------------------------------------------------------------
bench/fetch-emoji.sh "$DATA" "$EMOJI"
if [ "$(ls "$JPEG"/*.jpg 2>/dev/null | wc -l)" -ne "$JPEG_COUNT" ]; then
  "$PY" bench/ingest/make_jpegs.py "$JPEG" "$JPEG_COUNT" 3456 2304
fi

# --- builds -----------------------------------------------------------------------------------
[ -f "$CLI" ] && [ -z "${REBUILD:-}" ] || dotnet build -c Release src/Atelier.Cli -v q -nologo >/dev/null
[ -f "$HARNESS" ] && [ -z "${REBUILD:-}" ] || dotnet build -c Release bench/Atelier.Bench.Ingest -v q -nologo >/dev/null

# Prefer the real CLI; until it has an 'ingest' command, the harness runs the same Ingestion
# pipeline (Atelier.Ingest.Pipeline.Ingestion.RunAsync) in its own process the same way.
if dotnet "$CLI" ingest --help 2>/dev/null | grep -q -- '--workers'; then
  INGEST_BY="atelier CLI"
  init() { dotnet "$CLI" init "$1" >/dev/null; }
  ingest() { local ws=$1 w=$2 src=$3; shift 3; ( cd "$ws" && "$@" dotnet "$CLI" ingest "$src" --workers "$w" --json ); }
else
  INGEST_BY="bench harness (the CLI has no ingest command yet)"
  init() { dotnet "$HARNESS" init "$1"; }
  ingest() { local ws=$1 w=$2 src=$3; shift 3; "$@" dotnet "$HARNESS" ingest "$ws" "$src" --workers "$w"; }
fi

RESULTS=$OUT/results.tsv
: > "$RESULTS"; : > "$OUT/load.txt"
now() { date +%s.%N; }
# record SET CONTENDER FILES SECONDS [PEAK_RSS_KB]
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-}" >> "$RESULTS"; }
RSS=$OUT/rss.txt   # peak resident set size of the last timed command, from GNU time

run_atelier() { # set folder workers label [prefix command...]
  local set=$1 src=$2 w=$3 label=$4; shift 4
  local ws=$OUT/ws; rm -rf "$ws"; init "$ws"; sync
  local t0 t1; t0=$(now)
  if [ "$label" = "baseline --workers 2" ]; then
    ( cd "$ws" && /usr/bin/time -o "$RSS" -f %M "$@" dotnet "$BASELINE_CLI" ingest "$src" --workers "$w" --json ) > "$OUT/last-summary.json"
  else
    ingest "$ws" "$w" "$src" /usr/bin/time -o "$RSS" -f %M "$@" > "$OUT/last-summary.json"
  fi
  t1=$(now)
  grep -q '"Added":0,' "$OUT/last-summary.json" && { echo "ingest added nothing: $(cat "$OUT/last-summary.json")" >&2; exit 1; }
  record "$set" "$label" "$(ls "$src" | wc -l)" "$(echo "$t1 - $t0" | bc)" "$(tail -1 "$RSS")"
}
run_timed() { # set label files command...
  local set=$1 label=$2 files=$3; shift 3
  # Shell functions (djpeg_all) run in a child bash, so GNU time can measure them too.
  if declare -F "$1" >/dev/null; then set -- bash -c "$(declare -f "$1"); \"\$@\"" _ "$@"; fi
  local t0 t1; t0=$(now); /usr/bin/time -o "$RSS" -f %M "$@" > /dev/null; t1=$(now)
  record "$set" "$label" "$files" "$(echo "$t1 - $t0" | bc)" "$(tail -1 "$RSS")"
}
export JPEG
djpeg_all() { find "$JPEG" -name '*.jpg' -print0 | xargs -0 -n 1 -P 2 djpeg "$@" -outfile /dev/null; }

echo "Ingest via: $INGEST_BY; $REPS repetitions, contenders interleaved" >&2
for rep in $(seq "$REPS"); do
  echo "repetition $rep/$REPS (1-minute load average $(cut -d' ' -f1 /proc/loadavg))" >&2
  cut -d' ' -f1 /proc/loadavg >> "$OUT/load.txt"
  for set in emoji jpeg; do
    src=$EMOJI; [ "$set" = jpeg ] && src=$JPEG
    files=$(ls "$src" | wc -l)
    run_atelier "$set" "$src" 2 "atelier --workers 2"
    if [ -n "${BASELINE_CLI:-}" ]; then run_atelier "$set" "$src" 2 "baseline --workers 2"; fi
    if [ "$PEERS" = 1 ]; then run_timed "$set" "pillow Pool(2)" "$files" "$PY" bench/ingest/pillow_peer.py "$src" 2; fi
    if [ "$set" = jpeg ] && [ "$PEERS" = 1 ]; then
      run_timed "$set" "pillow Pool(2), decode >=512 px" "$files" "$PY" bench/ingest/pillow_peer.py "$src" 2 512
      run_timed "$set" "djpeg full size, 2 procs" "$files" djpeg_all
      run_timed "$set" "djpeg -scale 1/4, 2 procs" "$files" djpeg_all -scale 1/4
      run_timed "$set" "djpeg -scale 1/8, 2 procs" "$files" djpeg_all -scale 1/8
    fi
    run_atelier "$set" "$src" 1 "atelier --workers 1"
    if [ "$EATMYDATA" = 1 ] && command -v eatmydata >/dev/null; then
      run_atelier "$set" "$src" 2 "atelier --workers 2, fsync off (eatmydata)" eatmydata
    fi
  done
done
rm -rf "$OUT/ws"

"$PY" - "$RESULTS" "$INGEST_BY" "$OUT/load.txt" <<'PYEOF'
import collections, statistics, sys
rows = collections.defaultdict(list); files = {}; rss = collections.defaultdict(list)
for line in open(sys.argv[1]):
    s, c, n, t, m = line.rstrip("\n").split("\t")
    rows[(s, c)].append(float(t)); files[(s, c)] = int(n)
    if m: rss[(s, c)].append(int(m) / 1024)
med = {k: statistics.median(v) for k, v in rows.items()}
print(f"Ingest via: {sys.argv[2]}")
loads = [float(x) for x in open(sys.argv[3]).read().split()]
if loads: print(f"1-minute load average at the start of each repetition: {min(loads):.1f}-{max(loads):.1f} (2 CPUs)")
print("set | contender | files | runs | median wall s (min-max) | images/s | median peak RSS MiB")
print("--- | --- | ---: | ---: | ---: | ---: | ---:")
for (s, c), v in rows.items():
    peak = f"{statistics.median(rss[(s, c)]):.0f}" if rss[(s, c)] else "-"
    print(f"{s} | {c} | {files[(s, c)]} | {len(v)} | {med[(s, c)]:.2f} ({min(v):.2f}-{max(v):.2f}) | {files[(s, c)] / med[(s, c)]:.0f} | {peak}")
print()
print("ratio | value | target")
print("--- | ---: | ---")
for s in ("emoji", "jpeg"):
    a, p = med.get((s, "atelier --workers 2")), med.get((s, "pillow Pool(2)"))
    if a and p: print(f"{s}: atelier images/s over pillow images/s | {p / a:.2f}x | >= 1.5x")
a = med.get(("jpeg", "atelier --workers 2"))
b = med.get(("jpeg", "baseline --workers 2"))
for c, target in (("djpeg full size, 2 procs", "<= 1.5"), ("djpeg -scale 1/4, 2 procs", "- (reference)"), ("djpeg -scale 1/8, 2 procs", "- (reference: the scaling ingest decodes at)")):
    if a and med.get(("jpeg", c)): print(f"jpeg: atelier time over {c} | {a / med[('jpeg', c)]:.2f} | {target}")
    if b and med.get(("jpeg", c)): print(f"jpeg: baseline time over {c} | {b / med[('jpeg', c)]:.2f} | {target}")
for s in ("emoji", "jpeg"):
    a, b = med.get((s, "atelier --workers 2")), med.get((s, "baseline --workers 2"))
    if a and b: print(f"{s}: baseline time over atelier time | {b / a:.2f} | -")
for s in ("emoji", "jpeg"):
    a, e = med.get((s, "atelier --workers 2")), med.get((s, "atelier --workers 2, fsync off (eatmydata)"))
    one = med.get((s, "atelier --workers 1"))
    if a and one: print(f"{s}: atelier --workers 1 time over --workers 2 | {one / a:.2f} | (2.0 = perfect scaling)")
    if a and e: print(f"{s}: atelier time with fsync over without | {a / e:.2f} | -")
PYEOF

if [ "$STAGES" = 1 ]; then
  echo
  dotnet "$HARNESS" stages "$EMOJI" 3 1000
  echo
  dotnet "$HARNESS" stages "$JPEG" 3 60
fi
