#!/usr/bin/env bash
# Did the fix work? Compare two analyses of the same cluster (Pipelines/analyse.sh's OUT_DIRs, or any
# folders holding report.partial) with `report --diff`, in every format.
#   usage: Pipelines/compare.sh BEFORE_DIR AFTER_DIR DIFF_DIR [REPORT_OPTION...]   (e.g. --top 50)
# Writes DIFF_DIR/diff.txt, diff.md, diff.html and diff.json: per host, key family, user, listed key and
# slab class, what grew, shrank, appeared, went away or moved host (docs/report.md, "Capture diff").
set -euo pipefail
if [ $# -lt 3 ]; then sed -n '2,6p' "$0" >&2; exit 64; fi
before=$1/report.partial; after=$2/report.partial; out=$3; shift 3
for f in "$before" "$after"; do
  [ -r "$f" ] || { echo "compare.sh: $f: no report.partial there (run Pipelines/analyse.sh first)" >&2; exit 2; }
done
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${MCF_BIN:-$(cd "$here" && swift build -c release --show-bin-path)}
[ -x "$bin/report" ] || (cd "$here" && swift build -c release --product report >&2)
mkdir -p "$out"
status=0
for f in text markdown html json; do
  ext=$f; [ $f = text ] && ext=txt; [ $f = markdown ] && ext=md
  "$bin/report" --diff --format "$f" --output "$out/diff.$ext" "$@" "$before" "$after" || status=$?
done
exit $status
