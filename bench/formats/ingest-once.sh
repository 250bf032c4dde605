#!/usr/bin/env bash
# bench/formats/ingest-once.sh CLI_DLL SOURCE: a fresh workspace, one ingest with 2 workers, the workspace removed.
# Time it whole (e.g. /usr/bin/time -v), alternating two builds of the CLI, for before/after figures.
set -euo pipefail
ws=$(mktemp -d /tmp/fmt-ws.XXXXXX)
dotnet "$1" init "$ws" >/dev/null
( cd "$ws" && dotnet "$1" ingest "$2" --workers 2 --json > "$ws.json" )
grep -q '"Added":0,' "$ws.json" && { echo "added nothing" >&2; exit 1; }
rm -rf "$ws" "$ws.json"
