#!/usr/bin/env bash
# Fuzzes SafePickle for a bounded time. Tries libFuzzer first (swift build -sanitize=fuzzer, product
# pickle-fuzz built with -DLIBFUZZER); if that cannot build here, runs the seeded random mutator.
# Seeds: the committed fixtures. Reports executions and crashes.
# usage: Benchmarks/fuzz-pickle.sh [SECONDS=60]
set -uo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
SCRATCH=${SCRATCH:-.build-w}
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

if swift build --scratch-path "$SCRATCH-fuzz" -c release --product pickle-fuzz \
     -Xswiftc -sanitize=fuzzer -Xswiftc -DLIBFUZZER >"$SEEDS.buildlog" 2>&1; then
  echo "libFuzzer build: ok"
  CORPUS=$(mktemp -d)
  "$SCRATCH-fuzz/release/pickle-fuzz" -max_total_time="$SECS" -max_len=65536 -rss_limit_mb=2048 \
      -artifact_prefix="$CORPUS/" "$CORPUS" "$SEEDS" 2>&1 | tee "$SEEDS.fuzzlog" | grep -E "^#[0-9]+.*(DONE|pulse)|Done|ERROR|crash" | tail -5
  status=${PIPESTATUS[0]}
  echo "executions: $(grep -oE 'Done [0-9]+ runs' "$SEEDS.fuzzlog" | grep -oE '[0-9]+' || echo '?')"
  echo "crashes: $(ls "$CORPUS" | grep -cE '^(crash|leak|timeout|oom)-' || true) (libFuzzer exit status $status)"
  rm -rf "$CORPUS" "$SEEDS.buildlog" "$SEEDS.fuzzlog"
  exit "$status"
fi
echo "libFuzzer build failed here (see below); using the seeded random mutator"
tail -3 "$SEEDS.buildlog"; rm -f "$SEEDS.buildlog"
swift build --scratch-path "$SCRATCH" -c release --product pickle-fuzz >/dev/null || exit 2
"$SCRATCH/release/pickle-fuzz" "$SEEDS" "$SECS" 1
status=$?
[ $status -eq 0 ] && echo "crashes: 0" || echo "crashes: the mutator died with status $status"
exit $status
