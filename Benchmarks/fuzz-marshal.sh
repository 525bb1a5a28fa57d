#!/usr/bin/env bash
# Fuzzes RubyMarshal (plain Marshal, Rails cache entries, Dalli values) for a bounded time. Tries
# libFuzzer first (swift build -sanitize=fuzzer, product marshal-fuzz built with -DLIBFUZZER); if that
# cannot build here, runs the seeded random mutator. Seeds: the committed Ruby fixtures
# (Tests/Fixtures/ruby/cases.jsonl) plus a Rails 6.1/7.0/7.1 entry each. Reports executions and crashes.
# usage: Benchmarks/fuzz-marshal.sh [SECONDS=60]
set -uo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
SEEDS=$(mktemp -d)
trap 'rm -rf "$SEEDS"' EXIT
python3 - "$SEEDS" <<'PYEOF'
import base64, json, struct, sys, zlib
d = sys.argv[1]
for i, line in enumerate(open('Tests/Fixtures/ruby/cases.jsonl')):
    c = json.loads(line)
    open('%s/case-%03d.bin' % (d, i), 'wb').write(base64.b64decode(c['b64']))
def sym(n): return b':' + bytes([len(n) + 5]) + n
inner = b'\x04\x08[\x07i\x06I"\x06v\x06:\x06ET'
entry61 = (b'\x04\x08o' + sym(b'ActiveSupport::Cache::Entry') + b'\x09' + sym(b'@value') + b'"' + bytes([len(zlib.compress(inner)) + 5])
           + zlib.compress(inner) + sym(b'@version') + b'0' + sym(b'@created_at') + b'f\x061' + sym(b'@expires_in') + b'0'
           + sym(b'@compressed') + b'T')
open(d + '/rails61.bin', 'wb').write(entry61)
open(d + '/rails70.bin', 'wb').write(b'\x04\x08"' + bytes([len(inner) + 6]) + b'\x00' + inner)
coder = b'\x00\x11\x01' + struct.pack('<di', 5.0, 1) + b'v' + inner
open(d + '/rails71.bin', 'wb').write(b'\x04\x08"' + bytes([len(coder) + 5]) + coder)
PYEOF
find "$SEEDS" -size +100k -delete

. Benchmarks/fuzz-run.sh
run_fuzz marshal-fuzz "$SECS" 65536 "$SEEDS" "$SEEDS" "$SECS" 1
