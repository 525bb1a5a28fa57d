#!/usr/bin/env bash
# Analyse a capture offline: decode | attribute | report, into a postmortem folder.
#   usage: Pipelines/analyse.sh CAPTURE_DIR USERS_FILE OUT_DIR [SERVERS]
#   CAPTURE_DIR holds *.mcdump.gz (from collect); USERS_FILE is `openstack user list --long -f json|csv`,
#   or `-` for none (any other application: key families, kinds and placement, no owners);
#   SERVERS is the clients' ordered list "h:p,h:p" (default: CAPTURE_DIR/servers.txt, one per line).
# Writes OUT_DIR/records.ndjson (attributed records, token ids redacted), report.txt, report.md, report.html,
# report.json (each with the what-if section for SERVERS), and report.partial (the mergeable aggregate).
set -euo pipefail
if [ $# -lt 3 ]; then sed -n '2,8p' "$0" >&2; exit 64; fi
cap=$1; users=$2; out=$3
servers=${4:-$(paste -sd, "$cap/servers.txt")}
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${MCF_BIN:-$(cd "$here" && swift build -c release --show-bin-path)}
mkdir -p "$out"
user_args=()
if [ "$users" != - ]; then user_args=(--users "$users"); fi
status=0
"$bin/decode" "$cap"/*.mcdump.gz \
  | "$bin/attribute" ${user_args[@]+"${user_args[@]}"} --servers "$servers" --redact \
  > "$out/records.ndjson" || status=$?
# One pass over the records into a partial aggregate, then every format from it (report --merge).
"$bin/report" --format json --partial --servers "$servers" "$out/records.ndjson" > "$out/report.partial" || status=$?
for f in text markdown html json; do
  ext=$f; [ $f = text ] && ext=txt; [ $f = markdown ] && ext=md
  "$bin/report" --merge --format "$f" "$out/report.partial" > "$out/report.$ext" || status=$?
done
exit $status
