#!/usr/bin/env bash
# Fuzzes SafePickle for a bounded time. Tries libFuzzer first (swift build -sanitize=fuzzer, product
# pickle-fuzz built with -DLIBFUZZER); if that cannot build here, runs the seeded random mutator.
# Seeds: the committed fixtures. Reports executions and crashes.
# usage: Benchmarks/fuzz-pickle.sh [SECONDS=60]
set -uo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
SEEDS=$(mktemp -d)
trap 'rm -rf "$SEEDS"' EXIT
cp Tests/Fixtures/pickle/py2/*.pkl "$SEEDS"/ 2>/dev/null
python3 - "$SEEDS" <<'PYEOF'
import base64, json, sys
for i, line in enumerate(open('Tests/Fixtures/pickle/cpython/cases.jsonl')):
    c = json.loads(line)
    open('%s/cpython-%03d.pkl' % (sys.argv[1], i), 'wb').write(base64.b64decode(c['b64']))
PYEOF
find "$SEEDS" -size +100k -delete

. Benchmarks/fuzz-run.sh
run_fuzz pickle-fuzz "$SECS" 65536 "$SEEDS" "$SEEDS" "$SECS" 1
