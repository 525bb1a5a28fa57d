#!/usr/bin/env bash
# Fuzzes every reader that takes outside bytes (readers-fuzz: the .mcdump.gz reader through
# VerifyingReader, NDJSON records, user lists, report partials, nc captures, metadump and cachedump
# listings, and the parsers of the server's answers) for a bounded time. Tries libFuzzer first
# (swift build -sanitize=fuzzer, built with -DLIBFUZZER); if that cannot build here, runs the seeded
# random mutator. Seeds: the committed fixtures and samples, each behind the byte that picks its reader.
# Reports executions and crashes.
# usage: Benchmarks/fuzz-readers.sh [SECONDS=60]
set -uo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
SEEDS=$(mktemp -d)
trap 'rm -rf "$SEEDS"' EXIT
seed() {  # seed READER_BYTE NAME FILE|-   (the first 60000 bytes)
  { printf "\\x$(printf %02x "$1")"; if [ "$3" = - ]; then cat; else head -c 60000 "$3"; fi; } > "$SEEDS/$2"
}
F=Tests/Fixtures/decode
seed 0 dump-small "$F/small.mcdump.gz"
seed 0 dump-incomplete "$F/incomplete.mcdump.gz"
seed 1 records "$F/small.mcdump.gz.ndjson"
seed 2 users-json Samples/kilo-2host/users.json
seed 2 users-csv Samples/kilo-2host/users.csv
seed 3 partial - <<'JSON'
{"type":"report-partial","schema":1,"top":5,"records":3,"misplaced":0,"attributed":true,"error_records":0,"unverified_records":0,"suspicious_count":1,"suspicious":[{"host":"h:1","key":"k","size":3,"names":["os.system"]}],"warnings":["w"],"hosts":[{"host":"h:1","items":2,"value_bytes":30,"bytes_by_kind":{"token":30},"complete":true,"evictions":0,"traffic":{"bytes_read":1,"bytes_written":2,"seconds":3,"evictions":0,"evictions_delta":0},"since_start":{"bytes_read":1,"bytes_written":2,"uptime":9}}],"users":[{"id":"u","name":"n","domain":null,"in_export":true,"items":1,"bytes":30,"token_keys":1,"bytes_by_host":{"h:1":30},"lists":[{"key":"k","host":"h:1","size":30,"entries":2,"expired":0,"issue_rate":0.5,"ceiling_share":0.1}]}],"slabs":[{"host":"h:1","cls":1,"items":2,"bytes":30}],"kinds":{"token":2},"keys":[{"key":"k","logical_key":null,"kind":"token","size":30,"host":"h:1","owner":"n","owner_id":"u","placement_ok":true}],"what_if":null}
JSON
seed 4 nc "$F/capture.nc"
seed 5 metadump "$F/metadump.txt"
seed 6 cachedump "$F/cachedump.txt"
printf 'VA 5 f1 c2 t-1 O0\r\nhello\r\nHD f0 O1\r\nEN\r\nVA 9999 f0\r\nMN\r\n' | seed 7 meta -
printf 'VALUE k 0 5 7\r\nhello\r\nVALUE b 1 2\r\nhi\r\nEND\r\n' | seed 8 values -
printf 'STAT pid 1\r\nSTAT version 1.6.18\r\nEND\r\n' | seed 9 stats -
printf 'key=a%%20b exp=-1 la=1 cas=2 fetch=no cls=1 size=60\nkey=c exp=5 la=1 cas=3 fetch=yes cls=2 size=70\nEND\r\n' | seed 10 metadump-answer -

. Benchmarks/fuzz-run.sh
run_fuzz readers-fuzz "$SECS" 65536 "$SEEDS" "$SEEDS" "$SECS" 1
