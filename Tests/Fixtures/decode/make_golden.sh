#!/usr/bin/env bash
# Regenerates the golden decode fixtures: the inputs (make_golden.py) and, for each, the NDJSON and
# exit status `decode` gives today (review the diff before committing!).
#   Tests/Fixtures/decode/make_golden.sh [path/to/decode]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
decode="${1:-$here/../../../.build-w/debug/decode}"
decode="$(cd "$(dirname "$decode")" && pwd)/$(basename "$decode")"
py="${MCF_PYTHON:-$here/../../../.venv/bin/python}"
cd "$here"
"$py" make_golden.py
: > golden-status.txt
for input in small.mcdump.gz incomplete.mcdump.gz capture.nc metadump.txt cachedump.txt; do
  status=0
  "$decode" "$input" > "$input.ndjson" 2> /dev/null || status=$?
  echo "$input $status" >> golden-status.txt
done
for args in "--values summary" "--values none" "--max-value-json 40"; do
  name="small.mcdump.gz$(echo " $args" | tr ' ' '_').ndjson"
  status=0
  "$decode" $args small.mcdump.gz > "$name" 2> /dev/null || status=$?
  echo "small.mcdump.gz $args $status" >> golden-status.txt
done
cat golden-status.txt
