#!/usr/bin/env bash
# The transfer benchmark on the full emoji set's base images: the 1,911 emoji that emoji.json lists (skin-tone variants
# left out: they are People & Body, which neither snapshot uses, and would enter "others" untagged). EMOJI_DIR is the
# folder of bench/fetch-emoji.sh (3,786 PNGs) with emoji.json beside its parent, as in ../shared/data/emoji-google-64.
# Usage: bench/init-from/full-set.sh EMOJI_SET_DIR [WORKDIR]   (EMOJI_SET_DIR holds img/ and emoji.json; env as run.sh)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
set_dir=$1 work="${2:-$(mktemp -d /tmp/init-from-full.XXXXXX)}"
mkdir -p "$work/base"
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
