#!/usr/bin/env bash
# The transfer benchmark on the full emoji set's base images: the 1,911 emoji that emoji.json lists (skin-tone variants
# left out: they are People & Body, which neither snapshot uses, and would enter "others" untagged). The set comes from
# the npm registry (emoji-datasource-google@16.0.0: its emoji.json and 64 px images, Apache-2.0 images, MIT package),
# fetched into WORKDIR/set unless EMOJI_SET_DIR (a folder holding img/ and emoji.json) is given.
# Usage: bench/init-from/full-set.sh [WORKDIR]   (env: EMOJI_SET_DIR=, and those of run.sh)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="${1:-$(mktemp -d /tmp/init-from-full.XXXXXX)}"
mkdir -p "$work/base"
set_dir="${EMOJI_SET_DIR:-$work/set}"
if [ ! -f "$set_dir/emoji.json" ]; then
  mkdir -p "$set_dir"
  "$here/../fetch-emoji.sh" "$set_dir" "$set_dir/img"
  tar -xzf "$set_dir/emoji-datasource-google-16.0.0.tgz" -C "$set_dir" --strip-components=1 package/emoji.json
fi
/usr/bin/python3 - "$set_dir" "$work/base" <<'PY'
import json, os, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
entries = json.load(open(os.path.join(src, "emoji.json")))
for e in entries:
    shutil.copyfile(os.path.join(src, "img", e["image"]), os.path.join(dst, e["image"]))
json.dump([{k: e[k] for k in ("name", "image", "short_name", "category", "subcategory") if k in e} for e in entries],
          open(os.path.join(dst, "emoji.json"), "w"))
print(f"{len(entries)} base emoji copied to {dst}")
PY
SOURCE="$work/base" exec "$here/run.sh" "$work/bench"
