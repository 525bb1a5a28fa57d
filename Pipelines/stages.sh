#!/usr/bin/env bash
# The same analysis one stage at a time through intermediate files (each is useful on its own: jq, DuckDB).
#   usage: Pipelines/stages.sh CAPTURE_DIR USERS_FILE OUT_DIR SERVERS
set -euo pipefail
if [ $# -lt 4 ]; then sed -n '2,3p' "$0" >&2; exit 64; fi
cap=$1; users=$2; out=$3; servers=$4
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${MCF_BIN:-$(cd "$here" && swift build -c release --show-bin-path)}
mkdir -p "$out"
"$bin/decode" "$cap"/*.mcdump.gz --output "$out/1-decoded.ndjson"
"$bin/attribute" --users "$users" --servers "$servers" --redact --output "$out/2-attributed.ndjson" "$out/1-decoded.ndjson"
"$bin/report" --format markdown --servers "$servers" --output "$out/3-report.md" "$out/2-attributed.ndjson"
echo "$out/1-decoded.ndjson $out/2-attributed.ndjson $out/3-report.md" >&2
